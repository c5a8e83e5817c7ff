"""People who have not signed in keep a conversation too: follow-ups are read in context, and the id
that keys it is issued by the server, so nobody reaches another person's conversation by guessing."""

from __future__ import annotations

from .conftest import assert_problem


def chat(client, text: str, conversation_id: str | None = None, headers: dict | None = None) -> dict:
    body = {"text": text} | ({"conversation_id": conversation_id} if conversation_id else {})
    r = client.post("/v1/chat", json=body, headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()


def test_an_anonymous_follow_up_is_answered_in_context(client, demo):
    first = chat(client, "混凝土养护几天")
    cid = first["conversation_id"]
    assert len(cid) == 41 and cid.startswith("a")
    assert first["reply"]["grounded"] is True
    follow = chat(client, "那冬天呢？", cid)
    assert follow["conversation_id"] == cid
    reply = follow["reply"]
    assert reply["data"]["context"] == "混凝土养护几天"
    assert reply["data"]["resolved_question"] == "冬天混凝土养护几天"
    assert reply["text"].startswith("（按“冬天混凝土养护几天”理解）")
    # The page restores it after a reload with the same id.
    messages = client.get(f"/v1/chat/{cid}").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "bot", "user", "bot"]
    assert messages[2]["text"] == "那冬天呢？"


def test_a_made_up_or_altered_id_starts_a_new_conversation(client, demo):
    cid = chat(client, "混凝土养护几天")["conversation_id"]
    for forged in ("abcdefgh1234", cid[:-1] + ("0" if cid[-1] != "0" else "1"), "a" + "A" * 40):
        out = chat(client, "那冬天呢？", forged)
        assert out["conversation_id"] not in (forged, cid)
        assert out["reply"]["data"]["context"] is None  # nothing of the other conversation leaks into it
        assert client.get(f"/v1/chat/{forged}").json()["messages"] == []
    # A signed-in person presenting an anonymous id reaches only their own namespace.
    assert client.get(f"/v1/chat/{cid}", headers=demo.auth("contractor")).json()["messages"] == []
    # And a signed-in person's conversation id, presented without the token, reaches nothing.
    mine = chat(client, "混凝土养护几天", headers=demo.auth("contractor"))["conversation_id"]
    assert client.get(f"/v1/chat/{mine}", headers=demo.auth("contractor")).json()["messages"]
    assert client.get(f"/v1/chat/{mine}").json()["messages"] == []
    assert chat(client, "那冬天呢？", mine)["conversation_id"] != mine
    # Two anonymous people get two ids.
    assert chat(client, "你好")["conversation_id"] != chat(client, "你好")["conversation_id"]


def test_the_next_step_after_a_refusal_works_without_an_account(client, demo):
    refused = chat(client, "食堂菜价怎么定")["reply"]
    assert refused["grounded"] is False
    assert any(c["value"] == "申请帮扶" for c in refused["choices"])
    nxt = chat(client, "申请帮扶")["reply"]
    assert nxt["kind"] == "not_bound" and nxt["grounded"] is None
    assert "访问令牌" in nxt["text"] and "没有账号也可以直接致电" in nxt["text"]
    assert "没有找到" not in nxt["text"]  # not another refusal


def test_experts_still_have_no_chat(client, demo):
    assert_problem(client.post("/v1/chat", json={"text": "你好"}, headers=demo.auth("expert")), 403)


def test_anonymous_conversations_idle_past_the_retention_are_deleted(client, demo):
    """Nobody can ask for an anonymous conversation to be removed, so the server does not keep it forever."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from assistant.store.models import Conversation

    assistant = client.app.state.services.assistant
    days = assistant.settings.anonymous_conversation_days
    old, recent = (chat(client, "混凝土养护几天")["conversation_id"] for _ in range(2))
    mine = chat(client, "混凝土养护几天", headers=demo.auth("contractor"))["conversation_id"]
    now = datetime.now(UTC)
    keys = {cid: assistant.anonymous_conversation(cid)[1] for cid in (old, recent)}
    with assistant.db.begin() as conn:
        conn.execute(update(Conversation).where(Conversation.id == keys[old])
                     .values(updated_at=now - timedelta(days=days + 1)))
        conn.execute(update(Conversation).where(Conversation.id == keys[recent])
                     .values(updated_at=now - timedelta(days=days - 1)))
        conn.execute(update(Conversation).where(~Conversation.id.startswith("anon-"))
                     .values(updated_at=now - timedelta(days=days + 100)))
    chat(client, "你好")  # a new anonymous conversation is when old ones go
    assert client.get(f"/v1/chat/{old}").json()["messages"] == []
    assert len(client.get(f"/v1/chat/{recent}").json()["messages"]) == 2
    # Signed-in people's conversations are theirs: never pruned with the anonymous ones.
    assert client.get(f"/v1/chat/{mine}", headers=demo.auth("contractor")).json()["messages"]
