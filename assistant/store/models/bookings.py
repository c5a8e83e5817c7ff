"""Inspection bookings (监督验收预约) and the inspectors assigned to them."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.enums import ACTIVE_BOOKING_STATUSES, BookingStatus
from assistant.store.models.base import Base, str_enum, utcnow
from assistant.store.models.registry import Account, Enterprise, InspectionTeam, Project

_ACTIVE_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in ACTIVE_BOOKING_STATUSES))


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        # One active booking per project and milestone, enforced by the database as well.
        Index(
            "uq_bookings_active_project_milestone",
            "project_id",
            "milestone",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_bookings_team_day_status", "team_id", "inspection_date", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_no: Mapped[str] = mapped_column(String(16), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    milestone: Mapped[str] = mapped_column(String(32))
    requested_date: Mapped[date] = mapped_column(Date)
    # The day the booking occupies on its team's calendar: the requested date until rescheduled.
    inspection_date: Mapped[date] = mapped_column(Date)
    scheduled_time: Mapped[time | None] = mapped_column(Time)
    team_id: Mapped[int] = mapped_column(ForeignKey("inspection_teams.id", ondelete="RESTRICT"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    contact_name: Mapped[str] = mapped_column(String(64))
    contact_phone: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[BookingStatus] = mapped_column(
        str_enum(BookingStatus, "booking_status"), default=BookingStatus.submitted
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    calendar_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship()
    team: Mapped[InspectionTeam] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    inspectors: Mapped[list[Account]] = relationship(secondary="booking_inspectors", order_by="Account.id")


class BookingInspector(Base):
    __tablename__ = "booking_inspectors"

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), primary_key=True)
