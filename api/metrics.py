"""Prometheus metrics of one app instance (its own registry, so two apps in a process never clash)."""

from __future__ import annotations

import threading

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Request counts and latencies, search latency, answers and the unanswered rate, limits and jobs."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("zhijian_http_requests", "HTTP requests by route template and status",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("zhijian_http_request_duration_seconds", "HTTP request latency",
                                 ["method", "route"], buckets=_LATENCY_BUCKETS, registry=r)
        self.search_latency = Histogram("zhijian_search_duration_seconds", "Time to answer a search",
                                        ["mode", "cache"], buckets=_LATENCY_BUCKETS, registry=r)
        self.answers = Counter("zhijian_answers", "Questions answered, by whether the knowledge base had a basis",
                               ["grounded"], registry=r)
        self.unanswered_ratio = Gauge("zhijian_unanswered_ratio",
                                      "Share of questions since start that the knowledge base could not answer",
                                      registry=r)
        self.rate_limited = Counter("zhijian_rate_limited", "Requests refused by a rate limit", ["scope"], registry=r)
        self.ingest_jobs = Counter("zhijian_ingest_jobs", "Finished document ingest jobs", ["outcome"], registry=r)
        self._lock = threading.Lock()
        self._asked = 0
        self._unanswered = 0

    def answered(self, grounded: bool) -> None:
        self.answers.labels(grounded=str(grounded).lower()).inc()
        with self._lock:
            self._asked += 1
            self._unanswered += 0 if grounded else 1
            self.unanswered_ratio.set(self._unanswered / self._asked)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
