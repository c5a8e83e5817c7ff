"""What the inspection-loop services return: inspection records, notice drafts, credit drafts, cases, draws.

Plain pydantic models (never ORM objects); ``*_label`` fields are the Chinese names a channel shows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.store.schemas import AuditEntry, Out


class ToleranceItem(BaseModel):
    """One measurable item: its allowed deviation, how many points a check takes and the clause behind it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    unit: str
    lower: float | None = Field(description="lowest allowed deviation (None: no lower limit)")
    upper: float | None = Field(description="highest allowed deviation (None: no upper limit)")
    relative_to_design: bool = Field(description="deviation = reading − design value; otherwise the reading itself")
    points: int = Field(description="points per check")
    code: str = Field(description="the standard whose clause sets the tolerance")
    clause_no: str
    title: str = Field(default="", description="title of that standard, when the library holds it")
    pass_rate_required: float = Field(description="share of points (0–1) that must pass for the check to pass")
    value_min: float = Field(description="smallest plausible reading; below it is a typing error")
    value_max: float = Field(description="largest plausible reading")
    method: str = ""
    source: str = Field(description="code of the tolerance table the item comes from")
    illustrative: bool = False


class PointVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: float
    deviation: float
    ok: bool
    beyond: bool = Field(default=False, description="beyond the alert factor × the allowed deviation")


class MeasurementCheck(BaseModel):
    """The verdict on one set of readings (the contract of POST /v1/measurements/check, plus detail)."""

    model_config = ConfigDict(frozen=True)

    points: list[PointVerdict]
    pass_rate: float = Field(description="points within tolerance / points, 0–1")
    ok: bool = Field(description="pass rate reaches the item's requirement and no point is beyond the alert factor")
    alert: bool = Field(description="pass rate below the warning line, or a point beyond the alert factor")
    code: str
    clause_no: str
    item: str
    name: str
    unit: str
    design: float | None
    lower: float | None
    upper: float | None
    relative_to_design: bool
    points_total: int
    points_ok: int
    points_required: int = Field(description="points a check of this item should have")
    pass_rate_percent: float
    pass_rate_required: float
    warning_pass_rate: float
    alert_factor: float
    out_of_tolerance: list[int] = Field(description="indexes (from 0) of the points outside the tolerance")
    beyond_factor: list[int] = Field(description="indexes of the points beyond the alert factor")
    messages: list[str] = Field(description="what the verdict means, in Chinese (alert reasons first)")
    citation: str = Field(description="the clause as written in a notice: CODE 第X条")


class FindingOut(Out):
    id: int
    seq: int
    category: str
    category_label: str
    description: str
    cited_code: str
    cited_clause: str
    citation: str = Field(description="CODE 第X条")
    photos: list[int] = Field(description="attachment ids")
    measurement_id: int | None
    notice_no: str | None


class MeasurementOut(Out):
    id: int
    seq: int
    item: str
    name: str
    unit: str
    position: str
    design: float | None
    lower: float | None
    upper: float | None
    relative_to_design: bool
    code: str
    clause_no: str
    points: list[PointVerdict]
    points_ok: int
    points_total: int
    pass_rate: float
    ok: bool
    alert: bool
    messages: list[str]
    notice_no: str | None = Field(default=None, description="the notice a finding from this set went into")


class InspectionOut(Out):
    id: int
    record_no: str
    project_id: int
    project_name: str
    booking_no: str | None
    source: str
    source_label: str
    inspected_on: date
    unit_work: str
    position: str
    entity_items: list[str]
    behavior_items: list[str]
    photos: list[int]
    conclusion: str
    status: str
    status_label: str
    inspectors: list[str]
    inspector_ids: list[int]
    findings: int
    measurements: int
    alerts: int = Field(description="measured sets that raised an alert")
    notices: list[str]
    created_at: datetime
    finished_at: datetime | None


class InspectionDetail(InspectionOut):
    finding_list: list[FindingOut]
    measurement_list: list[MeasurementOut]
    history: list[AuditEntry]


class NoticeDraft(Out):
    """A rectification notice filled in from findings, for staff to edit and issue (nothing is saved)."""

    record_no: str
    project_id: int
    project_name: str
    problem: str
    cited_code: str
    cited_clause: str
    citations: list[str]
    deadline: date
    deadline_workdays: int
    deadline_provisional: bool
    responsible_enterprise_id: int
    responsible_enterprise_name: str
    findings: list[int]
    measurements: list[int]


class TimelineEntry(Out):
    on: date
    at: datetime | None
    kind: str = Field(description="booking | inspection | notice | visit")
    kind_label: str
    number: str
    title: str
    status_label: str
    detail: str = ""


class CreditDraftOut(Out):
    id: int
    enterprise_id: int
    enterprise_name: str
    event: str
    event_label: str
    kind: str
    kind_label: str
    points: float
    valid_months: int
    reason: str
    source_type: str
    source_no: str
    status: str
    status_label: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    credit_record_id: int | None


class CaseFields(Out):
    """The parts of a case (as the bundled cases have them), anonymised."""

    title: str
    problem: str
    cause: str
    treatment: str
    basis: str
    tags: list[str]


class CaseDraft(CaseFields):
    notice_no: str
    removed: list[str] = Field(description="what kinds of names were removed (never the names themselves)")


class PublishedCaseOut(CaseFields):
    case_no: str
    notice_no: str
    document_code: str
    published_at: datetime
    job_id: str
    job_status: str | None = None
    job_status_label: str | None = None


class PickOut(Out):
    project_id: int
    project_name: str
    grade: str
    enterprise_name: str | None
    inspectors: list[str]
    inspector_ids: list[int]
    inspection_no: str | None


class DrawOut(Out):
    draw_no: str
    period_start: date
    period_end: date
    seed: str
    ratios: dict[str, float]
    counts: dict[str, Any]
    inspectors_per_project: int
    note: str
    created_at: datetime
    created_by: str | None
    picks: list[PickOut]


class DrawDetail(DrawOut):
    replay_ok: bool = Field(description="drawing again from the recorded population and seed gives the same picks")
    population: dict[str, Any]


class OverdueNotice(Out):
    notice_no: str
    project_name: str
    responsible_enterprise_name: str
    deadline: date
    days_overdue: int = Field(description="calendar days past the deadline")
    escalated_at: datetime | None
    issued_by: str | None


class EscalationOut(Out):
    escalated: list[OverdueNotice]
    notified: int = Field(description="notifications written")
    drafts: list[int] = Field(description="ids of the credit drafts created")
