"""Enterprise credit: records in, score, grade and supervision mode out.

Default scheme (one province's published rules, all configurable in Settings):
score = 70 + min(sum of good points, 30) + sum of bad points (no floor); a record
counts from its ``recorded_on`` through its ``expires_on`` (inclusive) unless
revoked. Grades by lowest score: A ≥ 90, B ≥ 80, C ≥ 60, else D; each grade
gives a supervision mode and a random-check ratio range (A 无事不扰 0–5%,
B 常规监管 5–20%, C 加强监管 21–60%, D 重点监管 61–100%).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks
from assistant.store.actors import Actor, require_staff
from assistant.store.enterprises import enterprise_row, find_enterprise
from assistant.store.enums import CreditKind, parse_enum
from assistant.store.errors import IllegalTransition, InvalidDate, InvalidInput, NotFound, PermissionDenied
from assistant.store.models import CreditRecord
from assistant.store.models.base import utcnow
from assistant.store.rules import StoreRules
from assistant.store.schemas import CreditFull, CreditPublic, CreditRecordOut, EnterpriseMatch
from assistant.store.scheme import CreditScheme


@dataclass(frozen=True)
class Breakdown:
    score: float
    good_points: float
    good_points_counted: float
    bad_points: float
    counted_ids: frozenset[int]


def record_status(r: CreditRecord, as_of: date) -> str:
    if r.revoked_at is not None:
        return "已撤销"
    if r.recorded_on > as_of:
        return "未生效"
    if r.expires_on < as_of:
        return "已过期"
    return "有效"


def compute(records: Iterable[CreditRecord], as_of: date, scheme: CreditScheme) -> Breakdown:
    """The score on ``as_of`` from the records in force that day."""
    counted = [r for r in records if record_status(r, as_of) == "有效"]
    good = sum(r.points for r in counted if r.kind == CreditKind.good)
    bad = sum(r.points for r in counted if r.kind == CreditKind.bad)
    good_counted = min(good, scheme.good_cap)
    return Breakdown(
        score=round(scheme.base + good_counted + bad, 2),
        good_points=round(good, 2),
        good_points_counted=round(good_counted, 2),
        bad_points=round(bad, 2),
        counted_ids=frozenset(r.id for r in counted),
    )


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_record(
    session: Session,
    actor: Actor,
    *,
    enterprise: int | str,
    kind: str | CreditKind,
    points: float,
    recorded_on: date,
    reason: str,
    document_no: str = "",
    expires_on: date | None = None,
    rules: StoreRules,
    now: datetime | None = None,
) -> CreditRecordOut:
    """Record a good or bad behaviour. Points may be given unsigned; the kind decides the sign."""
    require_staff(actor, "录入信用记录")
    scheme = rules.credit
    today = rules.today(now)
    ent = enterprise_row(session, enterprise)
    k = parse_enum(CreditKind, kind, "记录类别")
    try:
        value = abs(float(points))
    except (TypeError, ValueError):
        raise InvalidInput(f"分值“{points}”不是数字") from None
    if value == 0 or value > 100:
        raise InvalidInput("分值应大于0且不超过100")
    if recorded_on > today:
        raise InvalidDate(f"记录日期 {recorded_on} 晚于今天，不能预先录入")
    lo, hi = scheme.bad_valid_months
    if expires_on is None:
        if k == CreditKind.bad:
            raise InvalidInput(f"请填写不良记录的有效期截止日期（按情节轻重为{lo}至{hi}个月）")
        expires_on = add_months(recorded_on, scheme.good_valid_months)
    if expires_on <= recorded_on:
        raise InvalidDate("有效期截止日期应晚于记录日期")
    if k == CreditKind.bad and not (add_months(recorded_on, lo) <= expires_on <= add_months(recorded_on, hi)):
        raise InvalidDate(f"不良记录的有效期应为{lo}至{hi}个月")
    if k == CreditKind.good and expires_on > add_months(recorded_on, scheme.good_valid_months):
        raise InvalidDate(f"良好记录的有效期不超过{scheme.good_valid_months}个月")
    record = CreditRecord(
        enterprise_id=ent.id,
        kind=k,
        points=value if k == CreditKind.good else -value,
        recorded_on=recorded_on,
        expires_on=expires_on,
        reason=checks.text(reason, "记录事由", max_len=2000),
        document_no=checks.text(document_no, "文号", max_len=100, required=False),
    )
    session.add(record)
    session.flush()
    audit.record(session, actor, "credit_record", record.id, "create",
                 detail={"enterprise_id": ent.id, "kind": k.value, "points": record.points})
    return _record_out(record, today)


def revoke_record(session: Session, actor: Actor, record_id: int, reason: str, *, rules: StoreRules,
                  now: datetime | None = None) -> CreditRecordOut:
    """Withdraw a record (e.g. after a successful appeal); it stops counting at once."""
    require_staff(actor, "撤销信用记录")
    record = session.get(CreditRecord, record_id)
    if record is None:
        raise NotFound(f"未找到编号为 {record_id} 的信用记录")
    if record.revoked_at is not None:
        raise IllegalTransition(f"信用记录 {record_id} 已于 {record.revoked_at:%Y-%m-%d} 撤销")
    record.revoke_reason = checks.text(reason, "撤销原因", max_len=2000)
    record.revoked_at = now or utcnow()
    session.flush()
    audit.record(session, actor, "credit_record", record.id, "revoke", detail={"reason": record.revoke_reason})
    return _record_out(record, rules.today(now))


def _record_out(r: CreditRecord, as_of: date) -> CreditRecordOut:
    status = record_status(r, as_of)
    return CreditRecordOut(
        id=r.id, kind=r.kind.value, kind_label=r.kind.label, points=r.points, recorded_on=r.recorded_on,
        expires_on=r.expires_on, reason=r.reason, document_no=r.document_no, counted=status == "有效",
        status_label=status,
    )


def _records(session: Session, enterprise_id: int) -> list[CreditRecord]:
    return list(session.scalars(
        select(CreditRecord).where(CreditRecord.enterprise_id == enterprise_id)
        .order_by(CreditRecord.recorded_on.desc(), CreditRecord.id.desc())
    ))


def grade_of(session: Session, enterprise_id: int, as_of: date, scheme: CreditScheme) -> str:
    return scheme.grade(compute(_records(session, enterprise_id), as_of, scheme).score)


def _public(match: EnterpriseMatch, score: float, as_of: date, scheme: CreditScheme) -> dict[str, Any]:
    grade = scheme.grade(score)
    mode = scheme.modes[grade]
    e = match.enterprise
    return dict(
        enterprise_id=e.id, enterprise_name=e.name, uscc=e.uscc, grade=grade, mode=mode.mode,
        check_ratio_min=mode.ratio_min, check_ratio_max=mode.ratio_max, as_of=as_of,
        matched_by=match.matched_by, match_score=match.score,
    )


def credit_public(
    session: Session, query: str, *, rules: StoreRules, as_of: date | None = None, now: datetime | None = None
) -> CreditPublic:
    """Grade and supervision mode, for anyone."""
    scheme = rules.credit
    as_of = as_of or rules.today(now)
    match = find_enterprise(session, query, threshold=rules.name_match_threshold)
    b = compute(_records(session, match.enterprise.id), as_of, scheme)
    return CreditPublic(**_public(match, b.score, as_of, scheme))


def credit_full(
    session: Session, query: str, *, actor: Actor, rules: StoreRules, as_of: date | None = None,
    now: datetime | None = None,
) -> CreditFull:
    """Score and the records behind it, for station staff and for the enterprise itself."""
    scheme = rules.credit
    as_of = as_of or rules.today(now)
    match = find_enterprise(session, query, threshold=rules.name_match_threshold)
    if not (actor.is_staff or actor.acts_for(match.enterprise.id)):
        raise PermissionDenied("信用明细仅向本企业和质监站工作人员开放，您可以查看等级和监管方式")
    records = _records(session, match.enterprise.id)
    b = compute(records, as_of, scheme)
    counted = [r for r in records if r.id in b.counted_ids]
    return CreditFull(
        **_public(match, b.score, as_of, scheme),
        score=b.score,
        base=scheme.base,
        good_points=b.good_points,
        good_points_counted=b.good_points_counted,
        bad_points=b.bad_points,
        records=[_record_out(r, as_of) for r in records],
        next_expiry=min((r.expires_on for r in counted), default=None),
    )


def credit_lookup(
    session: Session, query: str, *, actor: Actor | None = None, rules: StoreRules, as_of: date | None = None,
    now: datetime | None = None,
) -> CreditPublic | CreditFull:
    """The view the asker is entitled to: the breakdown for staff and the firm itself, else public."""
    if actor is not None:
        match = find_enterprise(session, query, threshold=rules.name_match_threshold)
        if actor.is_staff or actor.acts_for(match.enterprise.id):
            return credit_full(session, query, actor=actor, rules=rules, as_of=as_of, now=now)
    return credit_public(session, query, rules=rules, as_of=as_of, now=now)
