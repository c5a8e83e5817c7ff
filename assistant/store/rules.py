"""The station's configurable business rules, read once from ``Settings``.

Every store service takes the ``StoreRules`` it is given (built from the one
``Settings`` object by whoever composes the application), never a global, so
two apps with different settings in one process follow their own rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from assistant.store.errors import InvalidInput
from assistant.store.models.base import utcnow
from assistant.store.scheme import CreditScheme
from assistant.store.workdays import WorkCalendar

# Practice as published (and the Settings defaults): 竣工验收监督 is organised by the 建设单位; 主体结构 after
# 地基与基础 is 办结, 竣工 after 主体.
PRACTICE_MILESTONE_ROLES: dict[str, tuple[str, ...]] = {"竣工验收监督": ("owner",)}
PRACTICE_MILESTONE_ORDER: dict[str, tuple[str, ...]] = {"主体结构验收": ("地基与基础验收",), "竣工验收监督": ("主体结构验收",)}


@dataclass(frozen=True)
class DraftRule:
    """What one event drafts for staff to confirm: a good or bad credit record of ``points``, valid ``months``."""

    kind: str
    points: float
    months: int

    @classmethod
    def table(cls, raw: Mapping[str, Mapping[str, Any]]) -> dict[str, DraftRule]:
        out = {}
        for event, spec in raw.items():
            if event not in DRAFT_EVENTS:
                raise ValueError(f"配置错误：credit_draft_rules 中的事件“{event}”无效，可选：{'、'.join(DRAFT_EVENTS)}")
            rule = cls(str(spec["kind"]), float(spec["points"]), int(spec["months"]))
            if rule.kind not in ("good", "bad") or not 0 < rule.points <= 100 or not 0 < rule.months <= 120:
                raise ValueError(f"配置错误：credit_draft_rules.{event} 应为 good/bad、0–100 分、1–120 个月")
            out[event] = rule
        return out


# Events of the inspection loop that draft a credit record (never recorded without staff confirming it).
DRAFT_EVENTS = ("notice_overdue", "notice_reissued", "notice_closed_on_time", "inspection_clean")
DEFAULT_DRAFT_RULES = {
    "notice_overdue": DraftRule("bad", 3, 6),
    "notice_reissued": DraftRule("bad", 2, 6),
    "notice_closed_on_time": DraftRule("good", 1, 12),
    "inspection_clean": DraftRule("good", 1, 12),
}


@dataclass(frozen=True)
class StoreRules:
    milestones: tuple[str, ...] = ("监督交底", "地基与基础验收", "主体结构验收", "节能验收", "竣工验收监督")
    lead_days: dict[str, int] = field(default_factory=lambda: {"竣工验收监督": 7})
    lead_days_default: int = 2
    rectification_blocked: tuple[str, ...] = ("主体结构验收", "竣工验收监督")
    # Who may book what (milestone -> project role codes) and in which order (milestone -> milestones completed
    # first). Empty here, so a bare ``StoreRules()`` checks neither; ``from_settings`` carries the station's
    # practice (DESIGN.md "Who books what"), which the Settings defaults follow. See ``PRACTICE_*`` below.
    milestone_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    milestone_order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    slot_minutes: int = 120
    team_daily_capacity: int = 4
    min_inspectors: int = 2
    horizon_days: int = 90
    visit_horizon_days: int = 180
    timezone: str = "Asia/Shanghai"
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    visit_topics: tuple[str, ...] = ("技术咨询", "方案优化", "质量体系诊断", "整改帮扶", "其他")
    visit_priority_key_project: int = 40
    visit_priority_grade: dict[str, int] = field(default_factory=lambda: {"A": 0, "B": 10, "C": 30, "D": 50})
    visit_priority_open_rectification: int = 15
    visit_priority_per_waiting_day: float = 1.0
    credit: CreditScheme = field(default_factory=CreditScheme)
    name_match_threshold: float = 80.0
    warning_pass_rate: float = 0.8
    alert_factor: float = 1.5
    measurement_max_points: int = 200
    deadline_workdays: int = 7
    credit_drafts: Mapping[str, DraftRule] = field(default_factory=lambda: dict(DEFAULT_DRAFT_RULES))
    spot_check_ratios: Mapping[str, float] = field(default_factory=dict)
    spot_check_inspectors: int = 2

    @classmethod
    def from_settings(cls, settings: Any) -> StoreRules:
        """The rules one ``Settings`` object configures."""
        return cls(
            milestones=tuple(settings.milestones),
            lead_days=dict(settings.lead_days),
            lead_days_default=settings.lead_days_default,
            rectification_blocked=tuple(settings.rectification_blocked_milestones),
            milestone_roles={m: tuple(r) for m, r in settings.booking_milestone_roles.items()},
            milestone_order={m: tuple(r) for m, r in settings.booking_milestone_order.items()},
            slot_minutes=settings.booking_slot_minutes,
            team_daily_capacity=settings.team_daily_capacity,
            min_inspectors=settings.booking_min_inspectors,
            horizon_days=settings.booking_horizon_days,
            visit_horizon_days=settings.visit_horizon_days,
            timezone=settings.timezone,
            calendar=WorkCalendar.from_settings(settings),
            visit_topics=tuple(settings.visit_topics),
            visit_priority_key_project=settings.visit_priority_key_project,
            visit_priority_grade=dict(settings.visit_priority_grade),
            visit_priority_open_rectification=settings.visit_priority_open_rectification,
            visit_priority_per_waiting_day=settings.visit_priority_per_waiting_day,
            credit=CreditScheme.from_settings(settings),
            name_match_threshold=settings.credit_name_match_threshold,
            warning_pass_rate=settings.measurement_warning_pass_rate / 100,
            alert_factor=settings.measurement_alert_factor,
            measurement_max_points=settings.measurement_max_points,
            deadline_workdays=settings.rectification_deadline_workdays,
            credit_drafts=DraftRule.table(settings.credit_draft_rules),
            spot_check_ratios=dict(settings.spot_check_ratios),
            spot_check_inspectors=settings.spot_check_inspectors,
        )

    def lead_for(self, milestone: str) -> int:
        return self.lead_days.get(milestone, self.lead_days_default)

    def check_milestone(self, milestone: str) -> str:
        name = (milestone or "").strip()
        if name not in self.milestones:
            raise InvalidInput(f"预约事项“{name}”无效，可选：{'、'.join(self.milestones)}")
        return name

    def check_topic(self, topic: str) -> str:
        name = (topic or "").strip()
        if name not in self.visit_topics:
            raise InvalidInput(f"服务类别“{name}”无效，可选：{'、'.join(self.visit_topics)}")
        return name

    def now(self, now: datetime | None = None) -> datetime:
        return now or utcnow()

    def today(self, now: datetime | None = None) -> date:
        """The station's local date, which every date rule is counted from."""
        return self.now(now).astimezone(ZoneInfo(self.timezone)).date()

