"""Alembic environment: migrates the engine passed in by ``assistant.store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from assistant.store.db import engine_schema
from assistant.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine | None = context.config.attributes.get("engine")
    if engine is None:
        raise RuntimeError("use assistant.store.migrate (zhijian db …), which passes the engine in")
    schema = engine_schema(engine)
    if schema and engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if is_sqlite else None
        if raw is not None:
            # Batch migrations copy tables; foreign keys must be off meanwhile (and the
            # pragma only works outside a transaction).
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=is_sqlite,  # SQLite alters tables by copying them
                transactional_ddl=True,
                compare_type=True,
            )
            with context.begin_transaction():
                if engine.dialect.name == "postgresql":
                    # Two processes upgrading at once queue here instead of colliding.
                    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7361928450)")
                context.run_migrations()
            # Commit the outer connection-level transaction SQLAlchemy 2 opened for us.
            if connection.in_transaction():
                connection.commit()
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    raise RuntimeError("离线生成 SQL 不受支持，请直接对数据库运行 zhijian db upgrade")
run_migrations_online()
