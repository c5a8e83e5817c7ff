"""The knowledge library: parsed Documents persisted one JSON file each.

The library is the source of truth for clause text; the index is derived from
it and can always be rebuilt. Each write replaces one file with os.replace, so
a reader never sees half a document and a crash loses at most the write in
flight.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock
from pydantic import BaseModel

from corpus.models import DocKind, DocStatus, Document, Revision, code_key


class DocSummary(BaseModel):
    code: str
    title: str
    edition: str = ""
    kind: DocKind
    status: DocStatus
    effective_date: str | None
    superseded_by: str | None
    replaces: list[str] = []
    revisions: list[str] = []
    illustrative: bool
    source_path: str
    sha256: str
    clauses: int
    commentary: int
    mandatory: int


class Library:
    """Documents of one installation, under ``<data_dir>/library``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.docs_dir = self.root / "docs"

    # -- locking ---------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Serialise writers (two ingests at once must not interleave)."""
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / ".lock"), timeout=600):
            yield

    # -- reads -----------------------------------------------------------
    def _path(self, code: str) -> Path:
        return self.docs_dir / f"{code_key(code)}.json"

    def documents(self) -> list[Document]:
        if not self.docs_dir.is_dir():
            return []
        docs = [Document.model_validate_json(p.read_text("utf-8")) for p in sorted(self.docs_dir.glob("*.json"))]
        return sorted(docs, key=lambda d: (d.kind != DocKind.standard, d.code))

    def get(self, code: str) -> Document | None:
        p = self._path(code)
        if not p.exists():
            return None
        return Document.model_validate_json(p.read_text("utf-8"))

    def summaries(self) -> list[DocSummary]:
        return [summarize(d) for d in self.documents()]

    def find_by_sha(self, sha256: str) -> Document | None:
        return next((d for d in self.documents() if d.sha256 == sha256), None)

    def find_revision_by_sha(self, sha256: str) -> tuple[Document, Revision] | None:
        """The standard and the revision notice ingested from a file with this hash."""
        for d in self.documents():
            for r in d.revisions:
                if r.sha256 == sha256:
                    return d, r
        return None

    def find_by_source(self, source_path: str) -> list[Document]:
        return [d for d in self.documents() if d.source_path == source_path]

    # -- writes ----------------------------------------------------------
    def put(self, doc: Document) -> None:
        """Write or atomically replace one document."""
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        data = doc.model_dump_json(indent=None)
        fd, tmp = tempfile.mkstemp(dir=self.docs_dir, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._path(doc.code))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def remove(self, code: str) -> bool:
        p = self._path(code)
        if p.exists():
            p.unlink()
            return True
        return False

    def set_status(self, code: str, status: DocStatus, superseded_by: str | None = None) -> Document:
        doc = self.get(code)
        if doc is None:
            raise KeyError(code)
        doc.status = status
        if superseded_by is not None:
            doc.superseded_by = superseded_by
        self.put(doc)
        return doc


def summarize(d: Document) -> DocSummary:
    return DocSummary(
        code=d.code,
        title=d.title,
        kind=d.kind,
        status=d.status,
        effective_date=d.effective_date.isoformat() if d.effective_date else None,
        superseded_by=d.superseded_by,
        edition=d.edition,
        replaces=list(d.replaces),
        revisions=[f"{r.notice}（{r.effective_date} 起实施）" for r in d.revisions],
        illustrative=d.illustrative,
        source_path=d.source_path,
        sha256=d.sha256,
        clauses=len(d.body()),
        commentary=len(d.commentary()),
        mandatory=sum(1 for c in d.clauses if c.mandatory),
    )
