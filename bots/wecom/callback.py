"""The callback URL WeCom calls: URL verification (GET), encrypted messages in and passive replies out (POST).

WeCom waits 5 seconds for an answer and then retries the same message up to
three times. So each message is handled as a job, keyed by its MsgId (events:
member, time, event): the question runs once however often it arrives. The
request waits up to ``reply_window`` seconds for the job. An answer ready by
then goes back in the response as the encrypted passive reply; a passive reply
is one text message (2048 bytes), so the rest of a longer answer follows through
message/send once the response is out. An answer not ready in time is
acknowledged with an empty body (WeCom then neither retries nor shows anything)
and sent through message/send when ready. A member's messages are handled one
at a time, in order, and each answer is delivered whole before the member's
next message is handled.

Refused with 403 and never processed: a bad signature, a message for another
CorpID, a timestamp outside the allowed skew, or a (timestamp, nonce) already
used — a replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, Request, Response
from starlette.background import BackgroundTask

from bots.wecom import DEFAULT_PATH
from bots.wecom import crypto as wc
from bots.wecom.client import WeComAPIError, WeComClient
from bots.wecom.crypto import WeComCrypto, WeComCryptoError
from bots.wecom.handlers import WeComChannel
from bots.wecom.render import render
from bots.wecom.replay import ReplayGuard
from bots.wecom.wire import (
    MAX_BODY,
    Inbound,
    WireError,
    encrypted_reply,
    parse_envelope,
    parse_message,
    text_reply,
)

log = logging.getLogger(__name__)

JOB_MEMORY = 600.0  # seconds a message id is remembered (WeCom's retries come within ~15 s)
_REFUSED = {wc.VALIDATE_SIGNATURE, wc.VALIDATE_CORP_ID}


@dataclass
class _Job:
    """One message's handling, shared by the request that brought it and any retry of it."""

    msg: Inbound
    created: float
    done: asyncio.Event = field(default_factory=asyncio.Event)
    passive: str | None = None  # the text message to return in the HTTP response
    rest: list[str] = field(default_factory=list)  # what follows it through message/send
    pushed: bool = False  # the whole answer goes (or went) through message/send instead
    responded: asyncio.Event = field(default_factory=asyncio.Event)  # the passive reply is out
    task: asyncio.Task[None] | None = None


class WeComCallback:
    """Receives callbacks for one application and answers them through ``channel``."""

    def __init__(self, channel: WeComChannel, crypto: WeComCrypto, client: WeComClient, *,
                 agent_id: int | str | None = None, reply_window: float = 4.0, markdown: bool = False,
                 guard: ReplayGuard | None = None, clock: Callable[[], float] = time.time) -> None:
        self.channel, self.crypto, self.client = channel, crypto, client
        self.agent_id = str(agent_id) if agent_id is not None else ""
        self.reply_window = reply_window
        self.markdown = markdown
        self.guard = guard or ReplayGuard(clock=clock)
        self.clock = clock
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._user_locks: dict[str, asyncio.Lock] = {}
        self._running: set[asyncio.Task[None]] = set()

    @property
    def corp_id(self) -> str:
        return self.crypto.receive_id

    # -- HTTP ----------------------------------------------------------------------------------------
    def router(self, path: str = DEFAULT_PATH) -> APIRouter:
        router = APIRouter()
        router.add_api_route(path, self.verify_url, methods=["GET"], include_in_schema=False)
        router.add_api_route(path, self.receive, methods=["POST"], include_in_schema=False)
        return router

    async def verify_url(self, request: Request) -> Response:
        """WeCom's check when the callback URL is saved: return the decrypted ``echostr``.

        Not replay-checked: it changes nothing and returns only what the caller sent.
        """
        q = request.query_params
        args = [q.get(k, "") for k in ("msg_signature", "timestamp", "nonce", "echostr")]
        if not all(args):
            return _plain(400, "缺少 msg_signature、timestamp、nonce 或 echostr")
        try:
            echo = self.crypto.verify_url(*args)
        except WeComCryptoError as exc:
            log.warning("企业微信回调 URL 验证被拒绝：%s", exc.reason)
            return _plain(403 if exc.code in _REFUSED else 400, exc.reason)
        log.info("企业微信回调 URL 验证通过")
        return _plain(200, echo)

    async def receive(self, request: Request) -> Response:
        started = time.monotonic()
        q = request.query_params
        sig, ts, nonce = (q.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
        if not (sig and ts and nonce):
            return _plain(400, "缺少 msg_signature、timestamp 或 nonce")
        body = b""
        async for chunk in request.stream():  # read no more than a callback can be
            body += chunk
            if len(body) > MAX_BODY:
                return _plain(413, "请求体过大")
        try:
            envelope = parse_envelope(body)
            xml = self.crypto.open(sig, ts, nonce, envelope.encrypt)
        except WireError as exc:
            log.warning("企业微信回调格式错误：%s", exc)
            return _plain(400, str(exc))
        except WeComCryptoError as exc:
            log.warning("企业微信回调被拒绝：%s（来自 %s）", exc.reason, _peer(request))
            return _plain(403 if exc.code in _REFUSED else 400, exc.reason)
        refusal = self.guard.refusal(ts, nonce)
        if refusal:
            log.warning("企业微信回调被拒绝：%s（来自 %s）", refusal, _peer(request))
            return _plain(403, refusal)
        try:
            msg = parse_message(xml)
        except WireError as exc:
            log.warning("企业微信消息格式错误：%s", exc)
            return _plain(400, str(exc))
        if self.agent_id and msg.agent_id and msg.agent_id != self.agent_id:
            log.warning("收到发给其他应用（AgentID %s）的消息，已忽略", msg.agent_id)
            return _ack()
        job = self._job(msg)
        if job is None:
            return _ack()
        remaining = self.reply_window - (time.monotonic() - started)
        if not job.done.is_set() and remaining > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.done.wait(), remaining)
        if job.done.is_set() and job.passive is not None and not job.pushed:
            return self._passive(msg, job.passive, after=job.responded.set)
        if not job.done.is_set():
            job.pushed = True  # the job sends its answer itself when it is ready
            log.info("消息 %s 未在 %.1f 秒内答复，答案稍后通过应用消息发送", msg.dedupe_key, self.reply_window)
        return _ack()

    def _passive(self, msg: Inbound, content: str, *, after: Callable[[], None]) -> Response:
        """The encrypted, signed passive reply; ``after`` runs once it has been sent."""
        timestamp, nonce = str(int(self.clock())), str(secrets.randbelow(10**10))
        plain = text_reply(msg.from_user, self.corp_id, content, now=int(timestamp))
        encrypted, signature = self.crypto.seal(plain, timestamp, nonce)
        return Response(encrypted_reply(encrypted, signature, timestamp, nonce), media_type="application/xml",
                        background=BackgroundTask(after))

    # -- jobs ----------------------------------------------------------------------------------------
    def _job(self, msg: Inbound) -> _Job | None:
        """The job of ``msg``: the running one when WeCom retries, else a new one (None: dropped, over the limit)."""
        now = time.monotonic()
        while self._jobs and now - next(iter(self._jobs.values())).created > JOB_MEMORY:
            self._jobs.popitem(last=False)
        key = msg.dedupe_key
        job = self._jobs.get(key)
        if job is not None:
            log.info("企业微信重复推送了消息 %s，不再重复处理", key)
            return job
        if self.channel.translate(msg).kind == "ignore":
            return None  # opening the app and the like: no answer, and not counted against the rate limit
        job = _Job(msg, now)
        decision = self.channel.admit(msg.from_user)
        if not decision.allowed:
            log.info("企业微信成员 %s 超过频率限制，消息 %s 未处理", msg.from_user, key)
            if not decision.warn:
                return None
            job.passive = render(self.channel.rate_limited(msg.from_user))[0]
            job.done.set()
        else:
            job.task = asyncio.create_task(self._run(job))
            self._running.add(job.task)
            job.task.add_done_callback(self._running.discard)
        self._jobs[key] = job
        return job

    async def _run(self, job: _Job) -> None:
        """Handle the message after the member's earlier ones, and deliver what the response cannot carry."""
        user = job.msg.from_user
        lock = self._user_locks.setdefault(user, asyncio.Lock())  # one per member who wrote since start
        try:
            async with lock:
                reply = await asyncio.to_thread(self.channel.handle, job.msg)
                if reply is None:
                    job.done.set()
                    return
                if self.markdown and reply.citations:
                    job.pushed = True  # markdown exists only through message/send
                else:
                    job.passive, *job.rest = render(reply)
                job.done.set()
                if job.pushed:  # set just now, or by the request when the window passed
                    await self._push(user, render(reply, markdown=self.markdown and bool(reply.citations)),
                                     markdown=self.markdown and bool(reply.citations))
                elif job.rest:
                    with contextlib.suppress(TimeoutError):  # the passive reply first, then the rest
                        await asyncio.wait_for(job.responded.wait(), self.reply_window + 5)
                    await self._push(user, job.rest, markdown=False)
        finally:
            job.done.set()

    async def _push(self, user: str, messages: list[str], *, markdown: bool) -> None:
        send = self.client.send_markdown if markdown else self.client.send_text
        for i, content in enumerate(messages, 1):
            try:
                await send(user, content)
            except WeComAPIError as exc:
                log.error("答复未能发送给企业微信成员 %s（第 %d/%d 条）：%s", user, i, len(messages), exc)
                return
        log.info("已通过应用消息向 %s 发送答复（%d 条）", user, len(messages))

    async def aclose(self, timeout: float = 15.0) -> None:
        """Let answers still being worked on go out (up to ``timeout`` seconds), then close the API session."""
        pending = [t for t in self._running if not t.done()]
        if pending:
            log.info("等待 %d 条进行中的企业微信答复…", len(pending))
            _, late = await asyncio.wait(pending, timeout=timeout)
            for t in late:
                t.cancel()
        await self.client.aclose()


def _plain(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="text/plain; charset=utf-8")


def _ack() -> Response:
    """An empty 200: WeCom takes the message as received and shows nothing."""
    return Response(b"", status_code=200, media_type="text/plain")


def _peer(request: Request) -> str:
    return request.client.host if request.client else "?"
