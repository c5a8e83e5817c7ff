"""Text boxes -> the lines of a page, in reading order, without running headers and page numbers.

The detector returns one box per run of text; a clause number printed an em away from its text is
often a box of its own. Boxes are grouped into rows after undoing the page's skew (a 1° tilt moves
the end of a line by more than a line height), joined left to right, and cleaned of the slips OCR
makes in clause numbers ('3. 1.2', '3．1．2'). Rows in the top and bottom margins that repeat from
page to page (running headers) or read as page numbers are page furniture.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from corpus.cleanup import PAGE_NO
from corpus.ocr.engine import PageResult, TextBox

MIN_BOX_SCORE = 0.5  # below this a box is speckle, a seal's rim or a smudge, not text (the engine's own cut)
_MARGIN = 0.1  # rows whose centre lies in the top or bottom tenth of the page may be furniture
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@dataclass
class Row:
    """One printed line as read: text, confidence (character-weighted) and position (page pixels)."""

    text: str
    score: float
    chars: int
    top: float
    bottom: float
    left: float
    page_height: float
    boxes: list[tuple[float, float, str]] = field(default_factory=list)  # (left, right, text) of each run

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


def layout_lines(rows: list[Row]) -> list[str]:
    """The rows as fixed-width text, each run at the column its position gives (one CJK character wide
    per column) and two spaces at least where the page shows a gap: what a table finder reads columns from."""
    heights = sorted(r.bottom - r.top for r in rows if r.boxes)
    if not heights:
        return [r.text for r in rows]
    cw = max(1.0, heights[len(heights) // 2])
    out = []
    for r in rows:
        line, prev = "", None
        for left, right, text in r.boxes:
            col = max(0, round(left / cw))
            if prev is not None:  # runs of one cell stay together; a gap on the page is two spaces at least
                col = max(col, len(line) + 2) if left - prev > 0.6 * cw else len(line) + (
                    1 if _ascii_word(line[-1:]) and _ascii_word(text[:1]) else 0)
            line = line.ljust(col) + text
            prev = right
        out.append(line or r.text)
    return out


def _skew(boxes: list[TextBox]) -> float:
    """The page's tilt in radians: the median slope of the top edges of long boxes."""
    slopes = []
    for b in boxes:
        (x0, y0), (x1, y1) = b.quad[0], b.quad[1]
        h = b.y1 - b.y0
        if x1 - x0 > 4 * max(h, 1):
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(slopes) if slopes else 0.0


def page_rows(page: PageResult, min_score: float = MIN_BOX_SCORE) -> list[Row]:
    """Group the page's boxes into rows, top to bottom, each joined left to right."""
    boxes = [b for b in page.boxes if b.text.strip() and b.score >= min_score]
    if not boxes:
        return []
    a = -_skew(boxes)
    cos, sin = math.cos(a), math.sin(a)

    def level(b: TextBox) -> tuple[float, float, float, float]:
        """(centre y, top, bottom, left) with the skew undone."""
        ys = [x * sin + y * cos for x, y in b.quad]
        xs = [x * cos - y * sin for x, y in b.quad]
        return (min(ys) + max(ys)) / 2, min(ys), max(ys), min(xs)

    placed = sorted(((level(b), b) for b in boxes), key=lambda t: t[0][0])
    heights = sorted(bot - top for (_, top, bot, _), _ in placed)
    tol = 0.5 * heights[len(heights) // 2]
    groups: list[list[tuple[tuple[float, float, float, float], TextBox]]] = []
    for item in placed:
        if groups and abs(item[0][0] - statistics.fmean(g[0][0] for g in groups[-1])) <= tol:
            groups[-1].append(item)
        else:
            groups.append([item])
    rows = []
    for g in groups:
        g.sort(key=lambda t: t[0][3])
        text = ""
        prev_right = None
        runs = []
        for (_c, top, bot, left), b in g:
            t = b.text.strip()
            if prev_right is not None:
                gap = left - prev_right
                if gap > 0.6 * (bot - top) or (_ascii_word(text[-1:]) and _ascii_word(t[:1]) and gap > 0.15 * (bot - top)):
                    text += " "
            text += t
            prev_right = left + (b.x1 - b.x0)
            runs.append((left, prev_right, t))
        chars = sum(len(b.text.strip()) for _, b in g)
        score = sum(b.score * len(b.text.strip()) for _, b in g) / max(1, chars)
        rows.append(Row(clean_text(text), score, chars, min(t[1] for t, _ in g), max(t[2] for t, _ in g),
                        min(t[3] for t, _ in g), float(page.height), runs))
    return [r for r in rows if r.text]


def _ascii_word(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


# '3. 1.2' '3．1．2' '3.1,2' '3 .1.2' at the start of a line -> '3.1.2'; also '3. 1' section numbers.
_LEAD_NUMBER = re.compile(
    r"^(?P<a>[A-Z]|\d{1,2})\s*[.．。·,，]\s*(?P<b>\d{1,2})(?:\s*[.．。·,，]\s*(?P<c>\d{1,3}))?(?=\s|[\u4e00-\u9fff“（(]|$)"
)
# ASCII punctuation between Chinese characters is an OCR habit; the printed page has the full-width form.
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_PARENS = re.compile(r"\(([^()]*[\u4e00-\u9fff][^()]*)\)")  # '(表3)' -> '（表3）'; '(2015)' stays


def clean_text(text: str) -> str:
    t = unicodedata.normalize("NFC", text).strip().replace("°℃", "℃")  # the recogniser reads ℃ as °℃ at times
    m = _LEAD_NUMBER.match(t)
    if m:
        no = ".".join(x for x in (m.group("a"), m.group("b"), m.group("c")) if x)
        t = no + t[m.end():]
    out = []
    for i, ch in enumerate(t):
        if ch in _HALF_TO_FULL and (_CJK.match(t[i - 1:i] or " ") or _CJK.match(t[i + 1:i + 2] or " ")):
            ch = _HALF_TO_FULL[ch]
        out.append(ch)
    return _PARENS.sub(r"（\1）", "".join(out))


# ---------------------------------------------------------------------------
# page furniture across the OCR'd pages
# ---------------------------------------------------------------------------

_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "一": "-"})


def shape(text: str) -> str:
    """A running header with its page number varies only in that number: compare without digits."""
    return re.sub(r"[\s\d]+", "", unicodedata.normalize("NFKC", text)).translate(_DASHES)


def is_page_number(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text).replace(" ", "")
    return bool(PAGE_NO.match(t)) or bool(re.fullmatch(r"第?\d{1,4}页?(?:共\d{1,4}页)?|[-—·.]*\d{1,4}[-—·.]*", t))


def furniture(pages: dict[int, list[Row]]) -> dict[int, set[int]]:
    """Indexes of rows that are running headers, footers or page numbers, per page."""
    edge: dict[int, list[int]] = {
        p: [i for i, r in enumerate(rows) if r.centre < _MARGIN * r.page_height or r.centre > (1 - _MARGIN) * r.page_height]
        for p, rows in pages.items()
    }
    shapes = {p: [shape(pages[p][i].text) for i in idx] for p, idx in edge.items()}
    others = max(1, math.ceil(0.25 * (len(pages) - 1)))
    drop: dict[int, set[int]] = {}
    for p, idx in edge.items():
        for i, s in zip(idx, shapes[p], strict=True):
            row = pages[p][i]
            if is_page_number(row.text):
                drop.setdefault(p, set()).add(i)
                continue
            if len(s) < 2 or len(s) > 60:
                continue
            seen = sum(1 for q, ss in shapes.items() if q != p and any(fuzz.ratio(s, x) >= 80 for x in ss))
            if seen >= others:
                drop.setdefault(p, set()).add(i)
    return drop


def drop_known_furniture(lines: list[str], shapes: set[str], edge: int = 3) -> list[str]:
    """A typed page of a mixed PDF: drop edge lines that are page numbers or the scans' running header.

    The typed pages alone may be too few for the text-layer furniture check to see the repetition.
    """
    n = len(lines)
    keep = []
    for i, t in enumerate(lines):
        at_edge = i < edge or i >= n - edge
        s = shape(t)
        if at_edge and (is_page_number(t) or (2 <= len(s) <= 60 and any(fuzz.ratio(s, x) >= 80 for x in shapes))):
            continue
        keep.append(t)
    return keep
