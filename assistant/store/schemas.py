"""What services return: plain pydantic models, never ORM objects.

Labels (``*_label``) are the Chinese names a channel shows; codes are for programs.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class AuditEntry(Out):
    at: datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str | None
    from_label: str | None
    to_label: str | None
    detail: dict[str, Any]


class EnterpriseOut(Out):
    id: int
    uscc: str
    name: str
    role: str
    role_label: str
    qualification: str
    address: str
    phone: str


class PartyOut(Out):
    role: str
    role_label: str
    enterprise_id: int
    enterprise_name: str
    uscc: str


class ProjectOut(Out):
    id: int
    name: str
    supervision_no: str | None
    permit_no: str | None
    address: str
    status: str
    status_label: str
    is_key_public: bool
    team_id: int | None
    team_name: str | None
    parties: list[PartyOut]

    @property
    def number(self) -> str:
        """The number people quote: supervision registration first, else the permit."""
        return self.supervision_no or self.permit_no or ""


class TeamOut(Out):
    id: int
    name: str
    daily_capacity: int
    uses_default_capacity: bool
    active: bool


class AccountOut(Out):
    id: int
    login: str
    name: str
    role: str
    role_label: str
    enterprise_id: int | None
    team_id: int | None
    phone: str
    active: bool


class CreditRecordOut(Out):
    id: int
    kind: str
    kind_label: str
    points: float
    recorded_on: date
    expires_on: date
    reason: str
    document_no: str
    counted: bool
    status_label: str  # 有效 / 已过期 / 未生效 / 已撤销


class CreditPublic(Out):
    """What anyone may see: grade and supervision mode."""

    view: Literal["public"] = "public"
    enterprise_id: int
    enterprise_name: str
    uscc: str
    grade: str
    mode: str
    check_ratio_min: float
    check_ratio_max: float
    as_of: date
    matched_by: Literal["code", "name", "fuzzy"]
    match_score: float


class CreditFull(CreditPublic):
    """The breakdown, for the enterprise itself and for station staff."""

    view: Literal["full"] = "full"  # type: ignore[assignment]
    score: float
    base: float
    good_points: float
    good_points_counted: float
    bad_points: float
    records: list[CreditRecordOut]
    next_expiry: date | None


class EnterpriseMatch(Out):
    enterprise: EnterpriseOut
    matched_by: Literal["code", "name", "fuzzy"]
    score: float


class BookingOut(Out):
    id: int
    booking_no: str
    project_id: int
    project_name: str
    project_number: str
    project_address: str
    milestone: str
    requested_date: date
    inspection_date: date
    scheduled_time: time | None
    team_id: int
    team_name: str
    enterprise_id: int
    enterprise_name: str
    contact_name: str
    contact_phone: str
    note: str
    status: str
    status_label: str
    status_reason: str
    result: str
    inspectors: list[str]
    calendar_provisional: bool
    notices: list[str]
    created_at: datetime
    updated_at: datetime


class BookingDetail(BookingOut):
    history: list[AuditEntry]


class BookingQueues(Out):
    """An inspector's work list: open bookings by when they fall due."""

    as_of: date
    week_end: date
    today: list[BookingOut]
    week: list[BookingOut]
    overdue: list[BookingOut]
    pending: list[BookingOut]
    counts: dict[str, int]


class DaySlots(Out):
    """Free capacity of one team on one working day."""

    day: date
    capacity: int
    booked: int
    free: int
    provisional: bool


class BookingWindow(Out):
    """When a project may book a milestone: the earliest date and the days with room."""

    project_id: int
    milestone: str
    lead_days: int
    earliest: date
    team_name: str
    days: list[DaySlots]
    notices: list[str]


class NoticeOut(Out):
    id: int
    notice_no: str
    project_id: int
    project_name: str
    problem: str
    cited_code: str
    cited_clause: str
    deadline: date
    overdue: bool
    responsible_enterprise_id: int
    responsible_enterprise_name: str
    status: str
    status_label: str
    reply: str
    replied_at: datetime | None
    reinspection_note: str
    closed_at: datetime | None
    issued_at: datetime
    reply_photos: list[int] = []
    reissue_count: int = 0
    inspection_id: int | None = None
    days_overdue: int = 0
    escalated_at: datetime | None = None


class NoticeDetail(NoticeOut):
    history: list[AuditEntry]


class VisitOut(Out):
    id: int
    visit_no: str
    enterprise_id: int
    enterprise_name: str
    project_id: int | None
    project_name: str | None
    topic: str
    description: str
    preferred_dates: list[date]
    contact_name: str
    contact_phone: str
    status: str
    status_label: str
    experts: list[str]
    planned_date: date | None
    visited_on: date | None
    findings: str
    satisfaction: int | None
    feedback: str
    withdraw_reason: str
    created_at: datetime
    priority: float | None = None
    priority_reasons: list[str] = []


class VisitDetail(VisitOut):
    history: list[AuditEntry]
