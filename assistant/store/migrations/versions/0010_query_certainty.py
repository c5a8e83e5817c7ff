"""The query log keeps each answer's certainty (clear / likely / none), so the station's report can list the
questions answered only with the nearest clauses, to be checked.

Revision ID: 0010_query_certainty
Revises: 0009_inspections
Create Date: 2026-12-05

Rows logged before this revision have an empty certainty (unknown).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010_query_certainty"
down_revision: str | None = "0009_inspections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("query_log") as batch:
        batch.add_column(sa.Column("certainty", sa.String(length=8), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("query_log") as batch:
        batch.drop_column("certainty")
