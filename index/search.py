"""Query a published index: ``Searcher`` (load once, query many times).

A search runs BM25 and vector search over every segment under the same row
filter, fuses the two candidate lists, puts a clause named in the query
first, and folds a commentary (条文说明) hit into the hit of the clause it
explains, so one clause never takes two places.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from corpus.models import ClauseKind, DocStatus
from index.analyzer import expand_shorthand, get_analyzer
from index.embedders import DEFAULT_EMBEDDER, Embedder, make_embedder
from index.errors import IndexUnavailable, ModelMismatch
from index.fusion import DEFAULT_FUSION, FusionParams, apply_prior, fuse
from index.manifest import Manifest
from index.models import Hit, SearchFilters
from index.query import ParsedQuery, matching_codes, parse_query, resolve_code
from index.state import KINDS, IndexState, explained_clause, load_state
from index.store import IndexStore

MODES = ("hybrid", "lexical", "dense")
_FOLDABLE = (ClauseKind.body.value, ClauseKind.commentary.value)


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
    ) -> None:
        self.store = IndexStore(index_dir)
        self.embedder_spec = embedder_spec
        self.fusion = fusion
        self.candidates = candidates
        self.reload_interval = reload_interval
        self._embedder = embedder
        self._lock = threading.RLock()
        self._embed_lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._masks: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._checked = 0.0
        self._state = self._load_current()
        self._analyzer = get_analyzer(self._state.manifest.analyzer)

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
        """Load the live version; retried if a writer publishes and collects it meanwhile."""
        for attempt in range(3):
            manifest = self.store.read_manifest()
            if manifest is None:
                raise IndexUnavailable(f"{self.store.root} 下还没有索引，请先运行 zhijian ingest 导入规范")
            self._check_model(manifest)
            try:
                return load_state(self.store, manifest)
            except (FileNotFoundError, IndexUnavailable):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def refresh(self) -> bool:
        """Load the newest published version if it changed; returns True when reloaded."""
        vid = self.store.current_id()
        if vid is None or vid == self._state.manifest.version_id:
            return False
        state = self._load_current()
        with self._lock:
            self._state = state
            self._masks.clear()
            self._analyzer = get_analyzer(state.manifest.analyzer)
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

    # -- filters ---------------------------------------------------------
    def _mask(self, st: IndexState, f: SearchFilters, ignore_status: bool = False) -> np.ndarray:
        key = (*f.key(), ignore_status)
        with self._lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        docs = [st.manifest.docs[c] for c in st.codes]
        doc_ok = np.ones(len(docs) + 1, dtype=bool)  # last slot: dead rows (-1)
        doc_ok[-1] = False
        if not f.include_withdrawn and not ignore_status:
            doc_ok[:-1] &= np.array([d.status != DocStatus.withdrawn.value for d in docs], dtype=bool)
        if f.doc_kinds:
            doc_ok[:-1] &= np.array([d.kind in f.doc_kinds for d in docs], dtype=bool)
        if f.codes:
            wanted = {c for text in f.codes for c in matching_codes(text, st.codes)}
            doc_ok[:-1] &= np.array([d.code in wanted for d in docs], dtype=bool)
        mask = st.live & doc_ok[st.doc_idx]
        if f.kinds:
            mask &= np.isin(st.kind_idx, [KINDS.index(k) for k in f.kinds if k in KINDS])
        if f.mandatory_only:
            mask &= st.mandatory
        with self._lock:
            self._masks[key] = mask
            if len(self._masks) > 32:
                self._masks.popitem(last=False)
        return mask

    # -- retrieval -------------------------------------------------------
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

    def _lexical(self, st: IndexState, tokens: list[str], mask: np.ndarray, n: int) -> list[tuple[int, float]]:
        if not tokens:
            return []
        ids, scores = [], []
        for seg, off in zip(st.segments, st.offsets, strict=True):
            m = mask[off : off + seg.rows]
            if not m.any():
                continue
            sc = seg.lexical.scores(tokens) * m
            top = min(n, int(np.count_nonzero(sc)))
            if top == 0:
                continue
            idx = np.argpartition(-sc, top - 1)[:top]
            ids.append(idx + off)
            scores.append(sc[idx])
        return _top(ids, scores, n)

    def _dense(self, st: IndexState, q: np.ndarray, mask: np.ndarray, n: int) -> list[tuple[int, float]]:
        ids, scores = [], []
        for seg, off in zip(st.segments, st.offsets, strict=True):
            m = mask[off : off + seg.rows]
            if not m.any():
                continue
            sc, idx = seg.dense.search(q, n, None if m.all() else m)
            ids.append(idx + off)
            scores.append(sc)
        return _top(ids, scores, n)

    def doc_freqs(self, terms: list[str]) -> tuple[np.ndarray, int]:
        """How many indexed clauses contain each analyser term, and how many clauses there are.

        Tells the answering layer whether a question's words exist in the knowledge base at all.
        """
        self._maybe_refresh()
        st = self._state
        df = np.zeros(len(terms), dtype=np.float64)
        for seg in st.segments:
            df = np.maximum(df, seg.lexical.doc_freqs(terms))  # a delta segment's counts include its base
        return df, int(st.live.sum())

    def dense_profile(self, query: str, n: int = 10) -> np.ndarray:
        """Cosines of the ``n`` clauses nearest to ``query`` in meaning, best first (current documents).

        How close a question sits to the knowledge base as a whole, and whether one clause stands
        out, tell an answerable question from one the library only brushes against.
        """
        self._maybe_refresh()
        st = self._state
        text = query.strip()
        if not text:
            return np.zeros(0, dtype=np.float32)
        hits = self._dense(st, self._embed_query(text), self._mask(st, SearchFilters()), n)
        return np.array([score for _, score in hits], dtype=np.float32)

    def reference(self, query: str) -> tuple[ParsedQuery, bool]:
        """The standard and clause number ``query`` names, resolved against the index, and whether that clause exists.

        Lets the answering layer tell "no such clause" from "no basis" instead of quoting a neighbour.
        """
        self._maybe_refresh()
        st = self._state
        pq = parse_query(query, st.codes, st.titles, st.current)
        exists = bool(pq.code and pq.clause_no and self._pinned(st, pq, SearchFilters()) is not None)
        return pq, exists

    def title_of(self, code: str) -> str:
        return self._state.titles.get(code, "")

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None) -> list[Hit]:
        """The ``k`` best clauses for ``query``; ``mode`` is hybrid, lexical or dense."""
        if mode not in MODES:
            raise ValueError(f"未知的检索方式：{mode}（可选：{'、'.join(MODES)}）")
        self._maybe_refresh()
        st = self._state
        f = filters or SearchFilters()
        mask = self._mask(st, f)
        pq = parse_query(query, st.codes, st.titles, st.current)
        pinned = self._pinned(st, pq, f)
        text = pq.rest if pq.code else query.strip()
        if not text and pinned is None:
            text = query.strip()
        n = max(self.candidates, 5 * k)

        lex: list[tuple[int, float]] = []
        dense: list[tuple[int, float]] = []
        qv: np.ndarray | None = None
        if text:
            if mode in ("hybrid", "lexical"):
                lex = self._lexical(st, self._analyzer.query_tokens(expand_shorthand(text)), mask, n)
            if mode in ("hybrid", "dense"):
                qv = self._embed_query(text)
                dense = self._dense(st, qv, mask, n)
        elif pinned is not None:
            # A bare clause lookup: follow the clause with the ones most like it.
            rec = st.record(pinned)
            if mode in ("hybrid", "lexical"):
                lex = self._lexical(st, self._analyzer.tokens(rec["text"]), mask, n)
            if mode in ("hybrid", "dense"):
                seg, i = st.locate(pinned)
                dense = self._dense(st, seg.dense.vector(i), mask, n)

        if mode == "hybrid":
            kinds, kind_pen, repeal_pen = st.doc_kinds, dict(self.fusion.kind_prior), self.fusion.repeal_penalty
            ranked = apply_prior(fuse(lex, dense, self.fusion), lambda row: kind_pen.get(kinds[st.doc_idx[row]], 0.0)
                                 + (repeal_pen if st.abolished[row] else 0.0))
        else:
            ranked = lex or dense
        sources: dict[int, list[str]] = {}
        for name, lst in (("lexical", lex), ("dense", dense)):
            for row, _ in lst:
                sources.setdefault(row, []).append(name)
        # Per-side scores say how well the query matched; a bare clause lookup has none.
        raw: tuple[dict[int, float], dict[int, float]] = (dict(lex), dict(dense)) if text else ({}, {})
        if qv is not None:
            # Hits found by BM25 alone still get their cosine: it tells how close they are in meaning.
            for row, _ in ranked[: 3 * k]:
                if row not in raw[1]:
                    seg, i = st.locate(row)
                    raw[1][row] = float(np.dot(seg.dense.vector(i), qv))
        if pq.code and pinned is None:
            # The query names a standard: its clauses first, the rest after.
            named = st.codes.index(pq.code)
            ranked = [r for r in ranked if st.doc_idx[r[0]] == named] + [r for r in ranked if st.doc_idx[r[0]] != named]
        if pq.clause_no and pinned is None:
            # A clause number without a (known) standard: clauses with that number first.
            same = [r for r in ranked if st.record(r[0])["clause_no"] == pq.clause_no]
            ranked = same + [r for r in ranked if st.record(r[0])["clause_no"] != pq.clause_no]
        if pinned is not None:
            top = ranked[0][1] if ranked else 0.0
            ranked = [(pinned, max(1.0, float(top)))] + [r for r in ranked if r[0] != pinned]
            sources[pinned] = ["clause_no", *(sources.get(pinned, []) if text else [])]
        return self._hits(st, ranked, sources, raw, k, f)

    def _pinned(self, st: IndexState, pq: ParsedQuery, f: SearchFilters) -> int | None:
        """The clause the query names ('GB55032 3.3.5'), if indexed; status filters do not hide it."""
        code = pq.code
        if pq.clause_no and code is None and f.codes and len(f.codes) == 1:
            code = resolve_code(f.codes[0], st.codes)
        if not (code and pq.clause_no):
            return None
        mask = self._mask(st, f, ignore_status=True)
        for kind in (*KINDS,):
            row = st.lookup.get((code, pq.clause_no, kind))
            if row is not None and mask[row]:
                return row
        return None

    def _hits(
        self,
        st: IndexState,
        ranked: list[tuple[int, float]],
        sources: dict[int, list[str]],
        raw: tuple[dict[int, float], dict[int, float]],
        k: int,
        f: SearchFilters,
    ) -> list[Hit]:
        fold = not f.kinds or set(_FOLDABLE) <= set(f.kinds)
        out: list[Hit] = []
        groups: dict[tuple[str, str], Hit] = {}
        for row, score in ranked:
            if len(out) >= k:
                break
            rec = st.record(row)
            kind = rec["kind"]
            if not (fold and kind in _FOLDABLE):
                out.append(self._hit(st, row, score, sources.get(row, []), raw))
                continue
            clause_no = explained_clause(rec)
            gkey = (rec["code"], clause_no)
            head = groups.get(gkey)
            if head is not None:
                if kind == ClauseKind.commentary.value and head.commentary is None:
                    head.commentary = rec["text"]
                    head.matched_by = [*head.matched_by, "commentary"]
                    _raise_scores(head, row, raw)
                continue
            body_row = None
            if kind == ClauseKind.commentary.value:
                body_row = st.lookup.get((rec["code"], clause_no, ClauseKind.body.value))
            if body_row is not None:
                # The commentary matched: cite the clause it explains, with the commentary attached.
                hit = self._hit(st, body_row, score, [*sources.get(row, []), "commentary"], raw)
                hit.commentary = rec["text"]
                _raise_scores(hit, row, raw)
            else:
                hit = self._hit(st, row, score, sources.get(row, []), raw)
            groups[gkey] = hit
            out.append(hit)
        return out

    def _hit(self, st: IndexState, row: int, score: float, matched: list[str], raw: tuple[dict[int, float], dict[int, float]]) -> Hit:
        rec = st.record(row)
        doc = st.manifest.docs[rec["code"]]
        lexical, dense = raw[0].get(row), raw[1].get(row)
        repeal = st.repeal_of(rec)
        return Hit(
            code=rec["code"],
            title=doc.title,
            clause_no=rec["clause_no"],
            text=rec["text"],
            score=round(float(score), 6),
            kind=rec["kind"],
            status=doc.status,
            chapter=rec["chapter"],
            section=rec["section"],
            clause_title=rec["title"],
            mandatory=bool(st.mandatory[row]),  # False for a clause abolished as a whole
            superseded_by=doc.superseded_by,
            repealed_by=repeal.by if repeal else None,
            repealed_by_title=repeal.by_title if repeal else "",
            repealed_items=repeal.items if repeal else "",
            pages=list(rec["pages"]),
            refers_to=rec["refers_to"],
            matched_by=list(dict.fromkeys(matched)),
            lexical_score=None if lexical is None else round(lexical, 6),
            dense_score=None if dense is None else round(dense, 6),
        )


def _raise_scores(hit: Hit, row: int, raw: tuple[dict[int, float], dict[int, float]]) -> None:
    """A folded commentary lends its lexical/dense scores to its clause where they are higher."""
    lexical, dense = raw[0].get(row), raw[1].get(row)
    if lexical is not None and (hit.lexical_score is None or lexical > hit.lexical_score):
        hit.lexical_score = round(lexical, 6)
    if dense is not None and (hit.dense_score is None or dense > hit.dense_score):
        hit.dense_score = round(dense, 6)


def _top(ids: list[np.ndarray], scores: list[np.ndarray], n: int) -> list[tuple[int, float]]:
    if not ids:
        return []
    i = np.concatenate(ids)
    s = np.concatenate(scores)
    order = np.argsort(-s, kind="stable")[:n]
    return [(int(i[j]), float(s[j])) for j in order]
