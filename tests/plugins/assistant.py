"""Assistant fixtures: a conversation engine on a fixed clock, CLI installations, the real answerer.

The fixed clock is the store tests' NOW: Thursday 24 September 2026, the day before the
Mid-Autumn holiday (25–27 Sep); National Day runs 1–7 Oct and Saturday 10 Oct is an
adjusted working day — so "明天" is a holiday, "10月1日" is refused and "10月10日" is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from assistant.answering.models import Answer, Citation
from assistant.cli import app
from assistant.config import get_settings
from assistant.conversation.engine import ConversationEngine
from assistant.store.db import dispose_engines, get_engine, session_scope
from assistant.store.migrate import upgrade
from assistant.store.rules import StoreRules
from assistant.store.seed import seed_demo
from tests.plugins.store import BACKENDS, NOW, PG_URL, World, drop_schema, unique_schema

_ids = count(1)


class LongAnswerer:
    """A grounded answer of six quoted clauses, each ``clause_text(i)``: long enough to test a channel's splitting."""

    def __init__(self, clause_text: Callable[[int], str]) -> None:
        self.citations = [
            Citation(code="GB 50204-2015", title="混凝土结构工程施工质量验收规范", clause_no=f"4.{i}.{i + 1}",
                     text=clause_text(i), score=1.0, kind="body", status="现行", mandatory=i % 2 == 0)
            for i in range(1, 7)
        ]

    def lookup(self, text: str):
        return None

    def answer(self, question: str, *, context: str | None = None) -> Answer:
        parts = ["这个问题在规范中有明确规定："]
        for c in self.citations:
            badge = "【强制性条文】" if c.mandatory else ""
            parts.append(f"{c.reference()}{badge}：\n“{c.text}”")
        return Answer(answer="\n\n".join(parts), grounded=True, citations=self.citations, confidence=0.9)


class NoAnswerer:
    """Stands in where a test must show that no knowledge question reaches the answering service."""

    def answer(self, question: str, *, context: str | None = None):
        raise AssertionError(f"unexpected knowledge question: {question!r}")

    def lookup(self, text: str):
        raise AssertionError(f"unexpected clause lookup: {text!r}")


@pytest.fixture
def conv_engine(engine: Engine, rules) -> ConversationEngine:
    """An engine on the test database, on the fixed clock, that must not need the knowledge base."""
    return ConversationEngine(engine, lambda: NoAnswerer(), rules=rules, clock=lambda: NOW,
                              station_name="测试质监站", station_phone="0000-1234567")


@pytest.fixture
def cid() -> str:
    return f"test-{next(_ids)}"


class Dialogue:
    """Send messages one by one and keep the replies, as a channel would."""

    def __init__(self, engine: ConversationEngine, conversation_id: str, user) -> None:
        self.engine, self.cid, self.user = engine, conversation_id, user
        self.replies: list = []

    def __call__(self, text: str):
        reply = self.engine.handle(self.cid, self.user, text, channel="test")
        self.replies.append(reply)
        return reply


@pytest.fixture(scope="session")
def sample_answerer(sample_installation: Path):
    """The real answering service over the bundled sample corpus (index built once per session)."""
    from assistant.answering.service import Answerer
    from assistant.config import Settings

    return Answerer(settings=Settings(data_dir=sample_installation))


@pytest.fixture(params=BACKENDS)
def cli_db(request, tmp_path, monkeypatch) -> Iterator[str]:
    """A migrated, demo-seeded database (seeded as of NOW) for CLI runs; the CLI's clock is NOW."""
    monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    schema = None
    if request.param == "postgresql":
        schema = unique_schema()
        monkeypatch.setenv("ZHIJIAN_DATABASE_URL", PG_URL)
        monkeypatch.setenv("ZHIJIAN_DB_SCHEMA", schema)
    else:
        monkeypatch.delenv("ZHIJIAN_DATABASE_URL", raising=False)
        monkeypatch.delenv("ZHIJIAN_DB_SCHEMA", raising=False)
    get_settings.cache_clear()
    monkeypatch.setattr("assistant.core.default_clock", lambda: NOW)
    db = get_engine(get_settings())
    upgrade(db)
    with session_scope(db) as s:
        seed_demo(s, rules=StoreRules.from_settings(get_settings()), now=NOW)
    yield request.param
    dispose_engines()
    get_settings.cache_clear()
    if schema:
        drop_schema(PG_URL, schema)  # type: ignore[arg-type]


def run_cli(*args: str, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(app, list(args), input=input)
    if ok:
        assert result.exit_code == 0, (args, result.output, result.exception)
    else:
        assert result.exit_code == 1, (args, result.output)
    return result


def read(db: Engine, fn):
    """Run ``fn(session)`` in a short transaction of its own (a held SQLite transaction would block the engine)."""
    with session_scope(db) as s:
        return fn(s)


@pytest.fixture
def w(world: World, session) -> World:
    """The store tests' world, with the fixture session's transaction ended (it would hold SQLite's write lock)."""
    session.rollback()
    return world
