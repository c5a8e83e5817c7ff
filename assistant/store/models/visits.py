"""Requests for the quality service team (质量服务团) to visit an enterprise or site."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.enums import OPEN_VISIT_STATUSES, VisitStatus
from assistant.store.models.base import Base, str_enum, utcnow
from assistant.store.models.registry import Account, Enterprise, Project

OPEN_VISIT_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in OPEN_VISIT_STATUSES))


class VisitRequest(Base):
    __tablename__ = "visit_requests"
    __table_args__ = (
        CheckConstraint("satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)", name="satisfaction"),
        Index("ix_visit_requests_status", "status"),
        # One open request per enterprise, project (or none) and topic, enforced by the database too:
        # concurrent identical submissions must not each pass the check before either is written.
        Index(
            "uq_visit_requests_open",
            "enterprise_id",
            text("coalesce(project_id, 0)"),
            "topic",
            unique=True,
            sqlite_where=text(OPEN_VISIT_SQL),
            postgresql_where=text(OPEN_VISIT_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_no: Mapped[str] = mapped_column(String(16), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    topic: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    preferred_dates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    contact_name: Mapped[str] = mapped_column(String(64))
    contact_phone: Mapped[str] = mapped_column(String(40))
    status: Mapped[VisitStatus] = mapped_column(str_enum(VisitStatus, "visit_status"), default=VisitStatus.submitted)
    planned_date: Mapped[date | None] = mapped_column(Date)
    visited_on: Mapped[date | None] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str] = mapped_column(Text, default="")
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    project: Mapped[Project | None] = relationship()
    experts: Mapped[list[Account]] = relationship(secondary="visit_experts", order_by="Account.id")


class VisitExpert(Base):
    __tablename__ = "visit_experts"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visit_requests.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), primary_key=True)
