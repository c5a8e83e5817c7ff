"""Query log, 👍/👎 feedback and the unanswered-questions report (clusters, topics, day bounds), in the
database (SQLite and PostgreSQL) and through `zhijian feedback` / `zhijian report`."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from assistant import feedback
from assistant.answering.models import Answer, Citation
from assistant.config import Settings, get_settings
from assistant.core import Assistant
from assistant.store.db import get_engine, session_scope
from assistant.store.errors import InvalidInput, NotFound
from tests.plugins.assistant import NoAnswerer, run_cli
from tests.plugins.store import CST, NOW

REFUSED = Answer(answer="抱歉，知识库中没有找到……", grounded=False, refusal_reason="no basis", confidence=0.1)
CITED = Answer(answer="这个问题在规范中有明确规定：……", grounded=True, confidence=0.9, citations=[
    Citation(code="ZJ/T 101-2025", title="混凝土工程施工质量要点（示例）", clause_no="6.0.2", text="……", score=0.8,
             kind="body", status="现行")])

LIKELY = Answer(answer="最接近的条文如下，请核对：……", grounded=True, certainty="likely", confidence=0.6,
                citations=CITED.citations)

UNANSWERED = [
    "钢结构防火涂料厚度怎么检测", "钢结构防火涂料的厚度如何检测？", "钢结构防火涂料厚度怎么检测",
    "钢结构防火涂料验收要求", "钢结构焊缝探伤比例是多少", "幕墙气密性检测做几组啊", "幕墙气密性检测要做几组",
    "明天下不下雨",
]


def test_near_duplicates_cluster_and_topics_recur():
    groups = feedback.cluster_questions(UNANSWERED)
    sizes = sorted((len(g) for g in groups), reverse=True)
    assert sizes[0] == 3 and sum(sizes) == len(UNANSWERED)
    first = {UNANSWERED[i] for i in groups[0]}
    assert first == {"钢结构防火涂料厚度怎么检测", "钢结构防火涂料的厚度如何检测？"}
    together = {frozenset(UNANSWERED[i] for i in g) for g in groups}
    assert frozenset({"幕墙气密性检测做几组啊", "幕墙气密性检测要做几组"}) in together
    assert frozenset({"钢结构防火涂料验收要求"}) in together  # same subject, another question
    assert frozenset({"明天下不下雨"}) in together
    topics = {t.topic: t.count for t in feedback.topics([[UNANSWERED[i] for i in g] for g in groups])}
    assert topics["钢结构"] == 5 and topics["钢结构防火涂料"] == 4
    assert "幕墙气密性检测" not in topics  # one group only: the group itself says it
    assert "防火涂料" not in topics  # same groups as the longer term: redundant


def _log(db, question, answer, at, **kw):
    with session_scope(db) as s:
        return feedback.log_query(s, question=question, answer=answer, channel=kw.pop("channel", "test"),
                                  latency_ms=12.3, now=at, **kw)


def test_feedback_and_report_in_the_database(engine, rules):
    asst = Assistant(Settings(), db=engine, rules=rules, clock=lambda: NOW, answerer=NoAnswerer())
    late = datetime(2026, 9, 24, 23, 30, tzinfo=CST)  # still the 24th at the station
    for i, q in enumerate(UNANSWERED):
        _log(engine, q, REFUSED, NOW - timedelta(hours=i), channel="telegram" if i % 2 else "web")
    _log(engine, "那梁的呢？", REFUSED, late, resolved_question="梁拆模强度要多少", context="楼板拆模强度要多少")
    _log(engine, "next day", REFUSED, datetime(2026, 9, 25, 0, 30, tzinfo=CST))  # the 25th: outside
    good = _log(engine, "楼板拆模强度要多少", CITED, NOW)

    assert asst.feedback(good, "up", rater="a").replaced is False
    assert asst.feedback(good, "down", comment="应引用6.0.3", rater="a").replaced is True  # same rater: replaced
    asst.feedback(good, "👎", rater="b")
    with pytest.raises(NotFound):
        asst.feedback(999999, "up")
    with pytest.raises(InvalidInput):
        asst.feedback(good, "meh")

    rep = asst.report(date(2026, 9, 24), date(2026, 9, 24))
    assert (rep.total_queries, rep.unanswered) == (10, 9)
    assert rep.unanswered_rate == pytest.approx(0.9)
    assert (rep.feedback_up, rep.feedback_down) == (0, 2)
    top = rep.questions[0]
    assert top.question == "钢结构防火涂料厚度怎么检测" and top.count == 3
    assert top.variants == ["钢结构防火涂料的厚度如何检测？"] and top.channels == ["telegram", "web"]
    assert any(q.question == "梁拆模强度要多少" for q in rep.questions)  # the resolved form is reported
    assert {"钢结构", "钢结构防火涂料"} <= {t.topic for t in rep.topics}
    [bad] = rep.disliked
    assert bad.query_id == good and bad.down == 2 and bad.comments == ["应引用6.0.3"]
    assert bad.cited == ["ZJ/T 101-2025 6.0.2"]

    assert asst.report(date(2026, 9, 25), date(2026, 9, 25)).total_queries == 1
    default = asst.report()  # the last 30 days up to today
    assert (default.since, default.until) == (date(2026, 8, 26), date(2026, 9, 24))
    with pytest.raises(InvalidInput):
        asst.report(date(2026, 9, 25), date(2026, 9, 24))


def test_feedback_and_report_commands(cli_db):
    db = get_engine(get_settings())
    qid = _log(db, "钢结构防火涂料厚度怎么检测", REFUSED, NOW, channel="cli")
    _log(db, "钢结构防火涂料厚度如何检测", REFUSED, NOW, channel="cli")
    out = json.loads(run_cli("feedback", str(qid), "down", "--comment", "希望补充钢结构规范", "--json").stdout)
    assert out == {"query_id": qid, "rating": "down", "comment": "希望补充钢结构规范", "replaced": False}
    assert "已更新" in run_cli("feedback", str(qid), "up").stdout
    assert "未找到编号为 424242 的回答" in run_cli("feedback", "424242", "up", ok=False).stderr

    rep = json.loads(run_cli("report", "--since", "2026-09-01", "--until", "2026-09-30", "--json").stdout)
    assert rep["unanswered"] == 2 and rep["questions"][0]["count"] == 2 and rep["feedback_up"] == 1
    text = run_cli("report", "--since", "9月1日").stdout  # Chinese dates work too
    assert "未答问题报告 2026-09-01 至 2026-09-24" in text and "[2次]" in text and "钢结构" in text
    assert "无法识别" in run_cli("report", "--since", "某天", ok=False).stderr


def test_the_report_holds_knowledge_questions_only_and_topics_are_domain_terms(engine, rules):
    asst = Assistant(Settings(), db=engine, rules=rules, clock=lambda: NOW, answerer=NoAnswerer())
    dialogue = ["13800001111", "确认取消", "今天有哪些预约", "今天有哪些预约？", "2026-000003", "10月9日", "好的谢谢",
                "不取消", "我的预约"]
    knowledge = ["今天浇筑的地下室外墙后浇带什么时候封闭", "地下室外墙后浇带封闭时间",
                 "电梯井道验收需要哪些资料", "电梯井道验收资料清单"]
    for i, q in enumerate(dialogue + knowledge):
        _log(engine, q, REFUSED, NOW - timedelta(minutes=i))
    report = asst.report(NOW.date(), NOW.date())
    asked = {q.question for q in report.questions} | {v for q in report.questions for v in q.variants}
    assert asked and asked <= set(knowledge), asked
    topics = [t.topic for t in report.topics]
    assert topics and not any(w in t for t in topics for w in ("今天", "预约", "确认", "取消")), topics
    assert any("后浇带" in t for t in topics), topics


def test_answers_given_only_as_the_nearest_clauses_are_listed_to_check(cli_db):
    """An answer of certainty 'likely' is not a refusal, but the station should look at it: the library may
    lack the clause that answers it. Clear answers and dialogue turns are not listed."""
    from sqlalchemy import select

    from assistant.store.models import QueryLog

    db = get_engine(get_settings())
    for i, q in enumerate(["砌体拉结筋间距多少", "砌体拉结筋的间距是多少？", "后浇带什么时候封"]):
        _log(db, q, LIKELY, NOW - timedelta(hours=i))
    _log(db, "楼板拆模强度要多少", CITED, NOW)
    _log(db, "确认", LIKELY, NOW)  # a control word that reached the answerer is not a knowledge question
    with session_scope(db) as s:
        assert sorted(s.scalars(select(QueryLog.certainty))) == ["clear"] + ["likely"] * 4
    rep = json.loads(run_cli("report", "--since", "2026-09-24", "--until", "2026-09-24", "--json").stdout)
    assert rep["uncertain"] == 3 and rep["unanswered"] == 0
    groups = rep["uncertain_questions"]
    assert [g["count"] for g in groups] == [2, 1]
    assert "拉结筋" in groups[0]["question"] and groups[1]["question"] == "后浇带什么时候封"
    text = run_cli("report", "--since", "2026-09-24", "--until", "2026-09-24").stdout
    assert "只给出了相近条文的问题（3 次" in text and "[2次]" in text and "拆模" not in text
