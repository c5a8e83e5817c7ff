"""Measured values against a tolerance item (实测实量): per-point verdicts, pass rate, alert.

Semantics, for an item with allowed deviation [lower, upper]:

- deviation = reading − design value when the item is relative to the design value,
  otherwise the reading itself (a straightedge gap, an out-of-plumb reading);
- a point is within tolerance when lower ≤ deviation ≤ upper — a value exactly on a
  limit passes (arithmetic is decimal, so 25.3 − 25 is exactly 0.3);
- a point is *beyond* ``factor`` × tolerance when it passes a limit by more than
  (factor − 1) × |limit| (for the usual limits: deviation > 1.5 × upper, or < 1.5 × lower);
- pass rate (合格点率) = points within tolerance / points;
- the check passes when the pass rate reaches the item's required rate and no point is beyond;
- an alert is raised when the pass rate is below the station's warning line, or a point is beyond.

Bad input (not a number, NaN, a reading outside the item's plausible range, a missing
or superfluous design value) fails with a Chinese ``InvalidInput`` naming the field.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from assistant.store.errors import InvalidInput
from assistant.store.loop_schemas import MeasurementCheck, PointVerdict, ToleranceItem
from assistant.store.rules import StoreRules
from corpus.loaders.tolerance import bounds_text, fmt


def _number(raw: Any, field: str, what: str) -> Decimal:
    """A finite number from JSON or what a phone keyboard sends ('１２.５' included); never a boolean."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, dict | list):
        raise InvalidInput(f"{what}应为数字，收到的是“{raw}”", field=field)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise InvalidInput(f"{what}应为有限数字", field=field)
    text = unicodedata.normalize("NFKC", raw).strip().replace("−", "-") if isinstance(raw, str) else str(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{what}“{raw}”不是数字", field=field) from None
    if not value.is_finite():
        raise InvalidInput(f"{what}应为有限数字", field=field)
    return value


def _in_range(value: Decimal, item: ToleranceItem, field: str, what: str) -> None:
    lo, hi = Decimal(str(item.value_min)), Decimal(str(item.value_max))
    if value < 0 <= lo:
        raise InvalidInput(f"{what} {value:f} {item.unit} 不能为负数：“{item.name}”的读数不小于"
                           f" {fmt(item.value_min)} {item.unit}", field=field)
    if not lo <= value <= hi:
        raise InvalidInput(
            f"{what} {value:f} {item.unit} 超出“{item.name}”读数的合理范围"
            f"（{fmt(item.value_min)}–{fmt(item.value_max)} {item.unit}），请核对后重新输入", field=field)


def _beyond(dev: Decimal, lower: Decimal | None, upper: Decimal | None, factor: Decimal) -> bool:
    over = factor - 1
    if upper is not None and dev > upper + over * abs(upper):
        return True
    return lower is not None and dev < lower - over * abs(lower)


def check(item: ToleranceItem, design: Any, values: Sequence[Any], *, rules: StoreRules) -> MeasurementCheck:
    """Judge ``values`` (readings, in the item's unit) against ``item``; see the module docstring."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidInput("实测值应为数字列表，如 [25, 27.5, 31]", field="values")
    if not values:
        raise InvalidInput("实测值不能为空：请至少输入一个实测值", field="values")
    if len(values) > rules.measurement_max_points:
        raise InvalidInput(f"实测值最多 {rules.measurement_max_points} 个，收到 {len(values)} 个",
                           field="values")
    base: Decimal | None = None
    if item.relative_to_design:
        if design is None or (isinstance(design, str) and not design.strip()):
            raise InvalidInput(f"设计值必填：“{item.name}”按实测值与设计值之差判定", field="design")
        base = _number(design, "design", "设计值")
        _in_range(base, item, "design", "设计值")
    elif design is not None and not (isinstance(design, str) and not design.strip()):
        raise InvalidInput(f"设计值应为空：“{item.name}”直接以实测偏差值判定，不需要设计值",
                           field="design")
    readings = []
    for i, raw in enumerate(values):
        field = f"values[{i}]"
        v = _number(raw, field, f"第{i + 1}个实测值")
        _in_range(v, item, field, f"第{i + 1}个实测值")
        readings.append(v)

    lower = Decimal(str(item.lower)) if item.lower is not None else None
    upper = Decimal(str(item.upper)) if item.upper is not None else None
    factor = Decimal(str(rules.alert_factor))
    points: list[PointVerdict] = []
    for v in readings:
        dev = v - base if base is not None else v
        ok = (lower is None or dev >= lower) and (upper is None or dev <= upper)
        points.append(PointVerdict(value=float(v), deviation=float(dev), ok=ok,
                                   beyond=not ok and _beyond(dev, lower, upper, factor)))
    n_ok = sum(p.ok for p in points)
    rate = n_ok / len(points)
    out = [i for i, p in enumerate(points) if not p.ok]
    beyond = [i for i, p in enumerate(points) if p.beyond]
    passed = rate >= item.pass_rate_required - 1e-12 and not beyond
    below_line = rate < rules.warning_pass_rate - 1e-12
    citation = f"{item.code} 第{item.clause_no}条"
    messages = []
    if below_line:
        messages.append(f"合格点率 {rate * 100:.1f}% 低于预警线 {rules.warning_pass_rate * 100:g}%")
    if beyond:
        nos = "、".join(str(i + 1) for i in beyond)
        messages.append(f"第{nos}点偏差超过允许偏差的 {rules.alert_factor:g} 倍")
    allowed = bounds_text(item.lower, item.upper, item.unit, item.relative_to_design)
    if out:
        detail = "；".join(f"第{i + 1}点 {fmt(points[i].value)}（偏差 {fmt(points[i].deviation)}）" for i in out)
        messages.append(f"超出允许偏差（{allowed}，依据 {citation}）：{detail}")
    if rate < item.pass_rate_required - 1e-12:
        messages.append(f"合格点率 {rate * 100:.1f}% 未达到 {item.pass_rate_required * 100:g}% 的要求")
    if len(points) < item.points:
        messages.append(f"本次实测 {len(points)} 点，少于该项目每次检查的 {item.points} 点")
    if not messages:
        messages.append(f"全部 {len(points)} 点在允许偏差（{allowed}）以内")
    return MeasurementCheck(
        points=points, pass_rate=round(rate, 4), ok=passed, alert=below_line or bool(beyond), code=item.code,
        clause_no=item.clause_no, item=item.id, name=item.name, unit=item.unit,
        design=float(base) if base is not None else None, lower=item.lower, upper=item.upper,
        relative_to_design=item.relative_to_design, points_total=len(points), points_ok=n_ok,
        points_required=item.points, pass_rate_percent=round(rate * 100, 2),
        pass_rate_required=item.pass_rate_required, warning_pass_rate=rules.warning_pass_rate,
        alert_factor=rules.alert_factor, out_of_tolerance=out, beyond_factor=beyond, messages=messages,
        citation=citation,
    )
