"""Closed vocabularies of the store: stored as short English codes, shown by Chinese label."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from assistant.store.errors import InvalidInput


class Labeled(StrEnum):
    """A StrEnum whose members carry a Chinese label (set in ``_labels``)."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]


_LABELS: dict[str, dict[str, str]] = {}


def _labels(cls: type[Labeled], mapping: dict[str, str]) -> None:
    assert set(mapping) == {m.value for m in cls}, cls
    _LABELS[cls.__name__] = mapping


class EnterpriseRole(Labeled):
    owner = "owner"
    contractor = "contractor"
    supervisor = "supervisor"
    surveyor = "surveyor"
    designer = "designer"
    testing = "testing"


class ProjectStatus(Labeled):
    under_supervision = "under_supervision"
    completed = "completed"


class AccountRole(Labeled):
    contractor = "contractor"
    inspector = "inspector"
    expert = "expert"
    admin = "admin"


class CreditKind(Labeled):
    good = "good"
    bad = "bad"


class BookingStatus(Labeled):
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"
    scheduled = "scheduled"
    completed = "completed"
    cancelled = "cancelled"


class RectificationStatus(Labeled):
    open = "open"
    replied = "replied"
    closed = "closed"


class VisitStatus(Labeled):
    submitted = "submitted"
    assigned = "assigned"
    visited = "visited"
    closed = "closed"
    withdrawn = "withdrawn"


class InspectionSource(Labeled):
    booking = "booking"
    patrol = "patrol"
    spot_check = "spot_check"


class InspectionStatus(Labeled):
    open = "open"
    finished = "finished"


class FindingCategory(Labeled):
    entity = "entity"
    behavior = "behavior"


class DraftStatus(Labeled):
    pending = "pending"
    confirmed = "confirmed"
    rejected = "rejected"


_labels(EnterpriseRole, {"owner": "建设", "contractor": "施工", "supervisor": "监理", "surveyor": "勘察",
                         "designer": "设计", "testing": "检测"})
_labels(ProjectStatus, {"under_supervision": "监督中", "completed": "已竣工"})
_labels(AccountRole, {"contractor": "企业用户", "inspector": "监督员", "expert": "服务团专家", "admin": "管理员"})
_labels(CreditKind, {"good": "良好", "bad": "不良"})
_labels(BookingStatus, {"submitted": "已提交", "accepted": "已受理", "returned": "已退回", "scheduled": "已排期",
                        "completed": "已完成", "cancelled": "已取消"})
_labels(RectificationStatus, {"open": "待整改", "replied": "已回复待复查", "closed": "已销项"})
_labels(VisitStatus, {"submitted": "已提交", "assigned": "已派员", "visited": "已上门服务", "closed": "已办结",
                      "withdrawn": "已撤回"})

_labels(InspectionSource, {"booking": "预约验收监督", "patrol": "巡查", "spot_check": "双随机抽查"})
_labels(InspectionStatus, {"open": "记录中", "finished": "已完成"})
_labels(FindingCategory, {"entity": "实体质量", "behavior": "质量行为"})
_labels(DraftStatus, {"pending": "待确认", "confirmed": "已确认", "rejected": "已驳回"})

ACTIVE_BOOKING_STATUSES = (BookingStatus.submitted, BookingStatus.accepted, BookingStatus.scheduled)
OPEN_VISIT_STATUSES = (VisitStatus.submitted, VisitStatus.assigned, VisitStatus.visited)

E = TypeVar("E", bound=Labeled)


def parse_enum(cls: type[E], text: str | E, what: str) -> E:
    """Accept a member, its code or its Chinese label (e.g. ``施工``); else a Chinese error."""
    if isinstance(text, cls):
        return text
    key = str(text).strip()
    for member in cls:
        if key in (member.value, member.label):
            return member
    choices = "、".join(m.label for m in cls)
    raise InvalidInput(f"{what}“{key}”无效，可选：{choices}")
