"""A WeCom message or menu click in, the assistant's reply out — translation only, every decision is the core's.

Text goes to the conversation engine as typed; a menu click becomes the words
it stands for ("预约验收"); a number or label answering a numbered list becomes
the chosen value; "有用"/"没用" become the 👍/👎 the engine reads as feedback.
Only what is about the channel lives here: binding a WeCom member to an account
("绑定 ABCD-EFGH", "解绑"), the per-member rate limit, and the apology when
something breaks. ``handle`` is synchronous (database, retrieval) and is run in
a worker thread by the callback.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from assistant.conversation.replies import Reply
from assistant.core import Assistant
from assistant.errors import IndexUnavailable, StoreError
from assistant.store.actors import Actor
from assistant.usecases.registry import BindingDesk
from bots.ratelimit import Decision, TokenBucket
from bots.wecom import identity, texts
from bots.wecom.render import Offered, offered
from bots.wecom.wire import Inbound

log = logging.getLogger(__name__)

CHANNEL = identity.CHANNEL
_BARE_CODE = re.compile(r"^[A-Za-z0-9]{4}[-－—\s][A-Za-z0-9]{4}$")
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.。、]?\s*$")
_RATING = re.compile(r"^(有用|没用|👍|👎)[\s，,：:。！!]*(.*)$", re.DOTALL)
_REMEMBERED = 5000  # members whose last numbered list is kept in memory


@dataclass(frozen=True)
class ChannelConfig:
    """Channel-level knobs; the business rules are the core's settings."""

    rate_burst: int = 8  # messages a member may send at once
    rate_per_minute: float = 20.0  # then this many a minute
    bind_failures: int = 5  # wrong binding codes a member may try …
    bind_window_minutes: int = 10  # … per this many minutes
    clock: Callable[[], float] = time.monotonic  # for the limiters


@dataclass(frozen=True)
class Action:
    """What a message asks of the adapter: chat (``text`` to the engine), bind, bind_status, unbind, say, ignore."""

    kind: str
    text: str = ""
    reply: Reply | None = None


class WeComChannel:
    """The handlers of one WeCom application over one ``Assistant``."""

    def __init__(self, assistant: Assistant, config: ChannelConfig | None = None) -> None:
        self.assistant = assistant
        self.config = cfg = config or ChannelConfig()
        self.limiter = TokenBucket(cfg.rate_burst, cfg.rate_per_minute / 60, clock=cfg.clock)
        self.bind_limiter = TokenBucket(cfg.bind_failures, cfg.bind_failures / (cfg.bind_window_minutes * 60),
                                        clock=cfg.clock)
        self._offered: OrderedDict[str, Offered] = OrderedDict()
        self._lock = threading.Lock()  # the limiters and the memory are touched from worker threads

    @staticmethod
    def conversation_id(user_id: str) -> str:
        return f"wecom:{user_id}"

    # -- rate limit ----------------------------------------------------------------------------------
    def admit(self, user_id: str) -> Decision:
        with self._lock:
            return self.limiter.take(user_id)

    def rate_limited(self, user_id: str) -> Reply:
        with self._lock:
            seconds = max(1, int(self.limiter.retry_after(user_id) + 0.999))
        return Reply(text=texts.RATE_LIMITED.format(seconds=seconds), kind="info")

    # -- translation ---------------------------------------------------------------------------------
    def translate(self, msg: Inbound) -> Action:
        """What ``msg`` asks for, without touching the core."""
        if msg.msg_type == "event":
            if msg.event == "click":
                if msg.event_key == texts.MENU_BIND:
                    return Action("bind_status")
                said = texts.MENU_TEXT.get(msg.event_key)
                return Action("chat", said) if said else Action("ignore")
            if msg.event == "subscribe":
                return Action("chat", "/start")
            return Action("ignore")  # enter_agent, view, location … need no answer
        if msg.msg_type != "text":
            return Action("say", reply=Reply(text=texts.NON_TEXT, kind="info"))
        text = msg.content.strip()
        if text in texts.BIND_WORDS:
            return Action("bind_status")
        if text in texts.UNBIND_WORDS:
            return Action("unbind")
        for head in ("/bind", "绑定"):
            rest = text[len(head):].strip(" ：:")
            if text.startswith(head) and rest and (text[len(head)] in " ：:" or BindingDesk.looks_like_code(rest)):
                return Action("bind", rest)
        if _BARE_CODE.match(text) and BindingDesk.looks_like_code(text):
            return Action("bind", text)
        return Action("chat", self._answering(msg.from_user, text))

    def _answering(self, user_id: str, text: str) -> str:
        """A number or label from the last numbered list -> its value; 有用/没用 -> 👍/👎."""
        with self._lock:
            last = self._offered.get(user_id)
        rated = _RATING.match(text)
        if rated and (last is None or last.feedback):
            rating, comment = texts.FEEDBACK_WORDS[rated.group(1)], rated.group(2).strip()
            return f"{rating} {comment}".strip() if rating == "👎" else rating
        if last is None or not last.choices:
            return text  # the engine still maps a number to what it offered last
        m = _NUMBER.match(text)
        if m and 1 <= int(m.group(1)) <= len(last.choices):
            return last.choices[int(m.group(1)) - 1][1]
        for label, value in last.choices:
            if text == label:
                return value
        return text

    def remember(self, user_id: str, reply: Reply) -> None:
        """The choices a member was just shown, so "2" or the label picks one."""
        with self._lock:
            self._offered[user_id] = offered(reply)
            self._offered.move_to_end(user_id)
            while len(self._offered) > _REMEMBERED:
                self._offered.popitem(last=False)

    # -- the core ------------------------------------------------------------------------------------
    def handle(self, msg: Inbound) -> Reply | None:
        """The reply to one message or event (None: nothing to say). Runs in a worker thread."""
        reply = self._handle(msg)
        if reply is not None:
            self.remember(msg.from_user, reply)
        return reply

    def _handle(self, msg: Inbound) -> Reply | None:
        action = self.translate(msg)
        user = msg.from_user
        try:
            if action.kind == "ignore":
                return None
            if action.kind == "say":
                return action.reply
            if action.kind == "bind":
                return self._bind(user, action.text)
            if action.kind == "bind_status":
                current = identity.status(self.assistant, user)
                text = texts.ALREADY_BOUND.format(who=identity.describe(current)) if current else texts.HOW_TO_BIND
                return Reply(text=text, kind="info")
            if action.kind == "unbind":
                gone = identity.unbind(self.assistant, user)
                text = texts.UNBOUND.format(who=identity.describe(gone)) if gone else texts.NOT_BOUND_NOTHING
                return Reply(text=text, kind="info")
            actor = identity.actor(self.assistant, user)
            reply = self.assistant.chat(self.conversation_id(user), actor, action.text, channel=CHANNEL)
            return self._adapt(reply, actor)
        except StoreError as exc:  # a rule or state the core explains in Chinese (busy, not migrated …)
            log.warning("企业微信成员 %s 的消息未办理：%s", user, exc.message)
            return Reply(text=exc.message, kind="error")
        except IndexUnavailable as exc:
            log.warning("知识库不可用：%s", exc)
            return Reply(text=texts.INDEX_DOWN, kind="error")
        except Exception as exc:  # noqa: BLE001 - the member gets an apology, the log the details
            log.error("企业微信消息 %s（成员 %s）处理失败：%r", msg.dedupe_key, user, exc, exc_info=exc)
            settings = self.assistant.settings
            contact = (f"如急需办理，请致电{settings.station_name}：{settings.station_phone}。"
                       if settings.station_phone else "")
            return Reply(text=texts.APOLOGY.format(contact=contact), kind="error")

    def _adapt(self, reply: Reply, actor: Actor | None) -> Reply:
        """What only WeCom members need to hear: how to bind, the menu."""
        text = reply.text
        if reply.intent == "help":
            text += texts.HELP_TAIL
        elif reply.intent == "greeting" and actor is None:
            text += "\n\n" + texts.BIND_HINT
        return reply if text == reply.text else reply.model_copy(update={"text": text})

    def _bind(self, user: str, code: str) -> Reply:
        with self._lock:
            blocked = self.bind_limiter.retry_after(user) > 0
        if blocked:
            return Reply(text=texts.BIND_TOO_MANY.format(minutes=self.config.bind_window_minutes), kind="error")
        try:
            bound = identity.redeem(self.assistant, user, code)
        except StoreError as exc:
            with self._lock:
                self.bind_limiter.take(user)  # only failures count
            return Reply(text=exc.message, kind="error")
        log.info("企业微信成员 %s 已绑定账号 %s", user, bound.login)
        return Reply(text=texts.BOUND.format(who=identity.describe(bound)), kind="info")
