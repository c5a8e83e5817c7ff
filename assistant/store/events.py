"""What each change tells whom: the recipients and the Chinese text of its notifications.

The services call one function of this module per transition, inside their own
transaction and after the change's audit event, so a notice exists exactly when
the change does (``notify.emit`` writes it and its chat deliveries). Texts are
written for a phone's lock screen: the title says what happened to what, the
body gives the number, project, milestone, date and time, people and reason.

Event keys name the change, so emitting it again tells nobody twice: a
transition that happens once in a record's life (accept, cancel, issue …) is
keyed by the record and the action; one that can repeat (a move, a reply, a
re-inspection, a re-assignment) by its ordinal among the record's audit events
of that action (the record is locked by the service, so the count is stable).
The person who made the change is not told about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.store.actors import Actor
from assistant.store.enums import AccountRole
from assistant.store.models import Account, AuditEvent, Booking, RectificationNotice, VisitRequest
from assistant.store.notify import emit

_WEEKDAYS = "一二三四五六日"


def day(d: date) -> str:
    """2026-09-29（周二）"""
    return f"{d.isoformat()}（周{_WEEKDAYS[d.weekday()]}）"


def when(d: date, t: time | None) -> str:
    return day(d) + (f" {t:%H:%M}" if t else "")


def clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def enterprise_accounts(session: Session, enterprise_id: int) -> list[int]:
    """The active accounts of an enterprise: the people a change to its booking or notice concerns."""
    return list(session.scalars(select(Account.id).where(
        Account.enterprise_id == enterprise_id, Account.role == AccountRole.contractor, Account.active.is_(True),
    ).order_by(Account.id)))


def team_inspectors(session: Session, team_id: int | None) -> list[int]:
    if team_id is None:
        return []
    return list(session.scalars(select(Account.id).where(
        Account.team_id == team_id, Account.role == AccountRole.inspector, Account.active.is_(True),
    ).order_by(Account.id)))


def _occurrence(session: Session, entity: str, entity_id: int, actions: Sequence[str]) -> int:
    """How many times ``actions`` have happened to the record, this one included (its audit event is written)."""
    session.flush()
    return session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.entity == entity, AuditEvent.entity_id == entity_id, AuditEvent.action.in_(actions))) or 1


def _others(actor: Actor, *groups: Iterable[int]) -> list[int]:
    """Everyone in ``groups`` once, in order, except the person who acted."""
    return [a for a in dict.fromkeys(a for g in groups for a in g) if a != actor.account_id]


def _lines(*lines: str | None) -> str:
    return "\n".join(line for line in lines if line)


def _names(accounts: Iterable[Account]) -> str:
    return "、".join(a.name for a in accounts) or "（未指派）"


def _by(actor: Actor, firm: str) -> str:
    return f"质监站（{actor.name}）" if actor.is_staff else f"{firm}（{actor.name}）"


# -- bookings ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BookingSnapshot:
    """A scheduled booking as it was before a change, to say what moved."""

    inspection_date: date
    scheduled_time: time | None
    inspector_ids: tuple[int, ...]
    inspector_names: tuple[str, ...]

    @classmethod
    def of(cls, booking: Booking) -> BookingSnapshot:
        return cls(booking.inspection_date, booking.scheduled_time, tuple(a.id for a in booking.inspectors),
                   tuple(a.name for a in booking.inspectors))


def booking_event(session: Session, actor: Actor, booking: Booking, action: str, *, at: datetime,
                  before: BookingSnapshot | None = None) -> int:
    """Notices of one booking transition (submit, accept, return, schedule, reschedule, complete, cancel)."""
    no, proj, milestone = booking.booking_no, booking.project, booking.milestone
    head = (f"预约编号：{no}", f"工程：{proj.name}", f"事项：{milestone}")
    firm = enterprise_accounts(session, booking.enterprise_id)
    staff = [a.id for a in booking.inspectors]
    slot = when(booking.inspection_date, booking.scheduled_time)
    place = f"地点：{proj.address}" if proj.address else None
    contact = f"现场联系人：{booking.contact_name} {booking.contact_phone}"

    def tell(kind: str, key: str, title: str, body: str, *groups: Iterable[int]) -> int:
        return emit(session, kind, event_key=f"booking:{no}:{key}", recipients=_others(actor, *groups), title=title,
                    body=body, subject_type="booking", subject_no=no, at=at,
                    data={"booking_no": no, "status": booking.status.value, "date": booking.inspection_date.isoformat()})

    if action == "submit":
        return tell("booking_submitted", "submit", f"新预约待受理：{proj.name} {milestone}",
                    _lines(*head, f"申请日期：{day(booking.requested_date)}", f"申请单位：{booking.enterprise.name}",
                           contact, "请在工作台受理或退回。"),
                    team_inspectors(session, booking.team_id))
    if action == "accept":
        return tell("booking_accepted", "accept", f"预约已受理：{milestone} {day(booking.inspection_date)}",
                    _lines(*head, f"日期：{day(booking.inspection_date)}", "质监站已受理，排定时间和监督人员后会再通知您。"),
                    firm)
    if action == "return":
        return tell("booking_returned", "return", f"预约被退回：{milestone}",
                    _lines(*head, f"申请日期：{day(booking.requested_date)}", f"退回原因：{booking.status_reason}",
                           "请按退回原因补正后重新预约。"),
                    firm)
    if action == "schedule":
        return tell("booking_scheduled", "schedule", f"预约已排期：{milestone} {slot}",
                    _lines(*head, f"时间：{slot}", place, f"监督人员：{_names(booking.inspectors)}", contact),
                    firm, staff)
    if action == "reschedule":
        return _booking_moved(session, booking, before, head, slot, place, contact, firm, staff, tell)
    if action == "complete":
        return tell("booking_completed", "complete", f"预约已办结：{milestone}",
                    _lines(*head, f"监督日期：{day(booking.inspection_date)}", f"监督结论：{clip(booking.result, 300)}"),
                    firm)
    if action == "cancel":
        return tell("booking_cancelled", "cancel", f"预约已取消：{milestone} {day(booking.inspection_date)}",
                    _lines(*head, f"原定时间：{slot}", f"取消原因：{booking.status_reason}",
                           f"取消方：{_by(actor, booking.enterprise.name)}"),
                    firm, staff)
    return 0


def _booking_moved(session: Session, booking: Booking, before: BookingSnapshot | None, head: tuple[str, ...],
                   slot: str, place: str | None, contact: str, firm: list[int], staff: list[int], tell) -> int:  # noqa: ANN001
    """A scheduled booking changed day, time or inspectors: the firm and everyone on it before or after."""
    if before is None:
        return 0
    now_ids = tuple(a.id for a in booking.inspectors)
    moved = (before.inspection_date, before.scheduled_time) != (booking.inspection_date, booking.scheduled_time)
    if not moved and set(before.inspector_ids) == set(now_ids):
        return 0  # scheduled again exactly as it was: nothing to tell
    n = _occurrence(session, "booking", booking.id, ("reschedule",))
    old = when(before.inspection_date, before.scheduled_time)
    people = _names(booking.inspectors)
    if set(before.inspector_ids) != set(now_ids):
        people = f"{'、'.join(before.inspector_names) or '（未指派）'} → {people}"
    title = (f"预约已改期：{booking.milestone} 改至 {slot}" if moved
             else f"监督人员已调整：{booking.milestone} {slot}")
    body = _lines(*head, f"原定时间：{old}" if moved else None, f"{'改为' if moved else '时间'}：{slot}", place,
                  f"监督人员：{people}", contact)
    return tell("booking_moved", f"moved:{n}", title, body, firm, staff, before.inspector_ids)


# -- rectification notices ---------------------------------------------------------------------------------

def _cited(notice: RectificationNotice) -> str | None:
    if not notice.cited_code:
        return None
    return f"依据：{notice.cited_code}" + (f" 第{notice.cited_clause}条" if notice.cited_clause else "")


def issuer(session: Session, notice: RectificationNotice) -> list[int]:
    """Who answers for the notice at the station: the inspector who issued it, else the project's team."""
    actor_id = session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.entity == "notice", AuditEvent.entity_id == notice.id, AuditEvent.action == "issue"))
    if actor_id is not None:
        account = session.get(Account, actor_id)
        if account is not None and account.active and account.role in (AccountRole.inspector, AccountRole.admin):
            return [account.id]
    return team_inspectors(session, notice.project.team_id)


def notice_event(session: Session, actor: Actor, notice: RectificationNotice, action: str, *, at: datetime) -> int:
    """Notices of one rectification-notice transition (issue, reply, reinspect_pass, reinspect_fail)."""
    no, proj = notice.notice_no, notice.project
    head = (f"通知单编号：{no}", f"工程：{proj.name}")
    firm = enterprise_accounts(session, notice.responsible_enterprise_id)

    def tell(kind: str, key: str, title: str, body: str, *groups: Iterable[int]) -> int:
        return emit(session, kind, event_key=f"notice:{no}:{key}", recipients=_others(actor, *groups), title=title,
                    body=body, subject_type="notice", subject_no=no, at=at,
                    data={"notice_no": no, "status": notice.status.value, "deadline": notice.deadline.isoformat()})

    if action == "issue":
        return tell("notice_issued", "issue", f"整改通知单：{proj.name}，限{notice.deadline.month}月{notice.deadline.day}日前整改",
                    _lines(*head, f"存在问题：{clip(notice.problem, 300)}", _cited(notice),
                           f"整改期限：{day(notice.deadline)}前", "请按期整改，完成后回复整改情况。"),
                    firm)
    if action == "reply":
        n = _occurrence(session, "notice", notice.id, ("reply",))
        return tell("notice_replied", f"reply:{n}", f"整改已回复，待复查：{proj.name}",
                    _lines(*head, f"责任单位：{notice.responsible_enterprise.name}",
                           f"整改回复：{clip(notice.reply, 300)}", "请安排复查。"),
                    issuer(session, notice))
    if action in ("reinspect_pass", "reinspect_fail"):
        n = _occurrence(session, "notice", notice.id, ("reinspect_pass", "reinspect_fail"))
        if action == "reinspect_pass":
            title, lines = f"复查通过，已销项：{proj.name}", ("复查结论：通过，通知单已销项。",
                                                      f"复查意见：{clip(notice.reinspection_note, 300)}"
                                                      if notice.reinspection_note else None)
        else:
            title, lines = f"复查未通过：{proj.name}", (f"复查意见：{clip(notice.reinspection_note, 300)}",
                                                  f"整改期限：{day(notice.deadline)}", "请继续整改后再次回复。")
        return tell("notice_reinspected", f"reinspect:{n}", title, _lines(*head, *lines), firm)
    return 0


def notice_reminder(session: Session, notice: RectificationNotice, kind: str, *, today: date, at: datetime) -> int:
    """The day before the deadline (the firm), or the first day past it (the firm and the issuer); once each."""
    no, proj = notice.notice_no, notice.project
    head = (f"通知单编号：{no}", f"工程：{proj.name}", f"存在问题：{clip(notice.problem, 120)}")
    firm = enterprise_accounts(session, notice.responsible_enterprise_id)
    data = {"notice_no": no, "status": notice.status.value, "deadline": notice.deadline.isoformat()}
    if kind == "notice_due_tomorrow":
        return emit(session, kind, event_key=f"notice:{no}:due:{notice.deadline.isoformat()}", recipients=firm,
                    title=f"整改明日到期：{proj.name}",
                    body=_lines(*head, f"整改期限：{day(notice.deadline)}", "请在期限内完成整改并回复。"),
                    subject_type="notice", subject_no=no, data=data, at=at)
    late = (today - notice.deadline).days
    return emit(session, "notice_overdue", event_key=f"notice:{no}:overdue:{notice.deadline.isoformat()}",
                recipients=[*firm, *issuer(session, notice)], title=f"整改已逾期{late}天：{proj.name}",
                body=_lines(*head, f"责任单位：{notice.responsible_enterprise.name}",
                            f"整改期限：{day(notice.deadline)}，已逾期{late}天", "请尽快整改并回复；逾期将按规定处理。"),
                subject_type="notice", subject_no=no, data=data, at=at)


# -- quality-service visits ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitSnapshot:
    expert_ids: tuple[int, ...]
    expert_names: tuple[str, ...]
    planned_date: date | None

    @classmethod
    def of(cls, visit: VisitRequest) -> VisitSnapshot:
        return cls(tuple(a.id for a in visit.experts), tuple(a.name for a in visit.experts), visit.planned_date)


def visit_event(session: Session, actor: Actor, visit: VisitRequest, action: str, *, at: datetime,
                before: VisitSnapshot | None = None) -> int:
    """Notices of one visit transition (assign, visit, close, withdraw)."""
    no, firm_name = visit.visit_no, visit.enterprise.name
    head = (f"服务编号：{no}", f"服务类别：{visit.topic}", f"工程：{visit.project.name}" if visit.project else None)
    firm = enterprise_accounts(session, visit.enterprise_id)
    experts = [a.id for a in visit.experts]

    def tell(kind: str, key: str, title: str, body: str, *groups: Iterable[int]) -> int:
        return emit(session, kind, event_key=f"visit:{no}:{key}", recipients=_others(actor, *groups), title=title,
                    body=body, subject_type="visit", subject_no=no, at=at,
                    data={"visit_no": no, "status": visit.status.value})

    if action == "assign":
        n = _occurrence(session, "visit", visit.id, ("assign",))
        old = before or VisitSnapshot((), (), None)
        if n > 1 and set(old.expert_ids) == set(experts) and old.planned_date == visit.planned_date:
            return 0
        planned = day(visit.planned_date) if visit.planned_date else "待定"
        again = "变更" if n > 1 else ""
        told = tell("visit_scheduled", f"assign:{n}:firm", f"服务已安排{again}：{visit.topic} {planned}",
                    _lines(*head, f"计划日期：{planned}", f"专家：{_names(visit.experts)}",
                           f"专家将与联系人{visit.contact_name}联系确认。"), firm)
        told += tell("visit_assigned", f"assign:{n}:experts", f"服务派遣{again}：{firm_name} {visit.topic}",
                     _lines(*head, f"服务企业：{firm_name}", f"需求：{clip(visit.description, 200)}",
                            f"计划日期：{planned}", f"专家：{_names(visit.experts)}",
                            f"联系人：{visit.contact_name} {visit.contact_phone}"), experts)
        released = [a for a in old.expert_ids if a not in experts]
        if released:
            told += tell("visit_assigned", f"assign:{n}:released", f"服务派遣已取消：{firm_name} {visit.topic}",
                         _lines(*head, f"服务企业：{firm_name}", "本次服务已改派其他专家，您无需前往。"), released)
        return told
    if action == "visit":
        return tell("visit_recorded", "visit", f"专家已登记服务意见：{visit.topic}",
                    _lines(*head, f"服务日期：{day(visit.visited_on)}" if visit.visited_on else None,
                           f"服务意见：{clip(visit.findings, 300)}", "请为本次服务评价（满意度1–5分）。"), firm)
    if action == "close":
        return tell("visit_closed", "close", f"服务已评价：{firm_name} {visit.topic}",
                    _lines(*head, f"满意度：{visit.satisfaction}/5",
                           f"评价意见：{clip(visit.feedback, 200)}" if visit.feedback else None), experts)
    if action == "withdraw":
        return tell("visit_withdrawn", "withdraw", f"服务申请已撤回：{firm_name} {visit.topic}",
                    _lines(*head, f"撤回原因：{visit.withdraw_reason}", "您无需前往。"), experts)
    return 0
