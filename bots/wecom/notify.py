"""Pushing notifications to WeCom members: the outbox's sender for this channel (entry point
``zhijian.notification_senders`` → ``sender``).

A bound member is addressed by their UserID through the application's
message/send. The API client makes exactly one try per delivery (no retries of
its own, which could repeat a message WeCom already took); the outbox decides
about trying again from what the failure means: WeCom busy, HTTP 5xx, no
connection or a rate limit → later; a member out of the application's visible
range, a bad UserID or a wrong secret → dead letter for an admin; an answer
lost on the way back → dead letter too (it may have been delivered).
"""

from __future__ import annotations

import asyncio

import httpx

from assistant.config import Settings
from assistant.outbox import DeliveryError, Outbound
from bots.wecom.app import is_configured
from bots.wecom.client import BUSY, HINTS, TOKEN_ERRORS, RetryPolicy, WeComAPIError, WeComClient
from bots.wecom.render import TEXT_LIMIT, size

CHANNEL = "wecom"
ONE_TRY = RetryPolicy(attempts=1)
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_LATER = {45009, 45033}  # call frequency / concurrency limits


def render(message: Outbound) -> str:
    """A text message (shown everywhere, the WeChat plug-in included) within WeCom's 2048 bytes."""
    text = f"【{message.title}】\n{message.body}".rstrip()
    if size(text) > TEXT_LIMIT:
        while size(text) > TEXT_LIMIT - len("…".encode()):
            text = text[:-1]
        text += "…"
    return text


def classify(exc: WeComAPIError) -> DeliveryError:
    """What a failed message/send means for trying again."""
    if exc.errcode == BUSY:
        cause = exc.__context__  # the client raises its own error while handling httpx's
        lost = isinstance(cause, httpx.TransportError) and not isinstance(cause, _NOT_SENT)
        if lost and exc.api == "message/send":
            return DeliveryError(f"与企业微信的连接中断：{exc.errmsg}", "uncertain")
        return DeliveryError(f"企业微信暂时不可用：{exc.errmsg}", "retry")
    if exc.errcode in _LATER or exc.errcode in TOKEN_ERRORS:
        return DeliveryError(str(exc), "retry")
    return DeliveryError(str(exc), "permanent")


class WeComSender:
    """Sends through a ``WeComClient`` of its own (one per event loop it is used in)."""

    channel = CHANNEL

    def __init__(self, corp_id: str, secret: str, agent_id: int, api_base: str) -> None:
        self._args = (corp_id, secret, agent_id, api_base)
        self._client: WeComClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _ready(self) -> WeComClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client, self._loop = WeComClient(*self._args, retry=ONE_TRY), loop
        return self._client

    async def send(self, external_id: str, message: Outbound) -> None:
        try:
            answer = await self._ready().send_text(external_id, render(message))
        except WeComAPIError as exc:
            raise classify(exc) from exc
        if answer.get("invaliduser"):
            raise DeliveryError(f"成员 {answer['invaliduser']} 无法接收：{HINTS[81013]}", "permanent")

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = None


def sender(settings: Settings) -> WeComSender | None:
    """The outbox's WeCom sender, or None when the application is not configured."""
    if not is_configured(settings):
        return None
    assert settings.wecom_corp_id and settings.wecom_secret and settings.wecom_agent_id is not None
    return WeComSender(settings.wecom_corp_id, settings.wecom_secret, settings.wecom_agent_id,
                       settings.wecom_api_base)
