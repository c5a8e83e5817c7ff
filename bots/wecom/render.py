"""The core's replies as WeCom messages: plain text (or markdown), choices as a numbered list, size-limited.

WeCom counts message size in UTF-8 bytes: a text message holds 2048 bytes
(about 680 Chinese characters), a markdown message 4096. A longer reply is cut at
the coarsest boundary that works — paragraph, line, sentence (。；！？), clause
(，、：) — and only a run with none of these is cut hard, never inside a citation
reference (《书名》GB 50204-2015 第4.2.1条). A line ending in "：" stays with what
follows it. Choices, which Telegram shows as buttons, become a numbered list the
user answers with the number or the words; 👍/👎 become "有用"/"没用".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.models import Citation
from assistant.conversation.replies import Reply

TEXT_LIMIT = 2048  # bytes, message/send "text" and passive text replies
MARKDOWN_LIMIT = 4096  # bytes, message/send "markdown"
MANDATORY_MARK = "【强制性条文】"
CHOOSE_HEAD = "请回复序号或文字："
FEEDBACK_LINE = "这个回答有帮助吗？回复“有用”或“没用”（可附原因，如“没用 引用不对”）。"
_LEVELS = (r"(?<=\n\n)", r"(?<=\n)", r"(?<=[。；！？!?;])", r"(?<=[，、：,:])")
_MD_SPECIAL = str.maketrans({"*": "＊", "`": "｀", "[": "［", "]": "］", "_": "＿"})
_MD_LINE_START = re.compile(r"^([#>])", re.MULTILINE)


def size(text: str) -> int:
    return len(text.encode("utf-8"))


@dataclass(frozen=True)
class Offered:
    """What the user can answer to a rendered reply: the numbered choices (label, value), and 有用/没用."""

    choices: tuple[tuple[str, str], ...] = ()
    feedback: bool = False


def offered(reply: Reply) -> Offered:
    """A rating may follow an answer (👍/👎 offered) or a rating (a reason added to it)."""
    says = tuple((c.label, c.value) for c in reply.choices if c.action == "say")
    return Offered(says, any(c.action == "feedback" for c in reply.choices) or reply.intent == "feedback")


def citation_marks(citations: Sequence[Citation]) -> list[str]:
    return [c.reference() for c in citations]


def body_text(reply: Reply) -> str:
    """The reply's text, plus a "出处" line for any cited clause the text does not already name."""
    text = reply.text.strip()
    missing = [c.reference() for c in reply.citations if c.reference() not in text]
    if missing:
        text += "\n\n出处：" + "；".join(dict.fromkeys(missing))
    return text


def footer(reply: Reply) -> str:
    lines: list[str] = []
    says = [c for c in reply.choices if c.action == "say"]
    if says:
        lines.append(CHOOSE_HEAD)
        lines += [f"{i}. {c.label}" for i, c in enumerate(says, 1)]
    if any(c.action == "feedback" for c in reply.choices):
        lines += ["", FEEDBACK_LINE] if lines else [FEEDBACK_LINE]
    return "\n".join(lines)


def to_markdown(text: str, marks: Sequence[str] = ()) -> str:
    """Plain text as WeCom markdown: markup characters neutralised, citations and the mandatory badge in bold."""
    wanted = sorted({m for m in [*marks, MANDATORY_MARK] if m}, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, wanted)))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(_md_plain(text[last:m.start()]))
        out.append(f"**{_md_plain(m.group(0))}**")
        last = m.end()
    out.append(_md_plain(text[last:]))
    return "".join(out)


def _md_plain(text: str) -> str:
    return _MD_LINE_START.sub(lambda m: {"#": "＃", ">": "＞"}[m.group(1)], text.translate(_MD_SPECIAL))


def render(reply: Reply, *, markdown: bool = False, limit: int | None = None) -> list[str]:
    """``reply`` as WeCom messages, in order, each within the byte limit; the choices in the last one."""
    marks = [*citation_marks(reply.citations), MANDATORY_MARK]
    limit = limit or (MARKDOWN_LIMIT if markdown else TEXT_LIMIT)
    conv = (lambda t: to_markdown(t, marks)) if markdown else (lambda t: t)
    chunks = split(body_text(reply), limit, marks, conv)
    tail = footer(reply)
    if tail:
        joined = f"{chunks[-1]}\n\n{tail}" if chunks else tail
        if chunks and size(conv(joined)) <= limit:
            chunks[-1] = joined
        else:
            chunks += split(tail, limit, (), conv)
    return [conv(c) for c in chunks] or ["…"]


def split(text: str, limit: int, marks: Sequence[str] = (), conv=lambda t: t) -> list[str]:  # noqa: ANN001
    """``text`` in consecutive pieces (plain), each within ``limit`` bytes once converted by ``conv``."""
    text = text.strip()
    if not text:
        return []
    measure = _Measure(marks, conv)
    if measure(text) <= limit:
        return [text]
    units = _glue_heads(_units(text, 0, measure, limit), measure, limit)
    chunks: list[str] = []
    current = ""
    for unit in units:
        if current and measure(current + unit) > limit:
            chunks.append(current)
            current = ""
        current += unit
    if current:
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]


class _Measure:
    def __init__(self, marks: Sequence[str], conv) -> None:  # noqa: ANN001
        wanted = sorted({m for m in marks if m}, key=len, reverse=True)
        self._marks = re.compile("|".join(map(re.escape, wanted))) if wanted else None
        self._conv = conv

    def __call__(self, text: str) -> int:
        return size(self._conv(text))

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [] if self._marks is None else [m.span() for m in self._marks.finditer(text)]


def _units(text: str, level: int, measure: _Measure, limit: int) -> list[str]:
    if measure(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return _hard_cut(text, measure, limit)
    spans = measure.spans(text)
    cuts = [m.start() for m in re.finditer(_LEVELS[level], text)
            if 0 < m.start() < len(text) and not any(a < m.start() < b for a, b in spans)]
    if not cuts:
        return _units(text, level + 1, measure, limit)
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return [u for p in pieces for u in _units(p, level + 1, measure, limit)]


def _hard_cut(text: str, measure: _Measure, limit: int) -> list[str]:
    out: list[str] = []
    while measure(text) > limit:
        lo, hi = 1, len(text)
        while lo < hi:  # the longest prefix that fits
            mid = (lo + hi + 1) // 2
            if measure(text[:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        for a, b in measure.spans(text):
            if a < cut < b and a > 0:
                cut = a
        out.append(text[:cut])
        text = text[cut:]
    if text:
        out.append(text)
    return out


def _is_head(unit: str) -> bool:
    return unit.rstrip().endswith(("：", ":")) and unit.endswith("\n")


def _glue_heads(units: list[str], measure: _Measure, limit: int) -> list[str]:
    """A heading line ("相关条文：", "《…》… 第3.3.5条：") goes in the same message as what follows it."""
    out: list[str] = []
    i = 0
    while i < len(units):
        unit = units[i]
        while _is_head(unit) and i + 1 < len(units) and measure(unit + units[i + 1]) <= limit:
            i += 1
            unit += units[i]
        out.append(unit)
        i += 1
    return out
