"""Putting the WeCom channel together from the settings: stand-alone (``zhijian wecom``) or inside the API app.

``build_callback`` makes the callback over an ``Assistant``; ``wecom_router``
is its FastAPI router (GET and POST on one path) and ``wecom_lifespan`` the
context to enter in an app's lifespan (it loads the knowledge index first and,
on the way out, lets answers still being worked on go out). ``mount_wecom``
does both for an existing app, ``wecom_app`` builds an app of its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from fastapi import APIRouter, FastAPI

from assistant.config import Settings
from assistant.core import Assistant
from bots.wecom.callback import DEFAULT_PATH, WeComCallback
from bots.wecom.client import RetryPolicy, WeComClient
from bots.wecom.crypto import WeComCrypto
from bots.wecom.handlers import ChannelConfig, WeComChannel
from bots.wecom.replay import ReplayGuard

log = logging.getLogger(__name__)

REQUIRED = {  # setting -> environment variable
    "wecom_corp_id": "ZHIJIAN_WECOM_CORP_ID",
    "wecom_agent_id": "ZHIJIAN_WECOM_AGENT_ID",
    "wecom_secret": "ZHIJIAN_WECOM_SECRET",
    "wecom_token": "ZHIJIAN_WECOM_TOKEN",
    "wecom_aes_key": "ZHIJIAN_WECOM_AES_KEY",
}


def missing_settings(settings: Settings) -> list[str]:
    """The environment variables still to set before the channel can run (empty: configured)."""
    return [env for name, env in REQUIRED.items() if getattr(settings, name) in (None, "")]


def is_configured(settings: Settings) -> bool:
    return not missing_settings(settings)


def build_callback(assistant: Assistant, settings: Settings | None = None, *, config: ChannelConfig | None = None,
                   retry: RetryPolicy | None = None, http: httpx.AsyncClient | None = None,
                   clock: Callable[[], float] = time.time) -> WeComCallback:
    """The callback of the application ``settings`` describe (``ValueError`` in Chinese when incomplete)."""
    s = settings or assistant.settings
    missing = missing_settings(s)
    if missing:
        raise ValueError("企业微信未配置完整，缺少环境变量：" + "、".join(missing))
    assert s.wecom_corp_id and s.wecom_secret and s.wecom_token and s.wecom_aes_key and s.wecom_agent_id is not None
    crypto = WeComCrypto(s.wecom_token, s.wecom_aes_key, s.wecom_corp_id)
    client = WeComClient(s.wecom_corp_id, s.wecom_secret, s.wecom_agent_id, s.wecom_api_base, http=http, retry=retry)
    return WeComCallback(WeComChannel(assistant, config), crypto, client, agent_id=s.wecom_agent_id,
                         reply_window=s.wecom_reply_window, markdown=s.wecom_markdown,
                         guard=ReplayGuard(max_skew=s.wecom_max_clock_skew, clock=clock), clock=clock)


def wecom_router(callback: WeComCallback, path: str = DEFAULT_PATH) -> APIRouter:
    return callback.router(path)


@asynccontextmanager
async def wecom_lifespan(callback: WeComCallback, *, warm: bool = True) -> AsyncIterator[None]:
    """Load the knowledge index and the embedding model before the first question (a cold start would miss
    the 5-second window): one search does both."""
    if warm:
        assistant = callback.channel.assistant
        try:
            await asyncio.to_thread(assistant.search, "混凝土强度", 1)
        except Exception as exc:  # noqa: BLE001 - bookings and credit work without an index
            log.warning("知识库索引未能加载：%s", exc)
    log.info("企业微信回调已就绪（CorpID %s，AgentId %s）", callback.corp_id, callback.agent_id)
    try:
        yield
    finally:
        await callback.aclose()


def mount_wecom(app: FastAPI, callback: WeComCallback, *, path: str = DEFAULT_PATH, warm: bool = True
                ) -> AbstractAsyncContextManager[None]:
    """Add the callback route to ``app``; enter the returned context in ``app``'s lifespan."""
    app.include_router(wecom_router(callback, path))
    return wecom_lifespan(callback, warm=warm)


def wecom_app(callback: WeComCallback, *, path: str = DEFAULT_PATH, warm: bool = True) -> FastAPI:
    """A stand-alone app serving only the callback URL (``zhijian wecom``)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with wecom_lifespan(callback, warm=warm):
            yield

    app = FastAPI(title="质监助手 企业微信回调", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.include_router(wecom_router(callback, path))
    return app


def server_channel(settings: Settings) -> Callable[[FastAPI, Assistant], AbstractAsyncContextManager[None]] | None:
    """``zhijian serve``'s hook (entry point ``zhijian.server_channels``): the callback at /wecom/callback
    on the server's own assistant, or None when WeCom is not configured."""
    if not is_configured(settings):
        return None

    def mount(app: FastAPI, assistant: Assistant) -> AbstractAsyncContextManager[None]:
        return mount_wecom(app, build_callback(assistant, settings))

    return mount
