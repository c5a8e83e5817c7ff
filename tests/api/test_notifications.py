"""In-page notices: each person sees only their own, newest first, and can mark them read."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from assistant.store import bindings
from assistant.store.actors import Actor
from assistant.store.db import session_scope
from assistant.store.models import Delivery
from assistant.store.notify import emit

from .conftest import assert_problem


def test_my_notices_and_marking_them_read(client, demo, api_app):
    me = client.get("/v1/me", headers=demo.auth("contractor")).json()
    other = client.get("/v1/me", headers=demo.auth("other")).json()
    for role in ("contractor", "other"):  # the demo's own history (its bookings were accepted and scheduled)
        client.post("/v1/notifications/read", json={}, headers=demo.auth(role))
    with session_scope(api_app.state.services.assistant.db) as s:
        for i in range(3):
            emit(s, "booking_accepted", event_key=f"test:{i}", recipients=[me["account_id"]], title=f"预约已受理 {i}",
                 subject_type="booking", subject_no="2026-000001", at=datetime(2026, 12, 1, 9, i, tzinfo=UTC))
        emit(s, "booking_returned", event_key="test:other", recipients=[other["account_id"]], title="别人的消息",
             at=datetime(2026, 12, 1, 10, tzinfo=UTC))
    mine = client.get("/v1/notifications?unread_only=true", headers=demo.auth("contractor")).json()
    assert mine["unread"] == 3
    assert [n["title"] for n in mine["items"]] == ["预约已受理 2", "预约已受理 1", "预约已受理 0"]
    first = mine["items"][-1]["id"]
    assert client.post("/v1/notifications/read", json={"ids": [first]}, headers=demo.auth("contractor")).json() == \
        {"marked": 1}
    # Someone else's notice cannot be marked through my account.
    theirs = client.get("/v1/notifications?unread_only=true", headers=demo.auth("other")).json()["items"][0]["id"]
    assert client.post("/v1/notifications/read", json={"ids": [theirs]}, headers=demo.auth("contractor")).json() == \
        {"marked": 0}
    assert client.get("/v1/notifications?unread_only=true", headers=demo.auth("contractor")).json()["unread"] == 2
    assert client.post("/v1/notifications/read", json={}, headers=demo.auth("contractor")).json() == {"marked": 2}
    assert client.get("/v1/notifications", headers=demo.auth("other")).json()["unread"] == 1


def _unread_titles(client, demo, role: str) -> list[str]:
    return [n["title"] for n in client.get("/v1/notifications?unread_only=true", headers=demo.auth(role)).json()["items"]]


def test_a_booking_worked_through_the_api_shows_up_for_the_firm_and_the_inspectors(client, demo):
    for role in ("contractor", "inspector"):
        client.post("/v1/notifications/read", json={}, headers=demo.auth(role))
    admin = demo.auth("admin")
    school = next(p["id"] for p in client.get("/v1/projects", headers=admin).json() if p["name"].startswith("示例县第一中学"))
    window = client.get(f"/v1/bookings/window?project={school}&milestone=节能验收", headers=admin).json()
    day = next(d["day"] for d in window["days"] if d["free"] > 1)
    made = client.post("/v1/bookings", json={"project": school, "milestone": "节能验收", "requested_date": day,
                                             "contact_name": "王经理", "contact_phone": "13800000009"},
                       headers=demo.auth("contractor"))
    assert made.status_code == 201, made.text
    no = made.json()["booking_no"]
    assert _unread_titles(client, demo, "inspector") == ["新预约待受理：示例县第一中学综合楼（示例） 节能验收"]
    assert client.post(f"/v1/bookings/{no}/accept", headers=admin).status_code == 200
    resp = client.post(f"/v1/bookings/{no}/schedule", json={"inspectors": ["zhang", "li"], "at_time": "16:30"},
                       headers=admin)
    assert resp.status_code == 200, resp.text
    titles = _unread_titles(client, demo, "contractor")
    assert len(titles) == 2 and titles[0].startswith("预约已排期：节能验收") and titles[0].endswith("16:30")
    assert titles[1].startswith("预约已受理：节能验收")
    assert _unread_titles(client, demo, "inspector")[0] == titles[0]  # zhang is on it


def test_preferences_mute_kinds_and_refuse_unknown_ones(client, demo):
    me = demo.auth("contractor")
    prefs = client.get("/v1/notifications/preferences", headers=me).json()
    assert prefs["muted"] == [] and {"kind": "booking_moved", "label": "预约改期或调整监督人员", "muted": False} in \
        prefs["kinds"]
    resp = client.put("/v1/notifications/preferences", json={"muted": ["booking_moved", "daily_digest"]}, headers=me)
    assert resp.status_code == 200 and resp.json()["muted"] == ["booking_moved", "daily_digest"]
    assert client.get("/v1/notifications/preferences", headers=me).json()["muted"] == ["booking_moved", "daily_digest"]
    assert client.get("/v1/notifications/preferences", headers=demo.auth("other")).json()["muted"] == []
    bad = client.put("/v1/notifications/preferences", json={"muted": ["booking_moved", "weather"]}, headers=me)
    assert_problem(bad, 422)
    assert "没有这类提醒：weather" in bad.json()["detail"]
    assert client.get("/v1/notifications/preferences", headers=me).json()["muted"] == ["booking_moved", "daily_digest"]


def test_dead_letters_are_listed_for_admins_and_can_be_retried(client, demo, api_app):
    me = client.get("/v1/me", headers=demo.auth("contractor")).json()
    engine = api_app.state.services.assistant.db
    with session_scope(engine) as s:
        code = bindings.issue_code(s, Actor.system("测试"), "jiangong").code
    with session_scope(engine) as s:
        bindings.redeem_code(s, "wecom", "jiangong-wx", code)
        emit(s, "notice_issued", event_key="test:dead", recipients=[me["account_id"]], title="整改通知单：测试",
             at=datetime(2026, 12, 1, 9, tzinfo=UTC))
        d = s.scalars(select(Delivery).where(Delivery.channel == "wecom")).one()
        d.status, d.attempts, d.last_error = "dead", 6, "已尝试6次仍失败：企业微信暂时不可用：HTTP 503"
        d.updated_at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    dead = client.get("/v1/notifications/dead-letters", headers=demo.auth("admin")).json()
    assert [(x["title"], x["login"], x["channel"], x["attempts"]) for x in dead] == [
        ("整改通知单：测试", "jiangong", "wecom", 6)]
    assert dead[0]["last_error"].endswith("HTTP 503")
    status = client.get("/v1/notifications/outbox", headers=demo.auth("admin")).json()
    assert status["dead"] == 1 and status["counts"]["wecom"] == {"dead": 1}
    assert_problem(client.post("/v1/notifications/dead-letters/retry", json={"ids": [dead[0]["delivery_id"] + 1000]},
                               headers=demo.auth("admin")), 404)
    resp = client.post("/v1/notifications/dead-letters/retry", json={"ids": [dead[0]["delivery_id"]]},
                       headers=demo.auth("admin"))
    assert resp.json() == {"queued": 1}
    assert client.get("/v1/notifications/dead-letters", headers=demo.auth("admin")).json() == []
    assert client.get("/v1/notifications/outbox", headers=demo.auth("admin")).json()["counts"]["wecom"] == \
        {"pending": 1}
