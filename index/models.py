"""The data a search takes and returns: filters in, hits out (pydantic, so they serialise as JSON)."""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field

from corpus.citation import cite


class SearchFilters(BaseModel):
    """Row filters; by default everything except withdrawn (废止) documents."""

    kinds: list[str] | None = Field(default=None, description="clause kinds: body, commentary, case, faq")
    doc_kinds: list[str] | None = Field(default=None, description="document kinds: standard, guide, case, faq")
    codes: list[str] | None = Field(default=None, description="standards, as users type them ('GB55032')")
    include_withdrawn: bool = False
    mandatory_only: bool = False

    def key(self) -> tuple:
        return (
            tuple(sorted(self.kinds or ())),
            tuple(sorted(self.doc_kinds or ())),
            tuple(sorted(self.codes or ())),
            self.include_withdrawn,
            self.mandatory_only,
        )


class TableRowRef(BaseModel):
    """One row of a clause's table, as matched: quoted with its caption instead of the whole table."""

    caption: str
    number: str = ""
    columns: list[str] = Field(default_factory=list, description="header label of each column")
    cells: list[str] = Field(default_factory=list)


class Hit(BaseModel):
    """One retrieved clause, citable as '<code> 第<clause_no>条'."""

    code: str
    title: str = Field(description="title of the standard")
    clause_no: str
    text: str
    score: float
    kind: str
    status: str
    chapter: str = ""
    section: str = ""
    clause_title: str = ""
    mandatory: bool = False
    superseded_by: str | None = None
    edition: str = Field(default="", description="edition label of the standard in force ('2018年版')")
    revision: str = Field(default="", description="the revision notice whose wording ``text`` is ('' = as published)")
    repealed_by: str | None = Field(default=None, description="code of the standard that abolished this clause (废止)")
    repealed_by_title: str = ""
    repealed_items: str = Field(default="", description="the abolished items (款) when not the whole clause")
    pages: list[int] = Field(default_factory=list)
    refers_to: str | None = None
    commentary: str | None = Field(default=None, description="条文说明 of this clause, when it matched too")
    table_row: TableRowRef | None = Field(default=None, description="the row of the clause's table that matched best")
    matched_by: list[str] = Field(default_factory=list, description="lexical, dense, commentary, clause_no")
    lexical_score: float | None = Field(default=None, description="BM25 score, when among the lexical candidates")
    dense_score: float | None = Field(default=None, description="cosine similarity, when among the dense candidates")

    @computed_field(description="《title》CODE 第X条, as written in a rectification notice")  # type: ignore[prop-decorator]
    @property
    def citation(self) -> str:
        return cite(self.title, self.code, self.clause_no, self.kind, self.edition, bool(self.revision))
