"""What one running app holds: the assistant (the core's use-cases) plus what only HTTP needs.

Built once per app by ``create_app`` and reached by routes through ``api.deps``.
The assistant loads its heavy parts (the index, the embedding model) on first
use, so the app starts at once and /healthz can report what is missing.
"""

from __future__ import annotations

from api.cache import LRUCache
from api.metrics import Metrics
from api.ratelimit import RateLimits
from assistant.config import Settings
from assistant.core import Assistant
from assistant.jobs import Job
from assistant.store.actors import Actor

# How long a verified token is trusted without asking the database again.
TOKEN_CACHE_TTL_S = 10.0


class Services:
    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.limits = RateLimits(settings.api_rate_limit_anonymous, settings.api_rate_limit_token,
                                 settings.api_rate_limit_auth_failures, settings.api_rate_limit_storage)
        self.search_cache: LRUCache[bytes] = LRUCache(settings.api_search_cache_size)
        self.token_cache: LRUCache[Actor] = LRUCache(4096, ttl=TOKEN_CACHE_TTL_S)
        self.assistant = assistant or Assistant(settings, on_job_finished=self._job_finished)
        self.assistant.knowledge.on_change(self.search_cache.clear)

    def _job_finished(self, job: Job) -> None:
        self.metrics.ingest_jobs.labels(outcome=job.status.value).inc()

    def close(self) -> None:
        self.assistant.close()
