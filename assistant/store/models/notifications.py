"""Notifications: what a person is told about a change, written in the transaction of the change itself.

A ``Notification`` is one message for one account (shown in the web page as an
in-page notice); the outbox worker delivers it to the account's bound chat
channels (Telegram, WeCom) and records each attempt as a ``Delivery``. A
``NotificationPref`` holds the kinds of notice an account does not want pushed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.models.base import Base, utcnow
from assistant.store.models.registry import Account


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # At most once per recipient per event: the event key names the change (e.g. "booking:2026-000004:cancel:17").
        UniqueConstraint("event_key", "account_id"),
        Index("ix_notifications_account_created", "account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(48))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(32), default="")
    subject_no: Mapped[str] = mapped_column(String(32), default="")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()

    account: Mapped[Account] = relationship()


class Delivery(Base):
    """One notification on one chat channel.

    pending -> sending (claimed by a worker until ``next_attempt_at``, the lease) -> sent | pending again
    (a failure the channel reported, retried later) | dead (out of retries, refused, or outcome unknown);
    skipped when there is nothing to send to (no binding: channel "none"; kind muted; account inactive).
    """

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        Index("ix_notification_deliveries_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column()
    external_id: Mapped[str] = mapped_column(String(64), default="", doc="the chat identity it went to")
    updated_at: Mapped[datetime | None] = mapped_column()

    notification: Mapped[Notification] = relationship()


class NotificationPref(Base):
    """What one account does not want pushed to its chat channels (in-page notices are kept)."""

    __tablename__ = "notification_prefs"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
