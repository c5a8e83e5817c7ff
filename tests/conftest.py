"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPORA = REPO.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The real standards beside the checkout; a user's machine does not have them."""
    if not SHARED_CORPORA.is_dir():
        pytest.skip(f"real corpora not present at {SHARED_CORPORA} (only CI and developers have ../shared)")
    return SHARED_CORPORA


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
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
    sync_index(lib, d / "index", progress=False)
    return d


@pytest.fixture
def sample_env(sample_installation: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ZHIJIAN_DATA_DIR pointed at the shared sample installation (do not write to it)."""
    from assistant.config import get_settings

    monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(sample_installation))
    get_settings.cache_clear()
    yield sample_installation
    get_settings.cache_clear()
