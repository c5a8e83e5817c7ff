"""Rows of a tolerance table (实测实量允许偏差表): structured fields for the catalogue, a sentence for search.

A YAML collection of ``kind: tolerance`` (see corpus/sample/README.md) lists one
item a row: name, unit, allowed deviation (``lower``/``upper``, relative to the
design value or a plain limit), points per check, the pass rate asked for, the
plausible range of a reading, and the clause that sets the tolerance. Each row
becomes a ``Clause`` of kind ``tolerance``: its ``text`` is what search matches
and answers quote, its ``extra`` holds the fields the tolerance catalogue reads.
"""

from __future__ import annotations

import math
from typing import Any

from corpus.errors import IngestError
from corpus.models import Clause, ClauseKind, canonical_code

DEFAULT_RANGE = (0.0, 10000.0)
DEFAULT_PASS_RATE = 80.0


def _number(value: Any, what: str, eid: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise IngestError(f"{eid} 的 {what} 应为数字")
    try:
        out = float(str(value).replace("＋", "+").replace("−", "-").replace("－", "-"))
    except ValueError:
        raise IngestError(f"{eid} 的 {what}“{value}”不是数字") from None
    if not math.isfinite(out):
        raise IngestError(f"{eid} 的 {what} 应为有限数字")
    return out


def fmt(x: float) -> str:
    """12.0 -> '12', -7.5 -> '-7.5'."""
    return f"{x:g}"


def bounds_text(lower: float | None, upper: float | None, unit: str, relative: bool) -> str:
    """'±10 mm', '+8 mm、-5 mm', '不应大于 5 mm' — how a table prints the allowed deviation."""
    u = f" {unit}" if unit else ""
    if not relative and (lower is None or lower == 0) and upper is not None:
        return f"不应大于 {fmt(upper)}{u}"
    if lower is not None and upper is not None and lower == -upper:
        return f"±{fmt(upper)}{u}"
    parts = []
    if upper is not None:
        parts.append(f"{'+' if upper > 0 else ''}{fmt(upper)}{u}")
    if lower is not None:
        parts.append(f"{'+' if lower > 0 else ''}{fmt(lower)}{u}")
    return "、".join(parts)


def tolerance_row(e: dict[str, Any]) -> Clause:
    """One table row -> a ``tolerance`` clause; ``IngestError`` (Chinese) naming the row and field otherwise."""
    eid = str(e["id"]).strip()
    name = str(e.get("name") or "").strip()
    unit = str(e.get("unit") or "").strip()
    if not name or not unit:
        raise IngestError(f"{eid} 缺少字段：{'、'.join(f for f, v in (('name', name), ('unit', unit)) if not v)}")
    lower, upper = _number(e.get("lower"), "lower", eid), _number(e.get("upper"), "upper", eid)
    if lower is None and upper is None:
        raise IngestError(f"{eid} 应至少给出允许偏差的下限 lower 或上限 upper")
    relative = e.get("relative_to_design", False)
    if not isinstance(relative, bool):
        raise IngestError(f"{eid} 的 relative_to_design 应为 true 或 false")
    if not relative and lower is None:
        lower = 0.0  # a plain limit ("不应大于 5 mm"): the reading is a deviation from 0 up to the limit
    if lower is not None and upper is not None and lower > upper:
        raise IngestError(f"{eid} 的允许偏差下限 {fmt(lower)} 大于上限 {fmt(upper)}")
    points = e.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= 1000:
        raise IngestError(f"{eid} 的 points（每次检查点数）应为 1–1000 的整数")
    pass_rate = _number(e.get("pass_rate", DEFAULT_PASS_RATE), "pass_rate", eid)
    if pass_rate is None or not 0 < pass_rate <= 100:
        raise IngestError(f"{eid} 的 pass_rate（合格点率要求，%）应在 0–100 之间")
    rng = e.get("range", list(DEFAULT_RANGE))
    if not isinstance(rng, list | tuple) or len(rng) != 2:
        raise IngestError(f"{eid} 的 range 应为 [最小值, 最大值]")
    vmin, vmax = _number(rng[0], "range", eid), _number(rng[1], "range", eid)
    if vmin is None or vmax is None or vmin >= vmax:
        raise IngestError(f"{eid} 的 range 应为 [最小值, 最大值]，且最小值小于最大值")
    basis = e.get("basis") or {}
    code_raw = str(basis.get("code") or "").strip() if isinstance(basis, dict) else ""
    clause_no = str(basis.get("clause_no") or "").strip() if isinstance(basis, dict) else ""
    if not code_raw or not clause_no:
        raise IngestError(f"{eid} 缺少依据条文 basis: {{code, clause_no}}")
    code = canonical_code(code_raw) or code_raw
    clause_no = clause_no.removeprefix("第").removesuffix("条")
    method = str(e.get("method") or "").strip()
    tags = "、".join(str(t) for t in e.get("tags") or [])
    kind_text = "相对设计值的偏差" if relative else "实测偏差值"
    bounds = bounds_text(lower, upper, unit, relative)
    parts = [f"{name}：{'' if bounds.startswith('不应') else '允许偏差'}{bounds}（{kind_text}）",
             f"每次检查{points}点，合格点率不低于{fmt(pass_rate)}%"]
    if method:
        parts.append(f"检查方法：{method}")
    parts.append(f"依据 {code} 第{clause_no}条")
    extra = {
        "name": name, "unit": unit, "lower": "" if lower is None else fmt(lower),
        "upper": "" if upper is None else fmt(upper), "relative_to_design": "1" if relative else "0",
        "points": str(points), "pass_rate": fmt(pass_rate), "value_min": fmt(vmin), "value_max": fmt(vmax),
        "method": method, "code": code, "clause_no": clause_no, "tags": tags,
    }
    return Clause(clause_no=eid, text="；".join(parts) + "。", kind=ClauseKind.tolerance, title=name, extra=extra)


def check_table_code(code: str) -> None:
    """A table needs a code of its own: one that reads as a standard's would replace that standard."""
    if canonical_code(code) is not None:
        raise IngestError(f"允许偏差表的编号“{code}”与标准编号的写法相同，会覆盖该标准；请另起编号，如 TOL-GB50204")
