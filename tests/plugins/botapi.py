"""A loopback HTTP server speaking enough of the Telegram Bot API for python-telegram-bot to run against.

It serves scripted ``getUpdates`` (updates the test pushes), records every call
(``sendMessage``, ``editMessageReplyMarkup``, ``answerCallbackQuery``, …) and
remembers the messages the bot sent, so a test can press their buttons. The
bot under test talks to it through its real HTTP stack (httpx), exactly as it
talks to api.telegram.org.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qs

import pytest

TOKEN = "123456:TEST-zhijian-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "质监助手", "username": "zhijian_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
_JSON_FIELDS = {"reply_markup", "allowed_updates", "entities", "link_preview_options", "commands"}
_FAILURES = {403: "Forbidden: bot was blocked by the user", 400: "Bad Request: chat not found",
             500: "Internal Server Error", 502: "Bad Gateway"}
_HOLD = 0.3  # longest a getUpdates waits for news (the bot asks for more; this keeps shutdown quick)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        raw = self.params.get("chat_id")
        return int(raw) if raw is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")

    def buttons(self) -> list[dict[str, Any]]:
        return [b for row in (self.markup or {}).get("inline_keyboard", []) for b in row]


@dataclass
class FakeBotAPI:
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _update_ids: Any = field(default_factory=lambda: count(1000))
    _message_ids: Any = field(default_factory=lambda: count(1))
    _failures: dict[str, list[int]] = field(default_factory=dict)
    hold_seconds: float = 0.0  # sendMessage answers only after this long (the message is taken at once)

    # -- server --------------------------------------------------------------------------------------
    def start(self) -> FakeBotAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = api._dispatch(self.path, self.headers.get("Content-Type", ""), body)
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot gave up a long poll (shutting down)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def _dispatch(self, path: str, ctype: str, body: bytes) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{TOKEN}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix):]
        if "json" in ctype:
            params = json.loads(body or b"{}")
        else:
            params = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
            params = {k: json.loads(v) if k in _JSON_FIELDS else v for k, v in params.items()}
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        if method == "getUpdates":
            return 200, {"ok": True, "result": handler(params)}
        with self._cond:
            failures = self._failures.get(method)
            if failures:
                status = failures.pop(0)
                self.calls.append(Call(method, params, None))
                self._cond.notify_all()
                return status, {"ok": False, "error_code": status, "description": _FAILURES.get(status, "Error")}
            result = handler(params)
            self.calls.append(Call(method, params, result))
            self._cond.notify_all()
        if method == "sendMessage" and self.hold_seconds:
            time.sleep(self.hold_seconds)
        return 200, {"ok": True, "result": result}

    def fail_next(self, method: str, *statuses: int) -> None:
        """The next calls of ``method`` answer these HTTP statuses (and are not carried out)."""
        with self._cond:
            self._failures.setdefault(method, []).extend(statuses)

    # -- Bot API methods -----------------------------------------------------------------------------
    def _m_getMe(self, p: dict[str, Any]) -> Any:  # noqa: N802
        return BOT_USER

    def _m_getUpdates(self, p: dict[str, Any]) -> Any:  # noqa: N802
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        wait = min(float(p.get("timeout") or 0), _HOLD)
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirmed ones go
            if not self._updates and wait > 0:
                self._cond.wait_for(lambda: bool(self._updates), timeout=wait)
            return list(self._updates[:limit])

    def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _m_setWebhook(self, p: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _m_setMyCommands(self, p: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _m_sendChatAction(self, p: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _m_answerCallbackQuery(self, p: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _m_sendMessage(self, p: dict[str, Any]) -> Any:  # noqa: N802
        message_id = next(self._message_ids)
        chat_id = int(p["chat_id"])
        msg: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                               "chat": _chat(chat_id), "text": p["text"]}
        if p.get("reply_markup"):
            msg["reply_markup"] = p["reply_markup"]
        self.messages[message_id] = msg
        return msg

    def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:  # noqa: N802
        msg = self.messages[int(p["message_id"])]
        if p.get("reply_markup"):
            msg["reply_markup"] = p["reply_markup"]
        else:
            msg.pop("reply_markup", None)
        return msg

    # -- what a test does ----------------------------------------------------------------------------
    def push(self, *updates: dict[str, Any]) -> None:
        with self._cond:
            self._updates.extend(updates)
            self._cond.notify_all()

    def message_update(self, user_id: int, text: str, *, chat_id: int | None = None) -> dict[str, Any]:
        """An update with a text message from a private chat (commands get their bot_command entity)."""
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                   "chat": _chat(chat_id or user_id), "from": _user(user_id), "text": text}
        if text.startswith("/"):
            head = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(head.encode("utf-16-le")) // 2}]
        return {"update_id": next(self._update_ids), "message": message}

    def callback_update(self, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        """An update for a press on a button of the bot's message ``message_id``."""
        update_id = next(self._update_ids)
        query = {"id": f"cq{update_id}", "from": _user(user_id), "chat_instance": "ci-test", "data": data,
                 "message": json.loads(json.dumps(self.messages[message_id]))}
        return {"update_id": update_id, "callback_query": query}

    def wait_for(self, predicate, timeout: float = 30.0) -> None:  # noqa: ANN001
        with self._cond:
            ok = self._cond.wait_for(predicate, timeout=timeout)
        assert ok, f"timed out waiting; calls so far: {[(c.method, c.text[:40]) for c in self.calls][-12:]}"

    def sent(self, chat_id: int) -> list[Call]:
        """Messages the bot sent to ``chat_id`` (those the server refused are not counted)."""
        return [c for c in self.calls if c.method == "sendMessage" and c.chat_id == chat_id and c.result is not None]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "测试用户", "username": f"user{user_id}",
            "language_code": "zh-hans"}


def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "测试用户"}


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch):
    """The fake Bot API serving on loopback for one test."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)  # httpx would send loopback requests to a proxy
    server = FakeBotAPI().start()
    yield server
    server.stop()
