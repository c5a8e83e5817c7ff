"""Chat-channel bindings (Telegram user -> account) and one-time binding codes (hashes only).

Revision ID: 0004_channel_bindings
Revises: 0003_api_tokens
Create Date: 2026-11-25

Written out in full, like 0001, so it stays what it was when later migrations
change the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_channel_bindings"
down_revision: str | None = "0003_api_tokens"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_account_id_accounts"))


def upgrade() -> None:
    op.create_table(
        "channel_bindings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        _ts("created_at"),
        _account_fk("channel_bindings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_bindings")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_channel_bindings_channel_external_id")),
    )
    op.create_index(op.f("ix_channel_bindings_account_id"), "channel_bindings", ["account_id"])
    op.create_table(
        "binding_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.Column("used_by", sa.String(96), nullable=False),
        _account_fk("binding_codes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_binding_codes_code_hash")),
    )
    op.create_index(op.f("ix_binding_codes_account_id"), "binding_codes", ["account_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_binding_codes_account_id"), table_name="binding_codes")
    op.drop_table("binding_codes")
    op.drop_index(op.f("ix_channel_bindings_account_id"), table_name="channel_bindings")
    op.drop_table("channel_bindings")
