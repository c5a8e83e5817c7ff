"""One open visit request per enterprise, project and topic, enforced by a partial unique index.

Revision ID: 0005_open_visit_unique
Revises: 0004_channel_bindings
Create Date: 2026-12-04

Concurrent identical requests on PostgreSQL could each pass the service's
duplicate check before either was written. Duplicates that already exist are
withdrawn (the oldest open request of each group is kept) with a reason that
says so, so the index can be built and nothing is silently deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_open_visit_unique"
down_revision: str | None = "0004_channel_bindings"
branch_labels = None
depends_on = None

OPEN = "status IN ('submitted', 'assigned', 'visited')"
REASON = "系统合并重复申请（与同一企业、工程、类别的较早申请重复）"


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        f"SELECT id, enterprise_id, coalesce(project_id, 0) AS project, topic FROM visit_requests "
        f"WHERE {OPEN} ORDER BY created_at, id"
    )).all()
    seen: set[tuple[int, int, str]] = set()
    duplicates = []
    for row in rows:
        key = (row.enterprise_id, row.project, row.topic)
        if key in seen:
            duplicates.append(row.id)
        seen.add(key)
    for visit_id in duplicates:
        bind.execute(sa.text("UPDATE visit_requests SET status = 'withdrawn', withdraw_reason = :reason WHERE id = :id"),
                     {"reason": REASON, "id": visit_id})
    op.create_index("uq_visit_requests_open", "visit_requests",
                    ["enterprise_id", sa.text("coalesce(project_id, 0)"), "topic"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index("uq_visit_requests_open", table_name="visit_requests")
