"""Per-key token buckets: a burst is allowed, then a steady rate; the clock is injectable for tests.

In memory and per process, which is what a chat channel needs: the limit
protects the station's CPU and the Bot API quota from one chat flooding, and a
restart forgetting the buckets costs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    warn: bool = False  # the first refusal of a run: tell the user once, then stay quiet


@dataclass
class TokenBucket:
    """``capacity`` tokens per key, refilled at ``per_second``; a message takes one."""

    capacity: float
    per_second: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 10_000
    _buckets: dict[Hashable, _Bucket] = field(default_factory=dict, init=False, repr=False)

    def take(self, key: Hashable) -> Decision:
        now = self.clock()
        b = self._buckets.get(key)
        if b is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            b = self._buckets[key] = _Bucket(tokens=self.capacity, stamp=now)
        b.tokens = min(self.capacity, b.tokens + (now - b.stamp) * self.per_second)
        b.stamp = now
        if b.tokens >= 1:
            b.tokens -= 1
            b.warned = False
            return Decision(True)
        warn = not b.warned
        b.warned = True
        return Decision(False, warn)

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` has a token again (0 if it has one now)."""
        b = self._buckets.get(key)
        if b is None or self.per_second <= 0:
            return 0.0
        now = self.clock()
        tokens = min(self.capacity, b.tokens + (now - b.stamp) * self.per_second)
        return max(0.0, (1 - tokens) / self.per_second)

    def _forget_full(self, now: float) -> None:
        """Drop keys whose bucket has refilled: remembering them changes nothing."""
        full = [k for k, b in self._buckets.items()
                if b.tokens + (now - b.stamp) * self.per_second >= self.capacity]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:  # still full of active keys: forget the oldest
            for k in sorted(self._buckets, key=lambda k: self._buckets[k].stamp)[: self.max_keys // 10 or 1]:
                del self._buckets[k]
