"""Lines -> clauses: the structure of a Chinese engineering standard.

Standards number their provisions 章.节.条 (``3.3.5``), ``1.0.x`` for chapters
without sections and ``A.0.1`` in appendices; items (款) numbered ``1 2 3``
belong to their clause. The hard part is what merely *looks* like a clause
start: a cross-reference at the start of a wrapped line (``3.3.2条规定的…``),
a number in a table, a date. A candidate is accepted only when its number is a
plausible successor of the previous clause and what follows it reads as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from corpus.lines import Line, Role
from corpus.models import Clause, ClauseKind, Table, clause_sort_key
from corpus.tables import number_clause

_CJK = r"\u4e00-\u9fff"
_NUM = r"(?:[A-Z]|\d{1,2})\.\d{1,2}\.\d{1,3}(?:\.\d{1,3})?"
CLAUSE_RE = re.compile(rf"^(?P<no>{_NUM})(?![\d.．])\s*(?P<rest>.*)$")
SECTION_RE = re.compile(r"^(?P<no>(?:[A-Z]|\d{1,2})\.\d{1,2})(?![\d.．])\s*(?P<title>\S.*)$")
CHAPTER_RE = re.compile(rf"^(?P<no>\d{{1,2}})(?![\d.．])\s*(?P<title>[{_CJK}].*)$")
CHAPTER_CN_RE = re.compile(rf"^第\s*(?P<no>[0-9一二三四五六七八九十]{{1,3}})\s*章\s*(?P<title>[{_CJK}].*)$")
APPENDIX_RE = re.compile(r"^附\s*录\s*(?P<no>[A-Z])(?![A-Za-z])\s*(?P<title>.*)$")
ITEM_RE = re.compile(rf"^(?:(?P<n>\d{{1,2}})(?:[\s.、．)）]+|(?=[{_CJK}“\"（(《]))|[（(](?P<m>\d{{1,2}})[)）]\s*)(?P<rest>.+)$")
# What follows a number that is a reference, a quantity or a table cell rather than clause text:
# '3.3.2条规定的…', '5.2.1的试验…', '3.3.2和3.3.3…', '1.5 2.0 3.5', '2.1.3 mm'.
_XREF_START = re.compile(
    r"^(?:条(?!文)|款|节|章|的|之|中(?:做|规定|的|有|给出|列|提出|已|说明|所|对|要求|明确|进一步)|规定的|要求的|"
    r"(?:和|及|与|或|至|到|、)\s*(?:第\s*)?\d|"
    r"[、，,。；;：:~～—–\-×*/+=<>≤≥%‰°℃)）】\]]|"
    r"\d+(?:\.\d+)?(?:\s*$|\s+[\d.]|\s*[|×%])|"
    r"(?:mm|cm|m|kN|MPa|kg)(?![A-Za-z]))"
)
_LABEL_JOIN = re.compile(r"^\s*(?:[、,，～~—–\-]|至|和|及)\s*(?:[A-Z]|\d{1,2})\.\d{1,2}\.\d{1,3}")
_SENTENCE_PUNCT = re.compile(r"[，。；：,;:！？!?]")
_TOC_LEADER = re.compile(r"(?:[.…·．。•\-_]\s*){3,}\s*[（(]?\s*\d+\s*[)）]?\s*$")
_MANDATORY_MARK = re.compile(r"[（(【\[]\s*强制性?条文\s*[)）】\]]|[【\[]\s*强制\s*[】\]]|^\s*[★▲]\s*")
_TRAILER = re.compile(
    r"^(?:本(?:规范|标准|规程|规定)用词(?:和用语)?说明|引用标准名录|标准用词说明|用词说明|附\s*[:：]?\s*条文说明)\s*$"
)
_COMMENTARY_MARK = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]\s*)?(?:附\s*[:：]?\s*)?条\s*文\s*说\s*明$")
_EXPLAIN_MARK = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]\s*)?(?:起草说明|编制说明|修订说明)$")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}


class Mode(Enum):
    front = "front"
    body = "body"
    trailer = "trailer"  # 用词说明, 引用标准名录: neither clauses nor commentary
    explain = "explain"  # 起草说明 before the commentary proper
    commentary = "commentary"


def _cn_number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS.get(s[1:], 0)
    if "十" in s:
        a, _, b = s.partition("十")
        return _CN_DIGITS.get(a, 0) * 10 + (_CN_DIGITS.get(b, 0) if b else 0)
    return _CN_DIGITS.get(s)


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _join(prev: str, nxt: str, paragraph: bool) -> str:
    if not prev:
        return nxt
    if paragraph:
        return f"{prev}\n{nxt}"
    sep = " " if _is_ascii_word(prev[-1]) and _is_ascii_word(nxt[0]) else ""
    return prev + sep + nxt


def _heading_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _strip_title_prefix(text: str) -> str:
    """'《工程结构通用规范》GB 55001-2021 条文说明' -> '条文说明' (for marker detection)."""
    t = re.sub(r"《[^》]*》", "", text)
    t = re.sub(r"[A-Z]{1,4}(?:/T)?\s*\d+(?:\.\d+)?\s*[-—–]\s*\d{4}", "", t)
    return re.sub(r"\s+", "", t)


@dataclass
class _Open:
    clause: Clause
    pages: set[int] = field(default_factory=set)


@dataclass
class ParseResult:
    clauses: list[Clause]
    warnings: list[str]
    front_text: str  # everything before the first clause: cover, 前言, 目次


class ClauseParser:
    """A single pass over the lines with a small look-ahead for chapter headings."""

    def __init__(self, lines: list[Line], fmt: str = "text") -> None:
        self.lines = [ln for ln in lines if not (fmt == "pdf" and _TOC_LEADER.search(ln.text))]
        self.fmt = fmt
        self.mode = Mode.front
        self.clauses: list[Clause] = []
        self.warnings: list[str] = []
        self.front: list[str] = []
        self.cur: _Open | None = None
        self.last_key: tuple | None = None
        self.last_no: str | None = None
        self.chapter_no: str | None = None  # '3' or 'A'
        self.chapter = ""
        self.section = ""
        self.body_seen = 0
        self.tables: list[tuple[Table, Clause | None, Mode]] = []  # each with the clause open where it was

    # -- helpers ---------------------------------------------------------
    def _close(self) -> None:
        if self.cur is None:
            return
        c = self.cur.clause
        c.text = c.text.strip()
        c.pages = sorted(self.cur.pages)
        if _MANDATORY_MARK.search(c.text):
            c.mandatory = True
            c.text = _MANDATORY_MARK.sub("", c.text).strip()
        if c.text:
            self.clauses.append(c)
        else:
            self.warnings.append(f"第{c.clause_no}条没有正文，已忽略")
        self.cur = None

    def _append(self, text: str, line: Line, newline: bool = False) -> None:
        if self.cur is None:
            if self.mode is Mode.front:
                self.front.append(text)
            return
        c = self.cur.clause
        paragraph = newline or (line.gap_before and self.fmt != "pdf")
        c.text = _join(c.text, text, paragraph)
        if line.page:
            self.cur.pages.add(line.page)

    def _lookahead_confirms(self, i: int, prefix: str, window: int = 12) -> bool:
        """A chapter/section heading is real when its first clause or section follows soon."""
        for ln in self.lines[i + 1 : i + 1 + window]:
            t = ln.text
            m = CLAUSE_RE.match(t) or SECTION_RE.match(t)
            if m:
                return m.group("no").startswith(prefix + ".")
        return False

    def _plausible(self, no: str) -> bool:
        """Is ``no`` a believable next clause number after the previous one?"""
        if self.last_no is None:
            return True
        if clause_sort_key(no) <= self.last_key:
            return False
        if self.mode is Mode.commentary:
            return True
        parts, prev = no.split("."), self.last_no.split(".")
        if parts[0] == prev[0]:
            if parts[1] == prev[1]:
                if len(parts) == 4 or len(prev) == 4:
                    return True
                return int(parts[2]) - int(prev[2]) <= 12
            return int(parts[1]) - int(prev[1]) <= 4 and int(parts[2]) <= 12
        fresh = int(parts[1]) <= 4 and int(parts[2]) <= 12  # a new chapter starts near its beginning
        ch, pch = parts[0], prev[0]
        if ch.isdigit() and pch.isdigit():
            return int(ch) - int(pch) <= 3 and fresh
        if ch.isalpha() and pch.isdigit():
            return fresh and (ch <= "C" or self.chapter_no == ch)
        if ch.isalpha() and pch.isalpha():
            return fresh and ord(ch) - ord(pch) <= 3
        return False

    def _split_glued(self, no: str, rest: str, glued: bool) -> tuple[str, str] | None:
        """'10.0.31级、2级坝…' printed without a space: the clause is 10.0.3 and its text starts '1级'."""
        if _XREF_START.match(rest):
            return None  # '7.0.10条为…' is a reference, however the digits are split
        if self._plausible(no):
            return no, rest
        if not glued and not re.match(rf"[{_CJK}]", rest):
            return None
        head, _, last = no.rpartition(".")
        for k in (2, 1):  # the nearest successor wins: '8.4.128d…' is 8.4.1 + '28d…'
            if len(last) > k:
                cand, moved = f"{head}.{last[:-k]}", last[-k:] + ("" if glued else " ")
                if self._plausible(cand) and not _XREF_START.match(moved + rest):
                    return cand, moved + rest
        return None

    def _numbering_restarts(self, no: str) -> bool:
        if self.mode is not Mode.body or self.body_seen < 10 or self.last_no is None:
            return False
        first, last = no.split(".")[0], self.last_no.split(".")[0]
        late = last.isalpha() or int(last) >= 5
        return first.isdigit() and int(first) <= 3 and late and any(c.clause_no == no for c in self.clauses)

    # -- main loop -------------------------------------------------------
    def parse(self) -> ParseResult:
        for i, line in enumerate(self.lines):
            self._line(i, line)
        self._close()
        self._place_tables()
        return ParseResult(self.clauses, self.warnings, "\n".join(self.front))

    def _switch(self, mode: Mode) -> None:
        self._close()
        self.mode = mode
        if mode is Mode.commentary:
            self.last_no = self.last_key = None
            self.chapter_no, self.chapter, self.section = None, "", ""

    def _line(self, i: int, line: Line) -> None:
        text = line.text.strip()
        if not text:
            return
        compact = _strip_title_prefix(text)

        # Part markers: commentary, drafting notes, trailing matter.
        if self.body_seen and len(text) <= 60:
            if _COMMENTARY_MARK.match(compact):
                self._switch(Mode.commentary)
                return
            if _EXPLAIN_MARK.match(compact) and self.mode is not Mode.commentary:
                self._switch(Mode.explain)
                return
            if _TRAILER.match(compact) and self.mode is Mode.body:
                self._switch(Mode.trailer)
                return
        if self.mode in (Mode.trailer, Mode.explain):
            return
        if line.table is not None:
            self.tables.append((line.table, self.cur.clause if self.cur else None, self.mode))

        if line.role is Role.table:
            self._append(text, line, newline=True)
            return

        # A clause?
        m = CLAUSE_RE.match(text)
        if m and line.role is not Role.item:
            no, rest = m.group("no").replace("．", "."), m.group("rest").strip()
            glued = m.end("no") == m.start("rest") and bool(rest)
            if self.mode is Mode.commentary and _LABEL_JOIN.match(rest) and self._plausible(no):
                # '4.2.10、4.2.11 …' / '3.1.13～3.1.15 …': one explanation for several clauses.
                self._start_clause(no, rest, line)
                return
            split = self._split_glued(no, rest, glued)
            if split is not None:
                self._start_clause(*split, line)
                return
            if not _XREF_START.match(rest) and self._numbering_restarts(no):
                # Some sources append the 条文说明 with no title: numbering simply starts over.
                self.warnings.append(f"第{no}条处编号重新开始，其后内容按条文说明处理")
                self._switch(Mode.commentary)
                self._start_clause(no, rest, line)
                return
            if self.mode is Mode.commentary and no == self.last_no and not _XREF_START.match(rest):
                # Commentary often repeats the number for each paragraph of one entry.
                if rest:
                    self._append(rest, line, newline=True)
                return

        # Headings (appendix, chapter, section).
        if self._heading(i, text, line):
            return

        # Items of the open clause.
        if self.cur is not None:
            im = ITEM_RE.match(text)
            if line.role is Role.item or (im and self._looks_like_item(text)):
                self._append(text, line, newline=True)
                return
        self._append(text, line)

    def _looks_like_item(self, text: str) -> bool:
        m = ITEM_RE.match(text)
        if not m:
            return False
        rest = m.group("rest")
        return bool(re.match(rf"[{_CJK}“\"（(《A-Za-z]", rest)) and not _XREF_START.match(rest)

    def _heading(self, i: int, text: str, line: Line) -> bool:
        is_heading_role = line.role is Role.heading
        m = APPENDIX_RE.match(text)
        if (
            m
            and len(text) <= 60
            and not _SENTENCE_PUNCT.search(m.group("title"))
            and (is_heading_role or self._lookahead_confirms(i, m.group("no")))
        ):
            self._close()
            self.chapter_no = m.group("no")
            self.chapter = _heading_text(f"附录{m.group('no')} {m.group('title')}")
            self.section = ""
            return True
        m = CHAPTER_RE.match(text) or CHAPTER_CN_RE.match(text)
        if m:
            n = _cn_number(m.group("no"))
            title = m.group("title").strip()
            forward = self.chapter_no is None or not self.chapter_no.isdigit() or n > int(self.chapter_no)
            if (
                n is not None
                and forward
                and len(title) <= 30
                and not _SENTENCE_PUNCT.search(title)
                and (is_heading_role or (not _XREF_START.match(title) and self._lookahead_confirms(i, str(n))))
            ):
                self._close()
                self.chapter_no = str(n)
                self.chapter = _heading_text(f"{n} {title}")
                self.section = ""
                return True
        m = SECTION_RE.match(text)
        if m:
            no, title = m.group("no"), m.group("title").strip()
            last = self.last_no.split(".") if self.last_no else None
            forward = not (last and last[0] == no.split(".")[0] and int(no.split(".")[1]) <= int(last[1]))
            if (
                (forward or is_heading_role)
                and len(title) <= 40
                and not _SENTENCE_PUNCT.search(title)
                and re.search(f"[{_CJK}]", title)
                and (is_heading_role or (not _XREF_START.match(title) and self._lookahead_confirms(i, no)))
            ):
                self._close()
                ch = no.split(".")[0]
                if ch != self.chapter_no:
                    self.chapter_no, self.chapter = ch, self.chapter if self.chapter.startswith(ch) else ""
                self.section = _heading_text(f"{no} {title}")
                return True
        # Another heading (a titled block, not '表A.0.1 …') closes the clause but is not text of it.
        if is_heading_role and self.mode is not Mode.front and len(text) <= 40 and not re.match(r"^(?:表|图|注)", text):
            self._close()
            return True
        return False

    def _place_tables(self) -> None:
        """A table belongs to the clause its number names ('表4.2.2' -> 4.2.2), else to the clause it sits in."""
        body = {c.clause_no: c for c in self.clauses if c.kind is ClauseKind.body}
        kept = {id(c) for c in self.clauses}
        for table, open_clause, mode in self.tables:
            target = body.get(number_clause(table.number)) if table.number and mode is not Mode.commentary else None
            if target is None and open_clause is not None and id(open_clause) in kept:
                target = open_clause
            if target is None:
                continue  # before the first clause (front matter): nothing to cite it by
            table.clause_no = target.clause_no
            target.tables.append(table)

    def _start_clause(self, no: str, rest: str, line: Line) -> None:
        self._close()
        if self.mode is Mode.front:
            self.mode = Mode.body
        ch = no.split(".")[0]
        if self.chapter_no != ch:
            # A chapter without a recognised heading: keep the number, drop a stale title.
            self.chapter_no = ch
            self.chapter = ""
            self.section = ""
        sec_prefix = ".".join(no.split(".")[:2])
        if self.section and not self.section.startswith(sec_prefix + " "):
            self.section = ""
        commentary = self.mode is Mode.commentary
        clause = Clause(
            clause_no=no,
            text=rest,
            kind=ClauseKind.commentary if commentary else ClauseKind.body,
            chapter=self.chapter,
            section=self.section,
            refers_to=no if commentary else None,
        )
        self.cur = _Open(clause, {line.page} if line.page else set())
        self.last_no, self.last_key = no, clause_sort_key(no)
        if not commentary:
            self.body_seen += 1


def parse_lines(lines: list[Line], fmt: str = "text") -> ParseResult:
    return ClauseParser(lines, fmt).parse()
