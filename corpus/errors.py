"""Errors raised by ingestion; ``message`` is the Chinese text a user sees."""

from __future__ import annotations


class IngestError(Exception):
    """A file that cannot be ingested. ``reason`` is a short Chinese explanation."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path

    @property
    def message(self) -> str:
        return f"{self.path}：{self.reason}" if self.path else self.reason
