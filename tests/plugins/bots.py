"""Telegram bot fixtures: the bot running against the fake Bot API (tests.plugins.botapi), chat helpers.

The bot runs in a thread of its own (its own event loop, long polling the fake
server through python-telegram-bot's real HTTP stack); a test pushes updates
and waits for the calls the bot makes. The database fixtures are the store's
(SQLite, and PostgreSQL when ZHIJIAN_TEST_DATABASE_URL is set); the clock is the
store tests' NOW (Thu 24 Sep 2026).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from assistant.config import Settings
from assistant.core import Assistant
from assistant.store import bindings
from assistant.store.db import session_scope
from bots.telegram import BotConfig, build_application
from bots.telegram.app import ALLOWED_UPDATES
from tests.plugins.assistant import NoAnswerer
from tests.plugins.botapi import TOKEN, Call, FakeBotAPI
from tests.plugins.store import NOW

__all__ = ["NOW", "UNLIMITED", "Bot", "BotThread", "Chat", "NoAnswerer", "bind", "button_data"]

STATION_PHONE = "0000-1234567"
# Generous limits, so only the rate-limit test ever meets them.
UNLIMITED = BotConfig(rate_burst=10_000, rate_per_minute=10_000)


class BotThread:
    """The application polling the fake server from a background thread, until the context ends."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        app = self.application
        async with app:
            await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
            await app.start()
            self._started.set()
            await self._stop.wait()
            await app.updater.stop()
            await app.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            self._error = exc
            self._started.set()

    def __enter__(self) -> BotThread:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._started.wait(30), "bot did not start"
        if self._error:
            raise self._error
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        assert not self._thread.is_alive(), "bot did not stop"
        if self._error:
            raise self._error


@dataclass
class Bot:
    assistant: Assistant
    thread: BotThread


@pytest.fixture
def make_bot(api: FakeBotAPI, engine: Engine, rules, tmp_path) -> Callable[..., Any]:
    """``with make_bot(answerer, config) as bot:`` — the bot over the test database, running."""

    @contextmanager
    def factory(answerer: Any = None, config: BotConfig = UNLIMITED) -> Iterator[Bot]:
        settings = Settings(data_dir=tmp_path / "data", station_name="测试质监站", station_phone=STATION_PHONE)
        assistant = Assistant(settings, answerer=answerer or NoAnswerer(), db=engine, rules=rules,
                              clock=lambda: NOW)
        application = build_application(assistant, TOKEN, base_url=api.base_url, config=config)
        with BotThread(application) as thread:
            yield Bot(assistant, thread)

    return factory


class Chat:
    """One Telegram user in a private chat with the bot; each step waits for the bot's messages."""

    def __init__(self, api: FakeBotAPI, user_id: int) -> None:
        self.api, self.user_id = api, user_id

    @property
    def cid(self) -> str:
        return f"tg:{self.user_id}"

    def received(self) -> list[Call]:
        return self.api.sent(self.user_id)

    def _expect(self, update: dict[str, Any], replies: int) -> list[Call]:
        before = len(self.received())
        self.api.push(update)
        self.api.wait_for(lambda: len(self.received()) >= before + replies)
        return self.received()[before:]

    def say(self, text: str, replies: int = 1) -> list[Call]:
        return self._expect(self.api.message_update(self.user_id, text), replies)

    def last(self, text: str) -> Call:
        return self.say(text)[-1]

    def press(self, message: Call, label: str, replies: int = 1) -> list[Call]:
        """Press the button of ``message`` whose label starts with ``label``."""
        data = button_data(message, label)
        return self._expect(self.api.callback_update(self.user_id, message.result["message_id"], data), replies)

    def press_data(self, message: Call, data: str) -> Call:
        """Press and wait for the callback to be answered and the buttons edited (no message expected)."""
        answers, edits = len(self.api.of("answerCallbackQuery")), len(self.api.of("editMessageReplyMarkup"))
        self.api.push(self.api.callback_update(self.user_id, message.result["message_id"], data))
        self.api.wait_for(lambda: len(self.api.of("answerCallbackQuery")) > answers
                          and len(self.api.of("editMessageReplyMarkup")) > edits)
        return self.api.of("answerCallbackQuery")[-1]


def button_data(message: Call, label: str) -> str:
    found = [b["callback_data"] for b in message.buttons() if b["text"].startswith(label)]
    assert found, f"no button {label!r} in {[b['text'] for b in message.buttons()]}"
    return found[0]


def bind(engine: Engine, issuer, account: str, user_id: int) -> None:  # noqa: ANN001
    """Bind a Telegram user directly through the store's service (tests of other things)."""
    with session_scope(engine) as s:
        code = bindings.issue_code(s, issuer, account, now=NOW).code
    with session_scope(engine) as s:
        bindings.redeem_code(s, "telegram", str(user_id), code, now=NOW)
