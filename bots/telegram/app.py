"""Building and running the bot: one ``Application`` over one ``Assistant``, by long polling or webhook."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application

from assistant.core import Assistant
from bots.telegram.handlers import BotConfig, TelegramChannel
from bots.telegram.texts import bot_commands

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def build_application(
    assistant: Assistant,
    token: str,
    *,
    base_url: str | None = None,
    config: BotConfig | None = None,
    webhook: bool = False,
    setup: bool = False,
) -> Application:
    """The bot's ``Application`` with every handler registered.

    ``base_url`` points at another Bot API server (tests, a self-hosted one);
    ``webhook`` leaves out the polling updater (updates arrive through
    ``bots.telegram.webhook``); ``setup`` publishes the command menu and loads
    the knowledge index before the first update, so the first question is not slow.
    """
    builder = Application.builder().token(token)
    if base_url:
        builder = builder.base_url(base_url)
    if webhook:
        builder = builder.updater(None)
    if setup:
        builder = builder.post_init(_setup(assistant))
    application = builder.build()
    TelegramChannel(assistant, config).register(application)
    return application


def _setup(assistant: Assistant):  # noqa: ANN202 - a post_init callback
    async def post_init(application: Application) -> None:
        await application.bot.set_my_commands(bot_commands())
        try:
            await asyncio.to_thread(assistant.warm_up)
        except Exception as exc:  # noqa: BLE001 - the bot still books and looks up credit without an index
            log.warning("knowledge index not loaded: %s", exc)

    return post_init


def run_polling(application: Application, *, drop_pending_updates: bool = False) -> None:
    """Long polling until Ctrl+C / SIGTERM (the simple way: no public address needed)."""
    application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=drop_pending_updates)
