"""Installations every test package uses, and the embedding cache that outlives a test run.

Embedding the bundled sample corpus takes minutes on 2 cores, so the indexes built here start from a
persistent copy of the index's own embedding cache (``<index>/cache/embeddings.sqlite``, keyed by
embedder model id and passage text): a changed sample document or another embedder misses the cache
and is embedded again. The copy lives in ``.cache/zhijian-tests/`` in the checkout (git-ignored;
``ZHIJIAN_TEST_CACHE_DIR`` moves it; delete it to start cold).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from filelock import FileLock

from evals.corpora import CORPORA

REPO = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("ZHIJIAN_TEST_CACHE_DIR") or REPO / ".cache" / "zhijian-tests")
PERSISTENT_CACHE = CACHE_DIR / "embeddings.sqlite"


def copy_sqlite(src: Path, dst: Path) -> None:
    """Copy a SQLite file with the backup API (a plain copy could miss pages still in the WAL)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + f".{os.getpid()}.tmp")
    with sqlite3.connect(src) as a, sqlite3.connect(tmp) as b:
        a.backup(b)
    a.close()
    b.close()
    os.replace(tmp, dst)


def seed_cache(index_dir: Path, cache: Path) -> None:
    """Start ``index_dir``'s embedding cache as a copy of ``cache``, so its build embeds only what is new."""
    copy_sqlite(cache, index_dir / "cache" / "embeddings.sqlite")


@contextmanager
def persistent_embeddings(index_dir: Path) -> Iterator[None]:
    """Around an index build: seed its embedding cache from the persistent one, then keep what it added."""
    from index.embedders import EmbeddingCache

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(CACHE_DIR / "embeddings.lock"))
    with lock:
        if PERSISTENT_CACHE.exists():
            seed_cache(index_dir, PERSISTENT_CACHE)
    yield
    built = index_dir / "cache" / "embeddings.sqlite"
    if not built.exists():
        return
    with lock:
        before = EmbeddingCache(PERSISTENT_CACHE) if PERSISTENT_CACHE.exists() else None
        after = EmbeddingCache(built)
        grew = before is None or after.count() > before.count()
        for c in (before, after):
            if c is not None:
                c.close()
        if grew:
            copy_sqlite(built, PERSISTENT_CACHE)


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The real standards beside the checkout; a user's machine does not have them."""
    if not CORPORA.is_dir():
        pytest.skip(f"real corpora not present at {CORPORA} (only CI and developers have ../shared)")
    return CORPORA


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An independent installation: ZHIJIAN_DATA_DIR in a temp folder, settings re-read."""
    from assistant.config import get_settings

    d = tmp_path / "data"
    monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(d))
    get_settings.cache_clear()
    yield d
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def sample_installation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the bundled sample corpus ingested and indexed (built once per session).

    Read-only by convention: a test that writes copies it first (``shutil.copytree``).
    """
    from corpus.ingest import ingest_paths
    from corpus.library import Library
    from index import sync_index

    d = tmp_path_factory.mktemp("sample-install")
    lib = Library(d / "library")
    reports = ingest_paths([REPO / "corpus" / "sample"], lib)
    assert all(r.outcome.value != "failed" for r in reports), [r.error for r in reports]
    with persistent_embeddings(d / "index"):
        sync_index(lib, d / "index", progress=False)
    return d


@pytest.fixture
def sample_env(sample_installation: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """ZHIJIAN_DATA_DIR pointed at the shared sample installation (do not write to it)."""
    from assistant.config import get_settings

    monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(sample_installation))
    get_settings.cache_clear()
    yield sample_installation
    get_settings.cache_clear()
