"""Fixtures of the WeCom tests: the callback app in a real uvicorn server, a fake WeCom API beside it.

Both listen on loopback ports of their own; the channel reaches the fake API
through its real HTTP client (httpx), and the test reaches the callback through
httpx as WeCom would, with messages encrypted by wechatpy. The assistant works
on the store tests' database and clock (Thu 24 Sep 2026); the callback's replay
guard uses the real time, as WeCom's timestamps do.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine

from assistant.config import Settings
from assistant.core import Assistant
from bots.wecom import DEFAULT_PATH, ChannelConfig, WeComCallback, build_callback, wecom_app
from bots.wecom.client import RetryPolicy
from tests.plugins.assistant import NoAnswerer
from tests.plugins.store import NOW
from tests.plugins.wecomapi import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, FakeWeComAPI, Member

STATION_PHONE = "0000-1234567"
UNLIMITED = ChannelConfig(rate_burst=10_000, rate_per_minute=10_000)
FAST_RETRY = RetryPolicy(attempts=4, wait_initial=0.01, wait_max=0.05)


@pytest.fixture
def wecom_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeComAPI]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)  # httpx would send loopback requests to a proxy
    server = FakeWeComAPI().start()
    yield server
    server.stop()


class UvicornThread:
    """``app`` served by uvicorn on a free loopback port from a background thread, until the context ends."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> UvicornThread:
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(30)
        assert not self._thread.is_alive(), "uvicorn did not stop"
        self.sock.close()


@dataclass
class WeComRig:
    assistant: Assistant
    callback: WeComCallback
    url: str
    api: FakeWeComAPI
    members: list[Member] = field(default_factory=list)

    def member(self, user_id: str) -> Member:
        m = Member(self.url, user_id)
        self.members.append(m)
        return m

    def close(self) -> None:
        for m in self.members:
            m.close()


@pytest.fixture
def make_wecom(wecom_api: FakeWeComAPI, engine: Engine, rules, tmp_path) -> Callable[..., Any]:
    """``with make_wecom(answerer, window=…) as rig:`` — the callback over the test database, serving."""

    @contextmanager
    def factory(answerer: Any = None, *, window: float = 60.0, config: ChannelConfig = UNLIMITED,
                markdown: bool = False) -> Iterator[WeComRig]:
        settings = Settings(
            data_dir=tmp_path / "data", station_name="测试质监站", station_phone=STATION_PHONE,
            wecom_corp_id=CORP_ID, wecom_agent_id=AGENT_ID, wecom_secret=SECRET, wecom_token=TOKEN,
            wecom_aes_key=AES_KEY, wecom_api_base=wecom_api.base_url, wecom_reply_window=window,
            wecom_markdown=markdown,
        )
        assistant = Assistant(settings, answerer=answerer or NoAnswerer(), db=engine, rules=rules,
                              clock=lambda: NOW)
        callback = build_callback(assistant, settings, config=config, retry=FAST_RETRY)
        with UvicornThread(wecom_app(callback, warm=False)) as server:
            rig = WeComRig(assistant, callback, server.url + DEFAULT_PATH, wecom_api)
            try:
                yield rig
            finally:
                rig.close()

    return factory
