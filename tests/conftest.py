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
