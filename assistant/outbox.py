"""The outbox worker: delivers notifications to the chat channels people are bound on.

The core knows no channel. A channel contributes a ``Sender`` (``send(external_id,
message)``) through the ``zhijian.notification_senders`` entry-point group — a
factory taking the ``Settings`` and returning a sender, or None when that channel
is not configured — so ``zhijian serve``, ``zhijian bot``, ``zhijian wecom`` and
``zhijian notifications run`` all run the same worker over whichever channels
are configured. Several workers (processes or machines) may run at once: each
delivery is claimed by exactly one (see ``assistant.store.deliveries`` for the
at-most-once semantics and what happens after a crash).

A cycle: every ``scan_seconds`` write the calendar's reminders and digests
(``assistant.store.reminders``); turn deliveries orphaned by a dead worker into
dead letters; claim due deliveries and send them concurrently; record each
outcome. A sender reports failure by raising ``DeliveryError`` saying whether
the message certainly did not go out (``retry``), was refused for good
(``permanent``) or may have gone out (``uncertain``, never retried by itself).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from datetime import time as dtime
from typing import Protocol

from assistant.config import Settings
from assistant.plugins import configured_plugins
from assistant.store import deliveries, reminders
from assistant.store.deliveries import Claimed, Outcome, RetryPolicy
from assistant.store.notify import KINDS
from assistant.usecases.runtime import Runtime

log = logging.getLogger(__name__)

SENDERS = "zhijian.notification_senders"


@dataclass(frozen=True)
class Outbound:
    """One notification as a channel renders it."""

    notification_id: int
    kind: str
    kind_label: str
    title: str
    body: str
    subject_type: str
    subject_no: str


class DeliveryError(Exception):
    """A send that did not succeed, and what that means for trying again."""

    def __init__(self, reason: str, outcome: Outcome = "retry", *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.outcome, self.retry_after = reason, outcome, retry_after


class Sender(Protocol):
    """A channel's way of pushing one message to one bound identity (its chat id, its member id)."""

    channel: str

    async def send(self, external_id: str, message: Outbound) -> None: ...

    async def aclose(self) -> None: ...


def configured_senders(settings: Settings) -> list[Sender]:
    """The senders of the channels installed (entry points) and configured in ``settings``."""
    return configured_plugins(SENDERS, settings, "notification channel")


@dataclass(frozen=True)
class OutboxPolicy:
    retry: RetryPolicy = RetryPolicy()
    batch: int = 50
    poll_seconds: float = 5.0
    scan_seconds: float = 60.0
    send_timeout: float = 30.0
    concurrency: int = 8
    morning: dtime = dtime(7, 30)

    @classmethod
    def from_settings(cls, s: Settings) -> OutboxPolicy:
        return cls(retry=RetryPolicy(max_attempts=s.notify_max_attempts, base_seconds=s.notify_retry_base_seconds,
                                     max_seconds=s.notify_retry_max_seconds, lease_seconds=s.notify_lease_seconds),
                   batch=s.notify_batch, poll_seconds=s.notify_poll_seconds, send_timeout=s.notify_send_timeout,
                   morning=s.notify_morning)


@dataclass
class Cycle:
    """What one cycle did (for logs, tests and ``zhijian notifications run --once``)."""

    reminders: int = 0
    reaped: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.dead


class Outbox:
    """Delivers due notifications through ``senders`` (one per channel name)."""

    def __init__(self, runtime: Runtime, senders: Sequence[Sender], *, policy: OutboxPolicy | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._rt = runtime
        self.senders = {s.channel: s for s in senders}
        self.policy = policy or OutboxPolicy.from_settings(runtime.settings)
        self.clock = clock or runtime.now
        self._last_scan = float("-inf")
        self._limit: asyncio.Semaphore | None = None

    @property
    def channels(self) -> list[str]:
        return sorted(self.senders)

    # -- one cycle -----------------------------------------------------------------------------------
    def _housekeeping(self, now: datetime, scan: bool) -> tuple[int, int]:
        with self._rt.session() as s:
            reaped = deliveries.reap(s, now=now)
        written = 0
        if scan:
            with self._rt.session() as s:
                written = reminders.scan(s, rules=self._rt.rules, now=now, morning=self.policy.morning)
        return written, reaped

    def _claim(self, now: datetime) -> list[Claimed]:
        with self._rt.session() as s:
            return deliveries.claim(s, self.channels, now=now, policy=self.policy.retry, limit=self.policy.batch)

    def _record(self, claimed: Claimed, error: DeliveryError | None) -> str:
        with self._rt.session() as s:
            now = self.clock()
            if error is None:
                return "sent" if deliveries.mark_sent(s, claimed, now=now) else "gone"
            return deliveries.mark_failed(s, claimed, error.reason, error.outcome, now=now, policy=self.policy.retry,
                                          retry_after=error.retry_after)

    async def _deliver(self, c: Claimed) -> str:
        sender = self.senders[c.channel]
        message = Outbound(c.notification_id, c.kind, KINDS.get(c.kind, c.kind), c.title, c.body, c.subject_type,
                           c.subject_no)
        error: DeliveryError | None = None
        assert self._limit is not None
        async with self._limit:
            try:
                await asyncio.wait_for(sender.send(c.external_id, message), self.policy.send_timeout)
            except DeliveryError as exc:
                error = exc
            except TimeoutError:
                error = DeliveryError(f"发送超过 {self.policy.send_timeout:g} 秒未完成", "uncertain")
            except Exception as exc:  # noqa: BLE001 - a sender's bug must not stop the others; it may have sent
                log.exception("提醒发送出错（%s → %s）", c.channel, c.external_id)
                error = DeliveryError(f"发送出错：{type(exc).__name__}", "uncertain")
        state = await asyncio.to_thread(self._record, c, error)
        if error is not None:
            log.warning("提醒 %s 经 %s 发送失败（第 %d 次，%s）：%s", c.notification_id, c.channel, c.attempt, state,
                        error.reason)
        return state

    async def _deliver_in_order(self, queue: list[Claimed]) -> list[str]:
        return [await self._deliver(c) for c in queue]

    async def run_once(self) -> Cycle:
        """One pass: reminders (when due), orphans, then every due delivery up to the batch size."""
        now = self.clock()
        scan = time.monotonic() - self._last_scan >= self.policy.scan_seconds
        written, reaped = await asyncio.to_thread(self._housekeeping, now, scan)
        if scan:
            self._last_scan = time.monotonic()
        claimed = await asyncio.to_thread(self._claim, now)
        self._limit = asyncio.Semaphore(self.policy.concurrency)  # of this event loop
        # One person's messages go out in the order they were written; different people's at once.
        queues: dict[tuple[str, str], list[Claimed]] = {}
        for c in sorted(claimed, key=lambda c: c.notification_id):
            queues.setdefault((c.channel, c.external_id), []).append(c)
        states = [state for done in await asyncio.gather(*(self._deliver_in_order(q) for q in queues.values()))
                  for state in done]
        cycle = Cycle(reminders=written, reaped=reaped, sent=states.count("sent"),
                      retrying=states.count("pending"), dead=states.count("dead"))
        if claimed or written or reaped:
            log.info("提醒发送：新提醒 %d，发出 %d，待重试 %d，失败 %d，中断 %d", written, cycle.sent, cycle.retrying,
                     cycle.dead, reaped)
        return cycle

    async def drain(self, *, max_cycles: int = 100) -> Cycle:
        """Cycles until nothing is due now (tests and ``--once``); the totals."""
        total = Cycle()
        for _ in range(max_cycles):
            c = await self.run_once()
            for f in ("reminders", "reaped", "sent", "retrying", "dead"):
                setattr(total, f, getattr(total, f) + getattr(c, f))
            if c.claimed == 0:
                break
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set: a cycle, then a pause unless the batch was full; a failed cycle is logged."""
        log.info("提醒发送已启动：%s", "、".join(self.channels))
        while not stop.is_set():
            try:
                cycle = await self.run_once()
                busy = cycle.claimed >= self.policy.batch
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                log.exception("提醒发送本轮失败，稍后重试")
                busy = False
            if not busy:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.policy.poll_seconds)

    async def aclose(self) -> None:
        for sender in self.senders.values():
            try:
                await sender.aclose()
            except Exception:  # noqa: BLE001
                log.warning("关闭 %s 发送通道出错", sender.channel, exc_info=True)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Outbox]:
        """The worker as a background task of the current event loop (an app's lifespan), stopped on exit."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop), name="zhijian-outbox")
        try:
            yield self
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, self.policy.send_timeout + 5)
            except TimeoutError:
                task.cancel()
            await self.aclose()

    @contextmanager
    def in_thread(self) -> Iterator[Outbox]:
        """The worker in a thread with an event loop of its own (beside a server that owns the main one)."""
        ready = threading.Event()
        state: dict[str, asyncio.AbstractEventLoop | asyncio.Event] = {}

        async def body() -> None:
            state["loop"], state["stop"] = asyncio.get_running_loop(), asyncio.Event()
            ready.set()
            try:
                await self.run(state["stop"])  # type: ignore[arg-type]
            finally:
                await self.aclose()

        thread = threading.Thread(target=lambda: asyncio.run(body()), name="zhijian-outbox", daemon=True)
        thread.start()
        ready.wait(30)
        try:
            yield self
        finally:
            loop, stop = state.get("loop"), state.get("stop")
            if isinstance(loop, asyncio.AbstractEventLoop) and isinstance(stop, asyncio.Event):
                loop.call_soon_threadsafe(stop.set)
            thread.join(self.policy.send_timeout + 5)


def describe(senders: Sequence[Sender]) -> str:
    """'Telegram、企业微信' — for a start-up line."""
    names = {"telegram": "Telegram", "wecom": "企业微信"}
    return "、".join(names.get(s.channel, s.channel) for s in senders)
