"""Quality service team (质量服务团) visit requests.

submitted -> assigned (experts, planned date) -> visited (findings) -> closed
(1–5 satisfaction from the enterprise) | withdrawn (from submitted or assigned).
The queue puts first those most at risk: key public projects, low credit
grades, projects with open rectification notices; waiting time ages a request
up so none waits forever. Priority is computed when asked, from today's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from assistant.store import audit, checks, events
from assistant.store.accounts import account_row
from assistant.store.actors import Actor, require_staff, require_staff_or_member
from assistant.store.credit import CreditScheme, grade_of
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import OPEN_VISIT_STATUSES, AccountRole, VisitStatus, parse_enum
from assistant.store.errors import (
    Conflict,
    IllegalTransition,
    InvalidDate,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from assistant.store.models import VisitRequest
from assistant.store.projects import party_ids, project_row
from assistant.store.rectifications import open_notice_numbers
from assistant.store.rules import StoreRules
from assistant.store.schemas import VisitDetail, VisitOut
from assistant.store.sequences import next_number

V = VisitStatus
MAX_PREFERRED_DATES = 5


def to_out(v: VisitRequest, priority: float | None = None, reasons: Sequence[str] = ()) -> VisitOut:
    return VisitOut(
        id=v.id, visit_no=v.visit_no, enterprise_id=v.enterprise_id, enterprise_name=v.enterprise.name,
        project_id=v.project_id, project_name=v.project.name if v.project else None, topic=v.topic,
        description=v.description, preferred_dates=[date.fromisoformat(d) for d in v.preferred_dates or []],
        contact_name=v.contact_name, contact_phone=v.contact_phone, status=v.status.value,
        status_label=v.status.label, experts=[a.name for a in v.experts], planned_date=v.planned_date,
        visited_on=v.visited_on, findings=v.findings, satisfaction=v.satisfaction, feedback=v.feedback,
        withdraw_reason=v.withdraw_reason, created_at=v.created_at, priority=priority,
        priority_reasons=list(reasons),
    )


def _check_future_workday(rules: StoreRules, day: date, today: date, what: str) -> None:
    if day <= today:
        raise InvalidDate(f"{what} {day} 已是今天或已经过去")
    if day > today + timedelta(days=rules.visit_horizon_days):
        raise InvalidDate(f"{what}不能晚于{rules.visit_horizon_days}天之后（{today + timedelta(days=rules.visit_horizon_days)}）")
    info = rules.calendar.info(day)
    if not info.is_workday:
        raise InvalidDate(f"{what} {day}（{info.reason}）不是工作日")


def submit_visit(
    session: Session,
    actor: Actor,
    *,
    topic: str,
    description: str,
    contact_name: str,
    contact_phone: str,
    enterprise: int | str | None = None,
    project: int | str | None = None,
    preferred_dates: Sequence[date] = (),
    rules: StoreRules,
    now: datetime | None = None,
) -> VisitOut:
    today = rules.today(now)
    name = rules.check_topic(topic)
    text = checks.text(description, "需求描述", max_len=4000)
    contact = checks.text(contact_name, "联系人", max_len=64)
    phone = checks.phone(contact_phone)
    if enterprise is None:
        if actor.enterprise_id is None:
            raise InvalidInput("请指定申请服务的企业")
        ent_id = actor.enterprise_id
    else:
        ent_id = enterprise_row(session, enterprise).id
    require_staff_or_member(actor, ent_id, "为该企业申请服务")
    proj_id = None
    if project is not None:
        proj = project_row(session, project)
        if ent_id not in party_ids(proj):
            raise InvalidInput(f"申请企业不是工程“{proj.name}”的参建单位")
        proj_id = proj.id
    dates = sorted(set(preferred_dates))
    if len(dates) > MAX_PREFERRED_DATES:
        raise InvalidInput(f"期望日期最多填写{MAX_PREFERRED_DATES}个")
    for d in dates:
        _check_future_workday(rules, d, today, "期望日期")
    duplicate = session.scalars(
        select(VisitRequest).where(
            VisitRequest.enterprise_id == ent_id,
            VisitRequest.project_id.is_(None) if proj_id is None else VisitRequest.project_id == proj_id,
            VisitRequest.topic == name,
            VisitRequest.status.in_(OPEN_VISIT_STATUSES),
        )
    ).first()
    if duplicate is not None:
        raise Conflict(f"已有同类服务申请在办理中（{duplicate.visit_no}，{duplicate.status.label}），请勿重复申请")
    visit = VisitRequest(
        visit_no=next_number(session, "visit", today.year, width=4), enterprise_id=ent_id, project_id=proj_id,
        topic=name, description=text, preferred_dates=[d.isoformat() for d in dates], contact_name=contact,
        contact_phone=phone, status=V.submitted, created_at=rules.now(now), updated_at=rules.now(now),
    )
    session.add(visit)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent identical request was written first (the partial unique index)
        if "uq_visit_requests_open" in str(exc.orig) or "visit_requests.enterprise_id" in str(exc.orig):
            raise Conflict("已有同类服务申请在办理中，请勿重复申请") from exc
        raise
    audit.record(session, actor, "visit", visit.id, "submit", to_status=V.submitted.value, at=rules.now(now),
                 detail={"topic": name})
    return to_out(visit)


def _hidden(visit_no: str) -> NotFound:
    """A request one may not see looks exactly like a missing one (numbers are sequential)."""
    return NotFound(f"未找到服务申请 {visit_no}")


def _can_see(actor: Actor, visit: VisitRequest) -> bool:
    return actor.is_staff or actor.acts_for(visit.enterprise_id) or actor.account_id in {a.id for a in visit.experts}


def visit_row(session: Session, visit_no: str, *, lock: bool = False) -> VisitRequest:
    stmt = select(VisitRequest).where(VisitRequest.visit_no == (visit_no or "").strip())
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    visit = session.scalars(stmt).one_or_none()
    if visit is None:
        raise _hidden(visit_no)
    return visit


def _expect(visit: VisitRequest, allowed: tuple[VisitStatus, ...], verb: str) -> None:
    if visit.status not in allowed:
        froms = "、".join(f"“{s.label}”" for s in allowed)
        raise IllegalTransition(f"服务申请 {visit.visit_no} 当前为“{visit.status.label}”，不能{verb}（须为{froms}）")


def _done(session: Session, actor: Actor, visit: VisitRequest, action: str, old: VisitStatus,
          rules: StoreRules, now: datetime | None, *, before: events.VisitSnapshot | None = None,
          **detail: object) -> VisitOut:
    visit.updated_at = rules.now(now)
    session.flush()
    audit.record(session, actor, "visit", visit.id, action, from_status=old.value, to_status=visit.status.value,
                 at=rules.now(now), detail=detail)
    events.visit_event(session, actor, visit, action, at=rules.now(now), before=before)
    session.refresh(visit)
    return to_out(visit)


def assign_visit(session: Session, actor: Actor, visit_no: str, *, experts: Sequence[int | str],
                 planned_date: date, rules: StoreRules, now: datetime | None = None) -> VisitOut:
    """Send experts (or reassign them) and fix the planned date."""
    require_staff(actor, "派遣服务团专家")
    visit = visit_row(session, visit_no, lock=True)
    _expect(visit, (V.submitted, V.assigned), "派员")
    people = []
    for ref in experts:
        account = account_row(session, ref)
        if account.role not in (AccountRole.expert, AccountRole.inspector) or not account.active:
            raise InvalidInput(f"“{account.name}”不是服务团专家或监督员，不能派遣")
        if account not in people:
            people.append(account)
    if not people:
        raise InvalidInput("请至少派遣一名专家")
    _check_future_workday(rules, planned_date, rules.today(now), "计划服务日期")
    old, before = visit.status, events.VisitSnapshot.of(visit)
    visit.experts, visit.planned_date, visit.status = people, planned_date, V.assigned
    return _done(session, actor, visit, "assign", old, rules, now, before=before, experts=[p.name for p in people],
                 planned_date=planned_date.isoformat())


def record_visit(session: Session, actor: Actor, visit_no: str, *, findings: str, visited_on: date | None = None,
                 rules: StoreRules, now: datetime | None = None) -> VisitOut:
    """The experts write down what they found and advised."""
    visit = visit_row(session, visit_no, lock=True)
    if not (actor.is_staff or actor.account_id in {a.id for a in visit.experts}):
        if not _can_see(actor, visit):
            raise _hidden(visit_no)
        raise PermissionDenied("只有派遣的专家或质监站工作人员可以填写服务记录")
    _expect(visit, (V.assigned,), "登记上门服务")
    day = visited_on or rules.today(now)
    if day > rules.today(now):
        raise InvalidDate(f"服务日期 {day} 晚于今天")
    old = visit.status
    visit.findings = checks.text(findings, "服务意见", max_len=8000)
    visit.visited_on, visit.status = day, V.visited
    return _done(session, actor, visit, "visit", old, rules, now, visited_on=day.isoformat())


def close_visit(session: Session, actor: Actor, visit_no: str, *, satisfaction: int, feedback: str = "",
                rules: StoreRules, now: datetime | None = None) -> VisitOut:
    """The enterprise rates the service (1–5) and the request is closed."""
    visit = visit_row(session, visit_no, lock=True)
    if not _can_see(actor, visit):
        raise _hidden(visit_no)
    require_staff_or_member(actor, visit.enterprise_id, "评价该服务")
    _expect(visit, (V.visited,), "办结")
    if isinstance(satisfaction, bool) or not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise InvalidInput("满意度应为1到5的整数（5为非常满意）")
    old = visit.status
    visit.satisfaction, visit.status = satisfaction, V.closed
    visit.feedback = checks.text(feedback, "评价意见", max_len=2000, required=False)
    return _done(session, actor, visit, "close", old, rules, now, satisfaction=satisfaction)


def withdraw_visit(session: Session, actor: Actor, visit_no: str, reason: str, *,
                   rules: StoreRules, now: datetime | None = None) -> VisitOut:
    visit = visit_row(session, visit_no, lock=True)
    if not _can_see(actor, visit):
        raise _hidden(visit_no)
    require_staff_or_member(actor, visit.enterprise_id, "撤回该服务申请")
    _expect(visit, (V.submitted, V.assigned), "撤回")
    old = visit.status
    visit.withdraw_reason, visit.status = checks.text(reason, "撤回原因", max_len=1000), V.withdrawn
    return _done(session, actor, visit, "withdraw", old, rules, now, reason=visit.withdraw_reason)


def release_visit(session: Session, actor: Actor, visit_no: str, reason: str, *, rules: StoreRules,
                  now: datetime | None = None) -> VisitOut:
    """An assigned expert hands the visit back to the station (cannot go, wrong expertise): back to the queue."""
    visit = visit_row(session, visit_no, lock=True)
    if not (actor.is_staff or actor.account_id in {a.id for a in visit.experts}):
        raise PermissionDenied("只有派遣的专家或质监站工作人员可以退回派遣")
    _expect(visit, (V.assigned,), "退回派遣")
    why = checks.text(reason, "退回原因", max_len=1000)
    old, experts = visit.status, [a.name for a in visit.experts]
    visit.experts, visit.planned_date, visit.status = [], None, V.submitted
    return _done(session, actor, visit, "release", old, rules, now, reason=why, experts=experts)


def priority_of(session: Session, visit: VisitRequest, today: date, rules: StoreRules,
                scheme: CreditScheme) -> tuple[float, list[str]]:
    """Priority points and the Chinese reasons behind them."""
    points, reasons = 0.0, []
    if visit.project is not None and visit.project.is_key_public:
        points += rules.visit_priority_key_project
        reasons.append("重点公共工程")
    grade = grade_of(session, visit.enterprise_id, today, scheme)
    grade_points = rules.visit_priority_grade.get(grade, 0)
    if grade_points:
        points += grade_points
        reasons.append(f"信用等级{grade}")
    if visit.project_id is not None and open_notice_numbers(session, visit.project_id):
        points += rules.visit_priority_open_rectification
        reasons.append("有未销项整改通知")
    waited = max((today - visit.created_at.date()).days, 0)
    if waited:
        points += waited * rules.visit_priority_per_waiting_day
        reasons.append(f"已等待{waited}天")
    return round(points, 1), reasons


def visit_queue(session: Session, *, rules: StoreRules, now: datetime | None = None) -> list[VisitOut]:
    """Requests awaiting experts (submitted), most urgent first."""
    scheme = rules.credit
    today = rules.today(now)
    pending = session.scalars(
        select(VisitRequest).where(VisitRequest.status == V.submitted)
        .options(selectinload(VisitRequest.project), selectinload(VisitRequest.enterprise))
    )
    ranked = []
    for v in pending:
        points, reasons = priority_of(session, v, today, rules, scheme)
        ranked.append((points, v.created_at, v.id, to_out(v, points, reasons)))
    ranked.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [t[3] for t in ranked]


def get_visit(session: Session, visit_no: str, *, actor: Actor | None = None) -> VisitDetail:
    visit = visit_row(session, visit_no)
    if actor is not None and not _can_see(actor, visit):
        raise _hidden(visit_no)
    return VisitDetail(**to_out(visit).model_dump(), history=audit.history(session, "visit", visit.id))


def list_visits(session: Session, *, actor: Actor | None = None, status: str | VisitStatus | None = None,
                enterprise: int | str | None = None) -> list[VisitOut]:
    stmt = select(VisitRequest).order_by(VisitRequest.id)
    if status is not None:
        stmt = stmt.where(VisitRequest.status == parse_enum(V, status, "服务状态"))
    if enterprise is not None:
        stmt = stmt.where(VisitRequest.enterprise_id == enterprise_row(session, enterprise).id)
    if actor is not None and actor.role == AccountRole.contractor:
        stmt = stmt.where(VisitRequest.enterprise_id == actor.enterprise_id)
    elif actor is not None and actor.role == AccountRole.expert:
        stmt = stmt.where(VisitRequest.experts.any(id=actor.account_id))
    return [to_out(v) for v in session.scalars(stmt)]
