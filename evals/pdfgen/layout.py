"""Layouts (how a standard is typeset), fonts and metrics, line wrapping, and the page model."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from evals.pdfgen.spec import StandardSpec

# ---------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------

FOOTERS = {
    "middot": "· {n} ·",
    "emdash": "— {n} —",
    "hyphen": "- {n} -",
    "plain": "{n}",
    "cn": "第{n}页",
    "cn_total": "第 {n} 页 共 {total} 页",
}
ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"


@dataclass(frozen=True)
class Layout:
    name: str
    producer: str = "reportlab"  # or "fpdf2"
    header: str = "code"  # code | title | both | two_lines
    header_align: str = "outer"  # outer (odd right, even left) | center | right
    header_rule: bool = True
    footer: str = "middot"
    footer_align: str = "center"  # center | outer
    draw_order: str = "hbf"  # order of header (h), body (b), footer (f) in the content stream
    justify: bool = False
    size: float = 10.5
    page: tuple[float, float] = (420.0, 595.0)  # A5-ish, like a 大32开 standard
    margins: tuple[float, float, float, float] = (52.0, 46.0, 62.0, 58.0)  # left, right, top, bottom
    adversarial: bool = False  # break lines just before numbers, cross-references, dates
    number_font: str = "bold"  # clause numbers in a separate Latin bold run, or "song"
    front_roman: bool = True  # roman page numbers on 前言/目次
    notice_page: bool = False  # 公告 page listing mandatory clauses and a superseded code
    title_page: bool = True  # 扉页 after the cover
    leader: str = "…"
    toc_parens: bool = False  # 目次 page numbers printed as "（12）"
    english_contents: bool = False  # an English "Contents" page after the 目次, as GB 50xxx books have
    joined_number: bool = False  # "3.3.2　text" in one run with a full-width space (Word-made PDFs)
    table_style: str = "grid"  # grid (ruled cells, equal columns) | three_line (三线表, columns fit their text)


LAYOUTS: dict[str, Layout] = {
    # GB/JGJ style: code in the header, "· 12 ·" page numbers, bold clause numbers
    "classic": Layout("classic", english_contents=True),
    # title in the header, "— 12 —", footer drawn first, 公告 page, justified lines
    "title_emdash": Layout(
        "title_emdash", header="title", header_align="center", footer="emdash", draw_order="fhb",
        justify=True, notice_page=True, leader="·", toc_parens=True,
    ),
    # code and title on one header line, "- 12 -" at the outer corner, no rule, wide page
    "both_hyphen": Layout(
        "both_hyphen", header="both", header_rule=False, footer="hyphen", footer_align="outer",
        draw_order="bfh", page=(595.0, 842.0), margins=(72.0, 72.0, 80.0, 72.0), size=12.0,
        number_font="song", front_roman=False,
    ),
    # two-line header, bare page numbers, narrow measure, lines broken before every number it can
    "narrow_adversarial": Layout(
        "narrow_adversarial", header="two_lines", header_align="right", footer="plain", footer_align="outer",
        adversarial=True, margins=(64.0, 60.0, 74.0, 58.0), notice_page=True, justify=True,
    ),
    # a second producer (fpdf2, embedded TrueType), "第12页", adversarial breaks too
    "fpdf_cn": Layout(
        "fpdf_cn", producer="fpdf2", header="code", header_align="center", footer="cn_total",
        adversarial=True, number_font="song", title_page=False, joined_number=True,
    ),
    # 三线表 tables (columns as wide as their text, first column left-aligned), smaller type, a wide page
    "three_line_tables": Layout(
        "three_line_tables", header="title", header_align="center", footer="cn", table_style="three_line",
        page=(595.0, 842.0), margins=(72.0, 72.0, 80.0, 72.0), size=11.0, joined_number=True,
    ),
}


# ---------------------------------------------------------------------------
# Fonts and metrics
# ---------------------------------------------------------------------------

DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
RL_FONTS = {"song": "STSong-Light", "bold": "Times-Bold", "latin": "Times-Roman"}


def fpdf_available() -> str | None:
    """None when the fpdf2 producer can run, else why not (used as a skip reason)."""
    try:
        import fpdf  # noqa: F401
    except ImportError:
        return "fpdf2 未安装"
    missing = [str(p) for p in (DROID, DEJAVU, DEJAVU_BOLD) if not p.exists()]
    if missing:
        return "缺少字体（apt-get install fonts-droid-fallback fonts-dejavu-core）：" + ", ".join(missing)
    return None


@cache
def _register_rl() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase import pdfmetrics

    _register_rl()
    return pdfmetrics.stringWidth(text, RL_FONTS[font], size)


@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(path)).getBestCmap())


def _fpdf_clean(text: str) -> str:
    cs = _cmap(DEJAVU) | _cmap(DROID)
    return "".join(ch for ch in text if ord(ch) in cs or ch in "\n\t ")


def _font_segments(text: str) -> list[tuple[str, str]]:
    """Split a run into (font, text) pieces: DejaVu for what it covers, Droid (CJK) for the rest."""
    latin = _cmap(DEJAVU)
    segs: list[tuple[str, str]] = []
    for ch in text:
        f = "dejavu" if ord(ch) in latin and unicodedata.east_asian_width(ch) not in "WF" else "droid"
        if segs and segs[-1][0] == f:
            segs[-1] = (f, segs[-1][1] + ch)
        else:
            segs.append((f, ch))
    return segs


# ---------------------------------------------------------------------------
# Composition: spec -> pages of positioned runs (producer independent)
# ---------------------------------------------------------------------------


@dataclass
class Run:
    x: float
    y: float  # baseline, from the bottom
    text: str
    font: str = "song"
    size: float = 10.5
    char_space: float = 0.0
    role: str = "b"  # h(eader) / b(ody) / f(ooter)
    fake_bold: bool = False


@dataclass
class Page:
    kind: str  # cover | front | toc | body | cmt_title | cmt
    runs: list[Run] = field(default_factory=list)
    rules: list[tuple[float, float, float, float, str]] = field(default_factory=list)
    label: str | None = None  # printed page number


@dataclass
class Rendered:
    """What a test needs to judge a parse: the spec as printed and where each clause landed."""

    spec: StandardSpec
    layout: Layout
    path: Path
    pages: int
    clause_pages: dict[str, list[int]]  # body clause -> physical pages (1-based)
    clause_printed: dict[str, list[str]]  # body clause -> printed page numbers
    commentary_pages: dict[str, list[int]]
    header_texts: list[str]
    footer_re: str


_CLOSE = set("，。、；：？！）》」』”’％%·…,.;:)℃°²³")
_OPEN = set("（《「『“‘(")
_TOKEN = re.compile(r"[A-Za-z0-9.\-/~～%％+±×²³°℃]")
_NUMSTART = re.compile(r"(?<![A-Za-z0-9.])\d")


def wrap(text: str, first: float, rest: float, measure: Callable[[str], float], adversarial: bool) -> list[str]:
    """Break ``text`` into lines the way a CJK typesetter would (no line starts with 。， etc.)."""
    lines: list[str] = []
    i, n = 0, len(text)
    while i < n:
        avail = first if not lines else rest
        j = i + 1
        while j < n and measure(text[i : j + 1]) <= avail:
            j += 1
        if j < n:
            # keep Latin/number tokens whole
            k = j
            while k > i + 1 and _TOKEN.match(text[k]) and _TOKEN.match(text[k - 1]):
                k -= 1
            if k > i + 4:
                j = k
            if adversarial:
                for m in _NUMSTART.finditer(text, max(i + 6, j - 9), j + 1):
                    j = m.start()
            while j > i + 1 and text[j - 1] in _OPEN:
                j -= 1
            while j < n and text[j] in _CLOSE:
                j += 1
        lines.append(text[i:j])
        i = j
    return lines
