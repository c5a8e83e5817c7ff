"""Per-page OCR results on disk, so an interrupted ingest resumes where it stopped.

One small JSON file per page under ``<cache dir>/<sha256 of the file>/<engine key>/``; written
with os.replace right after the page is read, so a crash or Ctrl-C loses at most the page in
flight. The key names the engine, its version, the pipeline version and the resolution: a page
read by another engine or pipeline is read again, never mixed in.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from corpus.ocr.engine import PageResult

log = logging.getLogger(__name__)


class PageCache:
    def __init__(self, root: Path, sha256: str, key: str) -> None:
        self.dir = Path(root) / sha256[:2] / sha256 / key

    def _path(self, page: int) -> Path:
        return self.dir / f"p{page:05d}.json"

    def get(self, page: int) -> PageResult | None:
        p = self._path(page)
        if not p.is_file():
            return None
        try:
            return PageResult.from_json(json.loads(p.read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:  # a damaged entry is read again
            log.warning("OCR cache entry %s unreadable (%s); reading the page again", p, exc)
            return None

    def put(self, page: int, result: PageResult) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(result.to_json(), f, ensure_ascii=False)
            os.replace(tmp, self._path(page))
        except OSError as exc:  # a read-only or full disk costs speed on the next run, not this ingest
            log.warning("cannot write OCR cache %s: %s", self.dir, exc)
