"""Fixtures for the HTTP API: one app per database backend over the shared sample index.

The app reads the sample installation's index (read-only) and keeps its
store in a database of its own: a SQLite file, or a PostgreSQL schema when
ZHIJIAN_TEST_DATABASE_URL is set. ``demo`` empties the store and loads the
demo seed plus demo tokens before a test, so tests never see each other's writes.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from assistant.config import Settings
from assistant.store import migrate
from assistant.store.actors import Actor
from assistant.store.db import dispose_engines, make_engine, session_scope
from assistant.store.models import Base
from assistant.store.seed import seed_demo
from assistant.store.tokens import issue_token, seed_demo_tokens

PG_URL = os.environ.get("ZHIJIAN_TEST_DATABASE_URL")
PG_SKIP = "ZHIJIAN_TEST_DATABASE_URL not set: no PostgreSQL server to test against"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql",
                 marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason=PG_SKIP)]),
]
NO_LIMITS = {"api_rate_limit_anonymous": "", "api_rate_limit_token": "", "api_rate_limit_auth_failures": ""}


def make_settings(data_dir: Path, database_url: str, schema: str | None = None, **overrides: object) -> Settings:
    """Settings for a test app, independent of the environment (the defaults of a fresh install)."""
    return Settings(data_dir=data_dir, database_url=database_url, db_schema=schema, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Where the store lives for this backend: keyword arguments for ``make_settings``."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("api-db") / "api.db"
        yield {"database_url": f"sqlite:///{path}"}
        return
    schema = f"zj_api_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        yield {"database_url": PG_URL, "schema": schema}
    finally:
        dispose_engines()
        engine = make_engine(PG_URL)  # type: ignore[arg-type]
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()


@pytest.fixture(scope="session")
def api_app(backend: dict, sample_installation: Path):
    """The app over the sample index, rate limits off (tests of limits build their own app)."""
    settings = make_settings(sample_installation, **backend, **NO_LIMITS)
    app = create_app(settings)
    migrate.upgrade(app.state.services.assistant.db)
    return app


@pytest.fixture(scope="session")
def client(api_app) -> Iterator[TestClient]:
    with TestClient(api_app) as c:
        yield c


@dataclass
class Demo:
    tokens: dict[str, str]  # role -> token; "other" is a contractor of another enterprise (示例市政)

    def auth(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


def reset_store(app) -> Demo:
    services = app.state.services
    engine = services.assistant.db
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f"DELETE FROM {table.name}"))
    with session_scope(engine) as session:
        seed_demo(session, rules=services.assistant.rules, now=services.assistant.clock())
        toks = seed_demo_tokens(session)
        toks["other"] = issue_token(session, Actor.system("测试"), "shizheng", label="测试").token
    services.token_cache.clear()
    services.search_cache.clear()
    return Demo(tokens=toks)


@pytest.fixture
def demo(api_app) -> Demo:
    """A freshly seeded store: the demo data and one token per role."""
    return reset_store(api_app)


def rows(app, table: str) -> int:
    with app.state.services.assistant.db.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def wait_for_job(client, url: str, headers: dict, timeout: float = 300) -> dict:
    """Poll a background job (``/v1/documents/jobs/<id>``) until it is no longer queued or running."""
    deadline = time.monotonic() + timeout
    job: dict = {}
    while time.monotonic() < deadline:
        job = client.get(url, headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job did not finish in {timeout}s: {job}")


def assert_problem(resp, status: int, code: str | None = None) -> dict:
    """The response is RFC 9457 problem+json with a Chinese detail and no trace of the code."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers["content-type"]
    body = resp.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:zhijian:problem:")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"]), body["title"]
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    if code is not None:
        assert body["code"] == code, body
    return body
