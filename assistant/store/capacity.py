"""Daily booking capacity per inspection team.

The rule "at most N bookings a day" spans rows, so it is checked under a lock on
that team-day's ``team_days`` row (created on demand): PostgreSQL queues
concurrent bookers on ``SELECT … FOR UPDATE`` and each counts again after the
previous one committed (READ COMMITTED gives every statement a fresh snapshot);
SQLite serialises writers with ``BEGIN IMMEDIATE``. The count is always taken
from the bookings themselves, so there is no counter to drift.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.store.enums import ACTIVE_BOOKING_STATUSES
from assistant.store.models import Booking, InspectionTeam, TeamDay
from assistant.store.rules import StoreRules
from assistant.store.schemas import DaySlots
from assistant.store.upsert import insert_ignore


def lock_day(session: Session, team_id: int, day: date) -> TeamDay:
    """Create (if needed) and lock the team-day row until the caller's transaction ends."""
    insert_ignore(session, TeamDay, {"team_id": team_id, "day": day, "capacity": None, "note": ""})
    return session.scalars(
        select(TeamDay)
        .where(TeamDay.team_id == team_id, TeamDay.day == day)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def capacity_of(team: InspectionTeam, override: int | None, rules: StoreRules) -> int:
    if override is not None:
        return override
    return team.daily_capacity if team.daily_capacity is not None else rules.team_daily_capacity


def booked_count(session: Session, team_id: int, day: date, *, exclude_id: int | None = None) -> int:
    stmt = select(func.count(Booking.id)).where(
        Booking.team_id == team_id,
        Booking.inspection_date == day,
        Booking.status.in_(ACTIVE_BOOKING_STATUSES),
    )
    if exclude_id is not None:
        stmt = stmt.where(Booking.id != exclude_id)
    return session.scalar(stmt) or 0


def free_days(
    session: Session, team: InspectionTeam, start: date, rules: StoreRules, *, count: int = 5, limit_days: int = 60
) -> list[DaySlots]:
    """Up to ``count`` working days from ``start`` (inclusive) on which the team has room."""
    end = start + timedelta(days=limit_days)
    overrides = dict(
        session.execute(
            select(TeamDay.day, TeamDay.capacity).where(
                TeamDay.team_id == team.id, TeamDay.day >= start, TeamDay.day <= end
            )
        ).all()
    )
    booked = dict(
        session.execute(
            select(Booking.inspection_date, func.count(Booking.id))
            .where(
                Booking.team_id == team.id,
                Booking.inspection_date >= start,
                Booking.inspection_date <= end,
                Booking.status.in_(ACTIVE_BOOKING_STATUSES),
            )
            .group_by(Booking.inspection_date)
        ).all()
    )
    out: list[DaySlots] = []
    day = start
    while day <= end and len(out) < count:
        info = rules.calendar.info(day)
        if info.is_workday:
            cap = capacity_of(team, overrides.get(day), rules)
            used = booked.get(day, 0)
            if used < cap:
                out.append(DaySlots(day=day, capacity=cap, booked=used, free=cap - used, provisional=info.provisional))
        day += timedelta(days=1)
    return out
