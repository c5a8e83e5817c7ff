"""Fixtures for the Telegram bot: a fake Bot API on loopback, the bot running against it, chat helpers.

The bot runs in a thread of its own (its own event loop, long polling the fake
server through python-telegram-bot's real HTTP stack); a test pushes updates
and waits for the calls the bot makes. The database fixtures are the store's
(SQLite, and PostgreSQL when ZHIJIAN_TEST_DATABASE_URL is set); the clock is the
store tests' NOW (Thu 24 Sep 2026).
"""

from tests.assistant.fixtures import cli_db, sample_answerer  # noqa: F401
from tests.bots.fixtures import api, make_bot, w  # noqa: F401
from tests.bots.wecom_fixtures import make_wecom, wecom_api  # noqa: F401
from tests.store.conftest import admin, engine, migrated_engine, rules, session, world  # noqa: F401
