"""What an answer is, for every channel: the text a user reads and the clauses behind it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.views import cite
from index.models import TableRowRef


class Citation(BaseModel):
    """One cited clause, in the JSON shape DESIGN.md fixes (plus a few display fields)."""

    code: str
    title: str
    clause_no: str
    text: str
    score: float
    kind: str = Field(description="body | commentary | case | faq | tolerance")
    status: str = Field(description="现行 | 废止 | 即将实施")
    mandatory: bool = False
    superseded_by: str | None = None
    edition: str = Field(default="", description="edition label of the standard in force ('2018年版')")
    revision: str = Field(default="", description="revision notice whose wording ``text`` is")
    repealed_by: str | None = Field(default=None, description="code of the standard that abolished this clause")
    repealed_by_title: str = ""
    repealed_items: str = Field(default="", description="the abolished items (款) when not the whole clause")
    clause_title: str = ""
    role: str = Field(default="primary", description="primary | related | case")
    table_row: TableRowRef | None = Field(default=None, description="the row of the clause's table that answers")

    def reference(self) -> str:
        """《title》CODE 第X条 — the form inspectors write in a rectification notice."""
        return cite(self.title, self.code, self.clause_no, self.kind, self.edition, bool(self.revision))


class Answer(BaseModel):
    answer: str
    grounded: bool
    citations: list[Citation] = Field(default_factory=list)
    mode: str = Field(default="extractive", description="extractive | llm")
    query_id: int | None = Field(default=None, description="query-log id, for 👍/👎 feedback")
    confidence: float = Field(default=0.0, description="calibrated probability that the knowledge base answers it")
    refusal_reason: str | None = None
