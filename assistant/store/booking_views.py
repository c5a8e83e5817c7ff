"""Reading bookings: conversion to ``BookingOut``, listing, detail with history, and open dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.store import audit
from assistant.store.actors import Actor
from assistant.store.capacity import free_days
from assistant.store.enums import ACTIVE_BOOKING_STATUSES, BookingStatus, parse_enum
from assistant.store.errors import Conflict, NotFound
from assistant.store.models import Booking, Project
from assistant.store.projects import party_ids, project_row
from assistant.store.rules import StoreRules
from assistant.store.schemas import BookingDetail, BookingOut, BookingQueues, BookingWindow
from assistant.store.workdays import provisional_notice


def to_out(b: Booking, rules: StoreRules) -> BookingOut:
    notices = []
    if rules.calendar.info(b.inspection_date).provisional:
        notices.append(provisional_notice(b.inspection_date.year))
    return BookingOut(
        id=b.id,
        booking_no=b.booking_no,
        project_id=b.project_id,
        project_name=b.project.name,
        project_number=b.project.supervision_no or b.project.permit_no or "",
        project_address=b.project.address,
        milestone=b.milestone,
        requested_date=b.requested_date,
        inspection_date=b.inspection_date,
        scheduled_time=b.scheduled_time,
        team_id=b.team_id,
        team_name=b.team.name,
        enterprise_id=b.enterprise_id,
        enterprise_name=b.enterprise.name,
        contact_name=b.contact_name,
        contact_phone=b.contact_phone,
        note=b.note,
        status=b.status.value,
        status_label=b.status.label,
        status_reason=b.status_reason,
        result=b.result,
        inspectors=[a.name for a in b.inspectors],
        calendar_provisional=b.calendar_provisional,
        notices=notices,
        created_at=b.created_at,
        updated_at=b.updated_at,
    )


def booking_row(session: Session, booking_no: str, *, lock: bool = False) -> Booking:
    stmt = select(Booking).where(Booking.booking_no == (booking_no or "").strip())
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    booking = session.scalars(stmt).one_or_none()
    if booking is None:
        raise hidden(booking_no)
    return booking


def hidden(booking_no: str) -> NotFound:
    """What someone who may not see a booking is told: exactly what a missing number gets, so sequential
    booking numbers do not reveal which other enterprises' bookings exist."""
    return NotFound(f"未找到预约编号 {booking_no}")


def can_see(actor: Actor | None, booking: Booking) -> bool:
    if actor is None or actor.is_staff:
        return True
    return actor.enterprise_id is not None and (
        actor.enterprise_id == booking.enterprise_id or actor.enterprise_id in party_ids(booking.project)
    )


def get_booking(
    session: Session, booking_no: str, *, actor: Actor | None = None, rules: StoreRules
) -> BookingDetail:
    """One booking with its full audit history. ``actor=None`` means a trusted caller (CLI)."""
    booking = booking_row(session, booking_no)
    if not can_see(actor, booking):
        raise hidden(booking_no)
    out = to_out(booking, rules)
    return BookingDetail(**out.model_dump(), history=audit.history(session, "booking", booking.id))


def list_bookings(
    session: Session,
    *,
    actor: Actor | None = None,
    status: str | BookingStatus | None = None,
    day: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    team_id: int | None = None,
    project: int | str | None = None,
    enterprise_id: int | None = None,
    limit: int = 200,
    rules: StoreRules,
) -> list[BookingOut]:
    """Bookings by inspection date; contractors only ever see their own enterprise's."""
    stmt = select(Booking).options(
        selectinload(Booking.project).selectinload(Project.parties),
        selectinload(Booking.team),
        selectinload(Booking.enterprise),
        selectinload(Booking.inspectors),
    )
    if actor is not None and not actor.is_staff:
        if actor.enterprise_id is None:
            return []
        enterprise_id = actor.enterprise_id
    if status is not None:
        stmt = stmt.where(Booking.status == parse_enum(BookingStatus, status, "预约状态"))
    if day is not None:
        stmt = stmt.where(Booking.inspection_date == day)
    if date_from is not None:
        stmt = stmt.where(Booking.inspection_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Booking.inspection_date <= date_to)
    if team_id is not None:
        stmt = stmt.where(Booking.team_id == team_id)
    if project is not None:
        stmt = stmt.where(Booking.project_id == project_row(session, project).id)
    if enterprise_id is not None:
        stmt = stmt.where(Booking.enterprise_id == enterprise_id)
    stmt = stmt.order_by(Booking.inspection_date, Booking.scheduled_time.nulls_last(), Booking.id).limit(limit)
    return [to_out(b, rules) for b in session.scalars(stmt)]


def booking_window(
    session: Session,
    project: int | str,
    milestone: str,
    *,
    rules: StoreRules,
    now: datetime | None = None,
    count: int = 5,
) -> BookingWindow:
    """The earliest date a milestone may be booked for, and the next days the team has room."""
    name = rules.check_milestone(milestone)
    row = project_row(session, project)
    if row.team is None:
        raise Conflict(f"工程“{row.name}”尚未分配监督组，暂不能预约，请联系质监站")
    lead = rules.lead_for(name)
    earliest = rules.calendar.add_workdays(rules.today(now), lead)
    days = free_days(session, row.team, earliest.day, rules, count=count)
    notices = list(earliest.notices)
    for d in days:
        if d.provisional and provisional_notice(d.day.year) not in notices:
            notices.append(provisional_notice(d.day.year))
    return BookingWindow(
        project_id=row.id, milestone=name, lead_days=lead, earliest=earliest.day, team_name=row.team.name,
        days=days, notices=notices,
    )


def booking_queues(session: Session, *, rules: StoreRules, now: datetime | None = None,
                   team_id: int | None = None) -> BookingQueues:
    """The inspector's queues: today, the rest of this week, overdue, and awaiting 受理 — open bookings only.

    Overdue means the inspection day has passed and the booking is still open (not 办结, returned or
    cancelled). "This week" runs from tomorrow to Sunday (or the next six days from a Saturday or Sunday).
    """
    today = rules.today(now)
    week_end = today + timedelta(days=6 - today.weekday()) if today.weekday() < 5 else today + timedelta(days=6)
    stmt = select(Booking).where(Booking.status.in_(ACTIVE_BOOKING_STATUSES)).options(
        selectinload(Booking.project).selectinload(Project.parties), selectinload(Booking.team),
        selectinload(Booking.enterprise), selectinload(Booking.inspectors),
    ).order_by(Booking.inspection_date, Booking.scheduled_time.nulls_last(), Booking.id)
    if team_id is not None:
        stmt = stmt.where(Booking.team_id == team_id)
    today_q, week_q, overdue_q, pending_q = [], [], [], []
    for b in session.scalars(stmt):
        out = to_out(b, rules)
        if b.inspection_date < today:
            overdue_q.append(out)
        elif b.inspection_date == today:
            today_q.append(out)
        elif b.inspection_date <= week_end:
            week_q.append(out)
        if b.status == BookingStatus.submitted:
            pending_q.append(out)
    return BookingQueues(
        as_of=today, week_end=week_end, today=today_q, week=week_q, overdue=overdue_q, pending=pending_q,
        counts={"today": len(today_q), "week": len(week_q), "overdue": len(overdue_q), "pending": len(pending_q)},
    )
