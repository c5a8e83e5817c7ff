"""Notices that come from the calendar, not from a change: deadlines and the inspectors' daily digest.

``scan`` is run by the outbox worker every minute or so; it is idempotent (each
reminder's event key names the notice and its deadline, each digest the
inspector and the day), so any number of workers may run it any number of
times. Nothing goes out before ``morning`` (station time), so nobody is woken
at night; a worker started later in the day still sends the day's reminders.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assistant.store import events
from assistant.store.enums import AccountRole, BookingStatus, RectificationStatus
from assistant.store.models import Account, AuditEvent, Booking, Project, RectificationNotice
from assistant.store.notify import emit
from assistant.store.rules import StoreRules

DIGEST_ITEMS = 10  # per section; the rest are counted


def scan(session: Session, *, rules: StoreRules, now: datetime, morning: time = time(7, 30)) -> int:
    """Write the reminders and digests due at ``now``; how many notifications were new."""
    local = now.astimezone(ZoneInfo(rules.timezone))
    if local.time() < morning:
        return 0
    today = local.date()
    return deadlines(session, today=today, now=now) + digests(session, rules=rules, today=today, now=now)


def deadlines(session: Session, *, today: date, now: datetime) -> int:
    """Open notices due tomorrow (the firm is reminded) or past their deadline (the firm and the issuer)."""
    new = 0
    due = session.scalars(select(RectificationNotice).where(
        RectificationNotice.status == RectificationStatus.open,
        RectificationNotice.deadline <= today + timedelta(days=1)).order_by(RectificationNotice.id))
    for notice in due:
        if notice.deadline == today + timedelta(days=1):
            new += events.notice_reminder(session, notice, "notice_due_tomorrow", today=today, at=now)
        elif notice.deadline < today:
            new += events.notice_reminder(session, notice, "notice_overdue", today=today, at=now)
    return new


def digests(session: Session, *, rules: StoreRules, today: date, now: datetime) -> int:
    """Each inspector's working day at a glance, once a day on working days; nothing when there is nothing."""
    if not rules.calendar.info(today).is_workday:
        return 0
    new = 0
    for inspector in session.scalars(select(Account).where(
            Account.role == AccountRole.inspector, Account.active.is_(True)).order_by(Account.id)):
        title, body = digest_text(session, inspector, today)
        if title:
            new += emit(session, "daily_digest", event_key=f"digest:{today.isoformat()}", recipients=[inspector.id],
                        title=title, body=body, subject_type="digest", subject_no=today.isoformat(),
                        data={"date": today.isoformat()}, at=now)
    return new


def _capped(lines: list[str]) -> list[str]:
    extra = len(lines) - DIGEST_ITEMS
    return lines[:DIGEST_ITEMS] + ([f"  ……另有{extra}项，详见网页"] if extra > 0 else [])


def digest_text(session: Session, inspector: Account, today: date) -> tuple[str, str]:
    """('今日待办…', body) for one inspector, or ('', '') when the day holds nothing for them."""
    mine = session.scalars(select(Booking).where(
        Booking.status == BookingStatus.scheduled, Booking.inspection_date == today,
        Booking.inspectors.any(id=inspector.id)).order_by(Booking.scheduled_time, Booking.id)).all()
    waiting = session.scalars(select(Booking).where(
        Booking.status == BookingStatus.submitted, Booking.team_id == inspector.team_id)
        .order_by(Booking.inspection_date, Booking.id)).all() if inspector.team_id else []
    issued_by_me = select(AuditEvent.entity_id).where(
        AuditEvent.entity == "notice", AuditEvent.action == "issue", AuditEvent.actor_id == inspector.id)
    concerns_me = or_(RectificationNotice.id.in_(issued_by_me),
                      RectificationNotice.project_id.in_(select(Project.id).where(Project.team_id == inspector.team_id))
                      if inspector.team_id else RectificationNotice.id.in_(issued_by_me))
    overdue = session.scalars(select(RectificationNotice).where(
        RectificationNotice.status == RectificationStatus.open, RectificationNotice.deadline < today, concerns_me)
        .order_by(RectificationNotice.deadline, RectificationNotice.id)).all()
    to_check = session.scalars(select(RectificationNotice).where(
        RectificationNotice.status == RectificationStatus.replied, concerns_me)
        .order_by(RectificationNotice.replied_at, RectificationNotice.id)).all()
    if not (mine or waiting or overdue or to_check):
        return "", ""
    parts = [f"{label} {len(rows)} {unit}" for label, rows, unit in (
        ("今日监督", mine, "项"), ("待受理预约", waiting, "件"), ("逾期整改", overdue, "件"), ("待复查", to_check, "件"))
        if rows]
    title = f"今日待办 {events.day(today)}：" + "，".join(parts)
    lines: list[str] = []
    if mine:
        lines.append("【今日监督】")
        lines += _capped([f"  {b.scheduled_time:%H:%M} {b.project.name} {b.milestone}（{b.booking_no}）"
                          if b.scheduled_time else f"  {b.project.name} {b.milestone}（{b.booking_no}）"
                          for b in mine])
    if waiting:
        lines.append(f"【待受理预约】{len(waiting)} 件")
        lines += _capped([f"  {b.booking_no} {b.project.name} {b.milestone} 申请 {b.inspection_date:%m-%d}"
                          for b in waiting])
    if overdue:
        lines.append("【逾期整改】")
        lines += _capped([f"  {n.notice_no} {n.project.name} 期限 {n.deadline:%m-%d}，逾期{(today - n.deadline).days}天"
                          for n in overdue])
    if to_check:
        lines.append(f"【已回复待复查】{len(to_check)} 件")
        lines += _capped([f"  {n.notice_no} {n.project.name}" for n in to_check])
    return title, "\n".join(lines)
