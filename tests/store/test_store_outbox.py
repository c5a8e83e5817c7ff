"""The outbox worker over the store, with an in-process channel: at most once, retries, dead letters, crashes.

The channels' own senders (Telegram, WeCom) are tested through their real HTTP
stacks in tests/bots/test_notify_e2e.py; here a recording sender stands in, so
the store's claim/mark protocol is what is tested, on every backend.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from assistant.config import Settings
from assistant.core import Assistant
from assistant.outbox import DeliveryError, Outbound, OutboxPolicy
from assistant.store import bindings, deliveries, notify
from assistant.store.actors import Actor
from assistant.store.db import session_scope
from assistant.store.deliveries import RetryPolicy
from assistant.store.errors import NotFound, PermissionDenied
from assistant.store.models import Delivery
from tests.plugins.store import NOW


def bind(session, login: str, channel: str, external_id: str) -> None:  # noqa: ANN001
    code = bindings.issue_code(session, Actor.system("测试"), login, now=NOW).code
    bindings.redeem_code(session, channel, external_id, code, now=NOW)


class Clock:
    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class Recorder:
    """A channel that records what it is asked to send; ``script`` raises errors for the first sends."""

    def __init__(self, channel: str = "telegram", script: list[DeliveryError | None] | None = None) -> None:
        self.channel, self.script = channel, list(script or [])
        self.sent: list[tuple[str, Outbound]] = []
        self.tries = 0
        self._lock = threading.Lock()

    async def send(self, external_id: str, message: Outbound) -> None:
        with self._lock:
            self.tries += 1
            error = self.script.pop(0) if self.script else None
        await asyncio.sleep(0)
        if error is not None:
            raise error
        with self._lock:
            self.sent.append((external_id, message))

    async def aclose(self) -> None:
        pass


POLICY = OutboxPolicy(retry=RetryPolicy(max_attempts=3, base_seconds=10, max_seconds=60, lease_seconds=120),
                      batch=10, scan_seconds=3600)


@pytest.fixture
def desk(engine, rules, tmp_path, world, session):
    session.rollback()
    clock = Clock()
    assistant = Assistant(Settings(data_dir=tmp_path / "data"), db=engine, rules=rules, clock=clock)
    assistant.test_clock = clock  # type: ignore[attr-defined]
    yield assistant
    assistant.close()


def emit_for(engine, account_id: int, n: int, kind: str = "booking_accepted", prefix: str = "t") -> None:
    with session_scope(engine) as s:
        for i in range(n):
            notify.emit(s, kind, event_key=f"{prefix}:{i}", recipients=[account_id], title=f"预约已受理 {i}",
                        body="预约编号：2026-000001", at=NOW)


def statuses(engine) -> Counter:
    with session_scope(engine) as s:
        return Counter(s.scalars(select(Delivery.status)))


def run(coro):
    return asyncio.run(coro)


def test_due_deliveries_are_sent_once(desk, engine, world):
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
    emit_for(engine, world.contractor.account_id, 3)
    tg = Recorder()
    outbox = desk.outbox([tg], policy=POLICY, clock=desk.test_clock)
    cycle = run(outbox.drain())
    assert cycle.sent == 3 and sorted(m.title for _, m in tg.sent) == ["预约已受理 0", "预约已受理 1", "预约已受理 2"]
    assert {who for who, _ in tg.sent} == {"5001"}
    assert tg.sent[0][1].kind_label == "预约已受理"
    assert run(outbox.drain()).sent == 0  # nothing twice
    with session_scope(engine) as s:
        rows = s.scalars(select(Delivery)).all()
        assert {(d.status, d.attempts, d.external_id) for d in rows} == {("sent", 1, "5001")}


def test_a_channel_without_a_sender_here_waits_for_one(desk, engine, world):
    with session_scope(engine) as s:
        bind(s, "boss", "wecom", "wangjingli")
    emit_for(engine, world.contractor.account_id, 1)
    assert run(desk.outbox([Recorder("telegram")], policy=POLICY).drain()).sent == 0
    assert statuses(engine) == Counter({"pending": 1})
    wecom = Recorder("wecom")
    assert run(desk.outbox([wecom], policy=POLICY).drain()).sent == 1 and wecom.sent[0][0] == "wangjingli"


def test_a_failure_is_retried_with_backoff_then_sent(desk, engine, world):
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
    emit_for(engine, world.contractor.account_id, 1)
    tg = Recorder(script=[DeliveryError("HTTP 502", "retry")])
    clock = desk.test_clock
    outbox = desk.outbox([tg], policy=POLICY, clock=clock)
    first = run(outbox.run_once())
    assert (first.sent, first.retrying) == (0, 1)
    with session_scope(engine) as s:
        d = s.scalars(select(Delivery)).one()
        assert (d.status, d.attempts, d.last_error) == ("pending", 1, "HTTP 502")
        assert d.next_attempt_at == NOW + timedelta(seconds=10)
    clock.advance(5)
    assert run(outbox.run_once()).claimed == 0  # not due yet
    clock.advance(5)
    assert run(outbox.run_once()).sent == 1
    assert tg.tries == 2 and len(tg.sent) == 1 and statuses(engine) == Counter({"sent": 1})


def test_repeated_failure_is_a_dead_letter_an_admin_sees_and_can_retry(desk, engine, world, admin):
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
    emit_for(engine, world.contractor.account_id, 1)
    tg = Recorder(script=[DeliveryError("HTTP 503", "retry")] * 3)
    clock = desk.test_clock
    outbox = desk.outbox([tg], policy=POLICY, clock=clock)
    for wait in (0, 10, 20):  # 3 attempts, doubling waits
        clock.advance(wait)
        run(outbox.run_once())
    assert tg.tries == 3 and statuses(engine) == Counter({"dead": 1})
    dead = desk.notifications.dead_letters(admin)
    assert len(dead) == 1
    assert (dead[0].login, dead[0].channel, dead[0].external_id, dead[0].attempts) == ("boss", "telegram", "5001", 3)
    assert dead[0].last_error == "已尝试3次仍失败：HTTP 503" and dead[0].kind_label == "预约已受理"
    with pytest.raises(PermissionDenied):
        desk.notifications.dead_letters(world.inspector)
    with pytest.raises(PermissionDenied):
        desk.notifications.retry(world.inspector, [dead[0].delivery_id])
    with pytest.raises(NotFound):
        desk.notifications.retry(admin, [dead[0].delivery_id + 999])
    assert desk.notifications.retry(admin, [dead[0].delivery_id]) == 1
    assert run(outbox.run_once()).sent == 1 and len(tg.sent) == 1
    assert desk.notifications.dead_letters(admin) == []


def test_a_refusal_or_an_unknown_outcome_is_not_retried(desk, engine, world, admin):
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
    emit_for(engine, world.contractor.account_id, 2)
    tg = Recorder(script=[DeliveryError("Forbidden: bot was blocked by the user", "permanent"),
                          DeliveryError("读取回应超时", "uncertain")])
    outbox = desk.outbox([tg], policy=POLICY, clock=desk.test_clock)
    run(outbox.drain())
    desk.test_clock.advance(3600)
    run(outbox.drain())
    assert tg.tries == 2 and tg.sent == []
    reasons = sorted(d.last_error for d in desk.notifications.dead_letters(admin))
    assert reasons[0] == "Forbidden: bot was blocked by the user"
    assert reasons[1].startswith("读取回应超时；结果不确定，为避免重复未自动重发")


def test_a_crash_between_commit_and_delivery_delivers_once_after_restart(desk, engine, world, admin):
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
    # the booking's change commits its notices; the worker is not running (it crashed, or the server did)
    emit_for(engine, world.contractor.account_id, 2)
    # a worker that claimed a third one and died mid-send, before it could say how the send went
    emit_for(engine, world.contractor.account_id, 1, prefix="orphan")
    with session_scope(engine) as s:
        orphan = s.scalars(select(Delivery).order_by(Delivery.id.desc())).first().id
        s.execute(Delivery.__table__.update().where(Delivery.id != orphan).values(next_attempt_at=NOW + timedelta(1)))
    with session_scope(engine) as s:
        assert [c.delivery_id for c in deliveries.claim(s, ["telegram"], now=NOW, policy=POLICY.retry)] == [orphan]
    with session_scope(engine) as s:
        s.execute(Delivery.__table__.update().where(Delivery.id != orphan).values(next_attempt_at=NOW))
    # restart: a fresh worker sends the two pending ones once; the orphan stays claimed until its lease ends
    tg = Recorder()
    restarted = desk.outbox([tg], policy=POLICY, clock=desk.test_clock)
    assert run(restarted.drain()).sent == 2
    assert statuses(engine) == Counter({"sent": 2, "sending": 1})
    desk.test_clock.advance(121)
    assert run(restarted.drain()).reaped == 1
    # it may have gone out before the crash: at most once means it is not sent again by itself
    assert len(tg.sent) == 2 and statuses(engine) == Counter({"sent": 2, "dead": 1})
    assert desk.notifications.dead_letters(admin)[0].last_error == deliveries.LEASE_LOST


def test_a_late_success_after_the_lease_counts_as_sent(engine, world, session):
    session.rollback()
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
    emit_for(engine, world.contractor.account_id, 1)
    with session_scope(engine) as s:
        (c,) = deliveries.claim(s, ["telegram"], now=NOW, policy=POLICY.retry)
    with session_scope(engine) as s:
        assert deliveries.reap(s, now=NOW + timedelta(seconds=200)) == 1
    with session_scope(engine) as s:
        assert deliveries.mark_sent(s, c, now=NOW + timedelta(seconds=201))
    assert statuses(engine) == Counter({"sent": 1})


def test_unbinding_or_muting_before_the_send_is_honoured(desk, engine, world):
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
        bind(s, "insp2", "telegram", "5002")
    emit_for(engine, world.contractor.account_id, 1)
    emit_for(engine, world.inspector2.account_id, 1, prefix="insp2")
    desk.bindings.unbind("telegram", "5001")
    desk.notifications.set_muted(world.inspector2, ["booking_accepted"])
    tg = Recorder()
    run(desk.outbox([tg], policy=POLICY).drain())
    assert tg.sent == []
    with session_scope(engine) as s:
        assert sorted(s.scalars(select(Delivery.last_error))) == sorted([deliveries.UNBOUND_SINCE, notify.SKIP_MUTED])


def test_two_workers_racing_send_each_delivery_once(desk, engine, world):
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
    emit_for(engine, world.contractor.account_id, 40)
    tg = Recorder()
    policy = OutboxPolicy(retry=POLICY.retry, batch=3, scan_seconds=3600)
    workers = [desk.outbox([tg], policy=policy) for _ in range(4)]
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def work(outbox) -> None:  # noqa: ANN001
        try:
            barrier.wait()
            asyncio.run(outbox.drain(max_cycles=100))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    titles = Counter(m.title for _, m in tg.sent)
    assert len(titles) == 40 and set(titles.values()) == {1}
    assert statuses(engine) == Counter({"sent": 40})


def test_outbox_status_counts_by_channel(desk, engine, world):
    with session_scope(engine) as s:
        bind(s, "boss", "telegram", "5001")
    emit_for(engine, world.contractor.account_id, 2)
    emit_for(engine, world.inspector2.account_id, 1, prefix="i")
    st = desk.notifications.outbox_status()
    assert st.counts == {"telegram": {"pending": 2}, "none": {"skipped": 1}} and st.dead == 0
    assert st.oldest_pending == NOW


def test_system_actor_cannot_set_preferences(desk):
    with pytest.raises(PermissionDenied):
        desk.notifications.set_muted(Actor.system(), ["daily_digest"])
    assert desk.notifications.preferences(Actor.system()).muted == []
