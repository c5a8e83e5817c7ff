"""What an answer is, for every channel: the text a user reads and the clauses behind it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field, model_validator

from corpus.citation import cite
from index.models import TableRowRef

Certainty = Literal["clear", "likely", "none"]
"""How sure an answer is: ``clear`` one clause answers it; ``likely`` the nearest clauses, for the
reader to check; ``none`` no basis (a refusal with the next step)."""
CERTAINTIES: tuple[str, ...] = ("clear", "likely", "none")


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
    section: str = Field(default="", description="the section (节) heading the clause sits under, when known")
    role: str = Field(default="primary", description="primary | related | candidate | case")
    table_row: TableRowRef | None = Field(default=None, description="the row of the clause's table that answers")

    @computed_field(description="《title》CODE 第X条, as written in a rectification notice")  # type: ignore[prop-decorator]
    @property
    def citation(self) -> str:
        return self.reference()

    def reference(self) -> str:
        """《title》CODE 第X条 — the form inspectors write in a rectification notice."""
        return cite(self.title, self.code, self.clause_no, self.kind, self.edition, bool(self.revision))


class Answer(BaseModel):
    answer: str
    grounded: bool
    certainty: Certainty = Field(
        description="clear: one clause answers it | likely: the nearest clauses, to be checked | none: no basis")
    citations: list[Citation] = Field(default_factory=list)
    mode: str = Field(default="extractive", description="extractive | llm")
    query_id: int | None = Field(default=None, description="query-log id, for 👍/👎 feedback")
    confidence: float = Field(default=0.0, description="calibrated probability that the knowledge base answers it")
    top_probability: float = Field(default=0.0, description="calibrated probability that the first citation is the "
                                   "clause that answers it (the tier model; 1 for a clause named by number)")
    refusal_reason: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_certainty(cls, data: Any) -> Any:
        """An answer built without a tier (a clause quoted by number, a test double) is clear when grounded."""
        if isinstance(data, dict) and data.get("certainty") is None:
            data = {**data, "certainty": "clear" if data.get("grounded") else "none"}
        return data

    @model_validator(mode="after")
    def _tier_matches_grounding(self) -> Answer:
        if self.grounded == (self.certainty == "none"):
            raise ValueError(f"certainty {self.certainty!r} contradicts grounded={self.grounded}")
        return self
