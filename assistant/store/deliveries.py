"""The outbox's side of the store: claim due deliveries, record how each send went, dead letters.

Delivery semantics: **at most once** per recipient, event and channel. A worker
claims rows in a transaction of their own (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises the claim), marking them
``sending`` with a lease, and commits *before* it sends: two workers can never
hold the same row, and a message is never sent without its row saying so. After
the send the row becomes ``sent``; a failure the channel reports (HTTP 5xx, a
refused connection, "busy", flood control) puts it back to ``pending`` with an
exponential backoff, until the attempts run out (``dead``). A row still
``sending`` when its lease ends belongs to a worker that died mid-send: it may or
may not have gone out, so it is **not** sent again automatically — it becomes a
dead letter saying so, and an admin may retry it. A crash between the business
commit and the send loses nothing: the row is ``pending`` and the next worker
sends it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistant.store import audit
from assistant.store.actors import Actor
from assistant.store.enums import AccountRole
from assistant.store.errors import NotFound, PermissionDenied
from assistant.store.models import Account, ChannelBinding, Delivery, Notification
from assistant.store.notify import KINDS, SKIP_INACTIVE, SKIP_MUTED, muted_kinds

Outcome = Literal["retry", "permanent", "uncertain"]
UNBOUND_SINCE = "发送前已解除绑定，仅在网页中提示"
LEASE_LOST = "发送中断（工作进程退出或超时），无法确认是否已送达；为避免重复，未自动重发，可由管理员重试"
UNCERTAIN = "结果不确定，为避免重复未自动重发，可由管理员重试"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 30.0
    max_seconds: float = 3600.0
    lease_seconds: float = 120.0

    def backoff(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failed try: base, 2×base, 4×base … capped."""
        return timedelta(seconds=min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0)))


@dataclass(frozen=True)
class Claimed:
    """One delivery a worker holds: what to send, to whom, and which attempt it is."""

    delivery_id: int
    attempt: int
    channel: str
    external_id: str
    notification_id: int
    kind: str
    title: str
    body: str
    subject_type: str
    subject_no: str


def claim(session: Session, channels: Sequence[str], *, now: datetime, policy: RetryPolicy, limit: int = 50
          ) -> list[Claimed]:
    """Take up to ``limit`` due pending deliveries of ``channels`` for this worker (commit before sending)."""
    if not channels:
        return []
    rows = session.scalars(
        select(Delivery).where(Delivery.status == "pending", Delivery.next_attempt_at <= now,
                               Delivery.channel.in_(list(channels)))
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    out = []
    for d in rows:
        n = session.get_one(Notification, d.notification_id)
        account = session.get_one(Account, n.account_id)
        external_id = session.scalar(
            select(ChannelBinding.external_id).where(ChannelBinding.account_id == account.id,
                                                     ChannelBinding.channel == d.channel)
            .order_by(ChannelBinding.created_at.desc(), ChannelBinding.id.desc()).limit(1))
        why = (SKIP_INACTIVE if not account.active else SKIP_MUTED if n.kind in muted_kinds(session, account.id)
               else UNBOUND_SINCE if external_id is None else "")
        d.updated_at = now
        if why:
            d.status, d.last_error = "skipped", why
            continue
        d.status, d.attempts, d.external_id = "sending", d.attempts + 1, external_id
        d.next_attempt_at = now + timedelta(seconds=policy.lease_seconds)
        out.append(Claimed(d.id, d.attempts, d.channel, external_id, n.id, n.kind, n.title, n.body,
                           n.subject_type, n.subject_no))
    session.flush()
    return out


def _held(session: Session, c: Claimed) -> Delivery | None:
    """The row, if this claim still holds it (a lease that ran out may have made it a dead letter meanwhile)."""
    d = session.get(Delivery, c.delivery_id, with_for_update=True)
    if d is None or d.attempts != c.attempt or d.status not in ("sending", "dead"):
        return None
    return d


def mark_sent(session: Session, c: Claimed, *, now: datetime) -> bool:
    d = _held(session, c)
    if d is None:
        return False
    d.status, d.sent_at, d.updated_at, d.last_error = "sent", now, now, ""
    return True


def mark_failed(session: Session, c: Claimed, reason: str, outcome: Outcome, *, now: datetime,
                policy: RetryPolicy, retry_after: float | None = None) -> str:
    """Record a failed send; the row's new status (pending again, or dead)."""
    d = _held(session, c)
    if d is None or d.status != "sending":
        return d.status if d is not None else "gone"
    d.updated_at = now
    if outcome == "retry" and d.attempts < policy.max_attempts:
        wait = policy.backoff(d.attempts)
        if retry_after:
            wait = max(wait, timedelta(seconds=retry_after))
        d.status, d.next_attempt_at, d.last_error = "pending", now + wait, reason[:2000]
    elif outcome == "retry":
        d.status, d.last_error = "dead", f"已尝试{d.attempts}次仍失败：{reason}"[:2000]
    elif outcome == "uncertain":
        d.status, d.last_error = "dead", f"{reason}；{UNCERTAIN}"[:2000]
    else:
        d.status, d.last_error = "dead", reason[:2000]
    return d.status


def reap(session: Session, *, now: datetime) -> int:
    """Deliveries whose worker died mid-send become dead letters (never re-sent on their own)."""
    result = session.execute(update(Delivery).where(Delivery.status == "sending", Delivery.next_attempt_at < now)
                             .values(status="dead", last_error=LEASE_LOST, updated_at=now))
    return result.rowcount or 0


# -- what admins see -------------------------------------------------------------------------------------

class DeadLetter(BaseModel):
    delivery_id: int
    notification_id: int
    kind: str
    kind_label: str
    title: str
    account_id: int
    login: str
    name: str
    channel: str
    external_id: str
    attempts: int
    last_error: str
    created_at: datetime
    updated_at: datetime | None


class OutboxStatus(BaseModel):
    counts: dict[str, dict[str, int]]  # channel -> status -> deliveries
    oldest_pending: datetime | None
    dead: int


def _require_admin(actor: Actor, what: str) -> None:
    if actor.role != AccountRole.admin:
        raise PermissionDenied(f"只有管理员可以{what}")


def dead_letters(session: Session, actor: Actor, *, limit: int = 100) -> list[DeadLetter]:
    """Deliveries that gave up, newest first, with the reason (admins)."""
    _require_admin(actor, "查看发送失败的提醒")
    rows = session.execute(
        select(Delivery, Notification, Account).join(Notification, Delivery.notification_id == Notification.id)
        .join(Account, Notification.account_id == Account.id).where(Delivery.status == "dead")
        .order_by(Delivery.updated_at.desc(), Delivery.id.desc()).limit(limit)
    ).all()
    return [DeadLetter(delivery_id=d.id, notification_id=n.id, kind=n.kind, kind_label=KINDS.get(n.kind, n.kind),
                       title=n.title, account_id=a.id, login=a.login, name=a.name, channel=d.channel,
                       external_id=d.external_id, attempts=d.attempts, last_error=d.last_error,
                       created_at=n.created_at, updated_at=d.updated_at) for d, n, a in rows]


def retry_dead(session: Session, actor: Actor, ids: Iterable[int] | None, *, now: datetime) -> int:
    """Put dead letters back in the queue with a fresh budget of attempts (all of them when ``ids`` is None)."""
    _require_admin(actor, "重发提醒")
    stmt = select(Delivery).where(Delivery.status == "dead").with_for_update()
    wanted = None if ids is None else list(dict.fromkeys(ids))
    if wanted is not None:
        stmt = stmt.where(Delivery.id.in_(wanted))
    rows = session.scalars(stmt).all()
    if wanted is not None and len(rows) != len(wanted):
        missing = sorted(set(wanted) - {d.id for d in rows})
        raise NotFound(f"没有这些发送失败的记录：{'、'.join(map(str, missing))}")
    for d in rows:
        d.status, d.attempts, d.next_attempt_at, d.updated_at = "pending", 0, now, now
        audit.record(session, actor, "delivery", d.id, "retry", from_status="dead", to_status="pending", at=now,
                     detail={"channel": d.channel, "last_error": d.last_error[:200]})
    return len(rows)


def status(session: Session) -> OutboxStatus:
    counts: dict[str, dict[str, int]] = {}
    for channel, state, n in session.execute(
            select(Delivery.channel, Delivery.status, func.count(Delivery.id)).group_by(Delivery.channel,
                                                                                        Delivery.status)):
        counts.setdefault(channel, {})[state] = n
    oldest = session.scalar(select(func.min(Delivery.next_attempt_at)).where(Delivery.status == "pending"))
    dead = sum(c.get("dead", 0) for c in counts.values())
    return OutboxStatus(counts=counts, oldest_pending=oldest, dead=dead)
