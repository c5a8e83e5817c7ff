"""Muted kinds of notice per account; where and when each chat delivery went.

Revision ID: 0008_notification_prefs
Revises: 0007_workbench
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008_notification_prefs"
down_revision: str | None = "0007_workbench"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_prefs",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("muted", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_notification_prefs_account_id_accounts")),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_notification_prefs")),
    )
    with op.batch_alter_table("notification_deliveries") as batch:
        batch.add_column(sa.Column("external_id", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_deliveries") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("external_id")
    op.drop_table("notification_prefs")
