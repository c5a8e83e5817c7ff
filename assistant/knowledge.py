"""The knowledge base as channels use it: search, clause lookup, the document list, index status.

One ``Knowledge`` per installation holds the searcher (the index and the
embedding model, loaded on first use) and the answerer over that same
searcher, so search and answers share one index in memory. A newly published
index version is picked up at most once a second; listeners (e.g. a channel's
response cache) are told when that happens.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date

from assistant.answering.protocol import AnswerSource
from assistant.config import Settings
from assistant.lookup import lookup_notice
from assistant.store.errors import NotFound
from assistant.views import (
    ClauseView,
    DocumentInfo,
    DocumentList,
    DocumentView,
    IndexHealth,
    SearchFilters,
    SearchPage,
    clause_view,
    document_view,
)
from corpus.editions import switch_due
from corpus.library import Library
from corpus.models import DocStatus
from index import Searcher
from index.lag import IndexLag, index_lag
from index.query import parse_query, resolve_code

log = logging.getLogger(__name__)

# How often a request may look for a newly published index version.
REFRESH_INTERVAL_S = 1.0
# How often a request may look whether a revision or a new edition took effect since the library was brought up to
# date (a small file read; the day changes at most once a day).
SWITCH_CHECK_S = 60.0


def station_today(settings: Settings) -> date:
    """Today at the station: the settings' time zone applied to the application clock (``assistant.core``)."""
    from assistant import core  # at call time: core imports this module, and tests fix its clock
    from assistant.store.rules import StoreRules

    return StoreRules.from_settings(settings).today(core.default_clock())


def _station_today(settings: Settings) -> Callable[[], date]:
    return lambda: station_today(settings)


class Knowledge:
    def __init__(self, settings: Settings, *, answerer: AnswerSource | None = None,
                 searcher: Searcher | None = None, today: Callable[[], date] | None = None) -> None:
        self.settings = settings
        # The station's today (from the rules' time zone and the injected clock): which wording is in force.
        self.today = today or _station_today(settings)
        self._answerer = answerer
        self._searcher = searcher
        self._lock = threading.RLock()
        self._checked = 0.0
        self._listeners: list[Callable[[], None]] = []
        self._due_listeners: list[Callable[[date], None]] = []
        self._due_checked = 0.0
        self.library = Library(settings.library_dir)

    # -- lifecycle -------------------------------------------------------------------------------------
    def _live(self) -> Searcher:
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:  # IndexUnavailable while there is no index; retried next time
                    # An answerer given with an index of its own: search that same index, so a search and
                    # an answer never disagree about what the library holds.
                    own = getattr(self._answerer, "searcher", None) if self._answerer is not None else None
                    self._searcher = own if isinstance(own, Searcher) else Searcher(self.settings.index_dir,
                                                                                     self.settings.embedder)
        return self._searcher

    def searcher(self) -> Searcher:
        """The live searcher, after a cheap check (at most once a second) for a newer index version."""
        searcher = self._live()
        now = time.monotonic()
        if now - self._checked >= REFRESH_INTERVAL_S:
            self._checked = now
            try:
                if searcher.refresh():
                    self._notify()
            except Exception:  # keep serving the loaded version; the next check retries
                log.exception("could not load the new index version")
        self._check_switch(now)
        return searcher

    def on_switch_due(self, listener: Callable[[date], None]) -> None:
        """Call ``listener(day)`` when a revision or edition switch has come and the library does not hold it yet."""
        self._due_listeners.append(listener)

    def _check_switch(self, now: float) -> None:
        if not self._due_listeners or now - self._due_checked < SWITCH_CHECK_S:
            return
        self._due_checked = now
        due = switch_due(self.settings.library_dir, self.today())
        if due is not None:
            for listener in self._due_listeners:
                listener(due)

    @property
    def answerer(self) -> AnswerSource:
        """The answerer, over the same searcher as search (one index and one model in memory)."""
        if self._answerer is None:
            searcher = self._live()
            with self._lock:
                if self._answerer is None:
                    from assistant.answering.service import Answerer

                    self._answerer = Answerer(self.settings, searcher=searcher)
        return self._answerer

    def warm_up(self) -> None:
        """Load the index and the model now, so the first question is not slow (IndexUnavailable if none)."""
        self.searcher()
        self.answerer  # noqa: B018 - built for its side effect

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever a new index version is loaded."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in self._listeners:
            listener()

    def index_changed(self) -> None:
        """A job published a new index: load it now and tell the listeners."""
        self._checked = 0.0
        if self._searcher is not None:
            try:
                self._searcher.refresh()
            except Exception:
                log.exception("could not load the new index version")
        self._notify()

    # -- reads -----------------------------------------------------------------------------------------
    def version_id(self) -> str:
        return self.searcher().version_id

    def search(self, query: str, *, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None
               ) -> SearchPage:
        """Hits for ``query``; a clause or standard it names that the library lacks is said first (``notice``).

        Then only clauses matching the query's other words follow, under the notice's own heading
        (none when the query was nothing but the reference): never the nearest clause of another number.
        """
        searcher = self.searcher()
        # question=query: the clause the query names is looked up without the filters too (no embedding).
        result = searcher.query(query, k=k, mode=mode, filters=filters, question=query, profile=0)
        titles = {code: doc.title for code, doc in searcher.manifest.docs.items()}
        notice, rest = lookup_notice(query, result, titles, filters)
        hits = result.hits
        if notice is not None:
            hits = searcher.query(rest, k=k, mode=mode, filters=filters).hits if rest else []
        return SearchPage(query=query, mode=mode, index_version=result.version_id, hits=hits, notice=notice)

    def resolve_code(self, text: str) -> str | None:
        """What a user typed as a standard ('GB55032', '55032-2022') -> the indexed code, or None."""
        if len(text) > 64:
            return None
        return resolve_code(text, list(self.searcher().manifest.docs))

    def clause(self, code: str, clause_no: str, at: date | None = None) -> ClauseView:
        """One clause by standard and number as printed, worded as in force on ``at`` (default today), with the
        wordings it superseded; ``NotFound`` (Chinese) when either is missing."""
        number = clause_no.strip().removeprefix("第").removesuffix("条").strip()
        if len(code) > 64 or len(number) > 32 or not number:
            raise NotFound("没有找到该条文，请核对标准编号和条号", code="clause_not_found")
        resolved = self.resolve_code(code)
        doc = self.library.get(resolved) if resolved else None
        if doc is None:
            raise NotFound(f"知识库中没有标准“{code}”", code="document_not_found")
        view = clause_view(doc, number, at or self.today())
        if view is None:
            raise NotFound(f"{doc.code}《{doc.title}》中没有第{number}条", code="clause_not_found")
        return view

    def documents(self) -> DocumentList:
        """The searchable documents (standards first), from the published index version."""
        manifest = self.searcher().manifest
        docs = sorted(manifest.docs.values(), key=lambda d: (d.kind != "standard", d.code))
        return DocumentList(
            index_version=manifest.version_id,
            documents=[DocumentInfo(code=d.code, title=d.title, kind=d.kind, status=d.status,
                                    superseded_by=d.superseded_by, edition=d.edition, clauses=d.clauses) for d in docs],
        )

    def lag(self) -> IndexLag:
        """Library documents the published index lacks (a crash between writing the two)."""
        return index_lag(self.settings.library_dir, self.settings.index_dir, self.today())

    def status(self) -> IndexHealth:
        """What /healthz reports about the index (``IndexUnavailable`` when there is none)."""
        searcher = self.searcher()
        m = searcher.manifest
        lag = self.lag()
        detail = "；".join(x for x in (searcher.fallback_note, lag.describe()) if x)
        return IndexHealth(ok=True, version=m.version_id, documents=len(m.docs), clauses=m.live_rows,
                           embedder=m.embedder, behind=lag.count, fallback=bool(searcher.fallback_note), detail=detail)

    # -- the library (no index needed) ------------------------------------------------------------------
    def _codes(self) -> tuple[list[str], dict[str, str], list[str]]:
        docs = self.library.documents()
        current = [d.code for d in docs if d.status is DocStatus.current]
        return [d.code for d in docs], {d.code: d.title for d in docs}, current

    def library_code(self, text: str) -> str | None:
        """A standard of the library named as users type it, or None."""
        codes, _, current = self._codes()
        return resolve_code(text, codes, current)

    def parse_reference(self, ref: list[str]) -> tuple[str | None, str | None]:
        """('GB55032', '3.3.5'), ('55032-2022 第3.3.5条',), ('ZJ-CASE-2025', 'AL-001') -> (code, clause_no).

        The same reading of a reference as search uses (index.query), over the library's documents.
        """
        codes, titles, current = self._codes()
        if len(ref) >= 2:
            code = resolve_code(ref[0], codes, current)
            if code is not None:
                rest = " ".join(ref[1:]).strip()
                entry = parse_query(rest, []).clause_no or rest.removeprefix("第").removesuffix("条").strip()
                return code, entry or None
        text = " ".join(ref)
        code = resolve_code(text, codes, current)
        if code is not None and parse_query(text, codes, titles, current).clause_no is None:
            return code, None
        parsed = parse_query(text, codes, titles, current)
        return parsed.code, parsed.clause_no

    def library_clause(self, code: str, clause_no: str, at: date | None = None) -> ClauseView | None:
        """A clause of the library as in force on ``at`` (default: the station's today)."""
        doc = self.library.get(code)
        return clause_view(doc, clause_no, at or self.today()) if doc else None

    def library_document(self, code: str) -> DocumentView | None:
        doc = self.library.get(code)
        return document_view(doc) if doc else None
