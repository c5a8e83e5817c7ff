"""Alembic: an empty database goes to head and back to base, and head matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from assistant.store import migrate
from assistant.store.db import make_engine
from assistant.store.errors import SchemaNotReady
from assistant.store.models import Base
from tests.plugins.store import BACKENDS, PG_URL, drop_schema, unique_schema


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    schema = unique_schema()
    engine = make_engine(PG_URL, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_schema(PG_URL, schema)


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_to_head_and_back_to_base(empty_engine):
    assert migrate.current_revision(empty_engine) is None
    with pytest.raises(SchemaNotReady, match="请先运行 zhijian db upgrade"):
        migrate.ensure_current(empty_engine)

    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    migrate.ensure_current(empty_engine)
    assert _tables(empty_engine) == set(Base.metadata.tables) | {"alembic_version"}
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], "models and migrations disagree; write a migration"

    migrate.downgrade(empty_engine, "base")
    assert migrate.current_revision(empty_engine) is None
    assert _tables(empty_engine) == {"alembic_version"}

    migrate.upgrade(empty_engine)  # and up again
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    if empty_engine.dialect.name == "sqlite":  # the migration turned foreign keys off only for itself
        with empty_engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_production_code_never_creates_schema_outside_migrations():
    root = Path(migrate.__file__).resolve().parent
    offenders = [p.name for p in root.rglob("*.py") if "create_all(" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_partial_unique_index_exists(empty_engine):
    migrate.upgrade(empty_engine)
    indexes = {ix["name"]: ix for ix in inspect(empty_engine).get_indexes("bookings")}
    assert indexes["uq_bookings_active_project_milestone"]["unique"]


def test_history_lists_the_initial_revision():
    assert migrate.history()[0][0] == "0001_initial"
