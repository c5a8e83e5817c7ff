"""Pushing notifications to Telegram users: the outbox's sender for this channel (entry point
``zhijian.notification_senders`` → ``sender``).

A bound user's Telegram id is their private chat's id, so ``send_message`` to it
reaches them. Errors are sorted by what they mean for a second try: refused for
good (blocked the bot, chat not found, bad token), certainly not delivered (no
connection, HTTP 5xx, flood control with its wait), or maybe delivered (a reply
that timed out or broke off) — the last is never retried automatically.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from assistant.config import Settings
from assistant.outbox import DeliveryError, Outbound
from bots.telegram.render import MESSAGE_LIMIT, utf16_len

CHANNEL = "telegram"
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def render(message: Outbound) -> str:
    """Plain text (no parse mode, nothing to escape): the title on the first line, then the details."""
    text = f"🔔 {message.title}\n\n{message.body}".rstrip()
    if utf16_len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1]
        while utf16_len(text) > MESSAGE_LIMIT - 1:
            text = text[:-1]
        text += "…"
    return text


def classify(exc: TelegramError) -> DeliveryError:
    """What a failed ``send_message`` means for trying again."""
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return DeliveryError(f"Telegram 限流，{seconds:g} 秒后再试", "retry", retry_after=seconds)
    if isinstance(exc, TimedOut):  # the request may have reached Telegram, unless it never left
        if isinstance(exc.__cause__, _NOT_SENT) or "Pool timeout" in exc.message:
            return DeliveryError(f"连接 Telegram 超时：{exc.message}", "retry")
        return DeliveryError(f"等待 Telegram 回应超时：{exc.message}", "uncertain")
    if type(exc) is NetworkError:
        cause = exc.__cause__
        if cause is None or isinstance(cause, _NOT_SENT):  # an HTTP error status, or no connection at all
            return DeliveryError(f"Telegram 暂时不可用：{exc.message}", "retry")
        return DeliveryError(f"与 Telegram 的连接中断：{exc.message}", "uncertain")
    return DeliveryError(f"Telegram 拒绝：{exc.message}", "permanent")  # Forbidden, BadRequest, InvalidToken …


class TelegramSender:
    """Sends through a ``telegram.Bot`` of its own (one per event loop it is used in)."""

    channel = CHANNEL

    def __init__(self, token: str, base_url: str | None = None) -> None:
        self._token, self._base_url = token, base_url
        self._bot: Bot | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _ready(self) -> Bot:
        loop = asyncio.get_running_loop()
        if self._bot is None or self._loop is not loop:
            bot = Bot(self._token, base_url=self._base_url) if self._base_url else Bot(self._token)
            try:
                await bot.initialize()
            except TelegramError as exc:
                raise classify(exc) from exc
            self._bot, self._loop = bot, loop
        return self._bot

    async def send(self, external_id: str, message: Outbound) -> None:
        bot = await self._ready()
        try:
            await bot.send_message(chat_id=int(external_id), text=render(message))
        except TelegramError as exc:
            raise classify(exc) from exc

    async def aclose(self) -> None:
        if self._bot is not None and self._loop is asyncio.get_running_loop():
            await self._bot.shutdown()
        self._bot = None


def sender(settings: Settings) -> TelegramSender | None:
    """The outbox's Telegram sender, or None when no bot token is configured."""
    if not settings.telegram_token:
        return None
    return TelegramSender(settings.telegram_token, settings.telegram_base_url)
