"""Word .docx via python-docx, in body order (paragraphs and tables interleaved)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from corpus.errors import IngestError
from corpus.lines import Line, RawText, Role
from corpus.tables import caption_before, make_table, row_line


def load_docx(path: Path) -> RawText:
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise IngestError("缺少 python-docx，无法读取 Word 文件") from exc
    if path.stat().st_size == 0:
        raise IngestError("文件为空（0 字节）")
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError("Word 文件已损坏或不是 .docx 格式（旧版 .doc 请先另存为 .docx）") from exc
    except Exception as exc:
        raise IngestError("Word 文件无法读取（可能已损坏或加密）") from exc

    lines: list[Line] = []
    counters: dict[tuple[str, str], int] = {}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block, lines))
            continue
        if not isinstance(block, Paragraph):
            continue
        text = " ".join(block.text.replace("\u3000", " ").split())
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        role = Role.heading if style.lower().startswith(("heading", "title", "标题")) else Role.text
        num = _list_number(block, counters)
        if num is not None:
            text, role = f"{num} {text}", Role.item
        lines.append(Line(text, role=role))
    if not lines:
        raise IngestError("Word 文件中没有文字")
    return RawText(lines=lines, fmt="docx", first_page_text="\n".join(ln.text for ln in lines[:40]))


def _table_lines(table, before: list[Line]) -> list[Line]:
    """One line per row (merged cells, which python-docx repeats, written once); the first carries the Table.

    Header rows are those Word marks to repeat on each page (``w:tblHeader``), else the first row.
    """
    from docx.oxml.ns import qn

    grid: list[list[str]] = []
    header_rows = 0
    for i, row in enumerate(table.rows):
        try:
            cells = [" ".join(c.text.split()) for c in row.cells]
        except (IndexError, ValueError):  # a malformed grid: keep what the row's own cells say
            cells = [" ".join(tc.xpath("string(.)").split()) for tc in row._tr.tc_lst]
        grid.append(cells)
        trpr = row._tr.trPr
        if header_rows == i and trpr is not None and trpr.find(qn("w:tblHeader")) is not None:
            header_rows += 1
    out = [Line(text, role=Role.table) for cells in grid if (text := row_line(cells))]
    parsed = make_table(grid, header_rows or 1, caption_before(before))
    if out and parsed is not None:
        out[0].table = parsed
    return out


def _list_number(paragraph, counters: dict[tuple[str, str], int]) -> int | None:
    """Automatic list numbering is not in the text; recreate '1 2 3' for numbered paragraphs."""
    num_pr = None
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        num_pr = ppr.numPr
    elif paragraph.style is not None and paragraph.style.element.pPr is not None:
        num_pr = paragraph.style.element.pPr.numPr  # numbering inherited from a list style
    if num_pr is None or num_pr.numId is None:
        return None
    num_id = str(num_pr.numId.val)
    ilvl = str(num_pr.ilvl.val) if num_pr.ilvl is not None else "0"
    key = (num_id, ilvl)
    counters[key] = counters.get(key, 0) + 1
    return counters[key]
