"""Getting an installation ready to serve: migrate the database, load the demo where it belongs."""

from __future__ import annotations

from sqlalchemy import func, select

from assistant.core import Assistant
from assistant.store import migrate
from assistant.store.models import Account, InspectionTeam
from assistant.store.seed import MARKER_TEAM, seed_demo
from assistant.store.tokens import seed_demo_tokens


def prepare_installation(assistant: Assistant, demo: bool | None) -> dict[str, str]:
    """Migrate; on the embedded default (or when asked) load the demo and return fresh demo tokens by role.

    ``demo=None`` decides by itself: the embedded SQLite database, either empty or already holding the demo.
    A production database (``ZHIJIAN_DATABASE_URL``) never gets demo data unless asked.
    """
    migrate.upgrade(assistant.db)
    with assistant.runtime.session() as session:
        if demo is None:
            seeded = session.scalar(select(InspectionTeam.id).where(InspectionTeam.name == MARKER_TEAM)) is not None
            empty = session.scalar(select(func.count(Account.id))) == 0
            demo = assistant.settings.database_url is None and (seeded or empty)
        if not demo:
            return {}
        now = assistant.clock()
        seed_demo(session, rules=assistant.rules, now=now)
        return seed_demo_tokens(session, now=now)
