"""What follows from the inspection loop: credit drafts, published cases, random-check draws (双随机)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.enums import CreditKind, DraftStatus
from assistant.store.models.base import Base, str_enum, utcnow
from assistant.store.models.registry import Enterprise, Project


class CreditDraft(Base):
    """A credit record proposed by an event (a notice overdue, closed on time …); counts only once confirmed."""

    __tablename__ = "credit_drafts"
    __table_args__ = (UniqueConstraint("source_type", "source_id", "event", "occurrence", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[CreditKind] = mapped_column(str_enum(CreditKind, "draft_credit_kind"))
    points: Mapped[float] = mapped_column(Float)
    valid_months: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    source_type: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    source_no: Mapped[str] = mapped_column(String(32))
    status: Mapped[DraftStatus] = mapped_column(str_enum(DraftStatus, "draft_status"), default=DraftStatus.pending)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    credit_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id", ondelete="SET NULL"))

    enterprise: Mapped[Enterprise] = relationship()


class PublishedCase(Base):
    """A closed notice published, anonymised, as one of the station's own cases in the knowledge base."""

    __tablename__ = "published_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(16), unique=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("rectification_notices.id", ondelete="RESTRICT"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(Text)
    treatment: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    job_id: Mapped[str] = mapped_column(String(32), default="")


class SpotCheckDraw(Base):
    """One random-check draw: the population it drew from, the ratios, the seed — enough to replay it."""

    __tablename__ = "spot_check_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_no: Mapped[str] = mapped_column(String(16), unique=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    seed: Mapped[str] = mapped_column(String(40))
    ratios: Mapped[dict[str, float]] = mapped_column(JSON)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    population: Mapped[dict[str, Any]] = mapped_column(JSON)
    inspectors_per_project: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    picks: Mapped[list[SpotCheckPick]] = relationship(
        back_populates="draw", cascade="all, delete-orphan", order_by="SpotCheckPick.id"
    )


class SpotCheckPick(Base):
    __tablename__ = "spot_check_picks"
    __table_args__ = (UniqueConstraint("draw_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("spot_check_draws.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    grade: Mapped[str] = mapped_column(String(4))
    inspector_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id", ondelete="SET NULL"))

    draw: Mapped[SpotCheckDraw] = relationship(back_populates="picks")
    project: Mapped[Project] = relationship()
