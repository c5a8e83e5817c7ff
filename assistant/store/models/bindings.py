"""Chat-channel identities bound to accounts, and the one-time codes that bind them.

A station hands a person a short code (issued by an admin or inspector); the
person sends it to the bot, which ties their channel identity (a Telegram user
id) to the account. Codes are kept only as SHA-256 hashes and work once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.models.base import Base, utcnow
from assistant.store.models.registry import Account


class ChannelBinding(Base):
    """One channel identity (e.g. a Telegram user) acting as one account."""

    __tablename__ = "channel_bindings"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship()


class BindingCode(Base):
    """A one-time code for binding a channel identity to ``account``; the code itself is never stored."""

    __tablename__ = "binding_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    used_by: Mapped[str] = mapped_column(String(96), default="", doc="channel:external_id that redeemed it")

    account: Mapped[Account] = relationship()
