"""Booking rules from practice that staff would otherwise catch by hand, and who is told of a change.

- Who books what: ``rules.milestone_roles`` names the project roles that may
  book a milestone (竣工验收监督 is organised by the 建设单位, which notifies the
  station; a 施工单位 may not book it).
- Order: ``rules.milestone_order`` names the milestones of the same project that
  must be completed (办结) first (主体结构 after 地基与基础, 竣工 after 主体).
- Inspector conflicts: an inspector already scheduled within ``rules.slot_minutes``
  of the chosen time that day; scheduling then needs an explicit confirmation.
- The inspectors assigned to a booking are told (in-page notices, through
  ``notify.emit``) when it is cancelled or moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.store.enums import BookingStatus, EnterpriseRole
from assistant.store.errors import Conflict, PermissionDenied
from assistant.store.models import Booking, BookingInspector, Enterprise, Project
from assistant.store.rules import StoreRules
from assistant.store.schemas import Out


class MilestoneNotAllowed(PermissionDenied):
    code = "milestone_role_not_allowed"


class MilestoneOutOfOrder(Conflict):
    code = "milestone_order"


class InspectorConflict(Conflict):
    code = "inspector_conflict"


class ConflictOut(Out):
    """Another inspection that takes one of the chosen inspectors near the chosen time."""

    booking_no: str
    project_name: str
    milestone: str
    inspection_date: date
    scheduled_time: time | None
    inspectors: list[str]


def _role_labels(codes: Iterable[str]) -> str:
    labels = []
    for c in codes:
        try:
            labels.append(EnterpriseRole(c).label + "单位")
        except ValueError:
            labels.append(c)
    return "或".join(labels)


def allowed_roles(rules: StoreRules, milestone: str) -> tuple[str, ...]:
    """The project roles that may book ``milestone``; empty means any party of the project."""
    return tuple(rules.milestone_roles.get(milestone, ()))


def check_who_books(session: Session, project: Project, enterprise_id: int, milestone: str,
                    rules: StoreRules) -> None:
    """Raise ``MilestoneNotAllowed`` unless the enterprise holds a role on the project allowed to book."""
    allowed = allowed_roles(rules, milestone)
    if not allowed:
        return
    held = {pp.role.value for pp in project.parties if pp.enterprise_id == enterprise_id}
    if held & set(allowed):
        return
    organiser = next((pp for pp in project.parties if pp.role.value in allowed), None)
    who = _role_labels(allowed)
    name = session.get_one(Enterprise, enterprise_id).name
    held_text = "、".join(EnterpriseRole(r).label + "单位" for r in sorted(held)) or "非参建单位"
    hint = f"，请由{who}（{organiser.enterprise.name}）提出" if organiser is not None else f"，请由{who}提出"
    raise MilestoneNotAllowed(
        f"{milestone}由{who}组织并向质监站申请；{name}在该工程中为{held_text}，不能预约{hint}",
        allowed_roles=list(allowed),
    )


def check_order(session: Session, project: Project, milestone: str, rules: StoreRules) -> None:
    """Raise ``MilestoneOutOfOrder`` while a prerequisite milestone of the project is not completed."""
    missing = []
    for before in rules.milestone_order.get(milestone, ()):
        if before not in rules.milestones:
            continue
        rows = list(session.scalars(select(Booking).where(Booking.project_id == project.id,
                                                          Booking.milestone == before).order_by(Booking.id)))
        if any(b.status == BookingStatus.completed for b in rows):
            continue
        live = next((b for b in reversed(rows) if b.status not in (BookingStatus.cancelled, BookingStatus.returned)),
                    None)
        state = f"（{live.booking_no}，{live.status.label}）" if live is not None else "（尚未预约）"
        missing.append(f"{before}{state}")
    if missing:
        raise MilestoneOutOfOrder(
            f"工程“{project.name}”的{'、'.join(missing)}尚未办结，{milestone}须在其办结后预约",
            prerequisites=list(rules.milestone_order.get(milestone, ())),
        )


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def find_conflicts(session: Session, booking_id: int | None, inspector_ids: Iterable[int], day: date,
                   at_time: time, rules: StoreRules) -> list[ConflictOut]:
    """Scheduled inspections of ``inspector_ids`` on ``day`` within ``rules.slot_minutes`` of ``at_time``."""
    ids = set(inspector_ids)
    if not ids:
        return []
    stmt = (select(Booking).join(BookingInspector, BookingInspector.booking_id == Booking.id)
            .where(Booking.inspection_date == day, Booking.status == BookingStatus.scheduled,
                   BookingInspector.account_id.in_(ids))
            .options(selectinload(Booking.inspectors), selectinload(Booking.project))
            .order_by(Booking.scheduled_time, Booking.id))
    if booking_id is not None:
        stmt = stmt.where(Booking.id != booking_id)
    out: list[ConflictOut] = []
    seen: set[int] = set()
    for other in session.scalars(stmt).unique():
        if other.id in seen:
            continue
        seen.add(other.id)
        if other.scheduled_time is not None and rules.slot_minutes > 0 and \
                abs(_minutes(other.scheduled_time) - _minutes(at_time)) >= rules.slot_minutes:
            continue
        out.append(ConflictOut(
            booking_no=other.booking_no, project_name=other.project.name, milestone=other.milestone,
            inspection_date=other.inspection_date, scheduled_time=other.scheduled_time,
            inspectors=[a.name for a in other.inspectors if a.id in ids],
        ))
    return out


def conflict_error(conflicts: list[ConflictOut]) -> InspectorConflict:
    lines = "；".join(
        f"{'、'.join(c.inspectors)}已排 {c.inspection_date} "
        f"{c.scheduled_time.strftime('%H:%M') if c.scheduled_time else ''} {c.project_name}{c.milestone}（{c.booking_no}）"
        for c in conflicts)
    return InspectorConflict(f"监督员时间冲突：{lines}。如确需同时安排，请确认后再排期",
                             conflicts=[c.model_dump(mode="json") for c in conflicts])


def _fmt(day: date, at: time | None) -> str:
    return f"{day.isoformat()} {at.strftime('%H:%M')}" if at else day.isoformat()
