"""Rectification notices (整改通知单): issued -> replied -> closed once a re-inspection passes.

A failed re-inspection sends the notice back to open. While any notice of a
project is not closed, bookings of the milestones in
``StoreRules.rectification_blocked`` are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks, events
from assistant.store.actors import Actor, require_staff, require_staff_or_member
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import EnterpriseRole, RectificationStatus, parse_enum
from assistant.store.errors import IllegalTransition, InvalidDate, InvalidInput, NotFound
from assistant.store.models import RectificationNotice
from assistant.store.projects import party_ids, party_of, project_row
from assistant.store.rules import StoreRules
from assistant.store.schemas import NoticeDetail, NoticeOut
from assistant.store.sequences import next_number

R = RectificationStatus


def to_out(n: RectificationNotice, today: date) -> NoticeOut:
    return NoticeOut(
        id=n.id, notice_no=n.notice_no, project_id=n.project_id, project_name=n.project.name, problem=n.problem,
        cited_code=n.cited_code, cited_clause=n.cited_clause, deadline=n.deadline,
        overdue=n.status == R.open and today > n.deadline,
        responsible_enterprise_id=n.responsible_enterprise_id,
        responsible_enterprise_name=n.responsible_enterprise.name, status=n.status.value,
        status_label=n.status.label, reply=n.reply, replied_at=n.replied_at,
        reinspection_note=n.reinspection_note, closed_at=n.closed_at, issued_at=n.issued_at,
        reply_photos=list(n.reply_photos or []), reissue_count=n.reissue_count or 0, inspection_id=n.inspection_id,
        days_overdue=(today - n.deadline).days if n.status == R.open and today > n.deadline else 0,
        escalated_at=n.escalated_at,
    )


def _canonical(code: str) -> str:
    from corpus.models import canonical_code

    raw = checks.text(code, "引用标准编号", max_len=64, required=False)
    return (canonical_code(raw) or raw) if raw else ""


def issue_notice(
    session: Session,
    actor: Actor,
    *,
    project: int | str,
    problem: str,
    deadline: date,
    cited_code: str = "",
    cited_clause: str = "",
    responsible: int | str | None = None,
    rules: StoreRules,
    now: datetime | None = None,
) -> NoticeOut:
    require_staff(actor, "下发整改通知单")
    today = rules.today(now)
    text = checks.text(problem, "存在问题", max_len=4000)
    clause = checks.text(cited_clause, "条款号", max_len=32, required=False).removeprefix("第").removesuffix("条")
    code = _canonical(cited_code)
    if clause and not code:
        raise InvalidInput("填写了条款号时请同时填写引用的标准编号")
    if deadline < today:
        raise InvalidDate(f"整改期限 {deadline} 已经过去")
    # Locks the project: a booking being submitted for it waits and then sees this notice.
    proj = project_row(session, project, lock=True)
    if responsible is None:
        ent_id = party_of(proj, EnterpriseRole.contractor)
        if ent_id is None:
            raise InvalidInput("该工程未登记施工单位，请指定整改责任单位")
    else:
        ent_id = enterprise_row(session, responsible).id
        if ent_id not in party_ids(proj):
            raise InvalidInput("整改责任单位不是该工程的参建单位")
    notice = RectificationNotice(
        notice_no=next_number(session, "notice", today.year, width=4), project_id=proj.id, problem=text,
        cited_code=code, cited_clause=clause, deadline=deadline, responsible_enterprise_id=ent_id,
        status=R.open, issued_at=rules.now(now), updated_at=rules.now(now), issued_by_id=actor.account_id,
    )
    session.add(notice)
    session.flush()
    audit.record(session, actor, "notice", notice.id, "issue", to_status=R.open.value, at=rules.now(now),
                 detail={"deadline": deadline.isoformat(), "cited": f"{code} {clause}".strip()})
    events.notice_event(session, actor, notice, "issue", at=rules.now(now))
    return to_out(notice, today)


def notice_row(session: Session, notice_no: str, *, lock: bool = False) -> RectificationNotice:
    stmt = select(RectificationNotice).where(RectificationNotice.notice_no == (notice_no or "").strip())
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    notice = session.scalars(stmt).one_or_none()
    if notice is None:
        raise _hidden(notice_no)
    return notice


def _hidden(notice_no: str) -> NotFound:
    """A notice one may not see looks exactly like a missing one (numbers are sequential)."""
    return NotFound(f"未找到整改通知单 {notice_no}")


def _can_see(actor: Actor, notice: RectificationNotice) -> bool:
    return actor.is_staff or actor.enterprise_id in party_ids(notice.project)


def _expect(notice: RectificationNotice, status: RectificationStatus, verb: str) -> None:
    if notice.status != status:
        raise IllegalTransition(
            f"整改通知单 {notice.notice_no} 当前为“{notice.status.label}”，不能{verb}（须为“{status.label}”）"
        )


def reply_notice(session: Session, actor: Actor, notice_no: str, reply: str, *, photos: Sequence[int] = (),
                 rules: StoreRules, now: datetime | None = None) -> NoticeOut:
    """The responsible enterprise reports what it has put right."""
    notice = notice_row(session, notice_no, lock=True)
    if not _can_see(actor, notice):
        raise _hidden(notice_no)
    require_staff_or_member(actor, notice.responsible_enterprise_id, "回复该整改通知单")
    _expect(notice, R.open, "回复")
    notice.reply = checks.text(reply, "整改回复", max_len=4000)
    notice.reply_photos = checks.attachment_ids(photos, "整改照片")
    notice.replied_at = notice.updated_at = rules.now(now)
    notice.status = R.replied
    session.flush()
    audit.record(session, actor, "notice", notice.id, "reply", from_status=R.open.value,
                 to_status=R.replied.value, at=rules.now(now))
    events.notice_event(session, actor, notice, "reply", at=rules.now(now))
    return to_out(notice, rules.today(now))


def reinspect_notice(session: Session, actor: Actor, notice_no: str, *, passed: bool, note: str = "",
                     new_deadline: date | None = None, rules: StoreRules, now: datetime | None = None) -> NoticeOut:
    """Re-inspection: a pass closes the notice (销号); a failure re-issues it with a new deadline (given, or
    ``rules.deadline_workdays`` working days from today) and the note says why."""
    require_staff(actor, "复查整改")
    notice = notice_row(session, notice_no, lock=True)
    _expect(notice, R.replied, "复查")
    remark = checks.text(note, "复查意见", max_len=4000, required=not passed)
    notice.reinspection_note = remark
    notice.updated_at = rules.now(now)
    if passed:
        notice.status, notice.closed_at = R.closed, rules.now(now)
    else:
        deadline = new_deadline or rules.calendar.add_workdays(rules.today(now), rules.deadline_workdays).day
        if deadline <= rules.today(now):
            raise InvalidDate(f"新的整改期限 {deadline} 应晚于今天")
        notice.status, notice.deadline, notice.escalated_at = R.open, deadline, None
        notice.reissue_count = (notice.reissue_count or 0) + 1
    session.flush()
    audit.record(session, actor, "notice", notice.id, "reinspect_pass" if passed else "reinspect_fail",
                 from_status=R.replied.value, to_status=notice.status.value, at=rules.now(now),
                 detail={"note": remark, **({} if passed else {"deadline": notice.deadline.isoformat()})})
    events.notice_event(session, actor, notice, "reinspect_pass" if passed else "reinspect_fail", at=rules.now(now))
    return to_out(notice, rules.today(now))


def open_notice_numbers(session: Session, project_id: int) -> list[str]:
    """Numbers of the project's notices that are not closed yet."""
    return list(session.scalars(
        select(RectificationNotice.notice_no)
        .where(RectificationNotice.project_id == project_id, RectificationNotice.status != R.closed)
        .order_by(RectificationNotice.id)
    ))


def get_notice(session: Session, notice_no: str, *, actor: Actor | None = None,
               rules: StoreRules, now: datetime | None = None) -> NoticeDetail:
    notice = notice_row(session, notice_no)
    if actor is not None and not _can_see(actor, notice):
        raise _hidden(notice_no)
    out = to_out(notice, rules.today(now))
    return NoticeDetail(**out.model_dump(), history=audit.history(session, "notice", notice.id))


def list_notices(
    session: Session,
    *,
    actor: Actor | None = None,
    project: int | str | None = None,
    status: str | RectificationStatus | None = None,
    open_only: bool = False,
    rules: StoreRules,
    now: datetime | None = None,
) -> list[NoticeOut]:
    stmt = select(RectificationNotice).order_by(RectificationNotice.id)
    if project is not None:
        stmt = stmt.where(RectificationNotice.project_id == project_row(session, project).id)
    if status is not None:
        stmt = stmt.where(RectificationNotice.status == parse_enum(R, status, "整改状态"))
    if open_only:
        stmt = stmt.where(RectificationNotice.status != R.closed)
    if actor is not None and not actor.is_staff:
        stmt = stmt.where(RectificationNotice.responsible_enterprise_id == actor.enterprise_id)
    today = rules.today(now)
    return [to_out(n, today) for n in session.scalars(stmt)]
