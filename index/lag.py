"""Is the published index behind the library? A cheap check, by file name, size and mtime only.

The library is written first and the index after it, so a crash in between
(kill -9 while embedding, a full disk) leaves documents that cannot be found.
``zhijian ingest``, ``zhijian index status``, the server's start and its health
check all ask this, so such a gap is repaired or reported, never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from corpus.editions import switch_due
from corpus.models import Document
from index.errors import IndexUnavailable
from index.store import IndexStore


@dataclass
class IndexLag:
    missing: list[str] = field(default_factory=list)  # in the library, not in the index
    changed: list[str] = field(default_factory=list)  # in both, the library file differs from the indexed one
    removed: list[str] = field(default_factory=list)  # in the index, gone from the library
    # a day on which a revision or a new edition took effect, not yet written into the library and the index
    due: date | None = None

    @property
    def behind(self) -> bool:
        return bool(self.missing or self.changed or self.removed or self.due)

    @property
    def count(self) -> int:
        return len(self.missing) + len(self.changed) + len(self.removed) + (1 if self.due else 0)

    def describe(self) -> str:
        """One Chinese line for operators, or '' when the index is current."""
        parts = []
        if self.missing:
            parts.append(f"{len(self.missing)} 部尚未进入索引（{'、'.join(self.missing[:3])}{'…' if len(self.missing) > 3 else ''}）")
        if self.changed:
            parts.append(f"{len(self.changed)} 部已更新但索引仍是旧版")
        if self.removed:
            parts.append(f"{len(self.removed)} 部已删除但仍在索引中")
        if self.due:
            parts.append(f"有局部修订或新版本已于 {self.due} 起实施，检索仍按此前的条文")
        return ("条文库与检索索引不一致：" + "，".join(parts)) if parts else ""


def index_lag(library_dir: Path, index_dir: Path, today: date | None = None) -> IndexLag:
    """What the index lacks compared with the library under ``library_dir`` (no embedding, no parsing of
    unchanged files). With no index at all, every library document is missing. Given the station's ``today``,
    also whether a revision or edition switch fell due since the library was last brought up to date."""
    docs_dir = Path(library_dir) / "docs"
    try:
        manifest = IndexStore(index_dir).read_manifest()
    except IndexUnavailable:
        manifest = None
    indexed = manifest.docs if manifest is not None else {}
    by_file = {e.source.split("|")[0]: e for e in indexed.values() if e.source}
    lag = IndexLag()
    seen: set[str] = set()
    files = sorted(docs_dir.glob("*.json")) if docs_dir.is_dir() else []
    for f in files:
        try:
            st = f.stat()
        except FileNotFoundError:
            continue
        entry = by_file.get(f.name)
        if entry is not None:
            seen.add(entry.code)
            if entry.source != f"{f.name}|{st.st_size}|{st.st_mtime_ns}":
                lag.changed.append(entry.code)
            continue
        code = _code_of(f)
        if code is None:
            continue
        if code in indexed:  # indexed before the source stamps existed
            seen.add(code)
            continue
        lag.missing.append(code)
    lag.removed = sorted(c for c in indexed if c not in seen)
    if today is not None:
        lag.due = switch_due(library_dir, today)
    return lag


def _code_of(path: Path) -> str | None:
    try:
        return Document.model_validate_json(path.read_text("utf-8")).code
    except (OSError, ValueError, ValidationError):
        return None
