"""The tolerance catalogue (实测实量项目): built from the tolerance tables in the knowledge library.

Nothing here is typed in by hand: each item is one row of an ingested document
of kind ``tolerance`` (the sample corpus carries an illustrative one, real
tables are ingested the same way), and names the clause that sets it. Withdrawn
tables are left out. The catalogue is what ``GET /v1/tolerances`` and
``zhijian tolerances --json`` print, and what measured values are judged by.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from assistant.store.errors import InvalidInput
from assistant.store.loop_schemas import ToleranceItem
from corpus.models import ClauseKind, DocKind, DocStatus, Document, code_key

log = logging.getLogger(__name__)


def _float(raw: str) -> float | None:
    return float(raw) if raw not in ("", None) else None


def _item(doc: Document, row_id: str, extra: dict[str, str], titles: dict[str, str]) -> ToleranceItem:
    code = extra["code"]
    return ToleranceItem(
        id=row_id, name=extra["name"], unit=extra["unit"], lower=_float(extra.get("lower", "")),
        upper=_float(extra.get("upper", "")), relative_to_design=extra.get("relative_to_design") == "1",
        points=int(extra["points"]), code=code, clause_no=extra["clause_no"], title=titles.get(code_key(code), ""),
        pass_rate_required=round(float(extra.get("pass_rate", "80")) / 100, 4),
        value_min=float(extra["value_min"]), value_max=float(extra["value_max"]), method=extra.get("method", ""),
        source=doc.code, illustrative=doc.illustrative,
    )


def build_catalogue(docs: Iterable[Document]) -> list[ToleranceItem]:
    """Every row of every tolerance table in force, in table and row order.

    Tables the station ingested come before illustrative ones; a row id already used by an earlier
    table is qualified with its table's code (``ZJ-TOL-2025:FW-01``).
    """
    docs = list(docs)
    titles = {code_key(d.code): d.title for d in docs}
    items: list[ToleranceItem] = []
    seen: set[str] = set()
    for doc in sorted((d for d in docs if d.kind == DocKind.tolerance), key=lambda d: (d.illustrative, d.code)):
        if doc.status == DocStatus.withdrawn:
            continue
        for clause in doc.clauses:
            if clause.kind != ClauseKind.tolerance:
                continue
            row_id = clause.clause_no if clause.clause_no not in seen else f"{doc.code}:{clause.clause_no}"
            try:
                item = _item(doc, row_id, clause.extra, titles)
            except (KeyError, ValueError) as exc:  # a table ingested by an older parser; skip the row, say so
                log.warning("tolerance row %s of %s unreadable: %s", clause.clause_no, doc.code, exc)
                continue
            seen.add(row_id)
            items.append(item)
    return items


def find_item(items: Iterable[ToleranceItem], item_id: object) -> ToleranceItem:
    """The catalogue item ``item_id``; a Chinese 422 naming the field when there is none."""
    key = str(item_id or "").strip()
    for it in items:
        if it.id == key or it.id.casefold() == key.casefold():
            return it
    if not key:
        raise InvalidInput("请填写实测项目：允许偏差表中的项目编号（见 GET /v1/tolerances）",
                           field="item")
    raise InvalidInput(f"实测项目“{key}”不在允许偏差表中，请从 GET /v1/tolerances 列出的项目中选择",
                       field="item")
