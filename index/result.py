"""What one ``Searcher.query`` returns: the hits and everything read alongside them, from one index version.

The answering layer decides whether to answer, quotes a clause named by number, says "no such
clause" and adds illustrative cases from this one object, so a question never mixes two index
versions and never goes back to the searcher for more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.models import Hit
from index.query import ParsedQuery


@dataclass(frozen=True)
class QuestionFacts:
    """The question's own side, read from the same index version as the hits.

    For a follow-up the query carries the previous question as context; these facts are about the
    question alone (its clause reference, how close it sits to the library, whether its words occur).
    """

    text: str
    parsed: ParsedQuery
    pinned: Hit | None  # the clause the question names by number, when the index holds it
    code_title: str  # title of the standard the question names ('' when none)
    profile: np.ndarray  # float32 cosines of the nearest clauses over current documents, best first (empty for a lookup by number)
    terms: tuple[str, ...]  # the terms the caller asked about
    doc_freqs: np.ndarray  # per term: how many indexed clauses contain it
    live_clauses: int
    wording: str = ""  # the question in the standards' wording, as BM25 reads it (site language expanded)

    @property
    def reference_exists(self) -> bool:
        """The question names a standard and a clause number, and the index holds that clause."""
        return self.pinned is not None


@dataclass(frozen=True)
class SearchResult:
    """Hits for a query and what came with them, all from index version ``version_id``."""

    query: str
    mode: str
    version_id: str
    parsed: ParsedQuery
    hits: list[Hit]
    pinned: Hit | None = None  # hits[0] when the query names an indexed clause by number
    cases: list[Hit] = field(default_factory=list)  # best case entries (kind == case) for the same query; none for a lookup by number
    facts: QuestionFacts | None = None  # asked for with ``question=``
