"""The query log, 👍/👎 on answers, and the report of what the knowledge base could not answer.

Every question any channel puts to the knowledge service is logged with what
came back (grounded or refused, the clauses cited, how long it took). The
unanswered report groups near-duplicate questions (rapidfuzz) so a station sees
"12 people asked about 钢结构防火涂料" rather than twelve lines, and lists the
recurring terms in them — this is how a station learns which documents to add.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.answering.models import Answer
from assistant.conversation.intents import is_knowledge_question
from assistant.store.errors import InvalidInput, NotFound
from assistant.store.models import AnswerFeedback, QueryLog
from assistant.store.models.base import utcnow
from index.analyzer import CONSTRUCTION_TERMS, strip_query_scaffolding

CLUSTER_THRESHOLD = 75.0  # rapidfuzz WRatio (0–100) for two questions to count as the same one
_RATINGS = {"up": 1, "+1": 1, "1": 1, "👍": 1, "好": 1, "有用": 1, "down": -1, "-1": -1, "👎": -1, "差": -1, "没用": -1}
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_TOPIC_STOP = {"请问", "一下", "可以", "需要", "应该", "要求", "规定", "规范", "标准", "怎么办", "什么", "怎么",
               "多少", "哪些", "是否", "现在", "时候", "我们", "你们", "这个", "那个", "有没有", "一般", "的话"}
# Words of time and of the dialogue, not of the subject: "今天" was once the top "topic".
_NOT_A_TOPIC = re.compile(r"[今明昨后前当]天|[本上下这]周|[本上下这]个?月|星期|礼拜|周[一二三四五六日末]|[今明去]年|时候|时间|"
                          r"上午|下午|晚上|现在|预约|取消|确认|电话|手机|号码|联系|您好|你好|谢谢|帮助")


class FeedbackOut(BaseModel):
    query_id: int
    rating: str  # up | down
    comment: str
    replaced: bool = Field(description="the same rater had rated this answer before; the new rating replaced it")


class UnansweredQuestion(BaseModel):
    question: str = Field(description="the most frequent wording of the group")
    count: int
    variants: list[str] = Field(default_factory=list, description="other wordings grouped with it")
    last_asked: datetime
    channels: list[str] = Field(default_factory=list)


class TopicCount(BaseModel):
    topic: str
    count: int


class DislikedAnswer(BaseModel):
    query_id: int
    question: str
    cited: list[str]
    comments: list[str]
    down: int


class UnansweredReport(BaseModel):
    since: date
    until: date
    total_queries: int
    unanswered: int
    unanswered_rate: float
    feedback_up: int
    feedback_down: int
    questions: list[UnansweredQuestion]
    topics: list[TopicCount]
    disliked: list[DislikedAnswer]
    uncertain: int = Field(default=0, description="questions answered only with the nearest clauses (certainty likely)")
    uncertain_questions: list[UnansweredQuestion] = Field(
        default_factory=list, description="those questions, grouped like the unanswered ones: worth checking whether "
        "the library lacks the clause that answers them")


def parse_rating(value: str | int) -> int:
    key = str(value).strip().lower()
    if key not in _RATINGS:
        raise InvalidInput(f"评价“{value}”无效，请用 up（👍）或 down（👎）")
    return _RATINGS[key]


def log_query(
    session: Session,
    *,
    question: str,
    answer: Answer,
    channel: str,
    latency_ms: float,
    account_id: int | None = None,
    conversation_id: str | None = None,
    resolved_question: str = "",
    context: str = "",
    intent: str = "question",
    now: datetime | None = None,
) -> int:
    """Write one query-log row and return its id (the ``query_id`` feedback refers to)."""
    row = QueryLog(
        asked_at=now or utcnow(), channel=channel[:16], account_id=account_id, conversation_id=conversation_id,
        question=question, resolved_question=resolved_question if resolved_question != question else "",
        context=context or "", intent=intent[:32], grounded=answer.grounded, refusal_reason=answer.refusal_reason or "",
        confidence=float(answer.confidence), certainty=answer.certainty, mode=answer.mode[:16], latency_ms=round(latency_ms, 1),
        citations=[{"code": c.code, "clause_no": c.clause_no, "kind": c.kind, "role": c.role, "score": c.score}
                   for c in answer.citations],
    )
    session.add(row)
    session.flush()
    return row.id


def record_feedback(
    session: Session,
    query_id: int,
    rating: str | int,
    *,
    comment: str = "",
    rater: str = "",
    account_id: int | None = None,
    now: datetime | None = None,
) -> FeedbackOut:
    """👍/👎 on a logged answer; a rater who rates the same answer again changes their rating."""
    value = parse_rating(rating)
    if session.get(QueryLog, query_id) is None:
        raise NotFound(f"未找到编号为 {query_id} 的回答")
    text = (comment or "").strip()[:2000]
    at = now or utcnow()
    existing = None
    if rater:
        existing = session.scalars(select(AnswerFeedback).where(
            AnswerFeedback.query_id == query_id, AnswerFeedback.rater == rater)).first()
    if existing is not None:
        existing.rating, existing.updated_at = value, at
        existing.comment = text or existing.comment
        session.flush()
        return FeedbackOut(query_id=query_id, rating="up" if value > 0 else "down", comment=existing.comment,
                           replaced=True)
    session.add(AnswerFeedback(query_id=query_id, rating=value, comment=text, rater=rater[:160],
                               account_id=account_id, created_at=at, updated_at=at))
    session.flush()
    return FeedbackOut(query_id=query_id, rating="up" if value > 0 else "down", comment=text, replaced=False)


def _day_bounds(since: date, until: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(since, time.min, zone).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, zone).astimezone(UTC)
    return start, end


def comparable(question: str) -> str:
    """What two questions are compared on: half-width, lower case, no punctuation or question scaffolding."""
    t = unicodedata.normalize("NFKC", question).lower()
    t = strip_query_scaffolding(t)
    return re.sub(r"[\W_]+", "", t)


def cluster_questions(questions: list[str], threshold: float = CLUSTER_THRESHOLD) -> list[list[int]]:
    """Groups of indices of near-duplicate questions, largest first (leader clustering over WRatio)."""
    keys = [comparable(q) or q for q in questions]
    distinct = Counter(keys)
    order = sorted(distinct, key=lambda k: (-distinct[k], k))
    leaders: list[str] = []
    members: dict[str, list[str]] = {}
    for key in order:
        if leaders:
            best = process.extractOne(key, leaders, scorer=fuzz.WRatio)
            if best is not None and best[1] >= threshold:
                members[best[0]].append(key)
                continue
        leaders.append(key)
        members[key] = [key]
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        by_key[key].append(i)
    groups = [[i for key in members[leader] for i in by_key[key]] for leader in leaders]
    return sorted(groups, key=lambda g: -len(g))


def topics(groups: list[list[str]], limit: int = 10) -> list[TopicCount]:
    """Terms recurring across groups of unanswered questions (known construction terms, or shared n-grams)."""
    support: dict[str, set[int]] = defaultdict(set)
    weight = [len(g) for g in groups]
    for gi, group in enumerate(groups):
        grams: set[str] = set()
        for q in group:
            t = strip_query_scaffolding(unicodedata.normalize("NFKC", q).lower())
            for run in _HAN_RUN.findall(t):
                for n in range(2, min(len(run), 8) + 1):
                    grams.update(run[i:i + n] for i in range(len(run) - n + 1))
        for g in grams:
            support[g].add(gi)
    known = set(CONSTRUCTION_TERMS)
    kept = {g: s for g, s in support.items()
            if g not in _TOPIC_STOP and not _NOT_A_TOPIC.search(g) and (len(s) >= 2 or g in known)}
    # A gram is redundant when a longer kept gram is found in exactly the same groups.
    final = {g: s for g, s in kept.items()
             if not any(len(o) > len(g) and g in o and kept[o] == s for o in kept)}
    counts = [TopicCount(topic=g, count=sum(weight[i] for i in s)) for g, s in final.items()]
    counts.sort(key=lambda t: (-t.count, -len(t.topic), t.topic))
    return counts[:limit]


def unanswered_report(
    session: Session,
    since: date,
    until: date,
    *,
    limit: int = 20,
    tz: str = "Asia/Shanghai",
    threshold: float = CLUSTER_THRESHOLD,
) -> UnansweredReport:
    """The most frequent unanswered questions and topics between two station-local days (inclusive)."""
    if until < since:
        raise InvalidInput("结束日期不能早于开始日期")
    start, end = _day_bounds(since, until, tz)
    in_range = (QueryLog.asked_at >= start, QueryLog.asked_at < end)
    total = session.scalar(select(func.count(QueryLog.id)).where(*in_range)) or 0
    rows = _knowledge_rows(session, *in_range, QueryLog.grounded.is_(False))
    texts = [r.resolved_question or r.question for r in rows]
    groups = cluster_questions(texts, threshold)
    questions = _grouped(rows, texts, groups, limit)
    likely = _knowledge_rows(session, *in_range, QueryLog.grounded.is_(True), QueryLog.certainty == "likely")
    likely_texts = [r.resolved_question or r.question for r in likely]
    uncertain = _grouped(likely, likely_texts, cluster_questions(likely_texts, threshold), limit)
    fb = dict(session.execute(
        select(AnswerFeedback.rating, func.count(AnswerFeedback.id)).join(QueryLog)
        .where(*in_range).group_by(AnswerFeedback.rating)
    ).all())
    return UnansweredReport(
        since=since, until=until, total_queries=total, unanswered=len(rows),
        unanswered_rate=round(len(rows) / total, 3) if total else 0.0,
        feedback_up=fb.get(1, 0), feedback_down=fb.get(-1, 0), questions=questions,
        topics=topics([[texts[i] for i in g] for g in groups]), disliked=_disliked(session, start, end, limit),
        uncertain=len(likely), uncertain_questions=uncertain,
    )


def _knowledge_rows(session: Session, *where: Any) -> list[Any]:
    """Logged questions matching ``where``, oldest first; dialogue turns that reached the answerer are not
    knowledge questions and are left out."""
    return [r for r in session.execute(
        select(QueryLog.question, QueryLog.resolved_question, QueryLog.asked_at, QueryLog.channel)
        .where(*where).order_by(QueryLog.asked_at)
    ) if is_knowledge_question(r.question)]


def _grouped(rows: list[Any], texts: list[str], groups: list[list[int]], limit: int) -> list[UnansweredQuestion]:
    out = []
    for g in groups[:limit]:
        wordings = Counter(texts[i] for i in g)
        top = wordings.most_common(1)[0][0]
        out.append(UnansweredQuestion(
            question=top, count=len(g), variants=[w for w, _ in wordings.most_common() if w != top][:5],
            last_asked=max(rows[i].asked_at for i in g), channels=sorted({rows[i].channel for i in g}),
        ))
    return out


def _disliked(session: Session, start: datetime, end: datetime, limit: int) -> list[DislikedAnswer]:
    rows = session.execute(
        select(QueryLog, AnswerFeedback.comment).join(AnswerFeedback)
        .where(QueryLog.asked_at >= start, QueryLog.asked_at < end, AnswerFeedback.rating < 0)
        .order_by(QueryLog.id)
    ).all()
    by_query: dict[int, DislikedAnswer] = {}
    for q, comment in rows:
        item = by_query.get(q.id)
        if item is None:
            cited = [f"{c.get('code', '')} {c.get('clause_no', '')}".strip() for c in q.citations or []][:3]
            item = by_query[q.id] = DislikedAnswer(query_id=q.id, question=q.resolved_question or q.question,
                                                   cited=cited, comments=[], down=0)
        item.down += 1
        if comment:
            item.comments.append(comment)
    return sorted(by_query.values(), key=lambda d: (-d.down, d.query_id))[:limit]
