"""Gap-free year-sequence numbers (2026-000123) that never collide, on SQLite and PostgreSQL.

The counter row is created if missing (INSERT … ON CONFLICT DO NOTHING) and then
bumped with one ``UPDATE … RETURNING``; the row lock that UPDATE takes is held to
the end of the caller's transaction, so concurrent callers queue, and a rolled
back caller gives its number back.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from assistant.store.models import NumberSequence
from assistant.store.upsert import insert_ignore

PREFIXES = {"booking": "", "notice": "ZG", "visit": "FW", "inspection": "JC", "spotcheck": "CC", "case": "AL"}


def next_number(session: Session, kind: str, year: int, *, width: int = 6) -> str:
    """Allocate the next number of ``kind`` in ``year`` inside the caller's transaction."""
    insert_ignore(session, NumberSequence, {"kind": kind, "year": year, "last_value": 0})
    value = session.execute(
        update(NumberSequence)
        .where(NumberSequence.kind == kind, NumberSequence.year == year)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return f"{PREFIXES.get(kind, '')}{year}-{value:0{width}d}"
