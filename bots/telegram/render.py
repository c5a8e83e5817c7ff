"""Text for Telegram: HTML-escaped, citations in bold, split below the 4096-character message limit.

The core's replies are plain Chinese text. Here they are escaped for Telegram's
HTML parse mode (``html.escape``), every citation reference
(《书名》GB 55032-2022 第3.3.5条) and 【强制性条文】 is set in bold, and a long
reply is cut into messages at the coarsest boundary that works — paragraph,
then line, then sentence, then (only for a run with none) a hard cut that never
lands inside a citation reference. A line ending in "：" (a citation's head
before its quoted text, or a list's heading) stays with what follows it. Each
message is rendered on its own, so no tag ever spans two messages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from telegram.constants import MessageLimit

from assistant.answering.models import Citation

MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted by Telegram in UTF-16 code units
MANDATORY_MARK = "【强制性条文】"
_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])")
_LEVELS: tuple[re.Pattern[str], ...] = (re.compile(r"(?<=\n\n)"), re.compile(r"(?<=\n)"), _SENTENCE_END)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def citation_marks(citations: Iterable[Citation]) -> list[str]:
    """The strings set in bold in an answer: each cited clause's reference, and the mandatory badge."""
    return [c.reference() for c in citations] + [MANDATORY_MARK]


class Renderer:
    """Escape and embolden one reply's text; ``spans`` are where the marks sit, so cuts avoid them."""

    def __init__(self, marks: Sequence[str] = ()) -> None:
        wanted = sorted({m for m in marks if m}, key=len, reverse=True)
        self._plain = re.compile("|".join(map(re.escape, wanted))) if wanted else None
        escaped = [html.escape(m, quote=False) for m in wanted]
        self._html = re.compile("|".join(map(re.escape, escaped))) if wanted else None

    def html(self, text: str) -> str:
        out = html.escape(text, quote=False)
        if self._html is None:
            return out
        return self._html.sub(lambda m: f"<b>{m.group(0)}</b>", out)

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [] if self._plain is None else [m.span() for m in self._plain.finditer(text)]

    def size(self, text: str) -> int:
        return utf16_len(self.html(text))


def to_html(text: str, marks: Sequence[str] = ()) -> str:
    return Renderer(marks).html(text)


def split_message(text: str, marks: Sequence[str] = (), limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` as HTML messages of at most ``limit`` UTF-16 units each, in order, none empty."""
    r = Renderer(marks)
    text = text.strip()
    if not text:
        return []
    if r.size(text) <= limit:
        return [r.html(text)]
    units = _glue_heads(_units(text, 0, r, limit), r, limit)
    chunks: list[str] = []
    current, size = "", 0
    for unit in units:
        unit_size = r.size(unit)
        if current and size + unit_size > limit:
            chunks.append(current)
            current, size = "", 0
        current += unit
        size += unit_size
    if current:
        chunks.append(current)
    return [r.html(c.strip()) for c in chunks if c.strip()]


def _cut_points(text: str, pattern: re.Pattern[str], spans: list[tuple[int, int]]) -> list[int]:
    return [m.start() for m in pattern.finditer(text)
            if 0 < m.start() < len(text) and not any(a < m.start() < b for a, b in spans)]


def _units(text: str, level: int, r: Renderer, limit: int) -> list[str]:
    """Consecutive pieces of ``text`` (joined, they are ``text``), each fitting ``limit`` once rendered."""
    if r.size(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return _hard_cut(text, r, limit)
    cuts = _cut_points(text, _LEVELS[level], r.spans(text))
    if not cuts:
        return _units(text, level + 1, r, limit)
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return [u for p in pieces for u in _units(p, level + 1, r, limit)]


def _hard_cut(text: str, r: Renderer, limit: int) -> list[str]:
    """A run with no boundary left: cut at the last point that fits and is not inside a mark."""
    out: list[str] = []
    while r.size(text) > limit:
        spans = r.spans(text)
        lo, hi = 1, len(text)
        while lo < hi:  # the longest prefix that fits
            mid = (lo + hi + 1) // 2
            if r.size(text[:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        for a, b in spans:
            if a < cut < b:
                cut = a if a > 0 else b  # a mark longer than a message cannot happen; keep progress anyway
        out.append(text[:cut])
        text = text[cut:]
    if text:
        out.append(text)
    return out


def _is_head(unit: str) -> bool:
    return unit.rstrip().endswith(("：", ":")) and "\n" in unit[-3:]


def _glue_heads(units: list[str], r: Renderer, limit: int) -> list[str]:
    """Keep a heading line ("相关条文：", "《…》… 第3.3.5条：") in the same message as what follows it."""
    out: list[str] = []
    i = 0
    while i < len(units):
        unit = units[i]
        while _is_head(unit) and i + 1 < len(units) and r.size(unit + units[i + 1]) <= limit:
            i += 1
            unit += units[i]
        out.append(unit)
        i += 1
    return out
