"""The on-disk layout of an index directory and its atomic publication.

    <index_dir>/CURRENT                 id of the live version (replaced with os.replace)
    <index_dir>/versions/<vid>.json     manifests, immutable once written
    <index_dir>/segments/<sid>/         immutable segments (records, bm25s, faiss)
    <index_dir>/cache/embeddings.sqlite embedding cache keyed by model and text
    <index_dir>/.lock                   serialises writers

A build writes its segments under temporary names, renames each when complete,
writes the new manifest, and only then points CURRENT at it. A build killed at
any moment leaves CURRENT naming the previous, complete version; the leftovers
are removed by the next build.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from index.dense import DenseIndex
from index.errors import IndexUnavailable
from index.lexical import LexicalIndex
from index.manifest import FORMAT_VERSION, Manifest


def new_id(prefix: str) -> str:
    return f"{prefix}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: str) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{path.name}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class Segment:
    """An immutable batch of rows: records, a BM25 index and a FAISS index."""

    def __init__(self, sid: str, records: list[dict], lexical: LexicalIndex, dense: DenseIndex) -> None:
        self.id = sid
        self.records = records
        self.lexical = lexical
        self.dense = dense

    @property
    def rows(self) -> int:
        return len(self.records)


class IndexStore:
    """Reads and writes one index directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.versions_dir = self.root / "versions"
        self.segments_dir = self.root / "segments"
        self.cache_path = self.root / "cache" / "embeddings.sqlite"

    # -- reading ---------------------------------------------------------
    def current_id(self) -> str | None:
        try:
            vid = (self.root / "CURRENT").read_text("utf-8").strip()
        except FileNotFoundError:
            return None
        return vid or None

    def read_manifest(self, vid: str | None = None) -> Manifest | None:
        vid = vid or self.current_id()
        if vid is None:
            return None
        path = self.versions_dir / f"{vid}.json"
        try:
            m = Manifest.model_validate_json(path.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise IndexUnavailable(f"索引版本 {vid} 缺失，请运行 zhijian index rebuild 重建索引") from exc
        if m.format_version != FORMAT_VERSION:
            raise IndexUnavailable(
                f"索引格式版本为 {m.format_version}，当前程序需要 {FORMAT_VERSION}，请运行 zhijian index rebuild 重建索引"
            )
        return m

    def older_manifests(self, than: str) -> list[Manifest]:
        """Readable manifests other than ``than``, newest first (the versions a damaged one can fall back to)."""
        out = []
        for path in sorted(self.versions_dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
            if path.stem == than:
                continue
            try:
                m = Manifest.model_validate_json(path.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            if m.format_version == FORMAT_VERSION:
                out.append(m)
        return out

    def load_segment(self, sid: str, kind: str) -> Segment:
        d = self.segments_dir / sid
        with open(d / "records.jsonl", encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        lexical = LexicalIndex.load(d / "lexical")
        dense = DenseIndex.load(d / "dense.faiss", kind)
        return Segment(sid, records, lexical, dense)

    # -- writing ---------------------------------------------------------
    @contextmanager
    def writing(self, timeout: float = 3600) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / ".lock"), timeout=timeout):
            yield

    def write_segment(self, records: list[dict], lexical: LexicalIndex, dense: DenseIndex) -> str:
        """Write a segment aside and rename it into place once complete."""
        sid = new_id("s")
        self.segments_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.segments_dir / f".tmp-{sid}"
        tmp.mkdir()
        with open(tmp / "records.jsonl", "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        lexical.save(tmp / "lexical")
        dense.save(tmp / "dense.faiss")
        for p in [tmp / "records.jsonl", tmp / "dense.faiss", *(tmp / "lexical").iterdir()]:
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
        os.rename(tmp, self.segments_dir / sid)
        _fsync_dir(self.segments_dir)
        return sid

    def publish(self, manifest: Manifest) -> None:
        """Write the manifest, then switch CURRENT to it in one atomic rename."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.versions_dir / f"{manifest.version_id}.json", manifest.model_dump_json(indent=1))
        _write_atomic(self.root / "CURRENT", manifest.version_id + "\n")

    def collect_garbage(self, keep_versions: int = 2) -> int:
        """Drop old manifests, unreferenced segments and leftovers of killed builds; returns bytes freed."""
        freed = 0
        for tmp in list(self.segments_dir.glob(".tmp-*")) + list(self.root.glob("**/.tmp-*")):
            freed += _size(tmp)
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
        current = self.current_id()
        versions = sorted(self.versions_dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        keep: list[Path] = [p for p in versions if p.stem == current]
        keep += [p for p in versions if p.stem != current][: max(keep_versions - 1, 0)]
        referenced: set[str] = set()
        for p in versions:
            if p in keep:
                try:
                    referenced.update(s.id for s in Manifest.model_validate_json(p.read_text("utf-8")).segments)
                except ValueError:
                    continue
            else:
                freed += _size(p)
                p.unlink(missing_ok=True)
        if self.segments_dir.is_dir():
            for d in self.segments_dir.iterdir():
                if d.is_dir() and not d.name.startswith(".") and d.name not in referenced:
                    freed += _size(d)
                    shutil.rmtree(d, ignore_errors=True)
        return freed


def _size(p: Path) -> int:
    if p.is_file():
        return p.stat().st_size
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else 0
