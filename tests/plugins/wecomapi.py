"""A loopback WeCom: its server API (gettoken, message/send, menu/create) and a member sending encrypted callbacks.

``FakeWeComAPI`` is an HTTP server on 127.0.0.1 answering like qyapi.weixin.qq.com:
tokens that expire (on demand: ``expire_after``), errcodes for bad tokens and
oversized messages, and scripted HTTP 5xx (``fail_next``). Every call is
recorded. ``Member`` plays WeCom's side of the callback: it encrypts and signs
messages with ``wechatpy`` (an implementation the channel does not use), posts
them to the callback URL, and decrypts and verifies the passive replies the same
way — as WeCom itself would.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import httpx
from wechatpy.enterprise.crypto import WeChatCrypto

CORP_ID = "ww5a1b2c3d4e5f6a7b"
AGENT_ID = 1000002
SECRET = "test-secret-zhijian-wecom"
TOKEN = "QDG6eKzhijianTest"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
LIMITS = {"text": 2048, "markdown": 4096}


@dataclass
class APICall:
    api: str
    params: dict[str, str]
    body: dict[str, Any] | None
    answer: dict[str, Any] | None  # None: answered with an HTTP error
    status: int = 200

    @property
    def content(self) -> str:
        body = self.body or {}
        return str(body.get(body.get("msgtype", ""), {}).get("content", ""))


@dataclass
class FakeWeComAPI:
    corp_id: str = CORP_ID
    secret: str = SECRET
    agent_id: int = AGENT_ID
    calls: list[APICall] = field(default_factory=list)
    _valid: set[str] = field(default_factory=set)
    _expired: set[str] = field(default_factory=set)
    _expire_after: int | None = None  # successful sends left before the current tokens expire
    _failures: dict[str, list[int]] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _ids: Any = field(default_factory=lambda: count(1))

    # -- server --------------------------------------------------------------------------------------
    def start(self) -> FakeWeComAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                url = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(url.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = api._dispatch(method, url.path, params, raw)
                data = json.dumps(answer, ensure_ascii=False).encode() if answer is not None else b"busy"
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if answer is not None else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- scripting -----------------------------------------------------------------------------------
    def fail_next(self, api: str, *statuses: int) -> None:
        """The next calls of ``api`` ("gettoken", "message/send") answer these HTTP statuses instead."""
        with self._cond:
            self._failures.setdefault(api, []).extend(statuses)

    def expire_after(self, sends: int) -> None:
        """The tokens valid then expire after ``sends`` more successful message/send calls (0: now)."""
        with self._cond:
            self._expire_after = sends
            if sends == 0:
                self._expire_all()

    def _expire_all(self) -> None:
        self._expired |= self._valid
        self._valid.clear()
        self._expire_after = None

    def of(self, api: str) -> list[APICall]:
        with self._cond:
            return [c for c in self.calls if c.api == api]

    def delivered(self, user: str) -> list[APICall]:
        """Messages accepted for ``user`` (errcode 0), in order."""
        return [c for c in self.of("message/send")
                if c.answer is not None and c.answer.get("errcode") == 0 and (c.body or {}).get("touser") == user]

    def wait_for(self, predicate, timeout: float = 30.0) -> None:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for the WeCom API; calls: "
                                         + ", ".join(f"{c.api}={c.status}/{(c.answer or {}).get('errcode')}"
                                                     for c in self.calls))
                self._cond.wait(min(left, 0.2))

    # -- the API ---------------------------------------------------------------------------------------
    def _dispatch(self, method: str, path: str, params: dict[str, str], raw: bytes
                  ) -> tuple[int, dict[str, Any] | None]:
        api = path.removeprefix("/cgi-bin/")
        body = json.loads(raw) if raw else None
        with self._cond:
            failures = self._failures.get(api)
            if failures:
                status = failures.pop(0)
                self.calls.append(APICall(api, params, body, None, status))
                self._cond.notify_all()
                return status, None
            answer = self._answer(method, api, params, body)
            self.calls.append(APICall(api, params, body, answer))
            self._cond.notify_all()
            return 200, answer

    def _answer(self, method: str, api: str, params: dict[str, str], body: Any) -> dict[str, Any]:
        if api == "gettoken":
            if method != "GET" or params.get("corpid") != self.corp_id:
                return {"errcode": 40013, "errmsg": "invalid corpid"}
            if params.get("corpsecret") != self.secret:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"tok-{next(self._ids)}-{secrets.token_hex(8)}"
            self._valid.add(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        token = params.get("access_token", "")
        if not token:
            return {"errcode": 41001, "errmsg": "access_token missing"}
        if token in self._expired:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if token not in self._valid:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if api == "message/send":
            return self._send(body or {})
        if api == "menu/create":
            if str(params.get("agentid")) != str(self.agent_id) or "button" not in (body or {}):
                return {"errcode": 40058, "errmsg": "invalid menu"}
            return {"errcode": 0, "errmsg": "ok"}
        return {"errcode": 48001, "errmsg": "api unauthorized"}

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        msgtype = body.get("msgtype")
        if body.get("agentid") != self.agent_id:
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        if msgtype not in LIMITS or not body.get("touser"):
            return {"errcode": 40008, "errmsg": "invalid message type"}
        content = str(body.get(msgtype, {}).get("content", ""))
        if not content or len(content.encode("utf-8")) > LIMITS[msgtype]:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        if self._expire_after is not None:
            if self._expire_after == 0:
                self._expire_all()
                return {"errcode": 42001, "errmsg": "access_token expired"}
            self._expire_after -= 1
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg{next(self._ids)}"}


# -- WeCom's side of the callback ----------------------------------------------------------------------------

@dataclass
class Passive:
    """A passive reply, decrypted and verified with wechatpy."""

    status: int
    xml: str
    fields: dict[str, str]

    @property
    def content(self) -> str:
        return self.fields.get("Content", "")


class Member:
    """One member of the enterprise writing to the application, through WeCom's encrypted callback."""

    _msg_ids = count(7_000_000_000_000_000_001)

    def __init__(self, url: str, user_id: str, *, corp_id: str = CORP_ID, agent_id: int = AGENT_ID,
                 token: str = TOKEN, aes_key: str = AES_KEY) -> None:
        self.url, self.user_id, self.corp_id, self.agent_id = url, user_id, corp_id, agent_id
        self.oracle = WeChatCrypto(token, aes_key, corp_id)
        self.http = httpx.Client(timeout=60, trust_env=False)
        self.transcript: list[tuple[str, str]] = []

    # -- building callbacks ------------------------------------------------------------------------------
    def _xml(self, fields: dict[str, str | int]) -> str:
        # WeCom tells a retried event from a new one only by its CreateTime (seconds): a person clicks slower
        self._created = max(int(time.time()), getattr(self, "_created", 0) + 1)
        parts = [f"<ToUserName><![CDATA[{self.corp_id}]]></ToUserName>",
                 f"<FromUserName><![CDATA[{self.user_id}]]></FromUserName>",
                 f"<CreateTime>{self._created}</CreateTime>"]
        for k, v in fields.items():
            parts.append(f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>")
        parts.append(f"<AgentID>{self.agent_id}</AgentID>")
        return "<xml>" + "".join(parts) + "</xml>"

    def text_xml(self, text: str, msg_id: int | None = None) -> str:
        return self._xml({"MsgType": "text", "Content": text, "MsgId": msg_id or next(self._msg_ids)})

    def event_xml(self, event: str, key: str = "") -> str:
        return self._xml({"MsgType": "event", "Event": event, "EventKey": key})

    def seal(self, xml: str, *, timestamp: str | None = None, nonce: str | None = None) -> dict[str, Any]:
        """The request WeCom would make for ``xml``: query parameters and body."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        sealed = self.oracle.encrypt_message(xml, nonce, timestamp)
        encrypt = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", sealed).group(1)
        signature = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]></MsgSignature>", sealed).group(1)
        body = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<AgentID><![CDATA[{self.agent_id}]]></AgentID><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        return {"params": {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}, "content": body}

    # -- sending -----------------------------------------------------------------------------------------
    def post(self, request: dict[str, Any]) -> httpx.Response:
        return self.http.post(self.url, params=request["params"], content=request["content"],
                              headers={"Content-Type": "text/xml"})

    def send(self, xml: str, *, shown: str = "") -> Passive | None:
        """Post ``xml`` as WeCom does; the decrypted passive reply, or None for an empty acknowledgement."""
        response = self.post(self.seal(xml))
        assert response.status_code == 200, (response.status_code, response.text)
        reply = self.open(response)
        self.transcript.append(("成员", shown or _content(xml)))
        if reply is not None:
            self.transcript.append(("助手（被动回复）", reply.content))
        return reply

    def say(self, text: str) -> Passive | None:
        return self.send(self.text_xml(text), shown=text)

    def click(self, key: str, name: str = "") -> Passive | None:
        return self.send(self.event_xml("click", key), shown=f"［点菜单：{name or key}］")

    def open(self, response: httpx.Response) -> Passive | None:
        """Decrypt and verify a passive reply with wechatpy, as WeCom would; None for an empty body."""
        if not response.content:
            return None
        assert response.headers["content-type"].startswith(("application/xml", "text/xml")), response.headers
        outer = ElementTree.fromstring(response.text)
        sig, ts, nonce = (outer.findtext(k) or "" for k in ("MsgSignature", "TimeStamp", "Nonce"))
        plain = self.oracle.decrypt_message(response.text, sig, ts, nonce)  # raises unless it verifies
        inner = ElementTree.fromstring(plain)
        fields = {child.tag: child.text or "" for child in inner}
        assert fields["ToUserName"] == self.user_id and fields["FromUserName"] == self.corp_id, fields
        assert fields["MsgType"] == "text" and abs(int(fields["CreateTime"]) - time.time()) < 600, fields
        return Passive(response.status_code, plain, fields)

    def close(self) -> None:
        self.http.close()


def _content(xml: str) -> str:
    m = re.search(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", xml, re.DOTALL)
    return m.group(1) if m else xml
