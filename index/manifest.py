"""The index manifest: what one published index version contains.

A version is a list of immutable segments plus a document table. A row of a
segment is live only while the document table still maps its document to that
segment with the same content fingerprint, so replacing or removing a document
needs no rewrite of old segments (they are compacted away later).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from corpus.models import Document, Repeal

FORMAT_VERSION = 1
# Bumped whenever what is indexed for a clause changes (see records.py).
RECIPE_VERSION = "r3"  # r3: table rows indexed on their own


class DocEntry(BaseModel):
    """One indexed document; doc-level fields live here so a status change costs no re-indexing."""

    code: str
    title: str
    kind: str
    status: str
    superseded_by: str | None = None
    sha256: str = ""
    fingerprint: str
    segment: str
    clauses: int
    rows: int = Field(default=0, description="index rows (clauses and table rows); 0 in older manifests: as clauses")
    source: str = Field(default="", description="library file name, size and mtime: unchanged files are not re-read")
    repeals: list[Repeal] = Field(default_factory=list, description="provisions of other standards it abolishes")
    edition: str = Field(default="", description="edition label in force when indexed ('2018年版')")


    @property
    def index_rows(self) -> int:
        return self.rows or self.clauses


class SegmentEntry(BaseModel):
    id: str
    rows: int
    dense: str = Field(description="faiss index type: flat | hnsw | ivf")
    base: bool = Field(description="built with its own corpus statistics (a full build or compaction)")


class Manifest(BaseModel):
    format_version: int = FORMAT_VERSION
    version_id: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    embedder: str = Field(description="model id of the embedder that built every vector")
    embedder_spec: str
    dim: int
    analyzer: str
    recipe: str = RECIPE_VERSION
    ann_threshold: int
    segments: list[SegmentEntry] = Field(default_factory=list)
    docs: dict[str, DocEntry] = Field(default_factory=dict)

    @property
    def live_rows(self) -> int:
        return sum(d.clauses for d in self.docs.values())

    @property
    def total_rows(self) -> int:
        return sum(s.rows for s in self.segments)

    def docs_in(self, segment_id: str) -> dict[str, DocEntry]:
        return {c: d for c, d in self.docs.items() if d.segment == segment_id}


def doc_fingerprint(doc: Document) -> str:
    """Hash of everything the index derives from a document's clauses (not its status)."""
    h = hashlib.sha256(RECIPE_VERSION.encode())
    h.update(doc.code.encode())
    h.update(doc.title.encode())
    for c in doc.clauses:
        part = c.model_dump(include={"clause_no", "text", "kind", "chapter", "section", "title", "mandatory", "pages",
                                     "refers_to"} | ({"tables"} if c.tables else set()))
        if c.revision:  # only revised clauses add it, so fingerprints of existing indexes stay as they were
            part["revision"] = c.revision
        h.update(json.dumps(part, ensure_ascii=False, sort_keys=True, default=str).encode())
    return h.hexdigest()
