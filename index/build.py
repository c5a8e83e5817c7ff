"""Bring the index in line with the knowledge library: ``sync_index``.

Only documents whose indexed content changed are embedded again (and only the
clause texts the embedding cache has not seen). Changed documents go into a
new small segment scored against the base segment's statistics; when such
deltas grow past a share of the collection, everything is compacted into one
new base. Every outcome is published atomically (see store.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from corpus.library import Library
from corpus.models import Document
from index.analyzer import DEFAULT_ANALYZER, Analyzer, get_analyzer
from index.dense import DenseIndex
from index.embedders import DEFAULT_EMBEDDER, Embedder, EmbeddingCache, embed_passages_cached, make_embedder
from index.errors import IndexUnavailable
from index.lexical import LexicalIndex
from index.manifest import RECIPE_VERSION, DocEntry, Manifest, SegmentEntry, doc_fingerprint
from index.records import doc_records, index_rows
from index.store import IndexStore, Segment, new_id


@dataclass(frozen=True)
class CompactionPolicy:
    """When deltas are merged into a new base segment."""

    min_delta_rows: int = 1000  # never compact for fewer rows outside the base
    delta_fraction: float = 0.10  # ... unless they exceed this share of the collection
    max_segments: int = 8
    dead_fraction: float = 0.20  # rows of replaced/removed documents still on disk


class SyncReport(BaseModel):
    """What a sync did; printed by ``zhijian ingest`` and ``zhijian index rebuild``."""

    version_id: str | None = None
    changed: bool = False
    added: list[str] = Field(default_factory=list)
    replaced: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    metadata_updated: list[str] = Field(default_factory=list)
    unchanged: int = 0
    documents: int = 0
    clauses: int = 0
    clauses_indexed: int = Field(0, description="rows written in new segments")
    clauses_embedded: int = Field(0, description="texts sent to the embedder (cache misses)")
    compacted: bool = False
    segments: int = 0
    dense: str = ""
    embedder: str = ""
    timings: dict[str, float] = Field(default_factory=dict)

    def summary(self) -> str:
        """One Chinese line for the terminal."""
        if not self.changed:
            return f"索引无变化（{self.documents} 份文档，{self.clauses} 条）"
        parts = [f"{label} {len(v)} 份" for label, v in (("新增", self.added), ("更新", self.replaced), ("移除", self.removed), ("状态变更", self.metadata_updated)) if v]
        how = "整体重建" if self.compacted else "增量更新"
        took = self.timings.get("total", 0.0)
        return (
            f"索引已{how}：{'，'.join(parts) or '无文档变化'}；新向量化 {self.clauses_embedded} 条，"
            f"共 {self.documents} 份文档 {self.clauses} 条，用时 {took:.1f} 秒"
        )

    def __str__(self) -> str:
        return self.summary()


class _LibraryView:
    """The library's documents, parsed only where the file changed since the last sync.

    Reading every document of a 50k-clause library costs seconds; a file whose
    name, size and mtime match the manifest is taken as unchanged without parsing.
    """

    def __init__(self, library: Library, old_docs: dict[str, DocEntry]) -> None:
        self.library = library
        self.docs: dict[str, Document] = {}
        self.fps: dict[str, str] = {}
        self.sources: dict[str, str] = {}
        self.skipped: dict[str, DocEntry] = {}
        docs_dir = getattr(library, "docs_dir", None)
        known = {e.source.split("|")[0]: e for e in old_docs.values() if e.source}
        if docs_dir is None or not Path(docs_dir).is_dir():
            for d in library.documents():
                self._add(d, "")
            return
        for f in sorted(Path(docs_dir).glob("*.json")):
            try:
                st = f.stat()
            except FileNotFoundError:
                continue
            source = f"{f.name}|{st.st_size}|{st.st_mtime_ns}"
            entry = known.get(f.name)
            if entry is not None and entry.source == source:
                self.skipped[entry.code] = entry
                self.fps[entry.code] = entry.fingerprint
                self.sources[entry.code] = source
                continue
            self._add(Document.model_validate_json(f.read_text("utf-8")), source)

    def _add(self, doc: Document, source: str) -> None:
        self.docs[doc.code] = doc
        self.fps[doc.code] = doc_fingerprint(doc)
        self.sources[doc.code] = source

    @property
    def codes(self) -> list[str]:
        return sorted(self.fps)

    def get(self, code: str) -> Document:
        if code not in self.docs:
            doc = self.library.get(code)
            if doc is None:
                raise KeyError(code)
            self.docs[code] = doc
        return self.docs[code]

    def clause_count(self, code: str) -> int:
        return self.skipped[code].clauses if code in self.skipped else len(self.docs[code].clauses)

    def row_count(self, code: str) -> int:
        """Index rows of a document: its clauses and their table rows."""
        return self.skipped[code].index_rows if code in self.skipped else index_rows(self.docs[code])


def _meta_differs(entry: DocEntry, doc: Document) -> bool:
    return (entry.title, entry.kind, entry.status, entry.superseded_by, entry.sha256, entry.repeals, entry.edition) != (
        doc.title,
        str(doc.kind),
        str(doc.status),
        doc.superseded_by,
        doc.sha256,
        doc.repeals,
        doc.edition,
    )


def _doc_entry(doc: Document, fp: str, segment: str, source: str = "") -> DocEntry:
    return DocEntry(
        code=doc.code,
        title=doc.title,
        kind=str(doc.kind),
        status=str(doc.status),
        superseded_by=doc.superseded_by,
        sha256=doc.sha256,
        fingerprint=fp,
        segment=segment,
        clauses=len(doc.clauses),
        rows=index_rows(doc),
        source=source,
        repeals=list(doc.repeals),
        edition=doc.edition,
    )


class _Builder:
    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        analyzer: Analyzer,
        ann_threshold: int,
        ann: str,
        progress: bool,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.analyzer = analyzer
        self.ann_threshold = ann_threshold
        self.ann = ann
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.embedded = 0
        self._cache: EmbeddingCache | None = None
        self._segments: dict[str, Segment] = {}
        self._rows: dict[str, dict[tuple[str, str], list[int]]] = {}
        self._vectors: dict[str, np.ndarray] = {}

    def _tick(self, stage: str, t0: float) -> float:
        t = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (t - t0)
        return t

    @property
    def cache(self) -> EmbeddingCache:
        if self._cache is None:
            self._cache = EmbeddingCache(self.store.cache_path)
        return self._cache

    def segment(self, entry: SegmentEntry) -> Segment:
        if entry.id not in self._segments:
            self._segments[entry.id] = self.store.load_segment(entry.id, entry.dense)
        return self._segments[entry.id]

    def rows_of(self, docs: list[Document], fps: dict[str, str]) -> tuple[list[dict], list[str], list[list[str]]]:
        records, passages, tokens = [], [], []
        for d in docs:
            for rec, passage, lexical in doc_records(d, fps[d.code]):
                records.append(rec)
                passages.append(passage)
                tokens.append(self.analyzer.tokens(lexical))
        return records, passages, tokens

    def embed(self, passages: list[str]) -> np.ndarray:
        vecs, n = embed_passages_cached(self.embedder, passages, self.cache, progress=self.progress)
        self.embedded += n
        return vecs

    def old_vectors(self, old: Manifest, code: str) -> np.ndarray | None:
        """Vectors of an unchanged document, read back from its segment (no embedding)."""
        entry = old.docs[code]
        seg_entry = next((s for s in old.segments if s.id == entry.segment), None)
        if seg_entry is None:
            return None
        if seg_entry.id not in self._rows:
            seg = self.segment(seg_entry)
            rows: dict[tuple[str, str], list[int]] = {}
            for i, r in enumerate(seg.records):
                rows.setdefault((r["code"], r["fp"]), []).append(i)
            self._rows[seg_entry.id] = rows
            self._vectors[seg_entry.id] = seg.dense.vectors()
        rows_of_doc = self._rows[seg_entry.id].get((code, entry.fingerprint[:16]), [])
        if len(rows_of_doc) != entry.index_rows:
            return None
        return self._vectors[seg_entry.id][rows_of_doc]

    def write(self, records: list[dict], vectors: np.ndarray, tokens: list[list[str]], base: LexicalIndex | None, threshold: int) -> SegmentEntry:
        t0 = time.perf_counter()
        lexical = LexicalIndex.build(tokens, base=base)
        t0 = self._tick("bm25", t0)
        dense = DenseIndex.build(vectors, threshold, self.ann)
        t0 = self._tick("faiss", t0)
        sid = self.store.write_segment(records, lexical, dense)
        self._tick("write", t0)
        return SegmentEntry(id=sid, rows=len(records), dense=dense.kind, base=base is None)


def sync_index(
    library: Library,
    index_dir: Path,
    embedder_spec: str = DEFAULT_EMBEDDER,
    ann_threshold: int = 20000,
    progress: bool = True,
    *,
    embedder: Embedder | None = None,
    analyzer: str = DEFAULT_ANALYZER,
    ann: str = "hnsw",
    rebuild: bool = False,
    policy: CompactionPolicy = CompactionPolicy(),
) -> SyncReport:
    """Update the index under ``index_dir`` to match ``library``; returns what changed.

    ``rebuild`` forces a compaction into one base segment (the embedding cache
    still spares re-embedding). An index built by another embedder or analyser
    is rebuilt from scratch.
    """
    t_start = time.perf_counter()
    store = IndexStore(index_dir)
    with store.writing():
        emb = embedder or make_embedder(embedder_spec)
        an = get_analyzer(analyzer)
        b = _Builder(store, emb, an, ann_threshold, ann, progress)
        t0 = time.perf_counter()
        try:
            old = store.read_manifest()
        except IndexUnavailable:
            old = None
        compatible = (
            old is not None
            and old.embedder == emb.model_id
            and old.dim == emb.dim
            and old.analyzer == an.name
            and old.recipe == RECIPE_VERSION
        )
        old_docs = old.docs if (old is not None and compatible) else {}
        old_segments = old.segments if (old is not None and compatible) else []

        view = _LibraryView(library, old_docs)
        fps = view.fps
        added = sorted(c for c in fps if c not in old_docs)
        replaced = sorted(c for c in fps if c in old_docs and old_docs[c].fingerprint != fps[c])
        removed = sorted(c for c in old_docs if c not in fps)
        unchanged = [c for c in view.codes if c in old_docs and old_docs[c].fingerprint == fps[c]]
        meta = sorted(c for c in unchanged if c not in view.skipped and _meta_differs(old_docs[c], view.get(c)))
        # A file touched without any change still gets its new stat recorded.
        touched = [c for c in unchanged if c not in view.skipped and c not in meta and old_docs[c].source != view.sources[c]]
        changed_codes = added + replaced
        report = SyncReport(
            added=added,
            replaced=replaced,
            removed=removed,
            metadata_updated=meta,
            unchanged=len(unchanged),
            documents=len(fps),
            clauses=sum(view.clause_count(c) for c in fps),
            embedder=emb.model_id,
        )
        if not (changed_codes or removed or meta or touched or rebuild or old is None or not compatible):
            report.version_id = old.version_id if old else None
            report.segments = len(old.segments) if old else 0
            report.dense = old.segments[0].dense if old and old.segments else ""
            report.timings = {"plan": time.perf_counter() - t_start}
            return report

        total_live = sum(view.row_count(c) for c in fps)
        base_entry = old_segments[0] if old_segments and old_segments[0].base else None
        kept_ids = {old_docs[c].segment for c in unchanged}
        kept_segments = [s for s in old_segments if s.id in kept_ids]
        pending = sum(view.row_count(c) for c in changed_codes)
        outside_base = pending + sum(old_docs[c].index_rows for c in unchanged if base_entry is None or old_docs[c].segment != base_entry.id)
        live_in_kept = sum(old_docs[c].index_rows for c in unchanged)
        rows_on_disk = sum(s.rows for s in kept_segments) + pending
        base_wrong_kind = base_entry is not None and (
            (base_entry.dense == "flat") != (sum(s.rows for s in kept_segments) + pending <= ann_threshold)
        )
        compact = (
            rebuild
            or base_entry is None
            or base_entry.id not in kept_ids
            or outside_base > max(policy.min_delta_rows, policy.delta_fraction * total_live)
            or len(kept_segments) + (1 if pending else 0) > policy.max_segments
            or rows_on_disk - live_in_kept - pending > policy.dead_fraction * max(rows_on_disk, 1)
            or (base_wrong_kind and outside_base > policy.min_delta_rows)
        )
        t0 = b._tick("plan", t0)

        new_docs: dict[str, DocEntry] = {}
        if compact:
            order = view.codes  # stable row order: by code, clauses in printed order
            records, passages, tokens = b.rows_of([view.get(c) for c in order], fps)
            t0 = b._tick("analyse", t0)
            parts: list[np.ndarray] = []
            pos = 0
            for c in order:
                n = view.row_count(c)
                vec = b.old_vectors(old, c) if (old is not None and c in unchanged) else None
                parts.append(vec if vec is not None else b.embed(passages[pos : pos + n]))
                pos += n
            vectors = np.concatenate(parts) if parts else np.zeros((0, emb.dim), np.float32)
            t0 = b._tick("embed", t0)
            segments = [b.write(records, vectors, tokens, None, ann_threshold)] if records else []
            seg_id = segments[0].id if segments else ""
            new_docs = {c: _doc_entry(view.get(c), fps[c], seg_id, view.sources[c]) for c in order}
            report.clauses_indexed = len(records)
        else:
            assert base_entry is not None and old is not None
            segments = list(kept_segments)
            new_docs = {c: old_docs[c].model_copy() for c in unchanged}
            for c in meta + touched:
                new_docs[c] = _doc_entry(view.get(c), fps[c], old_docs[c].segment, view.sources[c])
            if changed_codes:
                records, passages, tokens = b.rows_of([view.get(c) for c in changed_codes], fps)
                t0 = b._tick("analyse", t0)
                vectors = b.embed(passages) if passages else np.zeros((0, emb.dim), np.float32)
                t0 = b._tick("embed", t0)
                base_lex = b.segment(base_entry).lexical
                t0 = b._tick("load base", t0)
                seg = b.write(records, vectors, tokens, base_lex, len(records) + 1)
                segments.append(seg)
                for c in changed_codes:
                    new_docs[c] = _doc_entry(view.get(c), fps[c], seg.id, view.sources[c])
                report.clauses_indexed = len(records)

        t0 = time.perf_counter()
        manifest = Manifest(
            version_id=new_id("v"),
            embedder=emb.model_id,
            embedder_spec=embedder_spec if embedder is None else getattr(embedder, "spec", embedder_spec),
            dim=emb.dim,
            analyzer=an.name,
            ann_threshold=ann_threshold,
            segments=[s for s in segments if any(d.segment == s.id for d in new_docs.values())],
            docs=dict(sorted(new_docs.items())),
        )
        store.publish(manifest)
        store.collect_garbage()
        b._tick("publish", t0)
        if b._cache is not None:
            b._cache.close()
        report.version_id = manifest.version_id
        report.changed = True
        report.compacted = compact
        report.segments = len(manifest.segments)
        report.dense = manifest.segments[0].dense if manifest.segments else ""
        report.clauses_embedded = b.embedded
        report.timings = {k: round(v, 4) for k, v in b.timings.items()} | {"total": round(time.perf_counter() - t_start, 4)}
        return report
