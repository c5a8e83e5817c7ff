"""Alembic driven from code, so ``zhijian db upgrade`` works from any directory and when installed.

The migration scripts live in ``assistant/store/migrations``; no alembic.ini is
needed. The engine to migrate is handed to env.py through ``Config.attributes``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from assistant.store.errors import SchemaNotReady

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "-1") -> None:
    command.downgrade(alembic_config(engine), revision)


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def history() -> list[tuple[str, str]]:
    """(revision, message) pairs from base to head."""
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    return [(s.revision, s.doc or "") for s in reversed(list(script.walk_revisions()))]


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database that is not at this code's schema version."""
    current = current_revision(engine)
    if current is None:
        raise SchemaNotReady("数据库尚未初始化，请先运行 zhijian db upgrade")
    if current != head_revision():
        raise SchemaNotReady(f"数据库版本（{current}）与程序不一致，请运行 zhijian db upgrade")


def can_write(engine: Engine) -> bool:
    """Whether the database accepts writes: a no-op update of the revision row, rolled back.

    A read-only file, mount or replica still answers reads and reports its revision; only a write shows it.
    """
    try:
        with engine.connect() as conn, conn.begin() as tx:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
            tx.rollback()
    except OperationalError as exc:
        if is_read_only_error(exc):
            return False
        raise
    return True


def is_read_only_error(exc: BaseException) -> bool:
    """A driver error that means the database refused a write because it is read-only."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "readonly" in text or "read-only" in text or "read only" in text
