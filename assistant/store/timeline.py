"""One project's history on one line: bookings, inspection records, notices and visits, newest first."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.actors import Actor
from assistant.store.errors import NotFound
from assistant.store.loop_schemas import TimelineEntry
from assistant.store.models import Booking, Inspection, RectificationNotice, VisitRequest
from assistant.store.projects import party_ids, project_row
from assistant.store.rules import StoreRules

KIND_LABELS = {"booking": "监督预约", "inspection": "监督检查", "notice": "整改通知", "visit": "质量服务"}


def _excerpt(text: str, n: int = 60) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= n else flat[:n] + "……"


def project_timeline(session: Session, actor: Actor, project: int | str, *, rules: StoreRules,
                     now: datetime | None = None) -> list[TimelineEntry]:
    """Staff see everything; a contractor only a project its enterprise takes part in."""
    proj = project_row(session, project)
    if not actor.is_staff and (actor.enterprise_id is None or actor.enterprise_id not in party_ids(proj)):
        raise NotFound(f"未找到编号为 {project} 的工程")  # another enterprise's project looks missing
    tz = ZoneInfo(rules.timezone)
    today = rules.today(now)

    def local(at: datetime) -> date:
        return at.astimezone(tz).date()

    out: list[TimelineEntry] = []
    for b in session.scalars(select(Booking).where(Booking.project_id == proj.id)):
        out.append(TimelineEntry(on=b.inspection_date, at=None, kind="booking", kind_label=KIND_LABELS["booking"],
                                 number=b.booking_no, title=b.milestone, status_label=b.status.label,
                                 detail=_excerpt(b.result or b.status_reason or b.note)))
    for i in session.scalars(select(Inspection).where(Inspection.project_id == proj.id)):
        where = " ".join(x for x in (i.unit_work, i.position) if x)
        out.append(TimelineEntry(on=i.inspected_on, at=i.created_at, kind="inspection",
                                 kind_label=KIND_LABELS["inspection"], number=i.record_no,
                                 title=f"{i.source.label}{('：' + where) if where else ''}", status_label=i.status.label,
                                 detail=_excerpt(i.conclusion or f"发现问题 {len(i.findings)} 条，实测 {len(i.measurements)} 组")))
    for n in session.scalars(select(RectificationNotice).where(RectificationNotice.project_id == proj.id)):
        late = n.status.value == "open" and today > n.deadline
        out.append(TimelineEntry(on=local(n.issued_at), at=n.issued_at, kind="notice", kind_label=KIND_LABELS["notice"],
                                 number=n.notice_no, title=_excerpt(n.problem, 40),
                                 status_label=n.status.label + ("（已逾期）" if late else ""),
                                 detail=f"整改期限 {n.deadline}；责任单位 {n.responsible_enterprise.name}"))
    for v in session.scalars(select(VisitRequest).where(VisitRequest.project_id == proj.id)):
        out.append(TimelineEntry(on=v.visited_on or v.planned_date or local(v.created_at), at=v.created_at, kind="visit",
                                 kind_label=KIND_LABELS["visit"], number=v.visit_no, title=v.topic,
                                 status_label=v.status.label, detail=_excerpt(v.findings or v.description)))
    out.sort(key=lambda e: (e.on, e.at.timestamp() if e.at else 0.0, e.number), reverse=True)
    return out
