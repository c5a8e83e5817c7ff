"""The inspection loop through the HTTP API: the tolerance contract, measured-value verdicts, and the chain
检查 → 实测 → 通知 → 回复 → 复查 → 销号 → 发布为案例 → found by search (and cited in an answer).
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from api.app import create_app
from assistant.store import migrate

from .conftest import NO_LIMITS, assert_problem, make_settings, reset_store, wait_for_job

CONTRACT = {"id", "name", "unit", "lower", "upper", "relative_to_design", "points", "code", "clause_no"}


def test_tolerances_contract_and_the_cli_prints_the_same_list(client, sample_env):
    listed = client.get("/v1/tolerances").json()
    assert len(listed) == 17 and all(set(t) >= CONTRACT for t in listed)
    cover = next(t for t in listed if t["id"] == "CV-02")
    assert {k: cover[k] for k in CONTRACT} == {
        "id": "CV-02", "name": "结构实体纵向受力钢筋保护层厚度（板类构件）", "unit": "mm", "lower": -5.0, "upper": 8.0,
        "relative_to_design": True, "points": 6, "code": "ZJ/T 102-2025", "clause_no": "5.0.6"}
    from assistant.cli import app

    result = CliRunner().invoke(app, ["tolerances", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == listed


def test_measured_values_contract_with_values_on_the_limits(client):
    body = {"item": "CV-02", "design": 25, "values": [33, 20, 33.1, 37, 37.1, 17.5, 25.3]}
    r = client.post("/v1/measurements/check", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert {"points", "pass_rate", "ok", "alert", "code", "clause_no"} <= set(out)
    assert out["points"] == [
        {"value": 33.0, "deviation": 8.0, "ok": True, "beyond": False},     # +8: on the upper limit
        {"value": 20.0, "deviation": -5.0, "ok": True, "beyond": False},    # -5: on the lower limit
        {"value": 33.1, "deviation": 8.1, "ok": False, "beyond": False},
        {"value": 37.0, "deviation": 12.0, "ok": False, "beyond": False},   # 1.5 × 8: not beyond
        {"value": 37.1, "deviation": 12.1, "ok": False, "beyond": True},
        {"value": 17.5, "deviation": -7.5, "ok": False, "beyond": False},   # 1.5 × -5: not beyond
        {"value": 25.3, "deviation": 0.3, "ok": True, "beyond": False},
    ]
    assert out["pass_rate"] == round(3 / 7, 4) and out["ok"] is False and out["alert"] is True
    assert (out["code"], out["clause_no"]) == ("ZJ/T 102-2025", "5.0.6")
    limit = client.post("/v1/measurements/check", json={"item": "MS-04", "design": None, "values": [8, 0, 7.9]}).json()
    assert [p["ok"] for p in limit["points"]] == [True, True, True] and limit["pass_rate"] == 1.0
    assert limit["ok"] is True and limit["alert"] is False


@pytest.mark.parametrize("body,field,label", [
    ({"item": "XX-99", "design": 25, "values": [25]}, "item", "实测项目“XX-99”不在允许偏差表中"),
    ({"item": "CV-02", "design": 25, "values": [25, "二十"]}, "values[1]", "第2个实测值“二十”不是数字"),
    ({"item": "CV-02", "design": 25, "values": [-4]}, "values[0]", "第1个实测值 -4 mm 不能为负数"),
    ({"item": "CV-02", "design": 25, "values": [1000000]}, "values[0]", "第1个实测值 1000000 mm 超出"),
    ({"item": "CV-02", "design": None, "values": [25]}, "design", "设计值必填"),
    ({"item": "CV-02", "design": 25, "values": [False]}, "values[0]", "第1个实测值应为数字"),
])
def test_bad_measurements_are_a_chinese_422_naming_the_field(client, body, field, label):
    problem = assert_problem(client.post("/v1/measurements/check", json=body), 422, "invalid_input")
    assert problem["field"] == field and label in problem["detail"]


def test_values_must_be_a_list(client):
    problem = assert_problem(client.post("/v1/measurements/check", json={"item": "CV-02", "values": "25 26"}), 422)
    assert "实测值" in problem["detail"] and "values" not in problem["detail"]


@pytest.fixture
def writable(sample_installation, tmp_path, backend):
    """An installation of its own (publishing a case writes to its library and index)."""
    data = tmp_path / "install"
    shutil.copytree(sample_installation, data)
    app = create_app(make_settings(data, **backend, **NO_LIMITS))
    migrate.upgrade(app.state.services.assistant.db)
    return app


def _pdf_text(resp) -> str:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/pdf" and resp.content.startswith(b"%PDF")
    # pypdf reads this font's ToUnicode map as UTF-16 and leaves NULs between characters (poppler does not)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.content)).pages)
    return text.replace("\x00", "")


def test_inspect_measure_notify_reply_reinspect_close_publish_and_find(writable):
    demo = reset_store(writable)
    zhang, boss, admin = (demo.auth(r) for r in ("inspector", "contractor", "admin"))
    li = admin  # a second member of staff re-inspects
    calendar = writable.state.services.assistant.rules.calendar
    today = writable.state.services.assistant.rules.today()
    with TestClient(writable) as c:
        school = next(p for p in c.get("/v1/projects", headers=zhang).json() if p["name"].startswith("示例县第一中学"))

        # 检查: a patrol record, then a finding whose clause is picked from search
        rec = c.post("/v1/inspections", headers=zhang, json={
            "project": school["id"], "unit_work": "综合楼", "position": "三层楼板", "inspectors": ["zhang", "li"],
            "entity_items": ["钢筋保护层", "板底垫块"], "behavior_items": ["隐蔽工程验收记录"]})
        assert rec.status_code == 201, rec.text
        record_no = rec.json()["record_no"]
        hits = c.get("/v1/search", params={"q": "垫块 严禁使用碎砖 石子", "k": 5}).json()["hits"]
        hit = next(h for h in hits if h["kind"] == "body")
        assert (hit["code"], hit["clause_no"]) == ("ZJ/T 102-2025", "5.0.2")
        finding = c.post(f"/v1/inspections/{record_no}/findings", headers=zhang, json={
            "category": "entity", "problem": "三层楼板板底垫块用碎砖代替", "cited_code": hit["code"],
            "cited_clause": hit["clause_no"], "photos": [101]}).json()
        assert finding["citation"] == "ZJ/T 102-2025 第5.0.2条"
        bad = c.post(f"/v1/inspections/{record_no}/findings", headers=zhang, json={
            "category": "entity", "problem": "x", "cited_code": "ZJ/T 102-2025", "cited_clause": "9.9.9"})
        assert assert_problem(bad, 422)["field"] == "cited_clause"

        # 实测: slab cover 25 mm by design; two points out, one of them beyond 1.5 × the tolerance
        m = c.post(f"/v1/inspections/{record_no}/measurements", headers=zhang, json={
            "item": "CV-02", "design": 25, "values": [33, 20, 37.5, 25, 26, 19], "position": "3F 板 B-2"}).json()
        assert m["points_ok"] == 4 and m["alert"] is True and m["ok"] is False

        # 通知: drafted from the finding and the flagged set, then issued as drafted
        draft = c.post(f"/v1/inspections/{record_no}/notice-draft", headers=zhang,
                       json={"finding_ids": [finding["id"]], "measurement_ids": [m["id"]]}).json()
        assert draft["deadline"] == calendar.add_workdays(today, 7).day.isoformat()
        assert draft["responsible_enterprise_name"] == "示例建工集团有限公司"
        assert draft["citations"] == ["ZJ/T 102-2025 第5.0.2条", "ZJ/T 102-2025 第5.0.6条"]
        issued = c.post(f"/v1/inspections/{record_no}/notices", headers=zhang,
                        json={"finding_ids": [finding["id"]], "measurement_ids": [m["id"]]})
        assert issued.status_code == 201, issued.text
        notice = issued.json()
        notice_no = notice["notice_no"]
        assert issued.headers["location"] == f"/v1/rectifications/{notice_no}"
        c.post(f"/v1/inspections/{record_no}/finish", headers=zhang, json={"conclusion": "发现问题两项，已下发整改通知单"})
        record_text = _pdf_text(c.get(f"/v1/inspections/{record_no}/pdf", headers=boss))
        for words in ("示例县建设工程质量监督站", "工程质量监督检查记录", record_no, "ZJ/T 102-2025 第5.0.2条", "（盖章）"):
            assert words.replace(" ", "") in record_text.replace(" ", ""), words

        # 回复 → 复查 (fails: re-issued with a new deadline) → 回复 → 复查 (passes: 销号)
        r = c.post(f"/v1/rectifications/{notice_no}/reply", headers=boss, json={"reply": "已更换垫块", "photos": [201, 202]})
        assert r.json()["status"] == "replied" and r.json()["reply_photos"] == [201, 202]
        new_deadline = (today + timedelta(days=20)).isoformat()
        r = c.post(f"/v1/rectifications/{notice_no}/reinspect", headers=zhang,
                   json={"passed": False, "note": "板底垫块间距仍大于1 m", "new_deadline": new_deadline})
        assert (r.json()["status"], r.json()["deadline"], r.json()["reissue_count"]) == ("open", new_deadline, 1)
        c.post(f"/v1/rectifications/{notice_no}/reply", headers=boss,
               json={"reply": "按梅花形加密垫块，间距不大于600 mm", "photos": [203]})
        r = c.post(f"/v1/rectifications/{notice_no}/reinspect", headers=li, json={"passed": True, "note": "复查合格"})
        assert r.json()["status"] == "closed"
        notice_text = _pdf_text(c.get(f"/v1/rectifications/{notice_no}/pdf", headers=boss)).replace(" ", "")
        for words in ("工程质量整改通知单", notice_no, "示例建工集团有限公司", "复查意见", "（盖章）"):
            assert words in notice_text, words

        # credit follows the record, once staff confirm
        drafts = c.get("/v1/credit/drafts", headers=zhang).json()
        assert [(d["event"], d["kind"], d["source_no"]) for d in drafts] == [("notice_reissued", "bad", notice_no)]
        assert c.get("/v1/credit?q=示例建工集团有限公司", headers=boss).json()["score"] == 95
        c.post(f"/v1/credit/drafts/{drafts[0]['id']}/confirm", headers=zhang, json={})
        full = c.get("/v1/credit?q=示例建工集团有限公司", headers=boss).json()
        assert full["score"] == 93 and full["records"][0]["document_no"] == notice_no

        # the project's timeline, as the contractor sees it
        kinds = [(e["kind"], e["number"]) for e in c.get(f"/v1/projects/{school['id']}/timeline", headers=boss).json()]
        assert ("inspection", record_no) in kinds and ("notice", notice_no) in kinds

        # 发布为案例: anonymised, ingested by a library job, then found by search and cited
        case = c.get(f"/v1/rectifications/{notice_no}/case-draft", headers=zhang).json()
        assert "示例建工" not in json.dumps(case, ensure_ascii=False)
        pub = c.post(f"/v1/rectifications/{notice_no}/publish", headers=zhang, json={
            "title": "楼板垫块以碎砖代替致保护层不足", "problem": case["problem"],
            "cause": "示例建工集团有限公司班组图省事，用碎砖头代替砂浆垫块，垫块间距过大，浇筑时钢筋下沉",
            "treatment": case["treatment"], "basis": case["basis"], "tags": ["垫块", "保护层", "碎砖"]})
        assert pub.status_code == 202, pub.text
        published = pub.json()
        assert published["case_no"].startswith("AL") and "示例建工" not in published["cause"]
        job = wait_for_job(c, f"/v1/documents/jobs/{published['job_id']}", admin)
        assert job["status"] == "succeeded", job
        assert c.get("/v1/cases", headers=zhang).json()[0]["job_status"] == "succeeded"
        found = c.get("/v1/search", params={"q": "碎砖头代替砂浆垫块 钢筋下沉", "k": 5, "kind": "case"}).json()["hits"]
        assert (found[0]["code"], found[0]["clause_no"]) == ("ZJ-CASE-STATION", published["case_no"])
        assert "示例建工" not in found[0]["text"] and "某施工单位" in found[0]["text"]
        answer = c.post("/v1/ask", json={"question": "楼板垫块用碎砖头代替，钢筋下沉保护层不足怎么处理"}).json()
        cited = {(x["code"], x["clause_no"]) for x in answer["citations"]}
        assert ("ZJ-CASE-STATION", published["case_no"]) in cited, answer
        again = c.post(f"/v1/rectifications/{notice_no}/publish", headers=zhang, json={
            "title": "重复", "problem": "重复", "cause": "重复", "treatment": "重复"})
        assert_problem(again, 409, "already_exists")


def test_overdue_notices_show_in_the_queue_and_escalate_once(writable, monkeypatch):
    import assistant.core

    demo = reset_store(writable)
    zhang = demo.auth("inspector")
    with TestClient(writable) as c:
        notices = c.get("/v1/rectifications", headers=zhang).json()
        seeded = notices[0]
        assert c.get("/v1/rectifications/overdue", headers=zhang).json() == []
        deadline = date.fromisoformat(seeded["deadline"])
        real = assistant.core.default_clock()
        monkeypatch.setattr(assistant.core, "default_clock", lambda: real + timedelta(days=(deadline - real.date()).days + 3))
        queue = c.get("/v1/rectifications/overdue", headers=zhang).json()
        assert [q["notice_no"] for q in queue] == [seeded["notice_no"]] and queue[0]["days_overdue"] >= 2
        out = c.post("/v1/rectifications/escalate", headers=zhang).json()
        assert [e["notice_no"] for e in out["escalated"]] == [seeded["notice_no"]] and len(out["drafts"]) == 1
        assert c.post("/v1/rectifications/escalate", headers=zhang).json()["escalated"] == []
        drafts = c.get("/v1/credit/drafts", headers=zhang).json()
        assert [(d["event"], d["enterprise_name"]) for d in drafts] == [("notice_overdue", "示例市政建设有限公司")]
        told = c.get("/v1/notifications", headers=zhang).json()["items"]
        assert any(n["kind"] == "notice_overdue" and n["subject_no"] == seeded["notice_no"] for n in told)


def test_a_random_check_draw_through_the_api(client, demo):
    staff = demo.auth("inspector")
    r = client.post("/v1/spot-checks", headers=staff, json={"period_start": "2026-10-01", "period_end": "2026-12-31",
                                                             "seed": "audit-1"})
    assert r.status_code == 201, r.text
    draw = r.json()
    assert draw["seed"] == "audit-1" and draw["replay_ok"] is True
    # demo grades: 示例建工 A (95), 示例市政 D (47): the A project is never drawn, both D projects are
    assert draw["counts"]["A"]["drawn"] == 0 and draw["counts"]["D"] == {**draw["counts"]["D"], "eligible": 2, "drawn": 2}
    again = client.get(r.headers["location"], headers=staff).json()
    assert again["picks"] == draw["picks"] and again["replay_ok"]
    bad = client.post("/v1/spot-checks", headers=staff, json={"period_start": "2026-10-01", "period_end": "2026-12-31",
                                                              "ratios": {"A": 10}})
    assert assert_problem(bad, 422)["field"] == "ratios.A"
