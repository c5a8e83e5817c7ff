"""Webhook mode: Telegram POSTs updates to an HTTPS address instead of the bot polling for them.

``webhook_router`` is a FastAPI router that checks Telegram's secret header and
queues the update; ``webhook_lifespan`` starts the application and registers the
address with Telegram. ``mount_webhook`` does both for an existing FastAPI app
(the API), and ``serve_webhook`` runs a small app of its own with uvicorn.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from telegram import Update
from telegram.ext import Application

from bots.telegram.app import ALLOWED_UPDATES

log = logging.getLogger(__name__)

DEFAULT_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_router(application: Application, *, path: str = DEFAULT_PATH, secret_token: str | None = None
                   ) -> APIRouter:
    """POST ``path``: one update from Telegram, refused (403) without the right secret header."""
    router = APIRouter()

    @router.post(path, include_in_schema=False)
    async def receive(request: Request) -> Response:
        if secret_token and not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret_token):
            return Response(status_code=403)
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return router


@asynccontextmanager
async def webhook_lifespan(application: Application, *, url: str, secret_token: str | None = None,
                           drop_pending_updates: bool = False) -> AsyncIterator[None]:
    """Initialise and start ``application``, tell Telegram the webhook ``url``; stop on exit.

    The webhook stays registered on exit, so Telegram keeps updates until the next start.
    """
    async with application:
        await application.bot.set_webhook(url=url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES,
                                          drop_pending_updates=drop_pending_updates)
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        log.info("telegram webhook registered at %s", url)
        try:
            yield
        finally:
            await application.stop()


def mount_webhook(app: FastAPI, application: Application, *, url: str, path: str = DEFAULT_PATH,
                  secret_token: str | None = None) -> AbstractAsyncContextManager[None]:
    """Add the webhook route to ``app``; enter the returned context in ``app``'s lifespan."""
    app.include_router(webhook_router(application, path=path, secret_token=secret_token))
    return webhook_lifespan(application, url=url, secret_token=secret_token)


def webhook_app(application: Application, *, url: str, path: str = DEFAULT_PATH, secret_token: str | None = None
                ) -> FastAPI:
    """A stand-alone app serving only the webhook (``zhijian bot --webhook-url …``)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with webhook_lifespan(application, url=url, secret_token=secret_token):
            yield

    app = FastAPI(title="质监助手 Telegram webhook", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.include_router(webhook_router(application, path=path, secret_token=secret_token))
    return app


def serve_webhook(application: Application, *, url: str, listen: str, port: int, path: str = DEFAULT_PATH,
                  secret_token: str | None = None) -> None:
    import uvicorn

    uvicorn.run(webhook_app(application, url=url, path=path, secret_token=secret_token), host=listen, port=port,
                log_level="warning", server_header=False)
