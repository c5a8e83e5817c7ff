"""The corpus data model shared by ingestion, the index and the assistant.

A Document is one standard (or guide, case collection, FAQ collection); its
Clauses carry the number exactly as printed so a citation can be checked
against the paper copy.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator


class DocKind(StrEnum):
    standard = "standard"
    guide = "guide"
    case = "case"
    faq = "faq"
    tolerance = "tolerance"  # a table of allowed deviations (实测实量), one row per item


class DocStatus(StrEnum):
    current = "现行"
    withdrawn = "废止"
    upcoming = "即将实施"


class ClauseKind(StrEnum):
    body = "body"
    commentary = "commentary"
    case = "case"
    faq = "faq"
    tolerance = "tolerance"  # one row of a tolerance table; its fields are in ``extra``


class ClauseVersion(BaseModel):
    """One wording of a clause and the days it was (or will be) in force; ``until`` is the first day it no longer is."""

    text: str
    effective_from: date | None = Field(default=None, description="None: since the standard itself took effect")
    effective_until: date | None = None
    notice: str = Field(default="", description="the revision notice (局部修订公告) that gave this wording; '' = as published")
    edition: str = Field(default="", description="edition label the notice gives, e.g. '2018年版'")

    def in_force(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_until is None or day < self.effective_until)


class Table(BaseModel):
    """A table of a standard, kept as rows of cells so each row can be found and quoted on its own.

    ``header`` holds the header rows (a table may have two: 允许偏差 over 柱/墙); ``rows`` the body rows,
    every row as wide as the table (a merged cell repeats its text in each column it spans).
    """

    caption: str = Field(default="", description="as printed: '表4.2.2 民用建筑楼面均布活荷载标准值…'")
    number: str = Field(default="", description="'4.2.2', '11.1.6-1'; '' when the table has no numbered caption")
    header: list[list[str]] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="注 lines printed under the table")
    clause_no: str = Field(default="", description="the clause it belongs to")

    def columns(self) -> list[str]:
        """One label per column: the header rows' texts of that column, top to bottom, repeats dropped."""
        width = max((len(r) for r in self.header + self.rows), default=0)
        out = []
        for i in range(width):
            parts: list[str] = []
            for r in self.header:
                t = r[i] if i < len(r) else ""
                if t and t not in parts:
                    parts.append(t)
            out.append(" ".join(parts))
        return out

    def row_text(self, i: int) -> str:
        """What search matches for body row ``i``: caption, then each cell after its column label."""
        cols = self.columns()
        cells = []
        prev = None
        for j, cell in enumerate(self.rows[i]):
            if not cell or cell == prev:  # a cell merged across columns counts once
                continue
            prev = cell
            label = cols[j] if j < len(cols) else ""
            cells.append(f"{label}：{cell}" if label and label != cell else cell)
        return " | ".join([self.caption or (f"表{self.number}" if self.number else "表"), *cells])


class Clause(BaseModel):
    """One clause (条) with its items (款) kept inside ``text``, one item a line.

    ``text`` is the wording in force on the day the library was last brought up to date; a clause changed by a
    revision notice keeps every wording, with its dates, in ``versions`` (empty for a clause never revised).
    """

    clause_no: str = Field(description="as printed: '3.3.5', 'A.0.1'; for cases/FAQ the entry id")
    text: str
    kind: ClauseKind = ClauseKind.body
    chapter: str = ""
    section: str = ""
    title: str = Field(default="", description="case or FAQ title / question")
    mandatory: bool = False
    pages: list[int] = Field(default_factory=list)
    refers_to: str | None = Field(default=None, description="commentary: the body clause it explains")
    ocr_confidence: float | None = Field(
        default=None, description="read from a scanned page: the OCR engine's confidence in its lines (0-1)"
    )
    extra: dict[str, str] = Field(default_factory=dict, description="case fields (问题/原因/处理/依据), tolerance row fields …")
    versions: list[ClauseVersion] = Field(default_factory=list, description="every wording, oldest first (revised clauses)")
    revision: str = Field(default="", description="notice that gave the wording in ``text`` ('' = as published)")
    tables: list[Table] = Field(default_factory=list, description="tables of this clause, rows as cells (its text keeps them too)")

    @property
    def path(self) -> list[str]:
        return [p for p in (self.chapter, self.section) if p]


class Repeal(BaseModel):
    """A provision of another standard that this one abolishes (废止的强制性条文), as its front matter lists it."""

    code: str = Field(description="canonical code of the standard whose provision is abolished")
    clause_no: str
    items: str = Field(default="", description="款 when only some items are abolished: '1、2'")

    @field_validator("code")
    @classmethod
    def _canonical(cls, v: str) -> str:
        return canonical_code(v) or v.strip()


class RevisedClause(BaseModel):
    """A clause as a revision notice reprints it: its number and its new wording."""

    clause_no: str
    text: str


class Revision(BaseModel):
    """A revision notice (局部修订公告) applied to a standard: which clauses it rewords, from when."""

    notice: str = Field(description="announcement number as printed, e.g. '住房和城乡建设部公告2018年第35号'")
    edition: str = Field(default="", description="edition label of the revised standard, e.g. '2018年版'")
    effective_date: date
    title: str = ""
    source_path: str = ""
    sha256: str = ""
    illustrative: bool = False
    clauses: list[RevisedClause] = Field(default_factory=list)


class OcrPage(BaseModel):
    """A page of the source that was a scan and was read by OCR."""

    page: int = Field(description="physical page number, 1-based")
    confidence: float = Field(description="character-weighted mean confidence of what was read (0-1)")
    low: bool = Field(default=False, description="below the confidence line: a person should check it")
    rotated: int = Field(default=0, description="180 when the page was scanned upside down and turned")


# Bumped when parsing changes what a Document holds, so unchanged files are read again on the next ingest.
PARSER_VERSION = 3


class Document(BaseModel):
    """A parsed source file: metadata plus its clauses in printed order."""

    code: str = Field(description="canonical code, e.g. 'GB 55032-2022'")
    title: str
    kind: DocKind = DocKind.standard
    status: DocStatus = DocStatus.current
    effective_date: date | None = None
    superseded_by: str | None = None
    source_path: str = ""
    sha256: str = ""
    illustrative: bool = Field(default=False, description="written by the project as a 示例, not a real text")
    repeals: list[Repeal] = Field(default_factory=list, description="provisions of other standards this one abolishes")
    replaces: list[str] = Field(default_factory=list, description="codes of earlier editions this one replaces (代替)")
    revisions: list[Revision] = Field(default_factory=list, description="revision notices ingested for it, any date")
    edition: str = Field(default="", description="edition label in force ('2018年版'), from the latest notice in force")
    parser_version: int = Field(default=1, description="PARSER_VERSION of the ingest that produced it")
    clauses: list[Clause] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    ocr_pages: list[OcrPage] = Field(default_factory=list, description="pages that were scans, read by OCR")

    @property
    def doc_id(self) -> str:
        return code_key(self.code)

    def body(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind != ClauseKind.commentary]

    def commentary(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == ClauseKind.commentary]

    def find(self, clause_no: str, kind: ClauseKind | None = None) -> Clause | None:
        for c in self.clauses:
            if c.clause_no == clause_no and (kind is None or c.kind == kind):
                return c
        return None


# ---------------------------------------------------------------------------
# Standard codes
# ---------------------------------------------------------------------------

_PREFIXES = r"ZJ/T|GB/T|GB/Z|GB|JGJ/T|JGJ|CJJ/T|CJJ|JG/T|JG|SL/T|SL|DL/T|DL|JTG|TB|CECS|DBJ\d*/T|DBJ\d*|DB\d*/T|DB\d*|T/[A-Z]+"
CODE_RE = re.compile(
    rf"(?<![A-Za-z])(?P<prefix>{_PREFIXES})\s*(?P<num>\d{{1,6}}(?:\.\d{{1,3}})?)\s*[-—–－~]\s*(?P<year>(?:19|20)\d{{2}})(?!\d)"
)
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "／": "/"})


def canonical_code(text: str) -> str | None:
    """Return 'GB 55032-2022' for 'GB55032—2022', 'gb 55032-2022' …; None if no code is found."""
    m = CODE_RE.search(text.translate(_DASHES).upper())
    if not m:
        return None
    return f"{m.group('prefix')} {m.group('num')}-{m.group('year')}"


def code_key(code: str) -> str:
    """Filesystem- and lookup-safe key: 'GB 55032-2022' -> 'GB55032-2022', 'GB/T 1-2020' -> 'GBT1-2020'."""
    return re.sub(r"[\s/]+", "", code.translate(_DASHES).upper())


def clause_sort_key(clause_no: str) -> tuple:
    """Order '3.10.1' after '3.9.2' and appendices after the body."""
    parts = clause_no.split(".")
    key: list[tuple[int, int | str]] = []
    for p in parts:
        key.append((0, int(p)) if p.isdecimal() else (1, p))
    return tuple(key)
