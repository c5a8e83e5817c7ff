"""Clauses -> a persisted hybrid index (embedders, BM25, FAISS, fusion, manifest).

Entry points: ``sync_index`` (called by ``zhijian ingest`` after the library
changes) and ``Searcher`` (held by the assistant and the API).
"""

from index.build import CompactionPolicy, SyncReport, sync_index
from index.errors import IndexUnavailable, ModelMismatch
from index.models import Hit, SearchFilters
from index.search import Searcher

__all__ = [
    "CompactionPolicy",
    "Hit",
    "IndexUnavailable",
    "ModelMismatch",
    "SearchFilters",
    "Searcher",
    "SyncReport",
    "sync_index",
]
