"""Who and what is supervised: enterprises, projects and their parties, inspection teams, accounts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.enums import AccountRole, EnterpriseRole, ProjectStatus
from assistant.store.models.base import Base, str_enum, utcnow


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[EnterpriseRole] = mapped_column(str_enum(EnterpriseRole, "enterprise_role"))
    qualification: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InspectionTeam(Base):
    """A supervision group (监督组); bookings of its projects share its daily capacity."""

    __tablename__ = "inspection_teams"
    __table_args__ = (CheckConstraint("daily_capacity IS NULL OR daily_capacity >= 0", name="capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    daily_capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("supervision_no IS NOT NULL OR permit_no IS NOT NULL", name="has_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    supervision_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    permit_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus, "project_status"), default=ProjectStatus.under_supervision
    )
    is_key_public: Mapped[bool] = mapped_column(Boolean, default=False)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_teams.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[InspectionTeam | None] = relationship()
    parties: Mapped[list[ProjectParty]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectParty.role"
    )


class ProjectParty(Base):
    """The enterprise filling one role (建设、施工、监理 …) on a project."""

    __tablename__ = "project_parties"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[EnterpriseRole] = mapped_column(str_enum(EnterpriseRole, "party_role"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True)

    project: Mapped[Project] = relationship(back_populates="parties")
    enterprise: Mapped[Enterprise] = relationship()


class Account(Base):
    """A person who acts in the store; minimal now, extended by the accounts issue."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[AccountRole] = mapped_column(str_enum(AccountRole, "account_role"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_teams.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamDay(Base):
    """One team on one day: the row bookings lock to count capacity, and an optional override."""

    __tablename__ = "team_days"
    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("inspection_teams.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class NumberSequence(Base):
    """Per-kind, per-year counters behind booking, notice and visit numbers (2026-000123)."""

    __tablename__ = "number_sequences"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
