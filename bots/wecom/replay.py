"""Replay protection for signed callbacks: a timestamp must be recent, a (timestamp, nonce) pair new.

A captured callback stays correctly signed forever, so the signature alone does
not stop someone from posting it again. WeCom stamps every callback with the
time and a random nonce: a callback older than ``max_skew`` seconds is refused,
and a pair seen within that window is refused as a replay. Pairs are remembered
only as long as their timestamp is acceptable at all, so memory stays bounded
by the traffic of the last few minutes. Checked after the signature, so
unsigned noise never enters the memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

_KEEP_WITHOUT_SKEW = 600.0  # how long a pair is remembered when the freshness check is off


@dataclass
class ReplayGuard:
    max_skew: int = 300  # seconds; 0 turns the freshness check off (pairs are still remembered)
    clock: Callable[[], float] = time.time
    max_entries: int = 200_000
    _seen: OrderedDict[tuple[str, str], float] = field(default_factory=OrderedDict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def refusal(self, timestamp: str, nonce: str) -> str | None:
        """None when the callback is fresh and new (it is remembered); else why it is refused, in Chinese."""
        now = self.clock()
        try:
            stamp = int(timestamp)
        except (TypeError, ValueError):
            return "时间戳不合法"
        if self.max_skew and abs(now - stamp) > self.max_skew:
            return f"时间戳超出允许范围（相差 {int(now - stamp)} 秒）"
        until = stamp + self.max_skew if self.max_skew else now + _KEEP_WITHOUT_SKEW
        key = (str(stamp), nonce)
        with self._lock:
            self._forget(now)
            if key in self._seen:
                return "重复的请求（timestamp 与 nonce 已用过）"
            self._seen[key] = until
            while len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)
        return None

    def _forget(self, now: float) -> None:
        """Drop pairs from the oldest on while they have expired (insertion order is nearly expiry order;
        a straggler kept a little longer is still refused by the timestamp check)."""
        while self._seen:
            key, until = next(iter(self._seen.items()))
            if until >= now:
                break
            del self._seen[key]

    def __len__(self) -> int:
        return len(self._seen)
