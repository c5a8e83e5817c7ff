"""The Answerer: question -> grounded Answer (or a plain refusal), over one Searcher.

One question makes one ``Searcher.query`` call: the hits, the case entries, the clause the
question names and the refusal model's statistics all come back in one ``SearchResult``,
read from one index version.
"""

from __future__ import annotations

import logging
import threading

from assistant.answering.certainty import Tiers, candidates, load_tiers
from assistant.answering.compose import compose, compose_likely, refusal
from assistant.answering.grounding import PROFILE, Grounding, load_grounding, question_terms
from assistant.answering.llm import ChatClient, LLMError, build_messages, check_citations
from assistant.answering.models import Answer, Certainty, Citation
from assistant.config import Settings
from assistant.lookup import clause_missing_message, standard_missing_message
from index import Hit, Searcher, SearchFilters, SearchResult
from index.query import clause_mention, names_a_standard

log = logging.getLogger(__name__)

_RELATED = 3
_CASES = 2
_CANDIDATES = 3  # clauses a likely answer puts side by side


def citation(hit: Hit, role: str = "primary") -> Citation:
    return Citation(
        code=hit.code,
        title=hit.title,
        clause_no=hit.clause_no,
        text=hit.text,
        score=hit.score,
        kind=hit.kind,
        status=hit.status,
        mandatory=hit.mandatory,
        superseded_by=hit.superseded_by,
        edition=hit.edition,
        revision=hit.revision,
        repealed_by=hit.repealed_by,
        repealed_by_title=hit.repealed_by_title,
        repealed_items=hit.repealed_items,
        clause_title=hit.clause_title,
        section=hit.section,
        role=role,
        table_row=hit.table_row,
    )


class Answerer:
    """Retrieve, decide whether there is a basis, then quote (or let an LLM write from) the clauses."""

    def __init__(self, settings: Settings, searcher: Searcher | None = None,
                 grounding: Grounding | None = None, tiers: Tiers | None = None) -> None:
        self.settings = settings
        self._searcher = searcher
        self._lock = threading.Lock()
        self.grounding = grounding or load_grounding()
        self.tiers = tiers or load_tiers()
        s = self.settings
        self.llm = ChatClient(s.llm_base_url, s.llm_model, s.llm_api_key, s.llm_timeout) if s.llm_base_url else None

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:
                    self._searcher = Searcher(self.settings.index_dir, self.settings.embedder)
                    if (warning := self.grounding.mismatch(self._searcher.manifest.embedder)) is not None:
                        log.warning(warning)
        return self._searcher

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None) -> list[Hit]:
        return self.searcher.search(query, k=k, mode=mode, filters=filters)

    def lookup(self, text: str) -> Answer | None:
        """'GB55032 3.3.5' -> that clause quoted; None when the text names no indexed clause."""
        return self._quote(self.searcher.query(text, k=1).pinned)

    @staticmethod
    def _quote(pinned: Hit | None) -> Answer | None:
        """The clause named by number, quoted; None when there is none."""
        if pinned is None:
            return None
        c = citation(pinned)
        return Answer(answer=compose([c], [], []), grounded=True, certainty="clear", citations=[c], confidence=1.0,
                      top_probability=1.0)

    def retrieve(self, question: str, *, context: str | None = None, k: int = 8) -> SearchResult:
        """The one search behind an answer: hits for question + context, case entries, and the question's facts."""
        query = question if not context else f"{question} {context}"
        return self.searcher.query(query, k=k, cases=_CASES, question=question,
                                   terms=lambda wording: question_terms(question, wording), profile=PROFILE)

    def answer(self, question: str, *, context: str | None = None) -> Answer:
        """``context`` is the previous question of the conversation, for follow-ups the caller resolved."""
        question = question.strip()
        if not question:
            return self._refuse(question, "问题为空")
        result = self.retrieve(question, context=context)
        facts = result.facts
        assert facts is not None  # asked for with question=
        hits = result.hits
        # A follow-up's context must not turn the question into a clause lookup, nor hide one:
        # then the clause the question alone names counts (same call, same index version).
        pinned = self._quote(result.pinned if not context else facts.pinned)
        if pinned is not None:
            return pinned
        missing = self.missing_reference(question, result)
        if missing is not None:
            return self._refuse(question, missing, detail=missing)
        stats = self.grounding.question_stats(facts)
        decision = self.grounding.decide(question, hits, stats)
        if not decision.grounded:
            return self._refuse(question, decision.reason, decision.confidence)
        certainty: Certainty = "clear"
        top_p = 1.0
        if "clause_no" not in hits[0].matched_by:
            certainty, top_p = self.tiers.certainty(hits, decision.confidence)
        near = candidates(hits, _CANDIDATES) if certainty == "likely" else []
        if len(near) < 2:  # nothing to put side by side: the one clause, stated as it is
            certainty = "clear"
        top = hits[0] if certainty == "clear" else near[0]
        cases: list[Citation] = []
        if top.kind != "case":
            cases = [citation(h, "case") for h in result.cases if self.grounding.case_ok(question, h, stats)]
        if certainty == "likely":
            shown = [citation(h, "candidate") for h in near]
            cites, text = shown + cases, compose_likely(shown, cases)
        else:
            primary = [citation(hits[0])]
            rest = [h for h in hits[1:] if h.kind in ("body", "commentary") and self.grounding.related_ok(hits[0], h)]
            related = [citation(h, "related") for h in rest[:_RELATED]]
            cites, text = primary + related + cases, compose(primary, related, cases)
        mode = "extractive"
        if self.llm is not None:
            written = self._llm_answer(question, cites, certainty)
            if written is not None:
                text, mode = written, "llm"
        return Answer(answer=text, grounded=True, certainty=certainty, citations=cites, mode=mode,
                      confidence=decision.confidence, top_probability=top_p)

    def _llm_answer(self, question: str, cites: list[Citation], certainty: Certainty = "clear") -> str | None:
        assert self.llm is not None
        try:
            reply = self.llm.complete(build_messages(question, cites, certainty))
        except LLMError as exc:
            log.warning("LLM unavailable, extractive answer used: %s", exc)
            return None
        ok, why = check_citations(reply, cites, certainty)
        if not ok:
            log.warning("LLM reply rejected, extractive answer used: %s", why)
            return None
        return reply

    def missing_reference(self, question: str, result: SearchResult | None = None) -> str | None:
        """'SL677第15.2.3条' when SL 677 has no 15.2.3, or a clause of a standard the library does not hold.

        Quoting the nearest clause instead would cite something the user did not ask for. ``result``:
        the question's own search (asked with ``question=``); without it one search is made.
        """
        code_text, clause_no = clause_mention(question)
        if not clause_no:
            return None
        facts = result.facts if result is not None else None
        if facts is None or facts.text.strip() != question.strip():
            facts = self.searcher.query(question, k=1, question=question, profile=0).facts
            assert facts is not None
        if facts.reference_exists:
            return None
        pq = facts.parsed
        if pq.code and pq.clause_no:
            return clause_missing_message(facts.code_title, pq.code, clause_no)
        if pq.code is None and code_text and names_a_standard(code_text, self.searcher.manifest.docs):
            return standard_missing_message(code_text, clause_no)
        return None

    def _refuse(self, question: str, reason: str, confidence: float = 0.0, detail: str = "") -> Answer:
        s = self.settings
        return Answer(
            answer=refusal(question, s.station_name, s.station_phone, s.station_address, detail),
            grounded=False,
            citations=[],
            confidence=confidence,
            refusal_reason=reason,
        )
