"""Fixtures for the assistant: the store's database fixtures (SQLite and, when configured, PostgreSQL),
a conversation engine on a fixed clock, and CLI installations.

The fixed clock is the store tests' NOW: Thursday 24 September 2026, the day before the
Mid-Autumn holiday (25–27 Sep); National Day runs 1–7 Oct and Saturday 10 Oct is an
adjusted working day — so "明天" is a holiday, "10月1日" is refused and "10月10日" is accepted.
"""

from tests.assistant.fixtures import (  # noqa: F401  (fixtures and helpers for this package)
    Dialogue,
    NoAnswerer,
    cid,
    cli_db,
    conv_engine,
    read,
    run_cli,
    sample_answerer,
    w,
)
from tests.store.conftest import (  # noqa: F401
    BACKENDS,
    CST,
    NOW,
    PG_URL,
    World,
    admin,
    count_rows,
    drop_schema,
    engine,
    migrated_engine,
    rules,
    session,
    unique_schema,
    world,
)
