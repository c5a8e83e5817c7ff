"""Store fixtures: every test runs on SQLite and, when ZHIJIAN_TEST_DATABASE_URL is set, PostgreSQL.

PostgreSQL runs are isolated in a schema of their own (created by the migrations,
dropped at the end), because CI and other runs share that database. Between
tests every table is emptied, which is much faster than migrating again.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from assistant.store import accounts, enterprises, projects, teams
from assistant.store.actors import Actor
from assistant.store.db import make_engine, make_sessionmaker
from assistant.store.migrate import upgrade
from assistant.store.models import Base
from assistant.store.rules import StoreRules
from assistant.store.seed import demo_code
from assistant.store.workdays import WorkCalendar

PG_URL = os.environ.get("ZHIJIAN_TEST_DATABASE_URL")
PG_SKIP = "ZHIJIAN_TEST_DATABASE_URL not set: no PostgreSQL server to test against"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[pytest.mark.postgres,
                                                       pytest.mark.skipif(not PG_URL, reason=PG_SKIP)]),
]
CST = ZoneInfo("Asia/Shanghai")
# Thursday before the 2026 Mid-Autumn (25–27 Sep) and National Day (1–7 Oct) holidays;
# Saturday 10 Oct is an adjusted working day.
NOW = datetime(2026, 9, 24, 9, 0, tzinfo=CST)


def unique_schema() -> str:
    return f"zj_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def drop_schema(url: str, schema: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("store") / "store.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    schema = unique_schema()
    engine = make_engine(PG_URL, schema=schema, pool_size=10, max_overflow=60)  # type: ignore[arg-type]
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_schema(PG_URL, schema)  # type: ignore[arg-type]


def _empty(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:  # DELETE beats TRUNCATE on tables this small
        for name in tables:
            conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    _empty(migrated_engine)
    yield migrated_engine
    _empty(migrated_engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    s = make_sessionmaker(engine)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture
def rules() -> StoreRules:
    """The default rules, independent of the environment."""
    return StoreRules(calendar=WorkCalendar())


@pytest.fixture
def admin() -> Actor:
    return Actor.system("测试管理员")


@dataclass
class World:
    team_id: int
    builder_id: int  # 施工
    owner_id: int  # 建设
    supervisor_id: int  # 监理
    other_id: int  # a contractor not on the project
    project_id: int
    project2_id: int
    inspector: Actor
    inspector2: Actor
    contractor: Actor  # account of the builder
    outsider: Actor  # account of the other contractor
    expert: Actor


@pytest.fixture
def world(session: Session, admin: Actor) -> World:
    """Two teams, four enterprises, two projects of the builder, and one account per role."""
    team = teams.create_team(session, admin, "第一监督组", daily_capacity=3, rules=StoreRules())
    teams.create_team(session, admin, "第二监督组", rules=StoreRules())
    e = {}
    for i, (key, name, role) in enumerate(
        [("builder", "示例建工集团有限公司", "施工"), ("owner", "示例置业有限公司", "建设"),
         ("sup", "示例监理咨询有限公司", "监理"), ("other", "示例路桥工程有限公司", "施工")], start=1
    ):
        e[key] = enterprises.create_enterprise(session, admin, uscc_code=demo_code(i), name=name, role=role)
    parties = {"施工": e["builder"].id, "建设": e["owner"].id, "监理": e["sup"].id}
    p1 = projects.create_project(session, admin, name="示例中学教学楼", supervision_no="JD-2026-001",
                                 team=team.id, parties=parties)
    p2 = projects.create_project(session, admin, name="示例小区1号楼", permit_no="SG-2026-002",
                                 team=team.id, parties=parties)
    for login, name, role, kw in [
        ("insp1", "张监督", "inspector", {"team": team.id}),
        ("insp2", "李监督", "inspector", {"team": team.id}),
        ("boss", "示例建工联系人", "contractor", {"enterprise": e["builder"].id}),
        ("out", "路桥联系人", "contractor", {"enterprise": e["other"].id}),
        ("exp", "赵专家", "expert", {}),
    ]:
        accounts.create_account(session, admin, login=login, name=name, role=role, **kw)
    session.commit()
    return World(
        team_id=team.id, builder_id=e["builder"].id, owner_id=e["owner"].id, supervisor_id=e["sup"].id,
        other_id=e["other"].id, project_id=p1.id, project2_id=p2.id,
        inspector=accounts.actor_for(session, "insp1"), inspector2=accounts.actor_for(session, "insp2"),
        contractor=accounts.actor_for(session, "boss"), outsider=accounts.actor_for(session, "out"),
        expert=accounts.actor_for(session, "exp"),
    )


def count_rows(session: Session, *tables: str) -> dict[str, int]:
    """Row counts, to show a refused call wrote nothing."""
    return {t: session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables}
