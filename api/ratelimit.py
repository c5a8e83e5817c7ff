"""Rate limits per API token and per client address, on the `limits` library.

A request with a bearer token counts against that token; one without counts
against its address. Bad tokens count against the address too, so guessing
tokens is slow. Limits apply to /v1/ only: the page, health and metrics are free.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from api.metrics import Metrics


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


class RateLimits:
    """The three limits of one app: anonymous address, token, failed authentications per address."""

    def __init__(self, anonymous: str, token: str, auth_failures: str, storage: str = "memory://") -> None:
        self._limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage))
        self._rules: dict[str, RateLimitItem | None] = {
            "address": parse(anonymous) if anonymous else None,
            "token": parse(token) if token else None,
            "auth": parse(auth_failures) if auth_failures else None,
        }

    def hit(self, scope: str, key: str) -> Decision:
        rule = self._rules[scope]
        if rule is None:
            return Decision(True, 0, 0, 0)
        allowed = self._limiter.hit(rule, scope, key)
        stats = self._limiter.get_window_stats(rule, scope, key)
        retry = max(1, math.ceil(stats.reset_time - time.time())) if not allowed else 0
        return Decision(allowed, rule.amount, max(0, stats.remaining), retry)

    def blocked(self, scope: str, key: str) -> Decision | None:
        """A refusal if ``key`` has no budget left in ``scope``, without spending any."""
        rule = self._rules[scope]
        if rule is None or self._limiter.test(rule, scope, key):
            return None
        stats = self._limiter.get_window_stats(rule, scope, key)
        return Decision(False, rule.amount, 0, max(1, math.ceil(stats.reset_time - time.time())))


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def too_many(decision: Decision, detail: str, path: str) -> object:
    return problem(429, detail, "rate_limited", instance=path,
                   headers={"Retry-After": str(decision.retry_after), "X-RateLimit-Limit": str(decision.limit),
                            "X-RateLimit-Remaining": "0"},
                   retry_after=decision.retry_after)


class RateLimitMiddleware:
    """Pure ASGI (no per-request task switching), so it costs microseconds at hundreds of requests a second."""

    def __init__(self, app: ASGIApp, limits: RateLimits, metrics: Metrics, prefix: str = "/v1/") -> None:
        self.app, self.limits, self.metrics, self.prefix = app, limits, metrics, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix) or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        if token is not None:
            kind, key = "token", hashlib.sha256(token.encode()).hexdigest()[:32]
        else:
            kind, key = "address", client_address(scope)
        decision = self.limits.hit(kind, key)
        if not decision.allowed:
            self.metrics.rate_limited.labels(scope=kind).inc()
            who = "该令牌" if kind == "token" else "您的网络地址"
            response = too_many(decision, f"{who}请求过于频繁，请 {decision.retry_after} 秒后再试", scope["path"])
            await response(scope, receive, send)  # type: ignore[operator]
            return
        if decision.limit == 0:
            await self.app(scope, receive, send)
            return
        extra = [(b"x-ratelimit-limit", str(decision.limit).encode()),
                 (b"x-ratelimit-remaining", str(decision.remaining).encode())]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
