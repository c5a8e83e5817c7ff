"""Tables of every source format -> ``corpus.models.Table``: captions, cell grids, header rows.

Loaders know where a table is (an HTML ``<table>``, a Word table, a Markdown pipe table, a
ruled block under a caption on a PDF page); this module turns what they found into one model,
so a row of 表4.2.2 can be searched and quoted the same way whatever the file was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.lines import Line, Role
from corpus.models import Table

# '表4.2.2 …', '表 11.1.6-1 …', '表A.0.1 …'; the number is how clause and table find each other.
CAPTION_RE = re.compile(
    r"^表\s*(?P<no>(?:[A-Z]|\d{1,2})(?:\s*[.．]\s*\d{1,3}){1,3}(?:\s*[-－—–]\s*\d{1,2})?|\d{1,2}(?=\s))(?![\d.．])\s*(?P<title>.*)$"
)
# What follows '表4.2.2' in a sentence that only refers to the table.
_REFERENCE = re.compile(r"^(?:中|的|所|规定|采用|确定|取值|取用|选用|进行|划分|执行|查|及|和|与|或|至|、|，|,|。|；|;|：|:)")
_SENTENCE_END = re.compile(r"[。；;]")


_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def _clean(text: str) -> str:
    """One space between words; none between Chinese characters (a <br/> or a wrapped cell leaves one)."""
    return _CJK_GAP.sub("", " ".join(str(text).replace("\u3000", " ").replace("\xa0", " ").split()))


def parse_caption(text: str) -> tuple[str, str] | None:
    """(caption, number) when ``text`` is a table caption such as '表4.2.2 民用建筑…'; None for a reference."""
    t = _clean(text)
    m = CAPTION_RE.match(t)
    if not m or len(t) > 90:
        return None
    title = m.group("title").strip()
    if _REFERENCE.match(title) or _SENTENCE_END.search(title):
        return None
    number = re.sub(r"\s+", "", m.group("no")).replace("．", ".").translate(str.maketrans("－—–", "---"))
    return t, number


def number_clause(number: str) -> str:
    """The clause a table number names: '11.1.6-1' -> '11.1.6'."""
    return number.split("-")[0]


def make_table(grid: Sequence[Sequence[str]], header_rows: int = 1, caption: str = "",
               notes: Sequence[str] = ()) -> Table | None:
    """A Table from rows of cells; None when it is not a table worth keeping (one column, no body row)."""
    rows = [[_clean(c) for c in r] for r in grid]
    rows = [r for r in rows if any(r)]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header_rows = max(0, min(header_rows, len(rows) - 1))
    if width < 2 or len(rows) - header_rows < 1:
        return None
    cap = parse_caption(caption) if caption else None
    return Table(
        caption=cap[0] if cap else _clean(caption),
        number=cap[1] if cap else "",
        header=rows[:header_rows],
        rows=rows[header_rows:],
        notes=[_clean(n) for n in notes if _clean(n)],
    )


# ---------------------------------------------------------------------------
# HTML (also the tables inside Markdown and reStructuredText files)
# ---------------------------------------------------------------------------

def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(str(cell.get(name, "1")).strip() or 1), 50))
    except ValueError:
        return 1


def html_table(table, caption: str = "") -> Table | None:
    """A BeautifulSoup ``<table>``: colspan/rowspan expanded, so every row is as wide as the table.

    Header rows: those in ``<thead>`` or made only of ``<th>``; otherwise the first row and the rows
    its tallest cell spans (a two-level header).
    """
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still covered) from a rowspan above
    heads: list[bool] = []
    first_span = 1
    trs = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for ri, tr in enumerate(trs):
        cells = [c for c in tr.find_all(["td", "th"], recursive=False)]
        row: list[str] = []
        col = 0
        for cell in cells:
            while col in pending:
                row.append(pending[col][0])
                col = _take(pending, col)
            text = _clean(cell.get_text(" "))
            cs, rs = _span(cell, "colspan"), _span(cell, "rowspan")
            for k in range(cs):
                row.append(text)
                if rs > 1:
                    pending[col + k] = (text, rs - 1)
            col += cs
            if ri == 0:
                first_span = max(first_span, rs)
        while col in pending:
            row.append(pending[col][0])
            col = _take(pending, col)
        heads.append(tr.find_parent("thead") is not None or bool(cells and all(c.name == "th" for c in cells)))
        grid.append(row)
    header_rows = next((i for i, h in enumerate(heads) if not h), len(heads)) or first_span
    return make_table(grid, header_rows, caption or caption_text(table))


def caption_text(table) -> str:
    """The ``<caption>`` text alone: broken markup (an unclosed tag in the caption) can nest the rows in it."""
    cap = table.find("caption")
    if cap is None:
        return ""
    return _clean(" ".join(s for s in cap.find_all(string=True) if s.find_parent(["tr", "td", "th"]) is None))


def _take(pending: dict[int, tuple[str, int]], col: int) -> int:
    text, left = pending[col]
    if left <= 1:
        del pending[col]
    else:
        pending[col] = (text, left - 1)
    return col + 1


# ---------------------------------------------------------------------------
# Markdown pipe tables
# ---------------------------------------------------------------------------

PIPE_ROW = re.compile(r"^\|.*\|$")
PIPE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")


def pipe_cells(line: str) -> list[str]:
    s = line.strip().removeprefix("|").removesuffix("|")
    return [c.strip() for c in re.split(r"(?<!\\)\|", s)]


# ---------------------------------------------------------------------------
# PDF text laid out by position (pypdf's layout mode)
# ---------------------------------------------------------------------------

_GAP = re.compile(r"\s{2,}")
_CELL = re.compile(r"\S+(?: \S+)*")
_NOTE = re.compile(r"^\s*注\s*[:：\d]")
_CLAUSE_START = re.compile(r"^\s*(?:[A-Z]|\d{1,2})\.\d{1,2}\.\d{1,3}(?![\d.])\s*\S")
_HEADING_START = re.compile(r"^\s*(?:(?:[A-Z]|\d{1,2})\.\d{1,2}|\d{1,2}|附\s*录\s*[A-Z])\s*[\u4e00-\u9fff]")
_SECTION_START = re.compile(r"^\s*(?:(?:[A-Z]|\d{1,2})\.\d{1,2}|附\s*录\s*[A-Z])(?![\d.])\s*[\u4e00-\u9fff][^\d]*$")


def _aligned(rows: list[list[tuple[int, int, str]]], gaps: list[bool]) -> list[list[str]]:
    """Cells placed in columns by where they sit.

    A short row keeps its cells under the right headers (a cell merged from above leaves a gap) instead
    of shifting them left. A short line continues the row above (a cell wrapped onto more lines) when it
    fills less than half the columns, or when the table sets its rows apart by blank lines and none
    precedes this line.
    """
    widest = max(rows, key=len)
    centres = [(a + b) / 2 for a, b, _ in widest]
    full = [g for r, g in zip(rows[1:], gaps[1:], strict=True) if len(r) == len(widest)]
    spaced = len(full) >= 2 and sum(full) * 2 >= len(full)
    out: list[list[str]] = []
    for r, gap in zip(rows, gaps, strict=True):
        if len(r) == len(widest):
            out.append([t for _, _, t in r])
            continue
        cells = [""] * len(widest)
        for a, b, t in r:
            col = min(range(len(centres)), key=lambda k: abs(centres[k] - (a + b) / 2))
            cells[col] = f"{cells[col]} {t}".strip()
        if out and (2 * sum(1 for c in cells if c) < len(cells) or (spaced and not gap)):
            out[-1] = [_glue(above, more) for above, more in zip(out[-1], cells, strict=True)]
        else:
            out.append(cells)
    return out


def _glue(a: str, b: str) -> str:
    """A wrapped cell's two lines: CJK runs on without a space, Latin words get one."""
    if not a or not b:
        return a or b
    return a + ("" if not (a[-1].isascii() and b[0].isascii()) else " ") + b


def layout_tables(page_text: str) -> list[Table]:
    """Tables under numbered captions on one page of layout text: cells are runs split by two or more spaces.

    A table ends at its notes (注), a clause, another caption or a line that is prose (no column gap).
    A row with fewer cells than the widest is placed by position, column by column.
    """
    lines = page_text.splitlines()
    out: list[Table] = []
    i = 0
    while i < len(lines):
        cap = parse_caption(lines[i])
        if cap is None:
            i += 1
            continue
        i += 1
        grid: list[list[tuple[int, int, str]]] = []
        gaps: list[bool] = []
        gap = False
        notes: list[str] = []
        while i < len(lines):
            raw = lines[i].rstrip()
            s = raw.strip()
            if not s:
                gap = True
                i += 1
                continue
            if _NOTE.match(s):
                notes.append(s)
                i += 1
                while i < len(lines) and lines[i].strip() and not parse_caption(lines[i]) \
                        and not _CLAUSE_START.match(lines[i]) and not _GAP.search(lines[i].strip()):
                    notes.append(lines[i].strip())
                    i += 1
                break
            if parse_caption(s) or _CLAUSE_START.match(s) or (len(s) <= 30 and _SECTION_START.match(s)):
                break  # the next caption, clause or section heading ('3.2　其他设计方法')
            cells = [(m.start(), m.end(), m.group()) for m in _CELL.finditer(raw)]
            if len(cells) < 2 and (not grid or len(s) > 12 or _HEADING_START.match(s)):
                break  # prose or a heading after the table
            grid.append(cells)
            gaps.append(gap)
            gap = False
            i += 1
        t = make_table(_aligned(grid, gaps), 1, cap[0], notes) if grid else None
        if t is not None:
            out.append(t)
    return out


# ---------------------------------------------------------------------------
# Lines a loader emits for a table
# ---------------------------------------------------------------------------

def row_line(cells: Sequence[str]) -> str:
    """'a | b | c' with a merged cell (repeated across columns) written once."""
    out: list[str] = []
    for c in cells:
        c = _clean(c)
        if c and (not out or out[-1] != c):
            out.append(c)
    return " | ".join(out)


def caption_before(lines: list, limit: int = 2) -> str:
    """The caption printed just above a table: one of the last ``limit`` lines, if it reads as one."""
    for ln in reversed(lines[-limit:]):
        if parse_caption(ln.text) is not None:
            return ln.text
    return ""


def table_lines(table, before: list[Line]) -> list[Line]:
    """A BeautifulSoup ``<table>`` as lines: its ``<caption>``, one line per row; the first carries the Table.

    A caption printed as a paragraph just above the table (``before``'s last lines) names it too.
    """
    out: list[Line] = []
    caption = caption_text(table)
    if caption:
        out.append(Line(caption, role=Role.table))
    for tr in table.find_all("tr"):
        row = " | ".join(c for td in tr.find_all(["td", "th"]) if (c := _clean(td.get_text(" "))))
        if row:
            out.append(Line(row, role=Role.table))
    parsed = html_table(table, caption or caption_before(before))
    if out and parsed is not None:
        out[0].table = parsed
    return out


def markup_table_lines(markup: str, before: list[Line]) -> list[Line]:
    """Lines of the ``<table>`` elements in an HTML fragment (raw HTML inside Markdown)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    out: list[Line] = []
    for t in soup.find_all("table"):
        if t.find_parent("table") is None:
            out.extend(table_lines(t, before + out))
    return out


def pipe_table_lines(rows: list[str], before: list[Line]) -> list[Line]:
    """A Markdown pipe table (header, rule, body rows) as lines; the first carries the Table."""
    rule = next((i for i, r in enumerate(rows) if PIPE_RULE.match(r.strip())), 0)
    grid = [pipe_cells(r) for i, r in enumerate(rows) if i != rule or not PIPE_RULE.match(r.strip())]
    out = [Line(text, role=Role.table) for cells in grid if (text := row_line(cells))]
    parsed = make_table(grid, rule, caption_before(before))
    if out and parsed is not None:
        out[0].table = parsed
    return out
