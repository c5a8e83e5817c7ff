"""Request bodies and the few response shapes the API adds to the services' own models.

Limits on every field (lengths, counts, ranges) are the first line against
abuse; the services then apply the business rules with Chinese messages.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.answering.models import Certainty, Citation
from assistant.conversation.replies import Reply
from assistant.views import DatabaseHealth, IndexHealth

DbId = Annotated[int, Field(ge=1, le=2_147_483_647)]
# An id, or what people type (a registration number, a name).
Ref = DbId | Annotated[str, Field(min_length=1, max_length=200)]


def as_ref(value: str | int | None) -> str | int | None:
    """A query-string reference: short digit strings are ids, anything else a number or name."""
    if isinstance(value, str) and value.isdecimal() and len(value) <= 9:
        return int(value)
    return value


def _no_nul(value: Any) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("不能包含空字符（\\0）")
    if isinstance(value, dict):
        for v in value.values():
            _no_nul(v)
    elif isinstance(value, list):
        for v in value:
            _no_nul(v)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_nul(cls, data: Any) -> Any:
        _no_nul(data)
        return data


# -- knowledge -------------------------------------------------------------
class AskIn(In):
    question: str = Field(min_length=1, max_length=500, examples=["楼板混凝土浇筑后多久可以拆模？"])
    context: str | None = Field(default=None, max_length=500, description="上一个问题，用于追问")


class AnswerOut(BaseModel):
    answer: str
    grounded: bool
    certainty: Certainty = Field(description="clear：一条条文明确作答；likely：列出最接近的条文，请核对；none：没有依据（拒答）")
    citations: list[Citation]
    mode: str
    query_id: int | None = None
    confidence: float = 0.0
    top_probability: float = 0.0
    refusal_reason: str | None = None


class ChatIn(In):
    conversation_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$",
                                        description="首次对话不填，之后带上返回的编号")
    text: str = Field(min_length=1, max_length=1000)


class ChatOut(BaseModel):
    conversation_id: str = Field(description="下一条消息带上它")
    reply: Reply = Field(description="text, kind, choices（可显示为按钮）, citations, query_id …")


class FeedbackIn(In):
    query_id: int = Field(ge=1, le=2**53)
    vote: Literal["up", "down"]
    comment: str = Field(default="", max_length=1000)


# -- documents -------------------------------------------------------------
class RetireIn(In):
    superseded_by: str | None = Field(default=None, max_length=64, description="替代它的新标准编号")


# -- bookings --------------------------------------------------------------
class BookingIn(In):
    project: Ref = Field(description="工程编号（id）、监督注册号、施工许可证号或工程名称")
    milestone: str = Field(min_length=1, max_length=40)
    requested_date: date
    contact_name: str = Field(min_length=1, max_length=64)
    contact_phone: str = Field(min_length=1, max_length=40)
    enterprise: Ref | None = Field(default=None, description="申请单位（工作人员代为预约时填写）")
    note: str = Field(default="", max_length=1000)


class ReasonIn(In):
    reason: str = Field(min_length=1, max_length=1000)


class ScheduleIn(In):
    inspectors: list[Ref] = Field(min_length=1, max_length=10)
    at_time: time = Field(description="如 09:30")
    on_date: date | None = Field(default=None, description="改期时填写")
    allow_conflict: bool = Field(default=False, description="监督员在该时段已有其他监督时，确认后仍然排期")


class CompleteIn(In):
    result: str = Field(min_length=1, max_length=2000)


# -- visits ----------------------------------------------------------------
class VisitIn(In):
    topic: str = Field(min_length=1, max_length=40)
    description: str = Field(min_length=1, max_length=4000)
    contact_name: str = Field(min_length=1, max_length=64)
    contact_phone: str = Field(min_length=1, max_length=40)
    enterprise: Ref | None = None
    project: Ref | None = None
    preferred_dates: list[date] = Field(default_factory=list, max_length=5)


class AssignIn(In):
    experts: list[Ref] = Field(min_length=1, max_length=10)
    planned_date: date


class VisitRecordIn(In):
    findings: str = Field(min_length=1, max_length=8000)
    visited_on: date | None = None


class VisitCloseIn(In):
    satisfaction: int = Field(ge=1, le=5)
    feedback: str = Field(default="", max_length=2000)


# -- rectification notices -------------------------------------------------
class NoticeIn(In):
    project: Ref
    problem: str = Field(min_length=1, max_length=4000)
    deadline: date
    cited_code: str = Field(default="", max_length=64)
    cited_clause: str = Field(default="", max_length=32)
    responsible: Ref | None = None


class NoticeReplyIn(In):
    reply: str = Field(min_length=1, max_length=4000)
    photos: list[DbId] = Field(default_factory=list, max_length=30, description="整改照片的附件编号")


class ReinspectIn(In):
    passed: bool
    note: str = Field(default="", max_length=4000)
    new_deadline: date | None = Field(default=None, description="复查不合格时的新整改期限；不填则按工作日自动计算")


class CaseIn(In):
    title: str = Field(min_length=1, max_length=100)
    problem: str = Field(min_length=1, max_length=4000, description="问题")
    cause: str = Field(min_length=1, max_length=4000, description="原因")
    treatment: str = Field(min_length=1, max_length=4000, description="处理")
    basis: str = Field(default="", max_length=1000, description="依据条文")
    tags: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(default_factory=list, max_length=10)


# -- accounts and tokens ---------------------------------------------------
class AccountIn(In):
    login: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    name: str = Field(min_length=1, max_length=64)
    role: Literal["contractor", "inspector", "expert", "admin"]
    enterprise: Ref | None = None
    team: Ref | None = None
    phone: str = Field(default="", max_length=40)


class TokenIn(In):
    label: str = Field(default="", max_length=100)
    expires_days: int | None = Field(default=None, ge=1, le=3650)


class MeOut(BaseModel):
    authenticated: bool
    name: str | None = None
    role: str | None = None
    role_label: str | None = None
    account_id: int | None = None
    enterprise_id: int | None = None
    enterprise_name: str | None = None


class MetaOut(BaseModel):
    """What the page needs to draw its forms; the rules themselves stay in the store."""

    station_name: str
    station_phone: str
    station_address: str
    milestones: list[str]
    lead_days: dict[str, int]
    visit_topics: list[str]


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    database: DatabaseHealth
    index: IndexHealth
    checked_at: datetime


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is returned (media type application/problem+json)."""

    type: str
    title: str = Field(description="错误类别（中文）")
    status: int
    detail: str = Field(description="给用户看的中文说明")
    code: str = Field(description="稳定的机器可读错误码")
    instance: str | None = None
