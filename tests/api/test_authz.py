"""Authorization: every route of the API × every role, and contractors kept to their own enterprise.

Roles: anonymous, the builder's contractor account (jiangong), a contractor of
another enterprise (shizheng, 示例市政), an inspector (zhang), an admin and a
service-team expert (zhao). A refused call answers 401 (no identity) or 403
(identity without the right) as problem+json, and changes nothing: the audit
log and every status stay as they were. An admitted call may still fail a
business rule (404, 409, 422), but never with 401 or 403 — and never 5xx.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import text

from .conftest import Demo, assert_problem

ROLES = ("anon", "expert", "other", "contractor", "inspector", "admin")
ALL = set(ROLES)
SIGNED_IN = ALL - {"anon"}
MEMBERS = {"contractor", "other", "inspector", "admin"}
STAFF = {"inspector", "admin"}
ADMIN = {"admin"}


@dataclass
class Case:
    method: str
    template: str  # the OpenAPI path template this case covers
    allowed: set[str]
    path: Callable[[dict[str, str]], str] | str = ""
    body: Callable[[dict[str, str]], Any] | Any = None
    files: Any = None
    params: dict[str, str] = field(default_factory=dict)
    # Roles the route admits but the record does not: told 404 exactly as for a missing number, so that
    # sequential numbers reveal nothing about other enterprises' records.
    hidden: frozenset[str] = frozenset()

    def url(self, ids: dict[str, str]) -> str:
        p = self.path or self.template
        return p(ids) if callable(p) else p

    def json(self, ids: dict[str, str]) -> Any:
        return self.body(ids) if callable(self.body) else self.body


def _booking_body(ids: dict[str, str]) -> dict:
    return {"project": int(ids["school"]), "milestone": "主体结构验收", "requested_date": ids["free_day"],
            "contact_name": "测试联系人", "contact_phone": "13800000009"}


CASES = [
    Case("GET", "/v1/search", ALL, "/v1/search?q=拆模&mode=lexical"),
    Case("GET", "/v1/clauses/{code}/{clause_no}", ALL, "/v1/clauses/ZJT101/6.0.3"),
    Case("POST", "/v1/ask", ALL, body={"question": "拆除底模前要满足什么条件"}),
    Case("POST", "/v1/chat", MEMBERS | {"anon"}, body={"text": "你好"}),
    Case("POST", "/v1/feedback", ALL, body={"query_id": 987654, "vote": "up"}),
    Case("GET", "/v1/documents", ALL),
    Case("POST", "/v1/documents", ADMIN, files=[("files", ("x.exe", b"MZ", "application/octet-stream"))]),
    Case("GET", "/v1/documents/jobs", ADMIN),
    Case("GET", "/v1/documents/jobs/{job_id}", ADMIN, "/v1/documents/jobs/" + "0" * 32),
    Case("POST", "/v1/documents/{code}/retire", ADMIN, "/v1/documents/ZJT999/retire", body={}),
    Case("GET", "/v1/projects", MEMBERS),
    Case("GET", "/v1/bookings/window", {"contractor", "inspector", "admin"},
         lambda i: f"/v1/bookings/window?project={i['school']}&milestone=主体结构验收"),
    Case("GET", "/v1/bookings", MEMBERS),
    Case("POST", "/v1/bookings", {"contractor", "inspector", "admin"}, body=_booking_body),
    Case("GET", "/v1/bookings/{booking_no}", {"contractor", "inspector", "admin"},
         lambda i: f"/v1/bookings/{i['b_builder']}", hidden=frozenset({'other'})),
    Case("POST", "/v1/bookings/{booking_no}/accept", STAFF, lambda i: f"/v1/bookings/{i['b_submitted']}/accept"),
    Case("POST", "/v1/bookings/{booking_no}/return", STAFF, lambda i: f"/v1/bookings/{i['b_other']}/return",
         body={"reason": "资料不全"}),
    Case("POST", "/v1/bookings/{booking_no}/schedule", STAFF, lambda i: f"/v1/bookings/{i['b_builder']}/schedule",
         body={"inspectors": ["zhang", "li"], "at_time": "10:00"}),
    Case("POST", "/v1/bookings/{booking_no}/complete", STAFF, lambda i: f"/v1/bookings/{i['b_builder']}/complete",
         body={"result": "合格"}),
    Case("POST", "/v1/bookings/{booking_no}/cancel", {"contractor", "inspector", "admin"},
         lambda i: f"/v1/bookings/{i['b_builder']}/cancel", body={"reason": "现场条件未具备"}, hidden=frozenset({'other'})),
    Case("GET", "/v1/credit", ALL, "/v1/credit?q=示例建工集团有限公司"),
    Case("GET", "/v1/visits", SIGNED_IN),
    Case("GET", "/v1/visits/queue", STAFF),
    Case("POST", "/v1/visits", MEMBERS,
         body={"topic": "方案优化", "description": "测试申请", "contact_name": "测试", "contact_phone": "13800000008"}),
    Case("GET", "/v1/visits/{visit_no}", {"contractor", "inspector", "admin"}, lambda i: f"/v1/visits/{i['v_builder']}", hidden=frozenset({'expert', 'other'})),
    Case("POST", "/v1/visits/{visit_no}/assign", STAFF, lambda i: f"/v1/visits/{i['v_other']}/assign",
         body={"experts": ["zhao"], "planned_date": "2099-01-05"}),
    Case("POST", "/v1/visits/{visit_no}/record", STAFF, lambda i: f"/v1/visits/{i['v_builder']}/record",
         body={"findings": "已指导"}, hidden=frozenset({'expert', 'other'})),
    Case("POST", "/v1/visits/{visit_no}/close", {"contractor", "inspector", "admin"},
         lambda i: f"/v1/visits/{i['v_builder']}/close", body={"satisfaction": 5}, hidden=frozenset({'other'})),
    Case("POST", "/v1/visits/{visit_no}/withdraw", {"contractor", "inspector", "admin"},
         lambda i: f"/v1/visits/{i['v_builder']}/withdraw", body={"reason": "问题已解决"}, hidden=frozenset({'other'})),
    Case("GET", "/v1/rectifications", MEMBERS),
    Case("POST", "/v1/rectifications", STAFF,
         body=lambda i: {"project": int(i["school"]), "problem": "测试问题", "deadline": "2099-01-05"}),
    Case("GET", "/v1/rectifications/{notice_no}", {"other", "inspector", "admin"},
         lambda i: f"/v1/rectifications/{i['notice']}", hidden=frozenset({'contractor'})),
    Case("POST", "/v1/rectifications/{notice_no}/reply", {"other", "inspector", "admin"},
         lambda i: f"/v1/rectifications/{i['notice']}/reply", body={"reply": "已整改"}, hidden=frozenset({'contractor'})),
    Case("POST", "/v1/rectifications/{notice_no}/reinspect", STAFF,
         lambda i: f"/v1/rectifications/{i['notice']}/reinspect", body={"passed": False, "note": "未整改到位"}),
    Case("GET", "/v1/rectifications/overdue", STAFF),
    Case("POST", "/v1/rectifications/escalate", STAFF),
    Case("GET", "/v1/rectifications/{notice_no}/pdf", {"other", "inspector", "admin"},
         lambda i: f"/v1/rectifications/{i['notice']}/pdf", hidden=frozenset({'contractor'})),
    Case("GET", "/v1/rectifications/{notice_no}/case-draft", STAFF, lambda i: f"/v1/rectifications/{i['notice']}/case-draft"),
    Case("POST", "/v1/rectifications/{notice_no}/case-preview", STAFF,
         lambda i: f"/v1/rectifications/{i['notice']}/case-preview",
         body={"title": "测试案例", "problem": "问题", "cause": "原因", "treatment": "处理"}),
    Case("POST", "/v1/rectifications/{notice_no}/publish", STAFF, lambda i: f"/v1/rectifications/{i['notice']}/publish",
         body={"title": "测试案例", "problem": "问题", "cause": "原因", "treatment": "处理"}),
    Case("GET", "/v1/tolerances", ALL),
    Case("POST", "/v1/measurements/check", ALL, body={"item": "CV-02", "design": 25, "values": [25, 33, 34]}),
    Case("GET", "/v1/inspections", MEMBERS),
    Case("POST", "/v1/inspections", STAFF, body=lambda i: {"project": int(i["school"]), "position": "三层楼板"}),
    Case("GET", "/v1/inspections/{record_no}", {"other", "inspector", "admin"},
         lambda i: f"/v1/inspections/{i['record']}", hidden=frozenset({'contractor'})),
    Case("POST", "/v1/inspections/{record_no}/findings", STAFF, lambda i: f"/v1/inspections/{i['record']}/findings",
         body={"category": "entity", "problem": "垫块不足", "cited_code": "ZJ/T 102-2025", "cited_clause": "5.0.2"}),
    Case("POST", "/v1/inspections/{record_no}/measurements", STAFF,
         lambda i: f"/v1/inspections/{i['record']}/measurements", body={"item": "CV-02", "design": 25, "values": [25, 40]}),
    Case("POST", "/v1/inspections/{record_no}/notice-draft", STAFF,
         lambda i: f"/v1/inspections/{i['record']}/notice-draft", body=lambda i: {"finding_ids": [int(i["finding"])]}),
    Case("POST", "/v1/inspections/{record_no}/notices", STAFF, lambda i: f"/v1/inspections/{i['record']}/notices",
         body=lambda i: {"finding_ids": [int(i["finding"])]}),
    Case("GET", "/v1/inspections/{record_no}/pdf", {"other", "inspector", "admin"},
         lambda i: f"/v1/inspections/{i['record']}/pdf", hidden=frozenset({'contractor'})),
    Case("POST", "/v1/inspections/{record_no}/finish", STAFF, lambda i: f"/v1/inspections/{i['record']}/finish",
         body={"conclusion": "发现问题一项，已下发整改通知单"}),
    Case("GET", "/v1/projects/{project}/timeline", {"contractor", "inspector", "admin"},
         lambda i: f"/v1/projects/{i['school']}/timeline", hidden=frozenset({'other'})),
    Case("GET", "/v1/credit/drafts", STAFF),
    Case("POST", "/v1/credit/drafts/{draft_id}/confirm", STAFF, "/v1/credit/drafts/999999/confirm", body={}),
    Case("POST", "/v1/credit/drafts/{draft_id}/reject", STAFF, "/v1/credit/drafts/999999/reject", body={"note": "不予记录"}),
    Case("GET", "/v1/cases", STAFF),
    Case("GET", "/v1/spot-checks", STAFF),
    Case("POST", "/v1/spot-checks", STAFF, body={"period_start": "2026-10-01", "period_end": "2026-12-31", "seed": "t"}),
    Case("GET", "/v1/spot-checks/{draw_no}", STAFF, lambda i: f"/v1/spot-checks/{i['draw']}"),
    Case("GET", "/v1/me", ALL),
    Case("GET", "/v1/notifications", SIGNED_IN),
    Case("POST", "/v1/notifications/read", SIGNED_IN, body={}),
    Case("GET", "/v1/notifications/preferences", SIGNED_IN),
    Case("PUT", "/v1/notifications/preferences", SIGNED_IN, body={"muted": ["daily_digest"]}),
    Case("GET", "/v1/notifications/dead-letters", ADMIN),
    Case("POST", "/v1/notifications/dead-letters/retry", ADMIN, body={}),
    Case("GET", "/v1/notifications/outbox", ADMIN),
    Case("GET", "/v1/meta", ALL),
    Case("GET", "/v1/accounts", ADMIN),
    Case("POST", "/v1/accounts", ADMIN,
         body=lambda i: {"login": "u" + uuid.uuid4().hex[:8], "name": "测试监督员", "role": "inspector"}),
    Case("GET", "/v1/tokens", ADMIN),
    Case("POST", "/v1/accounts/{login}/tokens", ADMIN, "/v1/accounts/li/tokens", body={"label": "测试"}),
    Case("DELETE", "/v1/tokens/{token_id}", ADMIN, "/v1/tokens/999999"),
    Case("POST", "/v1/accounts/{login}/binding-code", STAFF, "/v1/accounts/jiangong/binding-code"),
    Case("GET", "/v1/reports/unanswered", STAFF),
    # the station workbench
    Case("GET", "/v1/bookings/queues", STAFF),
    Case("GET", "/v1/bookings/{booking_no}/conflicts", STAFF,
         lambda i: f"/v1/bookings/{i['b_builder']}/conflicts?at_time=09:00&inspectors=zhang&inspectors=li"),
    Case("GET", "/v1/visits/{visit_no}/context", {"contractor", "inspector", "admin"},
         lambda i: f"/v1/visits/{i['v_builder']}/context", hidden=frozenset({"expert", "other"})),
    Case("POST", "/v1/visits/{visit_no}/release", STAFF, lambda i: f"/v1/visits/{i['v_builder']}/release",
         body={"reason": "无法前往"}),
    Case("DELETE", "/v1/documents/{code}", ADMIN, "/v1/documents/ZJT999"),
    Case("POST", "/v1/attachments/{subject_type}/{subject_no}", STAFF,
         lambda i: f"/v1/attachments/booking/{i['b_builder']}", files=[("file", ("x.jpg", b"not an image", "image/jpeg"))]),
    Case("GET", "/v1/attachments/{subject_type}/{subject_no}", {"contractor", "inspector", "admin"},
         lambda i: f"/v1/attachments/booking/{i['b_builder']}"),
    Case("GET", "/v1/attachments/file/{uid}", SIGNED_IN, "/v1/attachments/file/" + "0" * 32),
    Case("GET", "/v1/attachments/thumb/{uid}", SIGNED_IN, "/v1/attachments/thumb/" + "0" * 32),
    Case("GET", "/v1/staff", STAFF),
    Case("GET", "/v1/bindings", ADMIN),
    Case("GET", "/v1/settings", ADMIN),
    Case("GET", "/v1/chat/{conversation_id}", MEMBERS | {"anon"}, "/v1/chat/abcdefgh1234"),
    Case("GET", "/healthz", ALL),
    Case("GET", "/metrics", ADMIN),
]


def _ids(client, demo: Demo) -> dict[str, str]:
    """Numbers of the demo records each case acts on (they differ between runs and backends)."""
    admin = demo.auth("admin")
    bookings = client.get("/v1/bookings", headers=admin).json()
    projects = {p["name"]: p["id"] for p in client.get("/v1/projects", headers=admin).json()}
    school = projects["示例县第一中学综合楼（示例）"]
    by = {(b["project_name"], b["milestone"]): b for b in bookings}
    visits = client.get("/v1/visits", headers=admin).json()
    notices = client.get("/v1/rectifications", headers=admin).json()
    window = client.get(f"/v1/bookings/window?project={school}&milestone=主体结构验收", headers=admin).json()
    # an inspection record of the housing project (示例市政's, so the builder's account may not see it)
    record = client.post("/v1/inspections", json={"project": projects["示例花园小区3号住宅楼（示例）"]},
                         headers=admin).json()["record_no"]
    finding = client.post(f"/v1/inspections/{record}/findings", headers=admin, json={
        "category": "entity", "problem": "板底垫块缺失", "cited_code": "ZJ/T 102-2025", "cited_clause": "5.0.2"})
    draw = client.post("/v1/spot-checks", json={"period_start": "2026-10-01", "period_end": "2026-12-31"},
                       headers=admin).json()["draw_no"]
    return {
        "record": record,
        "finding": str(finding.json()["id"]),
        "draw": draw,
        "school": str(school),
        "free_day": next(d["day"] for d in window["days"] if d["free"] > 0),
        "b_builder": by[("示例县第一中学综合楼（示例）", "地基与基础验收")]["booking_no"],  # scheduled, builder's
        "b_other": by[("示例花园小区3号住宅楼（示例）", "地基与基础验收")]["booking_no"],  # accepted, municipal's
        "b_submitted": by[("示例县人民医院门诊楼（示例）", "监督交底")]["booking_no"],  # submitted, municipal's
        "v_builder": next(v["visit_no"] for v in visits if v["enterprise_name"] == "示例建工集团有限公司"),
        "v_other": next(v["visit_no"] for v in visits if v["enterprise_name"] == "示例市政建设有限公司"),
        "notice": notices[0]["notice_no"],
    }


def _snapshot(app) -> dict[str, Any]:
    """Everything a refused call must leave untouched."""
    with app.state.services.assistant.db.connect() as conn:
        q = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
        return {
            "audit": q("SELECT COUNT(*) FROM audit_events"),
            "bookings": q("SELECT booking_no, status, inspection_date FROM bookings ORDER BY id"),
            "visits": q("SELECT visit_no, status FROM visit_requests ORDER BY id"),
            "notices": q("SELECT notice_no, status, reply FROM rectification_notices ORDER BY id"),
            "accounts": q("SELECT COUNT(*) FROM accounts"),
            "tokens": q("SELECT COUNT(*), COUNT(revoked_at) FROM api_tokens"),
            "binding_codes": q("SELECT COUNT(*), MAX(expires_at) FROM binding_codes"),
            "feedback": q("SELECT COUNT(*) FROM answer_feedback"),
            "inspections": q("SELECT record_no, status, conclusion FROM inspections ORDER BY id"),
            "findings": q("SELECT id, notice_id FROM inspection_findings ORDER BY id"),
            "measurements": q("SELECT COUNT(*) FROM inspection_measurements"),
            "drafts": q("SELECT id, status FROM credit_drafts ORDER BY id"),
            "draws": q("SELECT COUNT(*) FROM spot_check_draws"),
            "cases": q("SELECT COUNT(*) FROM published_cases"),
            "notice_loop": q("SELECT notice_no, deadline, reissue_count, escalated_at FROM rectification_notices ORDER BY id"),
        }


def _call(client, case: Case, ids: dict[str, str], headers: dict[str, str]):
    kwargs: dict[str, Any] = {"headers": headers}
    if case.files is not None:
        kwargs["files"] = case.files
    elif case.method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = case.json(ids) if case.body is not None else {}
    return client.request(case.method, case.url(ids), **kwargs)


def test_matrix_covers_every_route(api_app):
    schema = api_app.openapi()
    routes = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    covered = {(c.method, c.template) for c in CASES}
    assert routes == covered, f"not in the matrix: {routes - covered}; stale: {covered - routes}"


def test_every_route_for_every_role(client, api_app, demo):
    ids = _ids(client, demo)
    failures = []
    for case in CASES:
        for role in ROLES:
            headers = demo.auth(None if role == "anon" else role)
            allowed = role in case.allowed
            before = None if allowed else _snapshot(api_app)
            resp = _call(client, case, ids, headers)
            where = f"{case.method} {case.url(ids)} as {role}"
            if resp.status_code >= 500:
                failures.append(f"{where}: {resp.status_code} {resp.text[:200]}")
            elif allowed and resp.status_code in (401, 403):
                failures.append(f"{where}: refused ({resp.status_code}) but should be allowed: {resp.text[:200]}")
            elif not allowed:
                expected = 404 if role in case.hidden else 401 if role == "anon" else 403
                if resp.status_code != expected:
                    failures.append(f"{where}: expected {expected}, got {resp.status_code} {resp.text[:200]}")
                else:
                    assert_problem(resp, expected)
                    if _snapshot(api_app) != before:
                        failures.append(f"{where}: refused but the store changed")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("action,body", [
    ("cancel", {"reason": "不想要了"}),
    ("accept", None),
    ("schedule", {"inspectors": ["zhang", "li"], "at_time": "09:00"}),
])
def test_contractor_cannot_touch_another_enterprises_booking(client, api_app, demo, action, body):
    ids = _ids(client, demo)
    target = ids["b_other"]  # 示例市政's booking; jiangong works for 示例建工
    before = _snapshot(api_app)
    seen = client.get(f"/v1/bookings/{target}", headers=demo.auth("contractor"))
    missing = client.get("/v1/bookings/2026-999999", headers=demo.auth("contractor"))
    # Another enterprise's booking looks exactly like one that does not exist.
    assert_problem(seen, 404, "not_found")
    assert seen.json()["detail"].replace(target, "N") == missing.json()["detail"].replace("2026-999999", "N")
    resp = client.post(f"/v1/bookings/{target}/{action}", json=body or {}, headers=demo.auth("contractor"))
    if action == "cancel":  # the route admits contractors; the record is hidden
        assert_problem(resp, 404, "not_found")
    else:  # staff-only routes refuse the role before any record is looked up
        assert_problem(resp, 403, "forbidden")
    assert _snapshot(api_app) == before
    still = client.get(f"/v1/bookings/{target}", headers=demo.auth("other")).json()
    assert still["status"] == "accepted" and len(still["history"]) == 2


def test_contractor_lists_only_own_enterprise(client, demo):
    mine = client.get("/v1/bookings", headers=demo.auth("contractor")).json()
    theirs = client.get("/v1/bookings", headers=demo.auth("other")).json()
    everyone = client.get("/v1/bookings", headers=demo.auth("inspector")).json()
    assert mine and theirs
    assert {b["enterprise_name"] for b in mine} == {"示例建工集团有限公司"}
    assert {b["enterprise_name"] for b in theirs} == {"示例市政建设有限公司"}
    assert len(everyone) == len(mine) + len(theirs)
    visits = client.get("/v1/visits", headers=demo.auth("contractor")).json()
    assert {v["enterprise_name"] for v in visits} == {"示例建工集团有限公司"}
    projects = client.get("/v1/projects", headers=demo.auth("contractor")).json()
    assert [p["name"] for p in projects] == ["示例县第一中学综合楼（示例）"]


def test_contractor_cannot_book_for_a_project_it_is_not_on(client, api_app, demo):
    ids = _ids(client, demo)
    before = _snapshot(api_app)
    resp = client.post("/v1/bookings", json=_booking_body(ids), headers=demo.auth("other"))
    assert_problem(resp, 403, "forbidden")
    assert _snapshot(api_app) == before


def test_credit_detail_only_for_the_firm_and_staff(client, demo):
    q = "/v1/credit?q=示例建工集团有限公司"
    assert client.get(q).json()["view"] == "public"
    assert "records" not in client.get(q).json()
    assert client.get(q, headers=demo.auth("other")).json()["view"] == "public"
    assert client.get(q, headers=demo.auth("contractor")).json()["view"] == "full"
    assert client.get(q, headers=demo.auth("inspector")).json()["view"] == "full"


def test_revoked_and_unknown_tokens_are_refused(client, demo):
    admin = demo.auth("admin")
    assert client.get("/v1/me", headers=demo.auth("contractor")).json()["authenticated"] is True
    tokens = client.get("/v1/tokens", headers=admin).json()
    mine = next(t for t in tokens if t["login"] == "jiangong")
    assert client.delete(f"/v1/tokens/{mine['id']}", headers=admin).status_code == 200
    assert_problem(client.get("/v1/me", headers=demo.auth("contractor")), 401, "unauthenticated")
    assert_problem(client.get("/v1/me", headers={"Authorization": "Bearer zj_" + "x" * 43}), 401)
    resp = client.get("/v1/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert_problem(resp, 401)
    assert resp.headers["www-authenticate"].startswith("Bearer")
