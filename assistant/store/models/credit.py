"""Credit records; the score and grade are computed from them, never stored."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.enums import CreditKind
from assistant.store.models.base import Base, str_enum, utcnow
from assistant.store.models.registry import Enterprise


class CreditRecord(Base):
    __tablename__ = "credit_records"
    __table_args__ = (
        CheckConstraint("(kind = 'good' AND points > 0) OR (kind = 'bad' AND points < 0)", name="points_sign"),
        CheckConstraint("expires_on > recorded_on", name="expiry_after_record"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CreditKind] = mapped_column(str_enum(CreditKind, "credit_kind"))
    points: Mapped[float] = mapped_column(Float)
    recorded_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    document_no: Mapped[str] = mapped_column(String(100), default="")
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
