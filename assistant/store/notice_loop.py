"""The rectification loop around a notice: drafted from findings, re-inspected, escalated when overdue.

- ``notice_draft`` fills a 整改通知单 from selected findings and flagged measured sets: the cited
  clauses, a deadline ``rules.deadline_workdays`` working days out, the project's contractor;
- ``issue_from_findings`` issues it (with the staff's edits) and links findings and record to it;
- ``after_reinspection`` drafts credit: re-issued -> bad, closed on time -> good (staff confirm);
- ``overdue`` / ``escalate`` find notices past their deadline, tell the inspectors once, draft a bad record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, credit_drafts, notify, rectifications
from assistant.store.actors import Actor, require_staff
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import AccountRole, EnterpriseRole, FindingCategory, RectificationStatus
from assistant.store.errors import Conflict, InvalidInput
from assistant.store.inspections import citation, finding_out, inspection_row
from assistant.store.loop_schemas import EscalationOut, FindingOut, NoticeDraft, OverdueNotice
from assistant.store.models import (
    Account,
    Inspection,
    InspectionFinding,
    InspectionInspector,
    InspectionMeasurement,
    RectificationNotice,
)
from assistant.store.projects import party_of
from assistant.store.rules import StoreRules
from assistant.store.schemas import NoticeOut

R = RectificationStatus


def _selected(record: Inspection, finding_ids: Sequence[int], measurement_ids: Sequence[int]
              ) -> tuple[list[InspectionFinding], list[InspectionMeasurement]]:
    findings = {f.id: f for f in record.findings}
    sets = {m.id: m for m in record.measurements}
    if not finding_ids and not measurement_ids:
        raise InvalidInput("请至少选择一条检查发现的问题或一组超差的实测记录", field="findings")
    bad_f = [i for i in finding_ids if i not in findings]
    bad_m = [i for i in measurement_ids if i not in sets]
    if bad_f:
        raise InvalidInput(f"问题 {bad_f[0]} 不属于检查记录 {record.record_no}", field="findings")
    if bad_m:
        raise InvalidInput(f"实测记录 {bad_m[0]} 不属于检查记录 {record.record_no}", field="measurements")
    chosen_f = [findings[i] for i in dict.fromkeys(finding_ids)]
    chosen_m = [sets[i] for i in dict.fromkeys(measurement_ids)]
    taken = [f for f in chosen_f if f.notice_id is not None]
    taken += [f for m in chosen_m for f in record.findings if f.measurement_id == m.id and f.notice_id is not None]
    if taken:
        raise Conflict(f"第{taken[0].seq}条问题已下发过整改通知单，不能重复下发")
    ok_sets = [m for m in chosen_m if m.ok and not m.alert]
    if ok_sets:
        raise InvalidInput(f"实测记录 {ok_sets[0].id}（{ok_sets[0].item_name}）合格，无需整改", field="measurements")
    return chosen_f, chosen_m


def _measurement_text(m: InspectionMeasurement) -> str:
    where = f"{m.position}" if m.position else ""
    bad = [p for p in m.points if not p["ok"]]
    devs = "、".join(f"{p['deviation']:g}" for p in bad[:10])
    return (f"{where}{m.item_name}实测{m.points_total}点，合格{m.points_ok}点，合格点率{m.pass_rate * 100:.1f}%"
            f"{f'，超差点偏差 {devs} {m.unit}' if devs else ''}")


def _problem_lines(findings: Sequence[InspectionFinding], sets: Sequence[InspectionMeasurement]) -> list[str]:
    lines = [f"{f.description}（依据 {citation(f.cited_code, f.cited_clause)}）" for f in findings]
    lines += [f"{_measurement_text(m)}（依据 {citation(m.code, m.clause_no)}）" for m in sets]
    if len(lines) == 1:
        return lines
    return [f"{i}. {line}" for i, line in enumerate(lines, start=1)]


def notice_draft(session: Session, actor: Actor, record_no: str, *, finding_ids: Sequence[int] = (),
                 measurement_ids: Sequence[int] = (), rules: StoreRules, now: datetime | None = None) -> NoticeDraft:
    """What the notice would say; nothing is written."""
    require_staff(actor, "起草整改通知单")
    record = inspection_row(session, record_no)
    findings, sets = _selected(record, finding_ids, measurement_ids)
    cites = list(dict.fromkeys([(f.cited_code, f.cited_clause) for f in findings] + [(m.code, m.clause_no) for m in sets]))
    ent_id = party_of(record.project, EnterpriseRole.contractor)
    if ent_id is None:
        raise InvalidInput("该工程未登记施工单位，请在下发时指定整改责任单位")
    due = rules.calendar.add_workdays(rules.today(now), rules.deadline_workdays)
    return NoticeDraft(
        record_no=record.record_no, project_id=record.project_id, project_name=record.project.name,
        problem="\n".join(_problem_lines(findings, sets)), cited_code=cites[0][0], cited_clause=cites[0][1],
        citations=[citation(c, n) for c, n in cites], deadline=due.day, deadline_workdays=rules.deadline_workdays,
        deadline_provisional=due.provisional, responsible_enterprise_id=ent_id,
        responsible_enterprise_name=enterprise_row(session, ent_id).name,
        findings=[f.id for f in findings], measurements=[m.id for m in sets],
    )


def issue_from_findings(
    session: Session,
    actor: Actor,
    record_no: str,
    *,
    finding_ids: Sequence[int] = (),
    measurement_ids: Sequence[int] = (),
    problem: str | None = None,
    deadline: date | None = None,
    cited_code: str | None = None,
    cited_clause: str | None = None,
    responsible: int | str | None = None,
    rules: StoreRules,
    now: datetime | None = None,
) -> NoticeOut:
    """Issue the drafted notice with the staff's edits; the findings (and flagged sets) now point at it."""
    draft = notice_draft(session, actor, record_no, finding_ids=finding_ids, measurement_ids=measurement_ids,
                         rules=rules, now=now)
    record = inspection_row(session, record_no, lock=True)
    out = rectifications.issue_notice(
        session, actor, project=record.project_id, problem=problem or draft.problem,
        deadline=deadline or draft.deadline,
        cited_code=draft.cited_code if cited_code is None else cited_code,
        cited_clause=draft.cited_clause if cited_clause is None else cited_clause,
        responsible=responsible if responsible is not None else draft.responsible_enterprise_id,
        rules=rules, now=now,
    )
    notice = rectifications.notice_row(session, out.notice_no)
    notice.inspection_id = record.id
    chosen = set(draft.findings)
    seq = max((f.seq for f in record.findings), default=0)
    for m in (x for x in record.measurements if x.id in set(draft.measurements)):
        linked = next((f for f in record.findings if f.measurement_id == m.id), None)
        if linked is None:  # a flagged set becomes a finding of its own, so the record shows what was noticed
            seq += 1
            linked = InspectionFinding(
                inspection_id=record.id, seq=seq, category=FindingCategory.entity, description=_measurement_text(m),
                cited_code=m.code, cited_clause=m.clause_no, photos=[], measurement_id=m.id,
                created_at=rules.now(now))
            session.add(linked)
            record.findings.append(linked)
        linked.notice_id = notice.id
    for f in record.findings:
        if f.id in chosen:
            f.notice_id = notice.id
    session.flush()
    audit.record(session, actor, "inspection", record.id, "notice", at=rules.now(now),
                 detail={"notice": out.notice_no})
    return rectifications.to_out(notice, rules.today(now))


def after_reinspection(session: Session, notice_no: str, *, passed: bool, rules: StoreRules, now: datetime) -> None:
    """Draft the credit record a re-inspection calls for (staff confirm it; nothing is recorded here)."""
    n = rectifications.notice_row(session, notice_no)
    if passed:
        if n.reissue_count == 0 and n.escalated_at is None and rules.today(now) <= n.deadline:
            credit_drafts.draft(session, "notice_closed_on_time", enterprise_id=n.responsible_enterprise_id,
                                source_type="notice", source_id=n.id, source_no=n.notice_no,
                                reason=f"整改通知单 {n.notice_no} 在期限（{n.deadline}）内整改完毕并经复查销号",
                                rules=rules, now=now)
        return
    credit_drafts.draft(session, "notice_reissued", enterprise_id=n.responsible_enterprise_id, source_type="notice",
                        source_id=n.id, source_no=n.notice_no, occurrence=n.reissue_count,
                        reason=f"整改通知单 {n.notice_no} 复查不合格（第{n.reissue_count}次），整改不到位，已重新下发",
                        rules=rules, now=now)


def _overdue_rows(session: Session, today: date) -> list[RectificationNotice]:
    return list(session.scalars(
        select(RectificationNotice)
        .where(RectificationNotice.status == R.open, RectificationNotice.deadline < today)
        .order_by(RectificationNotice.deadline, RectificationNotice.id)))


def _overdue_out(session: Session, n: RectificationNotice, today: date) -> OverdueNotice:
    issuer = session.get(Account, n.issued_by_id) if n.issued_by_id else None
    return OverdueNotice(notice_no=n.notice_no, project_name=n.project.name,
                         responsible_enterprise_name=n.responsible_enterprise.name, deadline=n.deadline,
                         days_overdue=(today - n.deadline).days, escalated_at=n.escalated_at,
                         issued_by=issuer.name if issuer else None)


def overdue(session: Session, actor: Actor, *, rules: StoreRules, now: datetime | None = None) -> list[OverdueNotice]:
    """Notices still awaiting rectification after their deadline, longest overdue first (the staff's queue)."""
    require_staff(actor, "查看逾期整改通知单")
    today = rules.today(now)
    return [_overdue_out(session, n, today) for n in _overdue_rows(session, today)]


def _inspectors_for(session: Session, n: RectificationNotice) -> list[int]:
    """Who is told: the issuer, the inspectors of the record it came from, else the project's team."""
    ids = [n.issued_by_id] if n.issued_by_id else []
    if n.inspection_id:
        ids += list(session.scalars(select(InspectionInspector.account_id)
                                    .where(InspectionInspector.inspection_id == n.inspection_id)))
    if not ids and n.project.team_id:
        ids += list(session.scalars(select(Account.id).where(
            Account.team_id == n.project.team_id, Account.role == AccountRole.inspector, Account.active.is_(True))))
    return list(dict.fromkeys(ids))


def escalate(session: Session, actor: Actor, *, rules: StoreRules, now: datetime | None = None) -> EscalationOut:
    """Escalate every overdue notice not escalated yet: tell its inspectors, draft a bad record, mark it.

    Safe to run as often as wanted (a scheduled job): a notice is escalated once per deadline.
    """
    require_staff(actor, "催办逾期整改通知单")
    at, today = rules.now(now), rules.today(now)
    escalated, drafts, told = [], [], 0
    for n in _overdue_rows(session, today):
        locked = rectifications.notice_row(session, n.notice_no, lock=True)
        if locked.escalated_at is not None or locked.status != R.open:
            continue
        locked.escalated_at = at
        days = (today - locked.deadline).days
        audit.record(session, actor, "notice", locked.id, "escalate", at=at,
                     detail={"deadline": locked.deadline.isoformat(), "days_overdue": days})
        told += notify.emit(
            session, "notice_overdue", event_key=f"notice:{locked.notice_no}:overdue:{locked.deadline.isoformat()}",
            recipients=_inspectors_for(session, locked), title=f"整改通知单 {locked.notice_no} 已逾期 {days} 天",
            body=(f"{locked.project.name}：{locked.responsible_enterprise.name} 未在 {locked.deadline} 前回复整改，"
                  "请督促整改或复查。"), subject_type="notice", subject_no=locked.notice_no,
            data={"deadline": locked.deadline.isoformat(), "days_overdue": days}, at=at)
        draft_id = credit_drafts.draft(
            session, "notice_overdue", enterprise_id=locked.responsible_enterprise_id, source_type="notice",
            source_id=locked.id, source_no=locked.notice_no, occurrence=(locked.reissue_count or 0) + 1,
            reason=f"整改通知单 {locked.notice_no} 逾期未整改（期限 {locked.deadline}，逾期 {days} 天）",
            rules=rules, now=at)
        if draft_id is not None:
            drafts.append(draft_id)
        escalated.append(_overdue_out(session, locked, today))
    session.flush()
    return EscalationOut(escalated=escalated, notified=told, drafts=drafts)


def printed_parts(session: Session, notice_id: int) -> tuple[list[FindingOut], str | None]:
    """What a printed notice adds to the notice itself: the findings it was issued for, and who issued it."""
    n = session.get(RectificationNotice, notice_id)
    rows = list(session.scalars(select(InspectionFinding).where(InspectionFinding.notice_id == notice_id)
                                .order_by(InspectionFinding.inspection_id, InspectionFinding.seq)))
    issuer = session.get(Account, n.issued_by_id) if n is not None and n.issued_by_id else None
    return [finding_out(f, {}) for f in rows], issuer.name if issuer else None
