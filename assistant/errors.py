"""Every error a channel may need to tell apart, in one place.

Channels (API, bots) map these to their own form (problem+json, a chat line)
without importing the store, the corpus or the index themselves.
"""

from __future__ import annotations

from assistant.store.errors import (
    AmbiguousMatch,
    Conflict,
    DatabaseUnavailable,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SchemaNotReady,
    StorageUnavailable,
    StoreBusy,
    StoreError,
)
from assistant.store.tokens import Unauthenticated
from corpus.errors import IngestError
from index.embedders import EmbedderError
from index.errors import IndexUnavailable, ModelMismatch

__all__ = [
    "AmbiguousMatch",
    "Conflict",
    "DatabaseUnavailable",
    "EmbedderError",
    "IndexUnavailable",
    "IngestError",
    "InvalidInput",
    "ModelMismatch",
    "NotFound",
    "PermissionDenied",
    "SchemaNotReady",
    "StorageUnavailable",
    "StoreBusy",
    "StoreError",
    "Unauthenticated",
]
