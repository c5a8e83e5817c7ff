"""Initial schema: enterprises, projects, teams, accounts, credit, bookings, notices, visits, audit.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24

Written out in full (not imported from the models) so it stays what it was when
later migrations change the models. Enums are VARCHAR + CHECK on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels = None
depends_on = None

ENTERPRISE_ROLES = ("owner", "contractor", "supervisor", "surveyor", "designer", "testing")
ACTIVE_BOOKING = sa.text("status IN ('submitted', 'accepted', 'scheduled')")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(map(len, values)) + 8)


def upgrade() -> None:
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", _enum("enterprise_role", ENTERPRISE_ROLES), nullable=False),
        sa.Column("qualification", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
        sa.UniqueConstraint("name", name=op.f("uq_enterprises_name")),
        sa.UniqueConstraint("uscc", name=op.f("uq_enterprises_uscc")),
    )
    op.create_table(
        "inspection_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("daily_capacity", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("daily_capacity IS NULL OR daily_capacity >= 0", name=op.f("ck_inspection_teams_capacity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_inspection_teams_name")),
    )
    op.create_table(
        "number_sequences",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", _enum("account_role", ("contractor", "inspector", "expert", "admin")), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], ondelete="SET NULL",
                                name=op.f("fk_accounts_enterprise_id_enterprises")),
        sa.ForeignKeyConstraint(["team_id"], ["inspection_teams.id"], ondelete="SET NULL",
                                name=op.f("fk_accounts_team_id_inspection_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("login", name=op.f("uq_accounts_login")),
    )
    op.create_table(
        "credit_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("credit_kind", ("good", "bad")), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document_no", sa.String(100), nullable=False),
        _ts("revoked_at", nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        _ts("created_at"),
        sa.CheckConstraint("(kind = 'good' AND points > 0) OR (kind = 'bad' AND points < 0)",
                           name=op.f("ck_credit_records_points_sign")),
        sa.CheckConstraint("expires_on > recorded_on", name=op.f("ck_credit_records_expiry_after_record")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], ondelete="CASCADE",
                                name=op.f("fk_credit_records_enterprise_id_enterprises")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_records")),
    )
    op.create_index(op.f("ix_credit_records_enterprise_id"), "credit_records", ["enterprise_id"])
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("supervision_no", sa.String(64), nullable=True),
        sa.Column("permit_no", sa.String(64), nullable=True),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("status", _enum("project_status", ("under_supervision", "completed")), nullable=False),
        sa.Column("is_key_public", sa.Boolean(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        sa.CheckConstraint("supervision_no IS NOT NULL OR permit_no IS NOT NULL", name=op.f("ck_projects_has_number")),
        sa.ForeignKeyConstraint(["team_id"], ["inspection_teams.id"], ondelete="SET NULL",
                                name=op.f("fk_projects_team_id_inspection_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("permit_no", name=op.f("uq_projects_permit_no")),
        sa.UniqueConstraint("supervision_no", name=op.f("uq_projects_supervision_no")),
    )
    op.create_index(op.f("ix_projects_name"), "projects", ["name"])
    op.create_table(
        "team_days",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name=op.f("ck_team_days_capacity")),
        sa.ForeignKeyConstraint(["team_id"], ["inspection_teams.id"], ondelete="CASCADE",
                                name=op.f("fk_team_days_team_id_inspection_teams")),
        sa.PrimaryKeyConstraint("team_id", "day", name=op.f("pk_team_days")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(64), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        _ts("at"),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["accounts.id"], ondelete="SET NULL",
                                name=op.f("fk_audit_events_actor_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_entity", "audit_events", ["entity", "entity_id"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_no", sa.String(16), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.String(32), nullable=False),
        sa.Column("requested_date", sa.Date(), nullable=False),
        sa.Column("inspection_date", sa.Date(), nullable=False),
        sa.Column("scheduled_time", sa.Time(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(64), nullable=False),
        sa.Column("contact_phone", sa.String(40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", _enum("booking_status", ("submitted", "accepted", "returned", "scheduled", "completed",
                                                     "cancelled")), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("calendar_provisional", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], ondelete="RESTRICT",
                                name=op.f("fk_bookings_enterprise_id_enterprises")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="RESTRICT",
                                name=op.f("fk_bookings_project_id_projects")),
        sa.ForeignKeyConstraint(["team_id"], ["inspection_teams.id"], ondelete="RESTRICT",
                                name=op.f("fk_bookings_team_id_inspection_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("booking_no", name=op.f("uq_bookings_booking_no")),
    )
    op.create_index(op.f("ix_bookings_project_id"), "bookings", ["project_id"])
    op.create_index("ix_bookings_team_day_status", "bookings", ["team_id", "inspection_date", "status"])
    op.create_index("uq_bookings_active_project_milestone", "bookings", ["project_id", "milestone"], unique=True,
                    sqlite_where=ACTIVE_BOOKING, postgresql_where=ACTIVE_BOOKING)
    op.create_table(
        "project_parties",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("role", _enum("party_role", ENTERPRISE_ROLES), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], ondelete="RESTRICT",
                                name=op.f("fk_project_parties_enterprise_id_enterprises")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE",
                                name=op.f("fk_project_parties_project_id_projects")),
        sa.PrimaryKeyConstraint("project_id", "role", name=op.f("pk_project_parties")),
    )
    op.create_index(op.f("ix_project_parties_enterprise_id"), "project_parties", ["enterprise_id"])
    op.create_table(
        "rectification_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_no", sa.String(16), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("cited_code", sa.String(64), nullable=False),
        sa.Column("cited_clause", sa.String(32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("responsible_enterprise_id", sa.Integer(), nullable=False),
        sa.Column("status", _enum("rectification_status", ("open", "replied", "closed")), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        _ts("replied_at", nullable=True),
        sa.Column("reinspection_note", sa.Text(), nullable=False),
        _ts("closed_at", nullable=True),
        _ts("issued_at"),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="RESTRICT",
                                name=op.f("fk_rectification_notices_project_id_projects")),
        sa.ForeignKeyConstraint(["responsible_enterprise_id"], ["enterprises.id"], ondelete="RESTRICT",
                                name=op.f("fk_rectification_notices_responsible_enterprise_id_enterprises")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_notices")),
        sa.UniqueConstraint("notice_no", name=op.f("uq_rectification_notices_notice_no")),
    )
    op.create_index("ix_rectification_notices_project_status", "rectification_notices", ["project_id", "status"])
    op.create_table(
        "visit_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_no", sa.String(16), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("preferred_dates", sa.JSON(), nullable=False),
        sa.Column("contact_name", sa.String(64), nullable=False),
        sa.Column("contact_phone", sa.String(40), nullable=False),
        sa.Column("status", _enum("visit_status", ("submitted", "assigned", "visited", "closed", "withdrawn")),
                  nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("withdraw_reason", sa.Text(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint("satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
                           name=op.f("ck_visit_requests_satisfaction")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], ondelete="RESTRICT",
                                name=op.f("fk_visit_requests_enterprise_id_enterprises")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="RESTRICT",
                                name=op.f("fk_visit_requests_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_requests")),
        sa.UniqueConstraint("visit_no", name=op.f("uq_visit_requests_visit_no")),
    )
    op.create_index(op.f("ix_visit_requests_enterprise_id"), "visit_requests", ["enterprise_id"])
    op.create_index("ix_visit_requests_status", "visit_requests", ["status"])
    op.create_table(
        "booking_inspectors",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="RESTRICT",
                                name=op.f("fk_booking_inspectors_account_id_accounts")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], ondelete="CASCADE",
                                name=op.f("fk_booking_inspectors_booking_id_bookings")),
        sa.PrimaryKeyConstraint("booking_id", "account_id", name=op.f("pk_booking_inspectors")),
    )
    op.create_table(
        "visit_experts",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="RESTRICT",
                                name=op.f("fk_visit_experts_account_id_accounts")),
        sa.ForeignKeyConstraint(["visit_id"], ["visit_requests.id"], ondelete="CASCADE",
                                name=op.f("fk_visit_experts_visit_id_visit_requests")),
        sa.PrimaryKeyConstraint("visit_id", "account_id", name=op.f("pk_visit_experts")),
    )


def downgrade() -> None:
    # Reverse dependency order; indexes go with their tables.
    for table in (
        "visit_experts",
        "booking_inspectors",
        "visit_requests",
        "rectification_notices",
        "project_parties",
        "bookings",
        "audit_events",
        "team_days",
        "projects",
        "credit_records",
        "accounts",
        "number_sequences",
        "inspection_teams",
        "enterprises",
    ):
        op.drop_table(table)
