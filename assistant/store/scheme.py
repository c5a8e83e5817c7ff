"""The credit scheme (base score, cap, grade lines, supervision modes), a value object built from Settings.

Kept apart from ``credit`` so the station's rules (``StoreRules``) can carry it
without importing the database code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GradeMode:
    grade: str
    mode: str
    ratio_min: float
    ratio_max: float


_DEFAULT_MODES = {
    "A": GradeMode("A", "无事不扰", 0, 5),
    "B": GradeMode("B", "常规监管", 5, 20),
    "C": GradeMode("C", "加强监管", 21, 60),
    "D": GradeMode("D", "重点监管", 61, 100),
}


@dataclass(frozen=True)
class CreditScheme:
    base: float = 70
    good_cap: float = 30
    thresholds: tuple[tuple[str, float], ...] = (("A", 90), ("B", 80), ("C", 60))
    lowest_grade: str = "D"
    modes: Mapping[str, GradeMode] = field(default_factory=lambda: dict(_DEFAULT_MODES))
    good_valid_months: int = 36
    bad_valid_months: tuple[int, int] = (6, 36)

    @classmethod
    def from_settings(cls, settings: Any) -> CreditScheme:
        """The scheme a ``Settings`` object configures (ValueError, in Chinese, when it is inconsistent)."""
        thresholds = tuple(sorted(settings.credit_grade_thresholds.items(), key=lambda kv: -kv[1]))
        modes = {
            g: GradeMode(g, str(m["mode"]), float(m["ratio_min"]), float(m["ratio_max"]))
            for g, m in settings.credit_grade_modes.items()
        }
        lowest = [g for g in modes if g not in settings.credit_grade_thresholds]
        if len(lowest) != 1:
            raise ValueError("配置错误：credit_grade_modes 中应恰好有一个等级不设分数线（最低等级）")
        missing = [g for g, _ in thresholds if g not in modes]
        if missing:
            raise ValueError(f"配置错误：等级 {'、'.join(missing)} 缺少监管方式")
        return cls(
            base=settings.credit_base,
            good_cap=settings.credit_good_cap,
            thresholds=thresholds,
            lowest_grade=lowest[0],
            modes=modes,
            good_valid_months=settings.credit_good_valid_months,
            bad_valid_months=tuple(settings.credit_bad_valid_months),
        )

    def grade(self, score: float) -> str:
        for grade, minimum in self.thresholds:
            if score >= minimum:
                return grade
        return self.lowest_grade
