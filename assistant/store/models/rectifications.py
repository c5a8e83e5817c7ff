"""Rectification notices (整改通知单): open until a re-inspection passes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.enums import RectificationStatus
from assistant.store.models.base import Base, str_enum, utcnow
from assistant.store.models.registry import Enterprise, Project


class RectificationNotice(Base):
    __tablename__ = "rectification_notices"
    __table_args__ = (Index("ix_rectification_notices_project_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_no: Mapped[str] = mapped_column(String(16), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    problem: Mapped[str] = mapped_column(Text)
    cited_code: Mapped[str] = mapped_column(String(64), default="")
    cited_clause: Mapped[str] = mapped_column(String(32), default="")
    deadline: Mapped[date] = mapped_column(Date)
    responsible_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    status: Mapped[RectificationStatus] = mapped_column(
        str_enum(RectificationStatus, "rectification_status"), default=RectificationStatus.open
    )
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column()
    reinspection_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column()
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The inspection loop (migration 0009): where the notice came from, who issued it, reply photos
    # (attachment ids), how often a failed re-inspection re-issued it, when its lateness was escalated.
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id", ondelete="SET NULL"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    reply_photos: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    reissue_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None] = mapped_column()

    project: Mapped[Project] = relationship()
    responsible_enterprise: Mapped[Enterprise] = relationship()
