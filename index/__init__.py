"""Clauses -> a persisted hybrid index (embedders, BM25, FAISS, fusion, manifest).

Entry points: ``sync_index`` (called by ``zhijian ingest`` after the library
changes) and ``Searcher`` (held by the assistant and the API): ``search`` for hits,
``query`` for a ``SearchResult`` that also carries what answering needs, from one version.
"""

from index.build import CompactionPolicy, SyncReport, sync_index
from index.errors import IndexUnavailable, ModelMismatch
from index.models import Hit, SearchFilters
from index.result import QuestionFacts, SearchResult
from index.search import Searcher

__all__ = [
    "CompactionPolicy",
    "Hit",
    "IndexUnavailable",
    "ModelMismatch",
    "QuestionFacts",
    "SearchFilters",
    "SearchResult",
    "Searcher",
    "SyncReport",
    "sync_index",
]
