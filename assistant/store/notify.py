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
