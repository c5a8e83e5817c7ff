"""emit(): one notification per recipient and event, written with (and rolled back with) the change."""

from __future__ import annotations

from sqlalchemy import func, select

from assistant.store.models import Notification
from assistant.store.notify import emit
from tests.plugins.store import NOW


def _count(session) -> int:
    return session.scalar(select(func.count(Notification.id)))


def test_one_notification_per_recipient_and_event(session, world):
    ids = [world.contractor.account_id, world.inspector.account_id, world.contractor.account_id, None]
    assert emit(session, "booking_cancelled", event_key="booking:2026-000001:cancel:1", recipients=ids,
                title="预约已取消", at=NOW) == 2
    assert emit(session, "booking_cancelled", event_key="booking:2026-000001:cancel:1", recipients=ids,
                title="预约已取消", at=NOW) == 0  # the same event again tells nobody twice
    assert emit(session, "booking_cancelled", event_key="booking:2026-000001:cancel:2", recipients=ids[:1],
                title="预约已取消", at=NOW) == 1
    assert _count(session) == 3


def test_a_rolled_back_change_tells_nobody(session, world):
    session.commit()
    emit(session, "booking_accepted", event_key="booking:x:accept", recipients=[world.contractor.account_id],
         title="预约已受理", at=NOW)
    session.rollback()
    assert _count(session) == 0
