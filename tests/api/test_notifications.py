"""In-page notices: each person sees only their own, newest first, and can mark them read."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.store.db import session_scope
from assistant.store.notify import emit


def test_my_notices_and_marking_them_read(client, demo, api_app):
    me = client.get("/v1/me", headers=demo.auth("contractor")).json()
    other = client.get("/v1/me", headers=demo.auth("other")).json()
    with session_scope(api_app.state.services.assistant.db) as s:
        for i in range(3):
            emit(s, "booking_accepted", event_key=f"test:{i}", recipients=[me["account_id"]], title=f"预约已受理 {i}",
                 subject_type="booking", subject_no="2026-000001", at=datetime(2026, 12, 1, 9, i, tzinfo=UTC))
        emit(s, "booking_returned", event_key="test:other", recipients=[other["account_id"]], title="别人的消息",
             at=datetime(2026, 12, 1, 10, tzinfo=UTC))
    mine = client.get("/v1/notifications", headers=demo.auth("contractor")).json()
    assert mine["unread"] == 3
    assert [n["title"] for n in mine["items"]] == ["预约已受理 2", "预约已受理 1", "预约已受理 0"]
    first = mine["items"][-1]["id"]
    assert client.post("/v1/notifications/read", json={"ids": [first]}, headers=demo.auth("contractor")).json() == \
        {"marked": 1}
    # Someone else's notice cannot be marked through my account.
    theirs = client.get("/v1/notifications", headers=demo.auth("other")).json()["items"][0]["id"]
    assert client.post("/v1/notifications/read", json={"ids": [theirs]}, headers=demo.auth("contractor")).json() == \
        {"marked": 0}
    assert client.get("/v1/notifications?unread_only=true", headers=demo.auth("contractor")).json()["unread"] == 2
    assert client.post("/v1/notifications/read", json={}, headers=demo.auth("contractor")).json() == {"marked": 2}
    assert client.get("/v1/notifications", headers=demo.auth("other")).json()["unread"] == 1
