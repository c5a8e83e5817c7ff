"""Errors of the index; ``str(exc)`` is the Chinese message a user sees."""

from __future__ import annotations


class IndexUnavailable(RuntimeError):
    """No usable index: missing, unreadable, or of an older format."""


class ModelMismatch(IndexUnavailable):
    """The index was built by another embedding model (or dimension) than the one asked for."""
