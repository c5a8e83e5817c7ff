"""What channels show of the knowledge base: clause views, search pages and document lists.

The citation format (《title》CODE 第X条) and the view of one clause exist here
once; the API, the CLI and the answer composer all use them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from corpus.citation import cite
from corpus.models import Clause, ClauseKind, ClauseVersion, Document
from corpus.revisions import edition_on, version_on
from index.models import Hit, SearchFilters

__all__ = ["ClauseEntry", "ClauseVersionView", "ClauseView", "DatabaseHealth", "DocumentInfo", "DocumentList", "DocumentView", "Health", "Hit",
           "IndexHealth", "LookupNotice", "SearchFilters",
           "SearchPage", "cite", "clause_view", "document_view"]

class ClauseVersionView(BaseModel):
    """One wording of a revised clause and the days it is (was, will be) in force."""

    text: str
    effective_from: str | None = None
    effective_until: str | None = Field(default=None, description="first day it is no longer in force")
    notice: str = Field(default="", description="revision notice that gave it; '' = as the standard was published")
    edition: str = ""

    @classmethod
    def of(cls, v: ClauseVersion) -> ClauseVersionView:
        return cls(text=v.text, effective_from=v.effective_from.isoformat() if v.effective_from else None,
                   effective_until=v.effective_until.isoformat() if v.effective_until else None,
                   notice=v.notice, edition=v.edition)


class ClauseView(BaseModel):
    """One clause as printed, with its 条文说明 when the standard has one."""

    code: str
    title: str
    status: str
    superseded_by: str | None = None
    clause_no: str
    kind: str
    mandatory: bool
    chapter: str = ""
    section: str = ""
    clause_title: str = ""
    text: str
    commentary: str | None = None
    pages: list[int] = Field(default_factory=list)
    ocr_confidence: float | None = Field(default=None, description="for a clause read from a scan: how sure the OCR was")
    refers_to: str | None = None
    citation: str = Field(description="《title》CODE 第X条, as written in a rectification notice")
    edition: str = Field(default="", description="edition label in force on ``at`` ('2018年版')")
    revision: str = Field(default="", description="revision notice whose wording ``text`` is ('' = as published)")
    at: str | None = Field(default=None, description="the day whose wording ``text`` is")
    effective_from: str | None = Field(default=None, description="revised clause: since when ``text`` is in force")
    superseded: list[ClauseVersionView] = Field(default_factory=list, description="earlier wordings, newest first")
    upcoming: list[ClauseVersionView] = Field(default_factory=list, description="wordings announced, not yet in force")


class ClauseEntry(BaseModel):
    """One row of a whole document listed in printed order."""

    clause_no: str
    text: str
    kind: str
    mandatory: bool
    chapter: str = ""
    section: str = ""
    pages: list[int] = Field(default_factory=list)
    ocr_confidence: float | None = None


class DocumentView(BaseModel):
    code: str
    title: str
    status: str
    kind: str
    effective_date: str | None = None
    superseded_by: str | None = None
    edition: str = ""
    replaces: list[str] = Field(default_factory=list)
    illustrative: bool = False
    clauses: list[ClauseEntry] = Field(default_factory=list)


class DocumentInfo(BaseModel):
    code: str
    title: str
    kind: str
    status: str
    superseded_by: str | None = None
    edition: str = ""
    clauses: int


class DocumentList(BaseModel):
    index_version: str
    documents: list[DocumentInfo]


class LookupNotice(BaseModel):
    """Said before any hit when a query names a clause or a standard the library does not hold.

    Without it a lookup of 'GB55032 3.3.5' in a library without GB 55032 reads as "找到 10 条" of
    clauses nobody asked for.
    """

    kind: Literal["clause_missing", "standard_missing"]
    message: str = Field(description="中文说明，先于任何检索结果显示")
    code: str | None = Field(default=None, description="the held standard's code (clause_missing) or the code as typed")
    clause_no: str | None = None
    others: str = Field(default="", description="heading for the hits that follow (weakly related), '' when none follow")


class SearchPage(BaseModel):
    query: str
    mode: str
    index_version: str
    hits: list[Hit]
    notice: LookupNotice | None = Field(default=None, description="the clause or standard named is not in the library")


def _wording(doc: Document, clause: Clause, on: date | None) -> tuple[int, str]:
    """Which of ``clause.versions`` is in force on ``on`` (default: the one in ``text``), and the edition then."""
    if on is not None:
        v = version_on(clause, on)
        return (clause.versions.index(v) if v is not None else -1), edition_on(doc, on)
    for i in range(len(clause.versions) - 1, -1, -1):
        if clause.versions[i].notice == clause.revision and clause.versions[i].text == clause.text:
            return i, doc.edition
    return -1, doc.edition


def clause_view(doc: Document, clause_no: str, on: date | None = None) -> ClauseView | None:
    """The clause ``clause_no`` of ``doc`` (the body text, with its commentary), or None.

    ``on``: the wording in force that day, with the earlier wordings (``superseded``) and any announced later one.
    """
    matches = [c for c in doc.clauses if c.clause_no == clause_no]
    if not matches:
        return None
    main = next((c for c in matches if c.kind != ClauseKind.commentary), matches[0])
    note = next((c for c in matches if c.kind == ClauseKind.commentary and c is not main), None)
    i, edition = _wording(doc, main, on)
    text, revision, since = main.text, main.revision, None
    superseded: list[ClauseVersionView] = []
    upcoming: list[ClauseVersionView] = []
    if i >= 0:
        v = main.versions[i]
        text, revision = v.text, v.notice
        since = v.effective_from.isoformat() if v.effective_from and v.notice else None
        superseded = [ClauseVersionView.of(x) for x in reversed(main.versions[:i])]
        upcoming = [ClauseVersionView.of(x) for x in main.versions[i + 1:]]
    return ClauseView(
        code=doc.code, title=doc.title, status=doc.status.value, superseded_by=doc.superseded_by,
        clause_no=main.clause_no, kind=main.kind.value, mandatory=main.mandatory, chapter=main.chapter,
        section=main.section, clause_title=main.title, text=text, commentary=note.text if note else None,
        pages=main.pages, ocr_confidence=main.ocr_confidence, refers_to=main.refers_to,
        citation=cite(doc.title, doc.code, main.clause_no, main.kind.value, edition, bool(revision)),
        edition=edition, revision=revision, at=on.isoformat() if on else None, effective_from=since,
        superseded=superseded, upcoming=upcoming,
    )


def document_view(doc: Document) -> DocumentView:
    return DocumentView(
        code=doc.code, title=doc.title, status=doc.status.value, kind=doc.kind.value,
        effective_date=doc.effective_date.isoformat() if doc.effective_date else None,
        superseded_by=doc.superseded_by, edition=doc.edition, replaces=list(doc.replaces),
        illustrative=doc.illustrative,
        clauses=[ClauseEntry(clause_no=c.clause_no, text=c.text, kind=c.kind.value, mandatory=c.mandatory,
                             chapter=c.chapter, section=c.section, pages=c.pages, ocr_confidence=c.ocr_confidence)
                 for c in doc.clauses],
    )


class DatabaseHealth(BaseModel):
    ok: bool
    detail: str = ""
    revision: str | None = None
    expected: str | None = None
    backend: str | None = None


class IndexHealth(BaseModel):
    ok: bool
    detail: str = ""
    behind: int = Field(default=0, description="library documents the published index lacks or has stale")
    fallback: bool = Field(default=False, description="the newest version is damaged; an older one is served")
    version: str | None = None
    documents: int | None = None
    clauses: int | None = None
    embedder: str | None = None


class Health(BaseModel):
    """What /healthz and the start-up checks report; details are Chinese, for operators."""

    database: DatabaseHealth
    index: IndexHealth

    @property
    def ok(self) -> bool:
        """Both usable (a lagging index still serves what it has)."""
        return self.database.ok and self.index.ok

    @property
    def degraded(self) -> bool:
        return not self.ok or self.index.behind > 0 or self.index.fallback
