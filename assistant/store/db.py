"""Engine and session factory for the store.

SQLite (the embedded default) gets WAL, foreign keys, a busy timeout and
``BEGIN IMMEDIATE`` for every transaction, so concurrent writers queue on the
database lock instead of failing half-way; PostgreSQL runs at READ COMMITTED and
the services take explicit row locks where a rule spans rows. Schema is created
only by the migrations in ``assistant.store.migrations``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.store.errors import DatabaseUnavailable, InvalidInput, SchemaNotReady, StoreBusy

SQLITE_BUSY_TIMEOUT_S = 30
SCHEMA_OPTION = "zhijian_schema"
_SCHEMA_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def make_engine(url: str, *, schema: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine configured for the store's locking model.

    ``schema`` (PostgreSQL only) puts the store in its own schema via search_path,
    which is how tests and shared servers keep installations apart.
    """
    sa_url = make_url(url)
    backend = sa_url.get_backend_name()
    if backend == "sqlite":
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(sa_url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql" and schema:
        if not _SCHEMA_RE.match(schema):
            raise ValueError(f"invalid schema name: {schema!r}")
        connect_args = {"options": f"-csearch_path={schema}"}
        connect_args.update(kwargs.pop("connect_args", {}))
        kwargs["connect_args"] = connect_args
        # Remembered so the migrations can create the schema before using it.
        kwargs["execution_options"] = {**kwargs.get("execution_options", {}), SCHEMA_OPTION: schema}
    kwargs.setdefault("pool_pre_ping", True)
    if backend == "postgresql":
        # The locking in the services is written for READ COMMITTED; don't inherit a server default.
        kwargs.setdefault("isolation_level", "READ COMMITTED")
    return create_engine(sa_url, **kwargs)


def engine_schema(engine: Engine) -> str | None:
    """The PostgreSQL schema this engine was made for, if any."""
    return engine.get_execution_options().get(SCHEMA_OPTION)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE: take the write lock up front; a deferred reader that later
        # writes would fail with SQLITE_BUSY instead of waiting.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


_ENGINES: list[Engine] = []


@lru_cache(maxsize=8)
def _cached_engine(url: str, schema: str | None) -> Engine:
    engine = make_engine(url, schema=schema)
    _ENGINES.append(engine)
    return engine


def get_engine(settings: Any) -> Engine:
    """The engine for the database ``settings`` names (one per URL and schema in a process)."""
    if not settings.database_url:
        settings.ensure_dirs()
    return _cached_engine(settings.sqlalchemy_url, settings.db_schema)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = make_sessionmaker(engine)()
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        _quiet_rollback(session)
        text = str(exc.orig).lower()
        if "database is locked" in text:
            raise StoreBusy("系统繁忙，请稍后重试") from exc
        if "readonly" in text or "read-only" in text or "read only" in text:
            raise DatabaseUnavailable("数据库当前为只读状态，暂时不能保存修改，请联系质监站管理员", code="db_read_only") from exc
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            raise SchemaNotReady("数据库尚未初始化或版本不一致，请管理员运行 zhijian db upgrade") from exc
        raise DatabaseUnavailable("数据库暂时无法访问，请稍后重试") from exc
    except DataError as exc:
        _quiet_rollback(session)
        raise InvalidInput("输入的数值超出范围或含有无效字符", code="invalid_data") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _quiet_rollback(session: Session) -> None:
    """Roll back after a database failure; a connection that is already gone cannot roll back, and need not."""
    with suppress(SQLAlchemyError):
        session.rollback()


def dispose_engines() -> None:
    """Close every cached engine's connections (on shutdown, or when settings change in tests)."""
    for engine in _ENGINES:
        engine.dispose()
    _ENGINES.clear()
    _cached_engine.cache_clear()
