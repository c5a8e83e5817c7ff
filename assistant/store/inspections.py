"""Inspection records (监督检查记录): made on site, with findings citing clauses and measured values.

A record belongs to a project and comes from a booking (预约验收监督), a patrol
(巡查) or a random check (双随机抽查). While it is open, staff add findings (each
citing a clause as code + number, checked against the knowledge base by the
caller's ``check_clause``) and measured sets (judged against the tolerance
catalogue). Finishing it records the conclusion; a record with nothing found
drafts a good credit record for the contractor, for staff to confirm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks, credit_drafts
from assistant.store.accounts import account_row
from assistant.store.actors import Actor, require_staff
from assistant.store.booking_views import booking_row
from assistant.store.enums import (
    AccountRole,
    BookingStatus,
    EnterpriseRole,
    FindingCategory,
    InspectionSource,
    InspectionStatus,
    parse_enum,
)
from assistant.store.errors import IllegalTransition, InvalidDate, InvalidInput, NotFound
from assistant.store.loop_schemas import (
    FindingOut,
    InspectionDetail,
    InspectionOut,
    MeasurementCheck,
    MeasurementOut,
)
from assistant.store.models import (
    Inspection,
    InspectionFinding,
    InspectionInspector,
    InspectionMeasurement,
    ProjectParty,
    RectificationNotice,
    SpotCheckDraw,
    SpotCheckPick,
)
from assistant.store.projects import party_ids, party_of, project_row
from assistant.store.rules import StoreRules
from assistant.store.sequences import next_number

# (code, clause_no) as typed -> (code, clause_no) as the library prints them; raises NotFound when absent.
ClauseCheck = Callable[[str, str], tuple[str, str]]
MAX_ITEMS = 50
MAX_PHOTOS = 30


def citation(code: str, clause: str) -> str:
    return f"{code} 第{clause}条" if code and clause else code


def _photos(photos: Sequence[int] | None, what: str) -> list[int]:
    return checks.attachment_ids(photos, what, limit=MAX_PHOTOS)


def _items(items: Sequence[str] | None, what: str) -> list[str]:
    out = [checks.text(i, what, max_len=200) for i in items or () if (i or "").strip()]
    if len(out) > MAX_ITEMS:
        raise InvalidInput(f"{what}最多 {MAX_ITEMS} 项")
    return out


def _notice_nos(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(RectificationNotice.id, RectificationNotice.notice_no)
                           .where(RectificationNotice.id.in_(ids)))
    return {i: no for i, no in rows}


def finding_out(f: InspectionFinding, notices: dict[int, str]) -> FindingOut:
    return FindingOut(
        id=f.id, seq=f.seq, category=f.category.value, category_label=f.category.label, description=f.description,
        cited_code=f.cited_code, cited_clause=f.cited_clause, citation=citation(f.cited_code, f.cited_clause),
        photos=list(f.photos or []), measurement_id=f.measurement_id,
        notice_no=notices.get(f.notice_id) if f.notice_id else None,
    )


def measurement_out(m: InspectionMeasurement, notice_no: str | None = None) -> MeasurementOut:
    return MeasurementOut(
        id=m.id, seq=m.seq, item=m.item_id, name=m.item_name, unit=m.unit, position=m.position, design=m.design,
        lower=m.lower, upper=m.upper, relative_to_design=m.relative_to_design, code=m.code, clause_no=m.clause_no,
        points=m.points, points_ok=m.points_ok, points_total=m.points_total, pass_rate=m.pass_rate, ok=m.ok,
        alert=m.alert, messages=list(m.messages or []), notice_no=notice_no,
    )


def to_out(session: Session, i: Inspection) -> InspectionOut:
    notices = sorted(set(_notice_nos(session, {f.notice_id for f in i.findings if f.notice_id}).values()))
    return InspectionOut(
        id=i.id, record_no=i.record_no, project_id=i.project_id, project_name=i.project.name,
        booking_no=i.booking.booking_no if i.booking else None, source=i.source.value, source_label=i.source.label,
        inspected_on=i.inspected_on, unit_work=i.unit_work, position=i.position,
        entity_items=list(i.entity_items or []), behavior_items=list(i.behavior_items or []),
        photos=list(i.photos or []), conclusion=i.conclusion, status=i.status.value, status_label=i.status.label,
        inspectors=[x.account.name for x in i.inspectors], inspector_ids=[x.account_id for x in i.inspectors],
        findings=len(i.findings), measurements=len(i.measurements), alerts=sum(m.alert for m in i.measurements),
        notices=notices, created_at=i.created_at, finished_at=i.finished_at,
    )


def detail(session: Session, i: Inspection) -> InspectionDetail:
    notices = _notice_nos(session, {f.notice_id for f in i.findings if f.notice_id})
    by_measurement = {f.measurement_id: notices.get(f.notice_id) for f in i.findings if f.measurement_id and f.notice_id}
    return InspectionDetail(
        **to_out(session, i).model_dump(),
        finding_list=[finding_out(f, notices) for f in i.findings],
        measurement_list=[measurement_out(m, by_measurement.get(m.id)) for m in i.measurements],
        history=audit.history(session, "inspection", i.id),
    )


def inspection_row(session: Session, record_no: str, *, lock: bool = False) -> Inspection:
    stmt = select(Inspection).where(Inspection.record_no == (record_no or "").strip())
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"未找到监督检查记录 {record_no}")
    return row


def can_see(actor: Actor | None, i: Inspection) -> bool:
    """Staff see every record; a contractor only those of projects its enterprise takes part in."""
    if actor is None or actor.is_staff:
        return True
    return actor.role == AccountRole.contractor and actor.enterprise_id in party_ids(i.project)


def _inspectors(session: Session, actor: Actor, refs: Sequence[int | str]) -> list[int]:
    ids: list[int] = []
    for ref in refs:
        account = account_row(session, ref)
        if account.role not in (AccountRole.inspector, AccountRole.admin) or not account.active:
            raise InvalidInput(f"“{account.name}”不是在岗的监督员，不能作为检查人员")
        ids.append(account.id)
    if not ids and actor.account_id is not None:
        ids.append(actor.account_id)
    if not ids:
        raise InvalidInput("请填写检查人员（监督员账号）", field="inspectors")
    return list(dict.fromkeys(ids))


def create_inspection(
    session: Session,
    actor: Actor,
    *,
    project: int | str | None = None,
    source: str | InspectionSource = InspectionSource.patrol,
    booking: str | None = None,
    spot_check: str | None = None,
    inspected_on: date | None = None,
    inspectors: Sequence[int | str] = (),
    unit_work: str = "",
    position: str = "",
    entity_items: Sequence[str] = (),
    behavior_items: Sequence[str] = (),
    photos: Sequence[int] = (),
    rules: StoreRules,
    now: datetime | None = None,
) -> InspectionDetail:
    """Open a record; a booking or a random-check draw, when given, must be of the same project."""
    require_staff(actor, "记录监督检查")
    today = rules.today(now)
    src = parse_enum(InspectionSource, source, "检查来源")
    day = inspected_on or today
    if day > today:
        raise InvalidDate(f"检查日期 {day} 晚于今天，请在检查时或检查后记录")
    bk = None
    if booking:
        bk = booking_row(session, booking)
        if bk.status not in (BookingStatus.scheduled, BookingStatus.completed):
            raise IllegalTransition(f"预约 {bk.booking_no} 当前为“{bk.status.label}”，排期后才能记录检查")
        src = InspectionSource.booking if source in (None, "", InspectionSource.patrol, "patrol") else src
    elif src == InspectionSource.booking:
        raise InvalidInput("检查来源为预约验收监督时，请填写预约编号", field="booking")
    if project is None and bk is None:
        raise InvalidInput("请填写工程", field="project")
    proj = project_row(session, project) if project is not None else bk.project  # type: ignore[union-attr]
    if bk is not None and bk.project_id != proj.id:
        raise InvalidInput(f"预约 {bk.booking_no} 不是该工程的预约", field="booking")
    pick = None
    if spot_check or src == InspectionSource.spot_check:
        if not spot_check:
            raise InvalidInput("检查来源为双随机抽查时，请填写抽查批次编号", field="spot_check")
        pick = session.scalar(select(SpotCheckPick).join(SpotCheckDraw).where(
            SpotCheckDraw.draw_no == spot_check.strip(), SpotCheckPick.project_id == proj.id))
        if pick is None:
            raise InvalidInput(f"抽查批次 {spot_check} 没有抽中该工程", field="spot_check")
        if pick.inspection_id is not None:
            raise IllegalTransition(f"抽查批次 {spot_check} 中该工程已有检查记录")
        src = InspectionSource.spot_check
    at = rules.now(now)
    record = Inspection(
        record_no=next_number(session, "inspection", today.year, width=4), project_id=proj.id,
        booking_id=bk.id if bk else None, source=src, inspected_on=day,
        unit_work=checks.text(unit_work, "单位工程", max_len=200, required=False),
        position=checks.text(position, "检查部位", max_len=200, required=False),
        entity_items=_items(entity_items, "实体质量检查项"), behavior_items=_items(behavior_items, "质量行为检查项"),
        photos=_photos(photos, "现场照片"), status=InspectionStatus.open, created_by_id=actor.account_id,
        created_at=at, updated_at=at,
    )
    record.inspectors = [InspectionInspector(account_id=a) for a in _inspectors(session, actor, inspectors)]
    session.add(record)
    session.flush()
    if pick is not None:
        pick.inspection_id = record.id
    audit.record(session, actor, "inspection", record.id, "create", to_status=InspectionStatus.open.value, at=at,
                 detail={"source": src.label, "booking": bk.booking_no if bk else "", "spot_check": spot_check or ""})
    session.refresh(record)
    return detail(session, record)


def _open_for_edit(session: Session, actor: Actor, record_no: str, verb: str) -> Inspection:
    require_staff(actor, verb)
    record = inspection_row(session, record_no, lock=True)
    if record.status != InspectionStatus.open:
        raise IllegalTransition(f"监督检查记录 {record.record_no} 已完成，不能再{verb}")
    return record


def _next_seq(rows: Sequence[InspectionFinding] | Sequence[InspectionMeasurement]) -> int:
    return max((r.seq for r in rows), default=0) + 1


def add_finding(
    session: Session,
    actor: Actor,
    record_no: str,
    *,
    category: str | FindingCategory,
    description: str,
    cited_code: str,
    cited_clause: str,
    check_clause: ClauseCheck,
    photos: Sequence[int] = (),
    measurement_id: int | None = None,
    rules: StoreRules,
    now: datetime | None = None,
) -> FindingOut:
    """A problem found, citing a clause that must exist in the knowledge base."""
    record = _open_for_edit(session, actor, record_no, "添加检查发现的问题")
    cat = parse_enum(FindingCategory, category, "问题类别")
    text = checks.text(description, "问题描述", max_len=2000)
    raw_code = checks.text(cited_code, "引用标准编号", max_len=64)
    raw_clause = checks.text(cited_clause, "条款号", max_len=32).removeprefix("第").removesuffix("条").strip()
    code, clause = check_clause(raw_code, raw_clause)
    if measurement_id is not None and measurement_id not in {m.id for m in record.measurements}:
        raise InvalidInput(f"实测记录 {measurement_id} 不属于本次检查", field="measurement_id")
    finding = InspectionFinding(
        inspection_id=record.id, seq=_next_seq(record.findings), category=cat, description=text, cited_code=code,
        cited_clause=clause, photos=_photos(photos, "问题照片"), measurement_id=measurement_id,
        created_at=rules.now(now),
    )
    session.add(finding)
    record.updated_at = rules.now(now)
    session.flush()
    audit.record(session, actor, "inspection", record.id, "finding", at=rules.now(now),
                 detail={"seq": finding.seq, "cited": citation(code, clause)})
    return finding_out(finding, {})


def add_measurement(session: Session, actor: Actor, record_no: str, result: MeasurementCheck, *, position: str = "",
                    rules: StoreRules, now: datetime | None = None) -> MeasurementOut:
    """Keep a judged set of readings (with the tolerance as it stood) in the record."""
    record = _open_for_edit(session, actor, record_no, "录入实测实量")
    m = InspectionMeasurement(
        inspection_id=record.id, seq=_next_seq(record.measurements), item_id=result.item, item_name=result.name,
        unit=result.unit, position=checks.text(position, "实测部位", max_len=200, required=False), design=result.design,
        lower=result.lower, upper=result.upper, relative_to_design=result.relative_to_design, code=result.code,
        clause_no=result.clause_no, points=[p.model_dump() for p in result.points], points_ok=result.points_ok,
        points_total=result.points_total, pass_rate=result.pass_rate, ok=result.ok, alert=result.alert,
        messages=list(result.messages), created_at=rules.now(now),
    )
    session.add(m)
    record.updated_at = rules.now(now)
    session.flush()
    audit.record(session, actor, "inspection", record.id, "measure", at=rules.now(now),
                 detail={"item": result.name, "pass_rate": result.pass_rate, "alert": result.alert})
    return measurement_out(m)


def finish_inspection(session: Session, actor: Actor, record_no: str, *, conclusion: str, rules: StoreRules,
                      now: datetime | None = None) -> InspectionDetail:
    """Close the record with its conclusion; nothing found and nothing out of tolerance drafts a good record."""
    record = _open_for_edit(session, actor, record_no, "完成检查")
    at = rules.now(now)
    record.conclusion = checks.text(conclusion, "检查结论", max_len=4000)
    record.status, record.finished_at, record.updated_at = InspectionStatus.finished, at, at
    session.flush()
    audit.record(session, actor, "inspection", record.id, "finish", from_status=InspectionStatus.open.value,
                 to_status=InspectionStatus.finished.value, at=at)
    clean = not record.findings and all(m.ok and not m.alert for m in record.measurements)
    contractor = party_of(record.project, EnterpriseRole.contractor)
    if clean and contractor is not None:
        credit_drafts.draft(session, "inspection_clean", enterprise_id=contractor, source_type="inspection",
                            source_id=record.id, source_no=record.record_no,
                            reason=f"监督检查记录 {record.record_no}（{record.project.name}）未发现质量问题",
                            rules=rules, now=at)
    return detail(session, record)


def get_inspection(session: Session, record_no: str, *, actor: Actor | None = None) -> InspectionDetail:
    record = inspection_row(session, record_no)
    if not can_see(actor, record):  # looks exactly like a missing number: record numbers are sequential
        raise NotFound(f"未找到监督检查记录 {record_no}")
    return detail(session, record)


def list_inspections(session: Session, *, actor: Actor | None = None, project: int | str | None = None,
                     status: str | None = None, limit: int = 200) -> list[InspectionOut]:
    stmt = select(Inspection).order_by(Inspection.inspected_on.desc(), Inspection.id.desc()).limit(limit)
    if project is not None:
        stmt = stmt.where(Inspection.project_id == project_row(session, project).id)
    if status:
        stmt = stmt.where(Inspection.status == parse_enum(InspectionStatus, status, "检查状态"))
    if actor is not None and not actor.is_staff:
        if actor.role != AccountRole.contractor or actor.enterprise_id is None:
            return []
        stmt = stmt.where(Inspection.project_id.in_(
            select(ProjectParty.project_id).where(ProjectParty.enterprise_id == actor.enterprise_id)))
    return [to_out(session, i) for i in session.scalars(stmt)]
