"""Ranking on one index version: candidates, fusion, a clause named by number, folded commentary.

A ``Ranker`` is made per ``Searcher.query`` call and holds the one ``IndexState``
that call captured, so every list it ranks and every hit it builds comes from
that version even when a newer one is published meanwhile. Within the call it
embeds each text once and scores each token list by BM25 once, so the hits, the
case entries and the question's profile share the same computations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from corpus.models import ClauseKind
from index.analyzer import expand_shorthand
from index.fusion import FusionParams, apply_prior, fuse
from index.models import Hit, SearchFilters, TableRowRef
from index.query import ParsedQuery, parse_query, resolve_code
from index.state import KINDS, IndexState, explained_clause

_FOLDABLE = (ClauseKind.body.value, ClauseKind.commentary.value)

Ranked = list[tuple[int, float]]
Raw = tuple[dict[int, float], dict[int, float]]


class Ranker:
    """Ranks queries against one captured index version (not shared between calls or threads)."""

    def __init__(self, st: IndexState, embed: Callable[[str], np.ndarray], fusion: FusionParams, candidates: int) -> None:
        self.st = st
        self._embed = embed
        self.fusion = fusion
        self.candidates = candidates
        self._vectors: dict[str, np.ndarray] = {}
        self._bm25: dict[tuple[str, ...], list[np.ndarray | None]] = {}

    # -- shared computations ----------------------------------------------
    def parse(self, text: str) -> ParsedQuery:
        st = self.st
        return parse_query(text, st.codes, st.titles, st.current)

    def vector(self, text: str) -> np.ndarray:
        """The query embedding of ``text``, computed once per call."""
        v = self._vectors.get(text)
        if v is None:
            v = self._vectors[text] = self._embed(text)
        return v

    def _segment_bm25(self, tokens: list[str], s: int) -> np.ndarray:
        """BM25 of every row of segment ``s``; each token list is scored once per call, whatever the filters."""
        per_seg = self._bm25.setdefault(tuple(tokens), [None] * len(self.st.segments))
        sc = per_seg[s]
        if sc is None:
            sc = per_seg[s] = self.st.segments[s].lexical.scores(tokens)
        return sc

    def lexical(self, tokens: list[str], mask: np.ndarray, n: int) -> Ranked:
        st = self.st
        if not tokens:
            return []
        ids, scores = [], []
        for s, (seg, off) in enumerate(zip(st.segments, st.offsets, strict=True)):
            m = mask[off : off + seg.rows]
            if not m.any():
                continue
            sc = self._segment_bm25(tokens, s) * m
            top = min(n, int(np.count_nonzero(sc)))
            if top == 0:
                continue
            idx = np.argpartition(-sc, top - 1)[:top]
            ids.append(idx + off)
            scores.append(sc[idx])
        return _top(ids, scores, n)

    def dense(self, q: np.ndarray, mask: np.ndarray, n: int) -> Ranked:
        st = self.st
        ids, scores = [], []
        for seg, off in zip(st.segments, st.offsets, strict=True):
            m = mask[off : off + seg.rows]
            if not m.any():
                continue
            sc, idx = seg.dense.search(q, n, None if m.all() else m)
            ids.append(idx + off)
            scores.append(sc)
        return _top(ids, scores, n)

    # -- ranking ------------------------------------------------------------
    def pinned(self, pq: ParsedQuery, f: SearchFilters) -> int | None:
        """The clause the query names ('GB55032 3.3.5'), if indexed; status filters do not hide it."""
        st = self.st
        code = pq.code
        if pq.clause_no and code is None and f.codes and len(f.codes) == 1:
            code = resolve_code(f.codes[0], st.codes)
        if not (code and pq.clause_no):
            return None
        mask = st.mask(f, ignore_status=True)
        for kind in KINDS:
            row = st.lookup.get((code, pq.clause_no, kind))
            if row is not None and mask[row]:
                return row
        return None

    def rank(self, query: str, pq: ParsedQuery, f: SearchFilters, mode: str, k: int) -> list[Hit]:
        """The ``k`` best hits for ``query`` (already parsed as ``pq``) under ``f``."""
        st = self.st
        mask = st.mask(f)
        pinned = self.pinned(pq, f)
        text = pq.rest if pq.code else query.strip()
        if not text and pinned is None:
            text = query.strip()
        n = max(self.candidates, 5 * k)

        lex: Ranked = []
        dense: Ranked = []
        qv: np.ndarray | None = None
        if text:
            if mode in ("hybrid", "lexical"):
                lex = self.lexical(st.analyzer.query_tokens(expand_shorthand(text)), mask, n)
            if mode in ("hybrid", "dense"):
                qv = self.vector(text)
                dense = self.dense(qv, mask, n)
        elif pinned is not None:
            # A bare clause lookup: follow the clause with the ones most like it.
            rec = st.record(pinned)
            if mode in ("hybrid", "lexical"):
                lex = self.lexical(st.analyzer.tokens(rec["text"]), mask, n)
            if mode in ("hybrid", "dense"):
                seg, i = st.locate(pinned)
                dense = self.dense(seg.dense.vector(i), mask, n)

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
        raw: Raw = (dict(lex), dict(dense)) if text else ({}, {})
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
        return self.hits(ranked, sources, raw, k, f)

    # -- hits ---------------------------------------------------------------
    def hits(self, ranked: Ranked, sources: dict[int, list[str]], raw: Raw, k: int, f: SearchFilters) -> list[Hit]:
        """The first ``k`` hits of ``ranked``; a commentary row folds into the hit of the clause it explains."""
        st = self.st
        fold = not f.kinds or set(_FOLDABLE) <= set(f.kinds)
        out: list[Hit] = []
        groups: dict[tuple[str, str], Hit] = {}
        for row, score in ranked:
            if len(out) >= k:
                break
            rec = st.record(row)
            kind = rec["kind"]
            if "table_row" in rec:
                # A table row speaks for its clause: cite the clause, quote the row (unless the clause came first).
                if (hit := self._row_hit(row, score, rec, groups, sources, raw)) is not None:
                    out.append(hit)
                continue
            if not (fold and kind in _FOLDABLE):
                if kind == ClauseKind.body.value:
                    if (rec["code"], rec["clause_no"]) in groups:
                        continue  # its table row came first
                    groups[(rec["code"], rec["clause_no"])] = hit = self.hit(row, score, sources.get(row, []), raw)
                    out.append(hit)
                    continue
                out.append(self.hit(row, score, sources.get(row, []), raw))
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
                hit = self.hit(body_row, score, [*sources.get(row, []), "commentary"], raw)
                hit.commentary = rec["text"]
                _raise_scores(hit, row, raw)
            else:
                hit = self.hit(row, score, sources.get(row, []), raw)
            groups[gkey] = hit
            out.append(hit)
        return out

    def _row_hit(self, row: int, score: float, rec: dict, groups: dict[tuple[str, str], Hit],
                 sources: dict[int, list[str]], raw: Raw) -> Hit | None:
        """The hit of the clause a table row belongs to, carrying that row; None when the clause is already placed."""
        gkey = (rec["code"], rec["clause_no"])
        if gkey in groups:
            return None
        clause_row = self.st.lookup.get((rec["code"], rec["clause_no"], rec["kind"]))
        hit = self.hit(clause_row if clause_row is not None else row, score, [*sources.get(row, []), "table"], raw)
        t = rec["table_row"]
        hit.table_row = TableRowRef(caption=t["caption"], number=t["number"], columns=t["columns"], cells=t["cells"])
        _raise_scores(hit, row, raw)
        groups[gkey] = hit
        return hit

    def hit(self, row: int, score: float, matched: list[str], raw: Raw) -> Hit:
        st = self.st
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
            edition=doc.edition,
            revision=rec.get("revision", ""),
            repealed_by=repeal.by if repeal else None,
            repealed_by_title=repeal.by_title if repeal else "",
            repealed_items=repeal.items if repeal else "",
            pages=list(rec["pages"]),
            refers_to=rec["refers_to"],
            matched_by=list(dict.fromkeys(matched)),
            lexical_score=None if lexical is None else round(lexical, 6),
            dense_score=None if dense is None else round(dense, 6),
        )


def _raise_scores(hit: Hit, row: int, raw: Raw) -> None:
    """A folded commentary lends its lexical/dense scores to its clause where they are higher."""
    lexical, dense = raw[0].get(row), raw[1].get(row)
    if lexical is not None and (hit.lexical_score is None or lexical > hit.lexical_score):
        hit.lexical_score = round(lexical, 6)
    if dense is not None and (hit.dense_score is None or dense > hit.dense_score):
        hit.dense_score = round(dense, 6)


def _top(ids: list[np.ndarray], scores: list[np.ndarray], n: int) -> Ranked:
    if not ids:
        return []
    i = np.concatenate(ids)
    s = np.concatenate(scores)
    order = np.argsort(-s, kind="stable")[:n]
    return [(int(i[j]), float(s[j])) for j in order]
