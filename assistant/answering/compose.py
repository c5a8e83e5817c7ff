"""The extractive reply: one lead sentence, the clause quoted with its citation, then related material.

Nothing here states a requirement in its own words: every requirement a user
reads is the indexed text, quoted, with the clause it comes from. The lead
sentence follows the answer's certainty: only a ``clear`` answer may say the
norm states it (明确规定); a ``likely`` one shows the nearest clauses side by
side and asks the reader to check them (``LIKELY_LEAD``).
"""

from __future__ import annotations

from assistant.answering.models import Citation

_EXCERPT = 120
LIKELY_LEAD = "最接近的条文如下，请核对："
LIKELY_HINT = "以上条文与问题最接近，但不能确定哪一条直接回答了它；请对照原文判断，拿不准时可申请质量服务团帮扶。"


def _status_note(c: Citation) -> str:
    if c.repealed_by:
        # The abolishing code's announcement: where existing standards differ from it, it prevails.
        part = f"第{c.repealed_items}款" if c.repealed_items else ""
        return (f"（注意：此条{part}已被《{c.repealed_by_title}》{c.repealed_by} 废止，"
                "现行规定以该规范为准，原文仅供对照。）")
    if c.status == "废止":
        by = f"，已由 {c.superseded_by} 替代" if c.superseded_by else ""
        return f"（注意：{c.code} 已废止{by}，此条仅供参考，请以现行标准为准。）"
    if c.status == "即将实施":
        return f"（注意：{c.code} 尚未实施，实施前仍执行现行标准。）"
    return ""


def _badge(c: Citation) -> str:
    return "【强制性条文】" if c.mandatory else ""


def _excerpt(text: str, n: int = _EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[:n].rstrip("，、；：") + "……"


def _case_treatment(text: str) -> str:
    """The 处理 part of a case is what a contractor wants from it."""
    for line in text.splitlines():
        if line.startswith("处理："):
            return line
    return text


def lead_sentence(primary: Citation) -> str:
    if primary.kind == "faq":
        return "按监督站办事指南，答复如下："
    if primary.kind == "case":
        return "知识库中有一个类似的质量问题案例，可供参考："
    if primary.kind == "tolerance":
        return "实测实量允许偏差表中有该项目的规定："
    if primary.repealed_by and not primary.repealed_items:
        return "该条文已被废止，原文仅供对照："
    if primary.mandatory:
        return "这个问题有强制性条文的明确规定，必须严格执行："
    return "这个问题在规范中有明确规定："


def quote_table_row(c: Citation) -> str:
    """The table row that answers, under its caption and column labels; the clause's citation above it."""
    row = c.table_row
    assert row is not None
    cells, labels = [], []
    for i, cell in enumerate(row.cells):
        label = row.columns[i] if i < len(row.columns) else ""
        if cells and cell == cells[-1] and label == labels[-1]:
            continue  # a merged cell, once
        cells.append(cell)
        labels.append(label)
    lines = [f"{c.reference()}{_badge(c)}：", f"摘自{row.caption}："]
    if any(labels):
        lines.append(" | ".join(labels))
    lines.append(" | ".join(cells))
    return "\n".join(lines)


def quote(c: Citation) -> str:
    head = f"{c.reference()}{_badge(c)}"
    if c.table_row is not None and c.kind == "body":
        return quote_table_row(c)
    if c.kind == "faq":
        body = c.text.split("答：", 1)[-1].strip()
        return f"{head}\n{body}"
    if c.kind == "case":
        return f"{head}【案例】{c.clause_title}\n{c.text}"
    return f"{head}：\n“{c.text}”"


def _cases_block(cases: list[Citation]) -> str:
    lines = ["相关案例："]
    for c in cases:
        lines.append(f"· {c.reference()}【{c.clause_title}】{_excerpt(_case_treatment(c.text), 80)}")
    return "\n".join(lines)


def _group(c: Citation) -> tuple[str, str]:
    """The section a clause belongs to: its heading, else its number without the last part (4.3.2 -> 4.3)."""
    return c.code, c.section or c.clause_no.rsplit(".", 1)[0]


def compose_likely(candidates: list[Citation], cases: list[Citation]) -> str:
    """The nearest clauses side by side; clauses of one section in one block, under its heading when known."""
    parts = [LIKELY_LEAD]
    block: list[str] = []
    prev: tuple[str, str] | None = None
    for c in candidates:
        key = _group(c)
        if block and key != prev:
            parts.append("\n".join(block))
            block = []
        if not block and c.section and sum(1 for o in candidates if _group(o) == key) > 1:
            block.append(f"【{c.code} {c.section}】")
        block.append(quote(c) + _status_note(c))
        prev = key
    if block:
        parts.append("\n".join(block))
    if cases:
        parts.append(_cases_block(cases))
    parts.append(LIKELY_HINT)
    return "\n\n".join(parts)


def compose(primary: list[Citation], related: list[Citation], cases: list[Citation]) -> str:
    parts = [lead_sentence(primary[0])]
    for c in primary:
        parts.append(quote(c) + _status_note(c))
    if related:
        lines = ["相关条文："]
        for c in related:
            lines.append(f"· {c.reference()}{_badge(c)}：{_excerpt(c.text)}{_status_note(c)}")
        parts.append("\n".join(lines))
    if cases:
        parts.append(_cases_block(cases))
    return "\n\n".join(parts)


def refusal(question: str, station_name: str, station_phone: str, station_address: str, detail: str = "") -> str:
    """``detail`` replaces the generic first sentence when the reason is known (a clause that does not exist)."""
    q = question.strip()
    q = q if len(q) <= 40 else q[:40] + "……"
    head = f"抱歉，{detail.rstrip('。')}" if detail else f"抱歉，知识库中没有找到能回答“{q}”的规范条文或案例"
    return (
        f"{head}，我不能凭猜测作答。\n"
        "您可以：\n"
        "1. 申请质量服务团上门或线上帮扶（发送“申请帮扶”，或在网页“服务申请”中提交）；\n"
        f"2. 直接联系{station_name}：电话 {station_phone}，地址 {station_address}。\n"
        "这个问题已记录，监督站会据此补充知识库。"
    )
