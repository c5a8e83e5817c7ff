"""Inspection records (监督检查记录): who checked what, where, what was found and what was measured.

Photos are attachment ids (the attachments module stores the files); a finding
cites a clause as code + number, never as free text.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.enums import FindingCategory, InspectionSource, InspectionStatus
from assistant.store.models.base import Base, str_enum, utcnow
from assistant.store.models.bookings import Booking
from assistant.store.models.registry import Account, Project


class Inspection(Base):
    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_no: Mapped[str] = mapped_column(String(16), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    source: Mapped[InspectionSource] = mapped_column(str_enum(InspectionSource, "inspection_source"))
    inspected_on: Mapped[date] = mapped_column(Date)
    unit_work: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    entity_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    behavior_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    photos: Mapped[list[int]] = mapped_column(JSON, default=list)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[InspectionStatus] = mapped_column(
        str_enum(InspectionStatus, "inspection_status"), default=InspectionStatus.open
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()

    project: Mapped[Project] = relationship()
    booking: Mapped[Booking | None] = relationship()
    inspectors: Mapped[list[InspectionInspector]] = relationship(
        cascade="all, delete-orphan", order_by="InspectionInspector.account_id"
    )
    findings: Mapped[list[InspectionFinding]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="InspectionFinding.seq"
    )
    measurements: Mapped[list[InspectionMeasurement]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="InspectionMeasurement.seq"
    )


class InspectionInspector(Base):
    __tablename__ = "inspection_inspectors"

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), primary_key=True)

    account: Mapped[Account] = relationship()


class InspectionMeasurement(Base):
    """One set of readings of one tolerance item, with the tolerance as it stood when measured."""

    __tablename__ = "inspection_measurements"
    __table_args__ = (UniqueConstraint("inspection_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(80))
    item_name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16))
    position: Mapped[str] = mapped_column(String(200), default="")
    design: Mapped[float | None] = mapped_column(Float)
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)
    relative_to_design: Mapped[bool] = mapped_column(Boolean)
    code: Mapped[str] = mapped_column(String(64))
    clause_no: Mapped[str] = mapped_column(String(32))
    points: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    points_ok: Mapped[int] = mapped_column(Integer)
    points_total: Mapped[int] = mapped_column(Integer)
    pass_rate: Mapped[float] = mapped_column(Float)
    ok: Mapped[bool] = mapped_column(Boolean)
    alert: Mapped[bool] = mapped_column(Boolean)
    messages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="measurements")


class InspectionFinding(Base):
    """A problem found, citing the clause it breaks; may come from a flagged measurement, may go into a notice."""

    __tablename__ = "inspection_findings"
    __table_args__ = (UniqueConstraint("inspection_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    category: Mapped[FindingCategory] = mapped_column(str_enum(FindingCategory, "finding_category"))
    description: Mapped[str] = mapped_column(Text)
    cited_code: Mapped[str] = mapped_column(String(64))
    cited_clause: Mapped[str] = mapped_column(String(32))
    photos: Mapped[list[int]] = mapped_column(JSON, default=list)
    measurement_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_measurements.id", ondelete="SET NULL")
    )
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_notices.id", ondelete="SET NULL"),
                                                  index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
