"""Assistant tables: conversation state, query log, answer feedback.

Revision ID: 0002_assistant
Revises: 0001_initial
Create Date: 2026-11-24

Written out in full, like 0001, so it stays what it was when later migrations
change the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_assistant"
down_revision: str | None = "0001_initial"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="SET NULL",
                                   name=op.f(f"fk_{table}_account_id_accounts"))


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _account_fk("conversations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_table(
        "query_log",
        sa.Column("id", sa.Integer(), nullable=False),
        _ts("asked_at"),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(128), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("resolved_question", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(32), nullable=False),
        sa.Column("grounded", sa.Boolean(), nullable=False),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        _account_fk("query_log"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_log")),
    )
    op.create_index(op.f("ix_query_log_asked_at"), "query_log", ["asked_at"])
    op.create_index("ix_query_log_grounded_asked_at", "query_log", ["grounded", "asked_at"])
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rater", sa.String(160), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint("rating IN (-1, 1)", name=op.f("ck_answer_feedback_rating")),
        _account_fk("answer_feedback"),
        sa.ForeignKeyConstraint(["query_id"], ["query_log.id"], ondelete="CASCADE",
                                name=op.f("fk_answer_feedback_query_id_query_log")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
    )
    op.create_index(op.f("ix_answer_feedback_query_id"), "answer_feedback", ["query_id"])


def downgrade() -> None:
    for table in ("answer_feedback", "query_log", "conversations"):
        op.drop_table(table)
