"""The notification worker beside a chat channel's own server (``zhijian bot``, ``zhijian wecom``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from assistant.config import Settings
from assistant.core import Assistant
from assistant.outbox import configured_senders, describe


@contextmanager
def notifications(assistant: Assistant, settings: Settings) -> Iterator[None]:
    """Push notifications through every configured channel from a thread of its own while the block runs,
    unless ``ZHIJIAN_NOTIFY_WORKER=false`` (another process does it)."""
    senders = configured_senders(settings) if settings.notify_worker else []
    if not senders:
        yield
        return
    typer.echo(f"消息提醒：经 {describe(senders)} 推送给已绑定的用户。")
    with assistant.outbox(senders).in_thread():
        yield
