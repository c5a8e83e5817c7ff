"""What a Searcher loads for one published index version: segments, per-row arrays, the analyser.

Row filters (document, clause kind, mandatory, status) become numpy masks over
these arrays, so a search never walks the records to decide what it may return.
The masks are cached on the version they were computed for: a search that
started on one version never receives a mask of the next.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from corpus.models import ClauseKind, DocStatus
from index.analyzer import Analyzer, get_analyzer
from index.manifest import Manifest
from index.models import SearchFilters
from index.query import matching_codes
from index.repeals import RepealNote, repeals_in_force
from index.sitelang import SiteLexicon
from index.store import IndexStore, Segment
from index.termbank import as_lexicon_entries, mine_terms

KINDS = [k.value for k in ClauseKind]


def explained_clause(rec: dict) -> str:
    """The clause a record speaks for: a commentary (条文说明) row speaks for the clause it explains."""
    if rec["kind"] == ClauseKind.commentary.value and rec["refers_to"]:
        return rec["refers_to"]
    return rec["clause_no"]


@dataclass
class IndexState:
    """Everything loaded for one index version."""

    manifest: Manifest
    segments: list[Segment]
    offsets: np.ndarray  # global row id of each segment's first row
    live: np.ndarray  # bool per row
    doc_idx: np.ndarray  # int32 per row, -1 for dead rows
    kind_idx: np.ndarray  # int8 per row (index into KINDS)
    mandatory: np.ndarray  # bool per row
    codes: list[str]
    lookup: dict[tuple[str, str, str], int]  # (code, clause_no, kind) -> live row
    titles: dict[str, str]
    current: list[str]
    doc_kinds: list[str]  # per doc index (standard | guide | case | faq)
    repealed: dict[tuple[str, str], RepealNote]  # (code, clause_no) -> abolished by an indexed code
    abolished: np.ndarray  # bool per row: its clause is abolished as a whole
    analyzer: Analyzer  # the one this version was built with, for query tokens
    _masks: OrderedDict[tuple, np.ndarray] = field(default_factory=OrderedDict, repr=False, compare=False)
    _mask_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _site: dict[int, _Merged] = field(default_factory=dict, repr=False, compare=False)
    _site_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def version_id(self) -> str:
        return self.manifest.version_id

    def mask(self, f: SearchFilters, ignore_status: bool = False) -> np.ndarray:
        """Rows ``f`` lets through (live rows only); ``ignore_status`` also lets withdrawn documents through."""
        key = (*f.key(), ignore_status)
        with self._mask_lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        docs = [self.manifest.docs[c] for c in self.codes]
        doc_ok = np.ones(len(docs) + 1, dtype=bool)  # last slot: dead rows (-1)
        doc_ok[-1] = False
        if not f.include_withdrawn and not ignore_status:
            doc_ok[:-1] &= np.array([d.status != DocStatus.withdrawn.value for d in docs], dtype=bool)
        if f.doc_kinds:
            doc_ok[:-1] &= np.array([d.kind in f.doc_kinds for d in docs], dtype=bool)
        if f.codes:
            wanted = {c for text in f.codes for c in matching_codes(text, self.codes)}
            doc_ok[:-1] &= np.array([d.code in wanted for d in docs], dtype=bool)
        mask = self.live & doc_ok[self.doc_idx]
        if f.kinds:
            mask &= np.isin(self.kind_idx, [KINDS.index(k) for k in f.kinds if k in KINDS])
        if f.mandatory_only:
            mask &= self.mandatory
        with self._mask_lock:
            self._masks[key] = mask
            if len(self._masks) > 32:
                self._masks.popitem(last=False)
        return mask

    def site_lexicon(self, base: SiteLexicon, mine: bool = True) -> SiteLexicon:
        """``base`` plus the aliases this version's 术语 chapters define (mined once per version and base)."""
        if not base or not mine:
            return base
        with self._site_lock:
            got = self._site.get(id(base))
            if got is None or got.base is not base:
                live = (r for seg, off in zip(self.segments, self.offsets, strict=True)
                        for i, r in enumerate(seg.records) if self.live[off + i])
                got = self._site[id(base)] = _Merged(base, base.merged(as_lexicon_entries(mine_terms(live))))
            return got.lexicon

    def doc_freqs(self, terms: list[str]) -> np.ndarray:
        """How many indexed clauses contain each analyser term."""
        df = np.zeros(len(terms), dtype=np.float64)
        for seg in self.segments:
            df = np.maximum(df, seg.lexical.doc_freqs(terms))  # a delta segment's counts include its base
        return df

    def repeal_of(self, rec: dict) -> RepealNote | None:
        return self.repealed.get((rec["code"], explained_clause(rec)))

    def locate(self, row: int) -> tuple[Segment, int]:
        s = int(np.searchsorted(self.offsets, row, side="right") - 1)
        return self.segments[s], row - int(self.offsets[s])

    def record(self, row: int) -> dict:
        seg, i = self.locate(row)
        return seg.records[i]


@dataclass(frozen=True)
class _Merged:
    base: SiteLexicon  # held so that its id() is not reused while the entry lives
    lexicon: SiteLexicon


def load_state(store: IndexStore, manifest: Manifest) -> IndexState:
    segments = [store.load_segment(s.id, s.dense) for s in manifest.segments]
    codes = sorted(manifest.docs)
    code_idx = {c: i for i, c in enumerate(codes)}
    n = sum(s.rows for s in segments)
    live = np.zeros(n, dtype=bool)
    doc_idx = np.full(n, -1, dtype=np.int32)
    kind_idx = np.zeros(n, dtype=np.int8)
    mandatory = np.zeros(n, dtype=bool)
    abolished = np.zeros(n, dtype=bool)
    repealed = repeals_in_force(manifest)
    lookup: dict[tuple[str, str, str], int] = {}
    kind_of = {k: i for i, k in enumerate(KINDS)}
    offsets = np.zeros(len(segments), dtype=np.int64)
    pos = 0
    for si, seg in enumerate(segments):
        offsets[si] = pos
        for i, r in enumerate(seg.records):
            g = pos + i
            entry = manifest.docs.get(r["code"])
            if entry is None or entry.segment != seg.id or entry.fingerprint[:16] != r["fp"]:
                continue
            live[g] = True
            doc_idx[g] = code_idx[r["code"]]
            kind_idx[g] = kind_of.get(r["kind"], 0)
            note = repealed.get((r["code"], explained_clause(r)))
            abolished[g] = note is not None and note.whole
            # An abolished clause is no longer a 强制性条文.
            mandatory[g] = bool(r["mandatory"]) and not abolished[g]
            lookup.setdefault((r["code"], r["clause_no"], r["kind"]), g)
        pos += seg.rows
    titles = {c: d.title for c, d in manifest.docs.items()}
    current = [c for c, d in manifest.docs.items() if d.status == DocStatus.current.value]
    doc_kinds = [manifest.docs[c].kind for c in codes]
    return IndexState(
        manifest, segments, offsets, live, doc_idx, kind_idx, mandatory, codes, lookup, titles, current, doc_kinds,
        repealed, abolished, get_analyzer(manifest.analyzer),
    )
