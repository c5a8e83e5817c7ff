"""What a Searcher loads for one published index version: segments and per-row arrays.

Row filters (document, clause kind, mandatory, status) become numpy masks over
these arrays, so a search never walks the records to decide what it may return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corpus.models import ClauseKind, DocStatus
from index.manifest import Manifest
from index.repeals import RepealNote, repeals_in_force
from index.store import IndexStore, Segment

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

    def repeal_of(self, rec: dict) -> RepealNote | None:
        return self.repealed.get((rec["code"], explained_clause(rec)))

    def locate(self, row: int) -> tuple[Segment, int]:
        s = int(np.searchsorted(self.offsets, row, side="right") - 1)
        return self.segments[s], row - int(self.offsets[s])

    def record(self, row: int) -> dict:
        seg, i = self.locate(row)
        return seg.records[i]


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
        repealed, abolished,
    )
