"""The inspection loop: inspection records with findings and measured values, notices from findings,
credit drafts, published cases and random-check draws (双随机).

Revision ID: 0009_inspections
Revises: 0008_notification_prefs
Create Date: 2026-12-04

Photos are attachment ids (JSON lists) until the attachments table exists.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009_inspections"
down_revision: str | None = "0008_notification_prefs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credit_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('occurrence', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('good', 'bad', name='draft_credit_kind', native_enum=False, create_constraint=True, length=12), nullable=False),
        sa.Column('points', sa.Float(), nullable=False),
        sa.Column('valid_months', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('source_type', sa.String(length=16), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('source_no', sa.String(length=32), nullable=False),
        sa.Column('status', sa.Enum('pending', 'confirmed', 'rejected', name='draft_status', native_enum=False, create_constraint=True, length=17), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.Column('credit_record_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['credit_record_id'], ['credit_records.id'], name=op.f('fk_credit_drafts_credit_record_id_credit_records'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['accounts.id'], name=op.f('fk_credit_drafts_decided_by_id_accounts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_credit_drafts_enterprise_id_enterprises'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_drafts')),
        sa.UniqueConstraint('source_type', 'source_id', 'event', 'occurrence', 'enterprise_id', name=op.f('uq_credit_drafts_source_type_source_id_event_occurrence_enterprise_id'))
    )
    op.create_index(op.f('ix_credit_drafts_enterprise_id'), 'credit_drafts', ['enterprise_id'], unique=False)
    op.create_table('spot_check_draws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draw_no', sa.String(length=16), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('seed', sa.String(length=40), nullable=False),
        sa.Column('ratios', sa.JSON(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('population', sa.JSON(), nullable=False),
        sa.Column('inspectors_per_project', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_spot_check_draws_created_by_id_accounts'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_draws')),
        sa.UniqueConstraint('draw_no', name=op.f('uq_spot_check_draws_draw_no'))
    )
    op.create_table('inspections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_no', sa.String(length=16), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.Enum('booking', 'patrol', 'spot_check', name='inspection_source', native_enum=False, create_constraint=True, length=18), nullable=False),
        sa.Column('inspected_on', sa.Date(), nullable=False),
        sa.Column('unit_work', sa.String(length=200), nullable=False),
        sa.Column('position', sa.String(length=200), nullable=False),
        sa.Column('entity_items', sa.JSON(), nullable=False),
        sa.Column('behavior_items', sa.JSON(), nullable=False),
        sa.Column('photos', sa.JSON(), nullable=False),
        sa.Column('conclusion', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('open', 'finished', name='inspection_status', native_enum=False, create_constraint=True, length=16), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_inspections_booking_id_bookings'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_inspections_created_by_id_accounts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_inspections_project_id_projects'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections')),
        sa.UniqueConstraint('record_no', name=op.f('uq_inspections_record_no'))
    )
    op.create_index(op.f('ix_inspections_project_id'), 'inspections', ['project_id'], unique=False)
    op.create_table('inspection_inspectors',
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_inspection_inspectors_account_id_accounts'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_inspectors_inspection_id_inspections'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('inspection_id', 'account_id', name=op.f('pk_inspection_inspectors'))
    )
    op.create_table('inspection_measurements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=80), nullable=False),
        sa.Column('item_name', sa.String(length=200), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('position', sa.String(length=200), nullable=False),
        sa.Column('design', sa.Float(), nullable=True),
        sa.Column('lower', sa.Float(), nullable=True),
        sa.Column('upper', sa.Float(), nullable=True),
        sa.Column('relative_to_design', sa.Boolean(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('clause_no', sa.String(length=32), nullable=False),
        sa.Column('points', sa.JSON(), nullable=False),
        sa.Column('points_ok', sa.Integer(), nullable=False),
        sa.Column('points_total', sa.Integer(), nullable=False),
        sa.Column('pass_rate', sa.Float(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('alert', sa.Boolean(), nullable=False),
        sa.Column('messages', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_measurements_inspection_id_inspections'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_measurements')),
        sa.UniqueConstraint('inspection_id', 'seq', name=op.f('uq_inspection_measurements_inspection_id_seq'))
    )
    op.create_index(op.f('ix_inspection_measurements_inspection_id'), 'inspection_measurements', ['inspection_id'], unique=False)
    op.create_table('spot_check_picks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draw_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('grade', sa.String(length=4), nullable=False),
        sa.Column('inspector_ids', sa.JSON(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['draw_id'], ['spot_check_draws.id'], name=op.f('fk_spot_check_picks_draw_id_spot_check_draws'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_spot_check_picks_inspection_id_inspections'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_spot_check_picks_project_id_projects'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_picks')),
        sa.UniqueConstraint('draw_id', 'project_id', name=op.f('uq_spot_check_picks_draw_id_project_id'))
    )
    op.create_index(op.f('ix_spot_check_picks_draw_id'), 'spot_check_picks', ['draw_id'], unique=False)
    op.create_table('inspection_findings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('category', sa.Enum('entity', 'behavior', name='finding_category', native_enum=False, create_constraint=True, length=16), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('cited_code', sa.String(length=64), nullable=False),
        sa.Column('cited_clause', sa.String(length=32), nullable=False),
        sa.Column('photos', sa.JSON(), nullable=False),
        sa.Column('measurement_id', sa.Integer(), nullable=True),
        sa.Column('notice_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_findings_inspection_id_inspections'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['measurement_id'], ['inspection_measurements.id'], name=op.f('fk_inspection_findings_measurement_id_inspection_measurements'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['notice_id'], ['rectification_notices.id'], name=op.f('fk_inspection_findings_notice_id_rectification_notices'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_findings')),
        sa.UniqueConstraint('inspection_id', 'seq', name=op.f('uq_inspection_findings_inspection_id_seq'))
    )
    op.create_index(op.f('ix_inspection_findings_inspection_id'), 'inspection_findings', ['inspection_id'], unique=False)
    op.create_index(op.f('ix_inspection_findings_notice_id'), 'inspection_findings', ['notice_id'], unique=False)
    op.create_table('published_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_no', sa.String(length=16), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('problem', sa.Text(), nullable=False),
        sa.Column('cause', sa.Text(), nullable=False),
        sa.Column('treatment', sa.Text(), nullable=False),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('job_id', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['notice_id'], ['rectification_notices.id'], name=op.f('fk_published_cases_notice_id_rectification_notices'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['published_by_id'], ['accounts.id'], name=op.f('fk_published_cases_published_by_id_accounts'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_cases')),
        sa.UniqueConstraint('case_no', name=op.f('uq_published_cases_case_no')),
        sa.UniqueConstraint('notice_id', name=op.f('uq_published_cases_notice_id'))
    )
    with op.batch_alter_table("rectification_notices") as batch:
        batch.add_column(sa.Column("inspection_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("issued_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reply_photos", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("reissue_count", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(op.f("fk_rectification_notices_inspection_id_inspections"), "inspections",
                                 ["inspection_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_rectification_notices_issued_by_id_accounts"), "accounts",
                                 ["issued_by_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("rectification_notices") as batch:
        batch.drop_constraint(op.f("fk_rectification_notices_issued_by_id_accounts"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_rectification_notices_inspection_id_inspections"), type_="foreignkey")
        for column in ("escalated_at", "reissue_count", "reply_photos", "issued_by_id", "inspection_id"):
            batch.drop_column(column)
    op.drop_table("published_cases")
    op.drop_index(op.f("ix_inspection_findings_notice_id"), table_name="inspection_findings")
    op.drop_index(op.f("ix_inspection_findings_inspection_id"), table_name="inspection_findings")
    op.drop_table("inspection_findings")
    op.drop_index(op.f("ix_spot_check_picks_draw_id"), table_name="spot_check_picks")
    op.drop_table("spot_check_picks")
    op.drop_index(op.f("ix_inspection_measurements_inspection_id"), table_name="inspection_measurements")
    op.drop_table("inspection_measurements")
    op.drop_table("inspection_inspectors")
    op.drop_index(op.f("ix_inspections_project_id"), table_name="inspections")
    op.drop_table("inspections")
    op.drop_table("spot_check_draws")
    op.drop_index(op.f("ix_credit_drafts_enterprise_id"), table_name="credit_drafts")
    op.drop_table("credit_drafts")
