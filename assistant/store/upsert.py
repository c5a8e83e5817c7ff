"""Dialect-aware ``INSERT … ON CONFLICT DO NOTHING`` for rows that may be created concurrently."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: type[Any], values: dict[str, Any]) -> int:
    """Insert ``values`` unless a row with the same key exists (no error, no overwrite); 1 if inserted."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(model).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(model).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported backends
        raise NotImplementedError(dialect)
    key = next(iter(model.__table__.primary_key.columns))
    return 0 if session.execute(stmt.returning(key)).first() is None else 1
