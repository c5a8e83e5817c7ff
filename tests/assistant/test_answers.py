"""Questions through the assistant over the real answering service and the bundled sample corpus:
`zhijian ask --json` in the DESIGN.md shape, follow-ups resolved and logged, a question asked in the middle of
a booking, a refusal leading to a visit request, a clause named by number, 👎 with a comment."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assistant.config import get_settings
from assistant.conversation.engine import ConversationEngine
from assistant.store.db import dispose_engines, get_engine
from assistant.store.migrate import upgrade
from assistant.store.models import AnswerFeedback, QueryLog
from tests.plugins.assistant import Dialogue, read, run_cli
from tests.plugins.store import NOW

SLAB = "楼板拆模时混凝土强度要达到多少"
OFF_TOPIC = "火锅底料怎么炒"
CITATION_KEYS = {"code", "title", "clause_no", "text", "score", "kind", "status"}


@pytest.fixture
def engine_qa(engine, rules, sample_answerer) -> ConversationEngine:
    return ConversationEngine(engine, lambda: sample_answerer, rules=rules, clock=lambda: NOW,
                              station_name="测试质监站", station_phone="0000-1234567")


@pytest.fixture
def ask_env(sample_installation, tmp_path, monkeypatch):
    """The CLI over the shared sample index (read-only) with its own query-log database."""
    monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(sample_installation))
    monkeypatch.setenv("ZHIJIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    monkeypatch.delenv("ZHIJIAN_DB_SCHEMA", raising=False)
    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()


def test_ask_json_shape_logging_and_feedback(ask_env):
    unlogged = json.loads(run_cli("ask", SLAB, "--json").stdout)  # database not migrated: still answered
    assert unlogged["grounded"] is True and unlogged["query_id"] is None

    upgrade(get_engine(get_settings()))
    out = json.loads(run_cli("ask", SLAB, "--json").stdout)
    assert {"answer", "grounded", "certainty", "citations"} <= set(out)
    assert out["grounded"] is True and isinstance(out["query_id"], int)
    assert out["certainty"] in ("clear", "likely")
    lead = out["answer"].split("\n", 1)[0]
    assert ("明确规定" in lead) == (out["certainty"] == "clear"), out["answer"]  # only a clear answer says so
    assert out["citations"] and all(set(c) >= CITATION_KEYS for c in out["citations"])
    first = out["citations"][0]
    assert first["code"] == "ZJ/T 101-2025" and first["kind"] in ("body", "commentary") and first["status"] == "现行"
    assert f"{first['code']} 第{first['clause_no']}条" in out["answer"]

    refused = json.loads(run_cli("ask", OFF_TOPIC, "--json").stdout)
    assert refused["grounded"] is False and refused["citations"] == [] and "申请质量服务团" in refused["answer"]
    assert refused["certainty"] == "none"
    text = run_cli("ask", OFF_TOPIC).stdout
    assert "知识库中没有找到" in text and "zhijian feedback" in text

    run_cli("feedback", str(refused["query_id"]), "down", "--comment", "想知道")
    rep = json.loads(run_cli("report", "--json").stdout)
    assert rep["unanswered"] == 2 and rep["questions"][0]["question"] == OFF_TOPIC


def test_follow_up_is_resolved_answered_logged_and_rated(engine_qa, engine, cid):
    talk = Dialogue(engine_qa, cid, None)
    r = talk(SLAB)
    assert r.kind == "answer" and r.grounded and r.citations and r.query_id
    # a likely answer also offers the service team; a clear one only the rating
    offered = [c.label for c in r.choices if c.action == "say"]
    assert offered == (["申请帮扶"] if r.certainty == "likely" else []) and r.certainty in ("clear", "likely")
    assert [c.action for c in r.choices if c.action != "say"] == ["feedback", "feedback"]
    r = talk("那梁的呢？")
    assert r.data["resolved_question"] == "梁拆模时混凝土强度要达到多少" and r.data["context"] == SLAB
    assert r.text.startswith("（按“梁拆模时混凝土强度要达到多少”理解）") and r.grounded
    r2 = talk("👎 想看梁的具体数值")
    assert "感谢反馈" in r2.text

    rows = read(engine, lambda s: list(s.scalars(select(QueryLog).order_by(QueryLog.id))))
    assert [(q.question, q.resolved_question, q.context) for q in rows] == [
        (SLAB, "", ""), ("那梁的呢？", "梁拆模时混凝土强度要达到多少", SLAB)]
    assert rows[1].channel == "test" and rows[1].conversation_id == cid and rows[1].citations
    fb = read(engine, lambda s: s.scalars(select(AnswerFeedback)).one())
    assert (fb.query_id, fb.rating, fb.comment) == (r.query_id, -1, "想看梁的具体数值")


def test_a_question_mid_booking_is_answered_and_the_booking_goes_on(engine_qa, w, cid):
    talk = Dialogue(engine_qa, cid, w.contractor)
    talk("预约示例中学教学楼的竣工验收")
    r = talk("竣工验收要提前几天通知监督站？")
    assert r.kind in ("answer", "refusal") and r.query_id
    assert "（预约还在进行中）" in r.text and r.flow == "booking" and r.step == "date"
    assert r.choices[0].value == "2026-10-12"  # 7 working days after 24 Sep, the holidays skipped
    r = talk("1")
    assert r.step == "contact"


def test_a_refusal_offers_a_visit_with_the_question_as_description(engine_qa, w, cid):
    talk = Dialogue(engine_qa, cid, w.contractor)
    r = talk(OFF_TOPIC)
    assert r.kind == "refusal" and "申请帮扶" in [c.value for c in r.choices]
    r = talk("申请帮扶")
    r = talk("技术咨询")
    assert r.step == "description" and r.choices[0].value == OFF_TOPIC


def test_clause_named_by_number(engine_qa, cid):
    r = Dialogue(engine_qa, cid, None)("ZJ/T 101 第6.0.2条")
    assert r.grounded and (r.citations[0].code, r.citations[0].clause_no) == ("ZJ/T 101-2025", "6.0.2")
    assert r.intent == "clause_lookup"
