"""Tell people about a change, in the same transaction as the change (a transactional outbox).

A service calls ``emit`` inside its unit of work; if the change rolls back, so
does the notification. Each recipient gets at most one notification per event
(``event_key`` + account). The in-page list reads them directly; the outbox
worker delivers them to the recipients' chat channels afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistant.store.models import Notification
from assistant.store.upsert import insert_ignore


def emit(
    session: Session,
    kind: str,
    *,
    event_key: str,
    recipients: Iterable[int],
    title: str,
    body: str = "",
    subject_type: str = "",
    subject_no: str = "",
    data: dict[str, Any] | None = None,
    at: datetime,
) -> int:
    """Write one notification per distinct recipient account; returns how many were new.

    ``event_key`` names the change uniquely (e.g. ``f"booking:{no}:cancel:{audit_id}"``); emitting the same
    key twice for a recipient writes nothing the second time.
    """
    new = 0
    for account_id in dict.fromkeys(a for a in recipients if a):
        new += insert_ignore(session, Notification, {
            "event_key": event_key[:160], "kind": kind, "account_id": account_id, "subject_type": subject_type,
            "subject_no": subject_no, "title": title[:200], "body": body, "data": data or {}, "created_at": at,
            "read_at": None,
        })
    return new


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    subject_type: str
    subject_no: str
    data: dict[str, Any]
    created_at: datetime
    read: bool


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(id=n.id, kind=n.kind, title=n.title, body=n.body, subject_type=n.subject_type,
                           subject_no=n.subject_no, data=n.data or {}, created_at=n.created_at,
                           read=n.read_at is not None)


def list_for(session: Session, account_id: int, *, unread_only: bool = False, limit: int = 50) -> list[NotificationOut]:
    """An account's in-page notices, newest first."""
    stmt = select(Notification).where(Notification.account_id == account_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return [_out(n) for n in session.scalars(stmt)]


def unread_count(session: Session, account_id: int) -> int:
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.account_id == account_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, account_id: int, ids: Iterable[int] | None, *, at: datetime) -> int:
    """Mark the account's notices read (all of them when ``ids`` is None); returns how many changed."""
    stmt = update(Notification).where(Notification.account_id == account_id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return session.execute(stmt.values(read_at=at)).rowcount or 0
