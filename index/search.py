"""Query a published index: ``Searcher`` (load once, query many times).

A search runs BM25 and vector search over every segment under the same row
filter, fuses the two candidate lists, puts a clause named in the query
first, and folds a commentary (条文说明) hit into the hit of the clause it
explains, so one clause never takes two places (``index.ranking``).

``Searcher.query`` takes the live index version once and returns a
``SearchResult`` with the hits and everything answering needs besides (case
entries, the question's clause reference and refusal statistics), all read
from that version: a refresh landing mid-call cannot mix two versions.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from corpus.models import ClauseKind
from index.embedders import DEFAULT_EMBEDDER, Embedder, make_embedder
from index.errors import IndexUnavailable, ModelMismatch
from index.fusion import DEFAULT_FUSION, FusionParams
from index.manifest import Manifest
from index.models import Hit, SearchFilters
from index.query import ParsedQuery
from index.ranking import Ranker
from index.result import QuestionFacts, SearchResult
from index.sitelang import SiteLexicon, default_lexicon
from index.state import IndexState, load_state
from index.store import IndexStore

log = logging.getLogger(__name__)

MODES = ("hybrid", "lexical", "dense")


class Searcher:
    """Hybrid search over one index directory; thread-safe, reloads when a new version is published."""

    def __init__(
        self,
        index_dir: Path,
        embedder_spec: str = DEFAULT_EMBEDDER,
        *,
        embedder: Embedder | None = None,
        fusion: FusionParams = DEFAULT_FUSION,
        candidates: int = 100,
        reload_interval: float = 2.0,
        lexicon: SiteLexicon | None = None,
        mine_terms: bool = True,
    ) -> None:
        """``lexicon``: site language -> standard wording (default: the project's ``index/lexicon.yaml``;
        ``SiteLexicon.empty()`` searches the words as typed); ``mine_terms``: also the aliases the indexed
        standards' 术语 chapters define."""
        self.store = IndexStore(index_dir)
        self.embedder_spec = embedder_spec
        self.fusion = fusion
        self.candidates = candidates
        self.reload_interval = reload_interval
        self.lexicon = default_lexicon() if lexicon is None else lexicon
        self.mine_terms = mine_terms
        self._embedder = embedder
        self._lock = threading.RLock()
        self._embed_lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._checked = 0.0
        self.fallback_note = ""  # said by health and status when an older version is served
        self._bad_version: str | None = None
        self._state = self._load_current()

    # -- lifecycle -------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.embedder_spec)
        return self._embedder

    def _check_model(self, manifest: Manifest) -> None:
        emb = self.embedder
        if manifest.embedder != emb.model_id or manifest.dim != emb.dim:
            raise ModelMismatch(
                f"索引由向量模型 {manifest.embedder}（{manifest.dim} 维）构建，当前配置的是 {emb.model_id}（{emb.dim} 维）。"
                "请改回原来的模型，或运行 zhijian index rebuild 用新模型重建索引。"
            )

    @property
    def manifest(self) -> Manifest:
        return self._state.manifest

    @property
    def version_id(self) -> str:
        return self._state.manifest.version_id

    def _load_current(self) -> IndexState:
        """Load the live version; retried if a writer publishes and collects it meanwhile.

        A version whose files are damaged (a FAISS or JSON file that will not load) is not served: the newest
        older version that loads is, and ``fallback_note`` says so; with none, ``IndexUnavailable`` in Chinese
        (never a server path or the library's own error text).
        """
        for attempt in range(3):
            try:
                manifest = self.store.read_manifest()
            except IndexUnavailable:
                raise
            except (OSError, ValueError) as exc:  # the manifest itself is damaged
                return self._fallback(self.store.current_id() or "?", exc)
            if manifest is None:
                raise IndexUnavailable("还没有检索索引，请先运行 zhijian ingest 导入规范")
            self._check_model(manifest)
            try:
                state = load_state(self.store, manifest)
            except (FileNotFoundError, IndexUnavailable):
                if attempt == 2:
                    raise
                continue
            except Exception as exc:  # noqa: BLE001 - FAISS, bm25s and JSON raise whatever they raise
                return self._fallback(manifest.version_id, exc)
            self.fallback_note = ""
            return state
        raise AssertionError("unreachable")

    def _fallback(self, bad: str, exc: BaseException) -> IndexState:
        """Serve the newest older version that still loads, after the current one (``bad``) failed to."""
        log.error("index version %s cannot be loaded (%s: %s)", bad, type(exc).__name__, exc)
        self._bad_version = bad
        for manifest in self.store.older_manifests(bad):
            try:
                self._check_model(manifest)
                state = load_state(self.store, manifest)
            except Exception as older:  # noqa: BLE001 - try the next one
                log.error("older index version %s cannot be loaded either (%s)", manifest.version_id,
                          type(older).__name__)
                continue
            self.fallback_note = (f"检索索引的最新版本已损坏，正在使用上一版本（{manifest.created_at:%Y-%m-%d %H:%M}），"
                                  "最近导入的规范可能查不到；请管理员运行 zhijian index rebuild")
            return state
        raise IndexUnavailable("检索索引文件已损坏，请管理员运行 zhijian index rebuild 重建索引") from exc

    def refresh(self) -> bool:
        """Load the newest published version if it changed; returns True when reloaded."""
        vid = self.store.current_id()
        if vid is None or vid == self._state.manifest.version_id or vid == self._bad_version:
            return False  # (a version found damaged is not tried again until another one is published)
        state = self._load_current()
        with self._lock:
            self._state = state  # one reference swap: calls under way keep the state they took
        return True

    def _maybe_refresh(self) -> None:
        now = time.monotonic()
        if self.reload_interval < 0 or now - self._checked < self.reload_interval:
            return
        if not self._reload_lock.acquire(blocking=False):
            return  # another thread is loading the new version; keep serving the old one
        try:
            self._checked = now
            self.refresh()
        finally:
            self._reload_lock.release()

    # -- querying ----------------------------------------------------------
    def _embed_query(self, text: str) -> np.ndarray:
        with self._embed_lock:
            v = self._qcache.get(text)
            if v is None:
                v = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
                self._qcache[text] = v
                if len(self._qcache) > 256:
                    self._qcache.popitem(last=False)
            else:
                self._qcache.move_to_end(text)
            return v

    def _snapshot(self) -> IndexState:
        """The live version for one call, taken once: everything the call returns is read from it."""
        self._maybe_refresh()
        return self._state

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None) -> list[Hit]:
        """The ``k`` best clauses for ``query``; ``mode`` is hybrid, lexical or dense."""
        return self.query(query, k, mode, filters).hits

    def query(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
        *,
        cases: int = 0,
        question: str | None = None,
        terms: Sequence[str] | Callable[[str], Sequence[str]] = (),
        profile: int = 10,
    ) -> SearchResult:
        """The ``k`` best clauses for ``query`` and, from the same index version, what answering needs.

        ``cases``: also the best ``cases`` case entries for the query (same filters, kind == case),
        ranked from the same embedding and BM25 scores. ``question``: also the question's own facts
        (its clause reference, its ``profile`` nearest cosines, the document frequencies of
        ``terms``); for a follow-up, ``query`` carries context that ``question`` does not.
        ``terms`` may be a function of the question in the standards' wording (site language
        expanded, ``QuestionFacts.wording``) returning the terms.

        A question (or, without one, a query) naming a standard and a clause number is decided by
        that number: the clause is quoted or reported missing. Its case entries and profile are
        then not computed (left empty), which spares a clause lookup an embedding.
        """
        if mode not in MODES:
            raise ValueError(f"未知的检索方式：{mode}（可选：{'、'.join(MODES)}）")
        st = self._snapshot()  # never self._state again in this call: a refresh may swap it meanwhile
        r = Ranker(st, self._embed_query, self.fusion, self.candidates, st.site_lexicon(self.lexicon, self.mine_terms))
        f = filters or SearchFilters()
        pq = r.parse(query)
        hits = r.rank(query, pq, f, mode, k)
        pinned = hits[0] if hits and "clause_no" in hits[0].matched_by else None
        facts = None
        if question is not None:
            same = question.strip() == query.strip() and f.key() == SearchFilters().key()
            facts = _facts(r, question, pq if same else None, pinned if same else None, hits, terms, profile)
        case_hits: list[Hit] = []
        if cases > 0 and not (facts.parsed if facts else pq).is_lookup:
            case_hits = r.rank(query, pq, f.model_copy(update={"kinds": [ClauseKind.case.value]}), mode, cases)
        return SearchResult(query=query, mode=mode, version_id=st.version_id, parsed=pq, hits=hits, pinned=pinned,
                            cases=case_hits, facts=facts)


def _facts(r: Ranker, question: str, pq: ParsedQuery | None, pinned: Hit | None, hits: list[Hit],
           terms: Sequence[str] | Callable[[str], Sequence[str]], profile: int) -> QuestionFacts:
    """The question's side, from the ranker's version; ``pq``/``pinned`` are reused when the query is the question."""
    st = r.st
    text = question.strip()
    current = SearchFilters()
    if pq is None:
        pq = r.parse(question)
        row = r.pinned(pq, current)
        if row is not None:
            # Scored like a clause found by number in the query itself: at least 1, above every fused score.
            score = max(1.0, hits[0].score) if hits else 1.0
            pinned = r.hits([(row, score)], {row: ["clause_no"]}, ({}, {}), 1, current)[0]
    expanded = r.expand(text) if text else None  # the question in the standards' wording
    prof = np.zeros(0, dtype=np.float32)
    if expanded is not None and profile > 0 and not pq.is_lookup:  # decided by the clause number, not by closeness
        prof = np.array([c for _, c in r.dense(r.vector(expanded.text), st.mask(current), profile)],
                        dtype=np.float32)
    wording = expanded.lexical if expanded is not None else ""
    wanted = tuple(terms(wording) if callable(terms) else terms)
    return QuestionFacts(
        text=question,
        parsed=pq,
        pinned=pinned,
        code_title=st.titles.get(pq.code, "") if pq.code else "",
        profile=prof,
        terms=wanted,
        doc_freqs=st.doc_freqs(list(wanted)),
        live_clauses=int(st.live.sum()),
        wording=wording,
    )
