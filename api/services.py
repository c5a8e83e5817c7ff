"""What one running app holds: settings, the database engine, the answerer and its index, caches, jobs.

Built once per app by ``create_app`` and reached by routes through ``api.deps``.
Heavy parts (the index, the embedding model, the assistant core) load on first
use, so the app starts at once and /healthz can report what is missing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.cache import LRUCache
from api.jobs import JobManager
from api.metrics import Metrics
from api.ratelimit import RateLimits
from assistant.answering.service import Answerer
from assistant.config import Settings
from assistant.core import Assistant
from assistant.store.actors import Actor
from assistant.store.db import get_engine, session_scope
from corpus.library import Library
from index import Searcher

log = logging.getLogger("api")

# How often a request may look for a newly published index version.
REFRESH_INTERVAL_S = 1.0
# How long a verified token is trusted without asking the database again.
TOKEN_CACHE_TTL_S = 10.0


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.limits = RateLimits(settings.api_rate_limit_anonymous, settings.api_rate_limit_token,
                                 settings.api_rate_limit_auth_failures, settings.api_rate_limit_storage)
        self.search_cache: LRUCache[bytes] = LRUCache(settings.api_search_cache_size)
        self.token_cache: LRUCache[Actor] = LRUCache(4096, ttl=TOKEN_CACHE_TTL_S)
        self.library = Library(settings.library_dir)
        self.jobs = JobManager(settings, on_index_changed=self.index_changed, metrics=self.metrics)
        self._engine: Engine | None = None
        self._searcher: Searcher | None = None
        self._answerer: Answerer | None = None
        self._assistant: Assistant | None = None
        self._lock = threading.RLock()
        self._checked = 0.0

    # -- database --------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            if not self.settings.database_url:
                self.settings.ensure_dirs()
            self._engine = get_engine(self.settings)
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends normally, rolled back on any error."""
        with session_scope(self.engine) as session:
            yield session

    # -- knowledge -------------------------------------------------------
    def _live_searcher(self) -> Searcher:
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:  # IndexUnavailable while there is no index; retried next time
                    self._searcher = Searcher(self.settings.index_dir, self.settings.embedder)
        return self._searcher

    @property
    def answerer(self) -> Answerer:
        """The answerer, over the same searcher as /v1/search (one index and one model in memory)."""
        if self._answerer is None:
            searcher = self._live_searcher()
            with self._lock:
                if self._answerer is None:
                    self._answerer = Answerer(self.settings, searcher=searcher)
        return self._answerer

    def searcher(self) -> Searcher:
        """The live searcher, after a cheap check (at most once a second) for a newer index version."""
        searcher = self._live_searcher()
        now = time.monotonic()
        if now - self._checked >= REFRESH_INTERVAL_S:
            self._checked = now
            try:
                if searcher.refresh():
                    self.search_cache.clear()
            except Exception:  # keep serving the loaded version; the next check retries
                log.exception("could not load the new index version")
        return searcher

    def index_changed(self) -> None:
        """Called when a job published a new index: load it now and forget cached results."""
        self._checked = 0.0
        if self._searcher is not None:
            try:
                self._searcher.refresh()
            except Exception:
                log.exception("could not load the new index version")
        self.search_cache.clear()

    @property
    def assistant(self) -> Assistant:
        """The channel-agnostic core (query log, conversations, feedback, reports), sharing this app's index."""
        if self._assistant is None:
            with self._lock:
                if self._assistant is None:
                    self._assistant = Assistant(self.settings, answerer=self.answerer, db=self.engine)
        return self._assistant

    def close(self) -> None:
        self.jobs.shutdown()
