"""Inspection bookings: submission with every rule, and the state machine after it.

submitted -> accepted | returned; accepted -> scheduled (inspectors and a time)
-> completed; submitted/accepted/scheduled -> cancelled. Each transition locks
the booking row and writes an audit event in the same transaction.

Submission checks, in order: milestone, contact, project (locked), enterprise,
date (not past, within the horizon, outside the lead time counted in working
days, itself a working day), open rectification notices, one active booking
per project and milestone, and the team's capacity that day (locked). Only then
is a booking number allocated, so a refused request consumes nothing. Accepting
and scheduling check the open notices again: a notice issued after submission
still holds 主体/竣工 back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.store import audit, booking_rules, checks, events
from assistant.store.accounts import account_row
from assistant.store.actors import Actor, require_staff, require_staff_or_member
from assistant.store.booking_views import booking_row, can_see, hidden, to_out
from assistant.store.capacity import booked_count, capacity_of, free_days, lock_day
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import (
    ACTIVE_BOOKING_STATUSES,
    AccountRole,
    BookingStatus,
    EnterpriseRole,
    ProjectStatus,
)
from assistant.store.errors import (
    CapacityFull,
    Conflict,
    DuplicateActiveBooking,
    IllegalTransition,
    InvalidDate,
    InvalidInput,
    OpenRectification,
    PermissionDenied,
)
from assistant.store.models import Booking, InspectionTeam, Project
from assistant.store.projects import party_ids, party_of, project_row
from assistant.store.rectifications import open_notice_numbers
from assistant.store.rules import StoreRules
from assistant.store.schemas import BookingOut
from assistant.store.sequences import next_number

S = BookingStatus
_ACTION_VERB = {"accept": "受理", "return": "退回", "schedule": "排期", "complete": "办结", "cancel": "取消"}
_ALLOWED_FROM: dict[str, tuple[BookingStatus, ...]] = {
    "accept": (S.submitted,),
    "return": (S.submitted, S.accepted),
    "schedule": (S.accepted, S.scheduled),
    "complete": (S.scheduled,),
    "cancel": (S.submitted, S.accepted, S.scheduled),
}


def create_booking(
    session: Session,
    actor: Actor,
    *,
    project: int | str,
    milestone: str,
    requested_date: date,
    contact_name: str,
    contact_phone: str,
    enterprise: int | str | None = None,
    note: str = "",
    rules: StoreRules,
    now: datetime | None = None,
) -> BookingOut:
    """Submit a booking; raises a ``StoreError`` with a Chinese message (nothing written) on any rule."""
    today = rules.today(now)
    name = rules.check_milestone(milestone)
    contact = checks.text(contact_name, "联系人", max_len=64)
    phone = checks.phone(contact_phone)
    remark = checks.text(note, "备注", max_len=1000, required=False)

    proj = project_row(session, project, lock=True)
    if proj.status == ProjectStatus.completed:
        raise Conflict(f"工程“{proj.name}”已竣工，不能再预约监督")
    if proj.team_id is None:
        raise Conflict(f"工程“{proj.name}”尚未分配监督组，暂不能预约，请联系质监站")
    enterprise_id = _requesting_enterprise(session, actor, proj, enterprise, name, rules)
    booking_rules.check_who_books(session, proj, enterprise_id, name, rules)  # workbench: who books what

    provisional = _check_requested_date(rules, name, requested_date, today)

    _check_no_open_notice(session, proj.id, proj.name, name, rules, "预约")
    booking_rules.check_order(session, proj, name, rules)  # workbench: milestones in their order
    active = session.scalars(
        select(Booking).where(
            Booking.project_id == proj.id, Booking.milestone == name, Booking.status.in_(ACTIVE_BOOKING_STATUSES)
        )
    ).first()
    if active is not None:
        raise DuplicateActiveBooking(
            f"工程“{proj.name}”的{name}已有进行中的预约（{active.booking_no}，{active.status.label}），请勿重复预约",
            booking_no=active.booking_no,
        )
    team = session.get_one(InspectionTeam, proj.team_id)
    _claim_slot(session, team, requested_date, rules)

    booking = Booking(
        booking_no=next_number(session, "booking", today.year),
        project_id=proj.id,
        milestone=name,
        requested_date=requested_date,
        inspection_date=requested_date,
        team_id=team.id,
        enterprise_id=enterprise_id,
        contact_name=contact,
        contact_phone=phone,
        note=remark,
        status=S.submitted,
        calendar_provisional=provisional,
        created_at=rules.now(now),
        updated_at=rules.now(now),
    )
    session.add(booking)
    try:
        session.flush()
    except IntegrityError as exc:  # the partial unique index, should the check above ever be bypassed
        if "uq_bookings_active_project_milestone" in str(exc.orig) or "bookings.project_id" in str(exc.orig):
            raise DuplicateActiveBooking(f"工程“{proj.name}”的{name}已有进行中的预约，请勿重复预约") from exc
        raise
    audit.record(
        session, actor, "booking", booking.id, "submit", to_status=S.submitted.value, at=rules.now(now),
        detail={"milestone": name, "requested_date": requested_date.isoformat()},
    )
    events.booking_event(session, actor, booking, "submit", at=rules.now(now))
    return to_out(booking, rules)


def _check_no_open_notice(session: Session, project_id: int, project_name: str, milestone: str,
                          rules: StoreRules, verb: str) -> None:
    """Milestones in ``rules.rectification_blocked`` wait until every notice of the project is closed."""
    if milestone not in rules.rectification_blocked:
        return
    open_nos = open_notice_numbers(session, project_id)
    if open_nos:
        raise OpenRectification(
            f"工程“{project_name}”有未销项的整改通知单（{'、'.join(open_nos)}），整改复查通过前不能{verb}{milestone}",
            notices=open_nos,
        )


def _requesting_enterprise(session: Session, actor: Actor, proj: Project, enterprise: int | str | None,
                           milestone: str, rules: StoreRules) -> int:
    parties = party_ids(proj)
    if actor.role == AccountRole.contractor:
        if actor.enterprise_id not in parties:
            raise PermissionDenied("贵单位不是该工程的参建单位，不能为其预约")
        if enterprise is not None and enterprise_row(session, enterprise).id != actor.enterprise_id:
            raise PermissionDenied("企业用户只能以本单位名义预约")
        return actor.enterprise_id  # type: ignore[return-value]
    if not actor.is_staff:
        raise PermissionDenied("只有参建单位或质监站工作人员可以预约")
    if enterprise is None:
        roles = [EnterpriseRole(r) for r in booking_rules.allowed_roles(rules, milestone)] or \
            [EnterpriseRole.contractor, EnterpriseRole.owner]
        found = party_of(proj, *roles)
        if found is None:
            raise InvalidInput("请指定申请预约的单位")
        return found
    ent_id = enterprise_row(session, enterprise).id
    if ent_id not in parties:
        raise InvalidInput("申请单位不是该工程的参建单位")
    return ent_id


def _check_requested_date(rules: StoreRules, milestone: str, day: date, today: date) -> bool:
    """Raise ``InvalidDate`` unless ``day`` is bookable today; True when the calendar was provisional."""
    if day <= today:
        raise InvalidDate(f"预约日期 {day} 已是今天或已经过去，请选择以后的工作日")
    if day > today + timedelta(days=rules.horizon_days):
        raise InvalidDate(f"预约日期不能晚于{rules.horizon_days}天之后（{today + timedelta(days=rules.horizon_days)}）")
    lead = rules.lead_for(milestone)
    earliest = rules.calendar.add_workdays(today, lead)
    if day < earliest.day:
        raise InvalidDate(
            f"{milestone}须至少提前{lead}个工作日预约，{day} 在提前期内，最早可约 {earliest.day}",
            earliest=earliest.day.isoformat(),
        )
    info = rules.calendar.info(day)
    if not info.is_workday:
        raise InvalidDate(f"{day}（{info.reason}）不是工作日，请选择工作日", earliest=earliest.day.isoformat())
    return earliest.provisional or info.provisional


def _claim_slot(session: Session, team: InspectionTeam, day: date, rules: StoreRules,
                exclude_id: int | None = None) -> None:
    """Lock the team-day and make sure one more booking fits; raises ``CapacityFull``."""
    td = lock_day(session, team.id, day)
    cap = capacity_of(team, td.capacity, rules)
    used = booked_count(session, team.id, day, exclude_id=exclude_id)
    if used >= cap:
        alternatives = [d.day.isoformat() for d in free_days(session, team, day + timedelta(days=1), rules, count=3)]
        hint = f"，可选日期：{'、'.join(alternatives)}" if alternatives else "，请选择其他日期"
        why = f"（{td.note}）" if cap == 0 and td.note else ""
        raise CapacityFull(f"{team.name} {day} 的预约已满（每日{cap}个）{why}{hint}", alternatives=alternatives)


def _transition(session: Session, actor: Actor, booking_no: str, action: str) -> Booking:
    """Lock the booking, check who may act on it, then that ``action`` is legal from its state."""
    booking = booking_row(session, booking_no, lock=True)
    if action == "cancel":
        if not can_see(actor, booking):
            raise hidden(booking_no)
        require_staff_or_member(actor, booking.enterprise_id, "取消该预约")
    else:
        require_staff(actor, f"{_ACTION_VERB[action]}预约")
    allowed = _ALLOWED_FROM[action]
    if booking.status not in allowed:
        froms = "、".join(f"“{s.label}”" for s in allowed)
        raise IllegalTransition(
            f"预约 {booking.booking_no} 当前为“{booking.status.label}”，不能{_ACTION_VERB[action]}"
            f"（只有{froms}的预约可以{_ACTION_VERB[action]}）",
            status=booking.status.value,
        )
    return booking


def _finish(session: Session, actor: Actor, booking: Booking, action: str, old: BookingStatus,
            rules: StoreRules, now: datetime | None, *, before: events.BookingSnapshot | None = None,
            **detail: object) -> BookingOut:
    booking.updated_at = rules.now(now)
    session.flush()
    audit.record(session, actor, "booking", booking.id, action, from_status=old.value,
                 to_status=booking.status.value, at=rules.now(now), detail=detail)
    events.booking_event(session, actor, booking, action, at=rules.now(now), before=before)
    session.refresh(booking)
    return to_out(booking, rules)


def accept_booking(session: Session, actor: Actor, booking_no: str, *, rules: StoreRules,
                   now: datetime | None = None) -> BookingOut:
    require_staff(actor, "受理预约")
    booking = _transition(session, actor, booking_no, "accept")
    # A notice issued after submission still holds the milestone back.
    _check_no_open_notice(session, booking.project_id, booking.project.name, booking.milestone, rules, "受理")
    old, booking.status = booking.status, S.accepted
    return _finish(session, actor, booking, "accept", old, rules, now)


def return_booking(session: Session, actor: Actor, booking_no: str, reason: str, *,
                   rules: StoreRules, now: datetime | None = None) -> BookingOut:
    """Send a booking back (e.g. documents incomplete); frees its slot."""
    require_staff(actor, "退回预约")
    why = checks.text(reason, "退回原因", max_len=1000)
    booking = _transition(session, actor, booking_no, "return")
    old, booking.status, booking.status_reason = booking.status, S.returned, why
    return _finish(session, actor, booking, "return", old, rules, now, reason=why)


def schedule_booking(
    session: Session,
    actor: Actor,
    booking_no: str,
    *,
    inspectors: Sequence[int | str],
    at_time: time,
    on_date: date | None = None,
    allow_conflict: bool = False,
    rules: StoreRules,
    now: datetime | None = None,
) -> BookingOut:
    """Assign inspectors and a time; optionally move the day (capacity checked on the new day).

    An inspector already scheduled near that time that day refuses with ``InspectorConflict`` (listing the
    other inspections) unless ``allow_conflict``; the inspectors assigned before a move are told of it.
    """
    require_staff(actor, "安排监督")
    booking = _transition(session, actor, booking_no, "schedule")
    _check_no_open_notice(session, booking.project_id, booking.project.name, booking.milestone, rules, "安排")
    accounts = []
    for ref in inspectors:
        account = account_row(session, ref)
        if account.role != AccountRole.inspector or not account.active:
            raise InvalidInput(f"“{account.name}”不是在岗监督员，不能指派")
        if account not in accounts:
            accounts.append(account)
    if len(accounts) < rules.min_inspectors:
        raise InvalidInput(f"现场监督至少需要指派{rules.min_inspectors}名监督员，目前只有{len(accounts)}名")
    today = rules.today(now)
    day = on_date or booking.inspection_date
    moved = day != booking.inspection_date
    if moved:
        if day <= today:
            raise InvalidDate(f"改期日期 {day} 已是今天或已经过去")
        info = rules.calendar.info(day)
        if not info.is_workday:
            raise InvalidDate(f"{day}（{info.reason}）不是工作日，请选择工作日")
        _claim_slot(session, booking.team, day, rules, exclude_id=booking.id)
    elif day < today:
        raise InvalidDate(f"监督日期 {day} 已经过去，请改期后再排期")
    # -- workbench rule: an inspector already booked around that time needs an explicit override --
    conflicts = booking_rules.find_conflicts(session, booking.id, [a.id for a in accounts], day, at_time, rules)
    if conflicts and not allow_conflict:
        raise booking_rules.conflict_error(conflicts)
    # Who is told of a move (the firm, the inspectors before and after) is events.booking_event's job.
    old, before = booking.status, events.BookingSnapshot.of(booking)
    action = "reschedule" if old == S.scheduled else "schedule"
    booking.status, booking.inspection_date, booking.scheduled_time = S.scheduled, day, at_time
    booking.inspectors = accounts
    return _finish(session, actor, booking, action, old, rules, now, before=before, inspectors=[a.name for a in accounts],
                   date=day.isoformat(), time=at_time.strftime("%H:%M"), moved=moved,
                   conflicts=[c.booking_no for c in conflicts])


def complete_booking(session: Session, actor: Actor, booking_no: str, result: str, *,
                     rules: StoreRules, now: datetime | None = None) -> BookingOut:
    """Record that the supervised inspection took place, with its conclusion."""
    require_staff(actor, "办结预约")
    conclusion = checks.text(result, "监督结论", max_len=2000)
    booking = _transition(session, actor, booking_no, "complete")
    if rules.today(now) < booking.inspection_date:
        raise IllegalTransition(f"监督日期 {booking.inspection_date} 尚未到，不能办结")
    old, booking.status, booking.result = booking.status, S.completed, conclusion
    return _finish(session, actor, booking, "complete", old, rules, now, result=conclusion)


def cancel_booking(session: Session, actor: Actor, booking_no: str, reason: str, *,
                   rules: StoreRules, now: datetime | None = None) -> BookingOut:
    """Withdraw a booking (by the requesting enterprise or the station); frees its slot."""
    why = checks.text(reason, "取消原因", max_len=1000)
    booking = _transition(session, actor, booking_no, "cancel")
    old, booking.status, booking.status_reason = booking.status, S.cancelled, why
    return _finish(session, actor, booking, "cancel", old, rules, now, reason=why)
