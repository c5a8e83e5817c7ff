"""What the assistant needs from an answering service (the real ``Answerer``, or a test double)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from assistant.answering.models import Answer
from index.models import Hit, SearchFilters


@runtime_checkable
class AnswerSource(Protocol):
    def answer(self, question: str, *, context: str | None = None) -> Answer:
        """A grounded answer citing clauses, or a refusal that says what to do next."""
        ...

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None
               ) -> list[Hit]:
        ...

    def lookup(self, text: str) -> Answer | None:
        """The clause ``text`` names by number ('GB55032 3.3.5'), quoted; None when it names none."""
        ...
