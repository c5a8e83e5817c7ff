"""The evaluation installation: the sample corpus plus the real standards, ingested and indexed once.

Re-running is cheap: unchanged files are skipped by hash and the index only
re-embeds what changed (embedding cache).
"""

from __future__ import annotations

from pathlib import Path

from corpus.ingest import Outcome, ingest_paths
from corpus.library import Library
from evals.corpora import CORPORA

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO / "evals" / "results" / "tmp" / "eval-install"

# The real standards the evaluation sets ask about (hydraulic files beyond these are not in the sets).
REAL_SOURCES = [
    "GB55032-2022",
    "GB55001-2021",
    "GB50009-2012",
    "hydraulic-SL/SL677-2014_水工混凝土施工规范_clean_text.md",
    "hydraulic-SL/SL757-2017_水工混凝土施工组织设计规范_clean_text.md",
    "hydraulic-SL/SL319-2018混凝土重力坝设计规范_clean_text.md",
]


def build(data_dir: Path = DEFAULT_DIR, include_real: bool = True, progress: bool = True) -> Path:
    """Ingest and index into ``data_dir``; returns it. Raises if the real corpora are asked for and absent."""
    from index import sync_index

    paths = [REPO / "corpus" / "sample"]
    if include_real:
        if not CORPORA.is_dir():
            raise FileNotFoundError(f"real corpora not found at {CORPORA}")
        paths += [CORPORA / p for p in REAL_SOURCES]
    lib = Library(data_dir / "library")
    failed = [r for r in ingest_paths(paths, lib) if r.outcome is Outcome.failed]
    if failed:
        raise RuntimeError("; ".join(r.error for r in failed))
    sync_index(lib, data_dir / "index", progress=progress)
    return data_dir
