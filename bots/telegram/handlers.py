"""Telegram updates in, the assistant's replies out — translation only, every decision is the core's.

Commands the conversation engine understands itself (/ask, /book, /mybookings,
/credit, /visit, /cancel, /clause) are passed through as typed; plain text goes
to the engine too. Only what is about the channel lives here: binding a
Telegram user to an account, /search as a list, buttons, the per-chat rate
limit and the apology when something breaks. The core is synchronous (database
and retrieval), so each call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import (
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from assistant.answering.models import Citation
from assistant.conversation.replies import Reply
from assistant.core import Assistant
from assistant.errors import IndexUnavailable, StoreError
from assistant.store.actors import Actor
from bots import binding
from bots.ratelimit import TokenBucket
from bots.telegram import keyboard as kb
from bots.telegram import texts
from bots.telegram.render import citation_marks, split_message

log = logging.getLogger(__name__)

CHANNEL = "telegram"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_PASSTHROUGH = ("ask", "book", "mybookings", "credit", "visit", "cancel")
_NEW_MESSAGES = filters.UpdateType.MESSAGE  # edits of old messages are not new requests
_EXCERPT = 90

Context = ContextTypes.DEFAULT_TYPE


def _command_text(update: Update) -> str:
    """'/book@zhijian_bot 下周三' -> '/book 下周三' (groups address commands to a bot by name)."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    head, sep, rest = text.partition(" ")
    return head.split("@", 1)[0] + sep + rest


@dataclass(frozen=True)
class BotConfig:
    """Channel-level knobs; the business rules are the core's settings."""

    rate_burst: int = 8  # messages a chat may send at once
    rate_per_minute: float = 20.0  # then this many a minute
    bind_failures: int = 5  # wrong binding codes a user may try …
    bind_window_minutes: int = 10  # … per this many minutes
    search_hits: int = 5
    clock: Callable[[], float] = time.monotonic  # for the limiters


class TelegramChannel:
    """The handlers of one bot over one ``Assistant``."""

    def __init__(self, assistant: Assistant, config: BotConfig | None = None) -> None:
        self.assistant = assistant
        self.config = cfg = config or BotConfig()
        self.limiter = TokenBucket(cfg.rate_burst, cfg.rate_per_minute / 60, clock=cfg.clock)
        self.bind_limiter = TokenBucket(cfg.bind_failures, cfg.bind_failures / (cfg.bind_window_minutes * 60),
                                        clock=cfg.clock)

    def register(self, application: Application) -> None:
        application.add_handler(TypeHandler(Update, self.throttle), group=-1)
        add = application.add_handler
        add(CommandHandler("start", self.start, filters=_NEW_MESSAGES))
        add(CommandHandler("help", self.help, filters=_NEW_MESSAGES))
        add(CommandHandler("search", self.search, filters=_NEW_MESSAGES))
        add(CommandHandler("clause", self.clause, filters=_NEW_MESSAGES))
        add(CommandHandler("bind", self.bind, filters=_NEW_MESSAGES))
        add(CommandHandler("unbind", self.unbind, filters=_NEW_MESSAGES))
        add(CommandHandler(list(_PASSTHROUGH), self.passthrough, filters=_NEW_MESSAGES))
        add(CallbackQueryHandler(self.pressed))
        add(MessageHandler(_NEW_MESSAGES & filters.TEXT & ~filters.COMMAND, self.text))
        add(MessageHandler(_NEW_MESSAGES & filters.COMMAND, self.unknown_command))
        add(MessageHandler(_NEW_MESSAGES & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.non_text))
        application.add_error_handler(self.on_error)

    # -- who and where -------------------------------------------------------------------------------
    @staticmethod
    def conversation_id(update: Update) -> str:
        """One conversation per private chat; in a group, one per member (their dialogues stay apart)."""
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None
        return f"tg:{chat.id}" if chat.type == ChatType.PRIVATE else f"tg:{chat.id}:{user.id}"

    def _actor(self, user_id: int) -> Actor | None:
        return binding.actor_for(self.assistant, CHANNEL, user_id)

    def _chat(self, cid: str, user_id: int, text: str) -> tuple[Actor | None, Reply]:
        actor = self._actor(user_id)
        return actor, self.assistant.chat(cid, actor, text, channel=CHANNEL)

    # -- sending -------------------------------------------------------------------------------------
    async def send(self, update: Update, context: Context, reply: Reply) -> None:
        """The reply as HTML messages below the size limit; its buttons under the last one."""
        chat = update.effective_chat
        assert chat is not None
        chunks = split_message(reply.text, citation_marks(reply.citations)) or ["…"]
        markup = kb.keyboard(reply)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            await self._send_html(context, chat.id, chunk, markup if last else None)

    @staticmethod
    async def _send_html(context: Context, chat_id: int, html: str, markup: InlineKeyboardMarkup | None) -> None:
        await context.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup,
                                       link_preview_options=NO_PREVIEW)

    async def _plain(self, update: Update, context: Context, text: str) -> None:
        await self.send(update, context, Reply(text=text, kind="info"))

    async def converse(self, update: Update, context: Context, text: str) -> tuple[Actor | None, Reply]:
        """One message of the conversation: to the engine, and its reply back to the chat."""
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None
        await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
        actor, reply = await asyncio.to_thread(self._chat, self.conversation_id(update), user.id, text)
        await self.send(update, context, reply)
        return actor, reply

    # -- rate limit ----------------------------------------------------------------------------------
    async def throttle(self, update: Update, context: Context) -> None:
        """Runs before every handler: over the chat's limit the update is dropped (state untouched)."""
        chat = update.effective_chat
        if chat is None:
            return
        decision = self.limiter.take(chat.id)
        if decision.allowed:
            return
        log.info("update %s: chat %s over the rate limit", update.update_id, chat.id)
        if update.callback_query is not None:
            await update.callback_query.answer(texts.RATE_LIMITED_SHORT)
        elif decision.warn:
            seconds = max(1, math.ceil(self.limiter.retry_after(chat.id)))
            await context.bot.send_message(chat.id, texts.RATE_LIMITED.format(seconds=seconds))
        raise ApplicationHandlerStop

    # -- commands ------------------------------------------------------------------------------------
    async def start(self, update: Update, context: Context) -> None:
        """/start, or a deep link t.me/<bot>?start=<binding code>."""
        if context.args and self.assistant.bindings.looks_like_code(context.args[0]):
            await self._bind(update, context, context.args[0])
            return
        actor, reply = await asyncio.to_thread(self._chat, self.conversation_id(update),
                                               update.effective_user.id, "/start")  # type: ignore[union-attr]
        if actor is None:
            reply = reply.model_copy(update={"text": f"{reply.text}\n\n{texts.BIND_HINT}"})
        await self.send(update, context, reply)

    async def help(self, update: Update, context: Context) -> None:
        _, reply = await asyncio.to_thread(self._chat, self.conversation_id(update),
                                           update.effective_user.id, "/help")  # type: ignore[union-attr]
        await self.send(update, context, reply.model_copy(update={"text": reply.text + "\n" + texts.COMMAND_HELP}))

    async def passthrough(self, update: Update, context: Context) -> None:
        """Commands the engine reads itself ("/book", "/credit 示例建工" …), without a group's "@botname"."""
        await self.converse(update, context, _command_text(update))

    async def text(self, update: Update, context: Context) -> None:
        await self.converse(update, context, update.effective_message.text or "")  # type: ignore[union-attr]

    async def clause(self, update: Update, context: Context) -> None:
        if not context.args:
            await self._plain(update, context, texts.CLAUSE_USAGE)
            return
        await self.converse(update, context, _command_text(update))

    async def search(self, update: Update, context: Context) -> None:
        query = " ".join(context.args or []).strip()
        if not query:
            await self._plain(update, context, texts.SEARCH_USAGE)
            return
        await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)  # type: ignore[union-attr]
        page = await asyncio.to_thread(self.assistant.knowledge.search, query, k=self.config.search_hits)
        cites = [Citation.model_validate(h.model_dump()) for h in page.hits]
        notice = page.notice  # a clause or standard named that the library lacks: said first
        if not cites:
            await self._plain(update, context, f"⚠ {notice.message}" if notice else texts.SEARCH_NONE.format(q=query))
            return
        lines = [f"⚠ {notice.message}\n{notice.others}：" if notice else texts.SEARCH_HEAD.format(q=query, n=len(cites))]
        for i, c in enumerate(cites, 1):
            badge = "【强制性条文】" if c.mandatory else ""
            status = f"（{c.status}）" if c.status != "现行" else ""
            flat = " ".join(c.text.split())
            excerpt = flat if len(flat) <= _EXCERPT else flat[:_EXCERPT] + "……"
            lines.append(f"{i}. {c.reference()}{badge}{status}\n{excerpt}")
        lines.append(texts.SEARCH_TAIL)
        await self.send(update, context, Reply(text="\n\n".join(lines), kind="info", citations=cites))

    async def bind(self, update: Update, context: Context) -> None:
        if context.args:
            await self._bind(update, context, "".join(context.args))
            return
        user = update.effective_user
        assert user is not None
        current = await asyncio.to_thread(binding.status, self.assistant, CHANNEL, user.id)
        text = texts.ALREADY_BOUND.format(who=binding.describe(current)) if current else texts.HOW_TO_BIND
        await self._plain(update, context, text)

    async def _bind(self, update: Update, context: Context, code: str) -> None:
        user = update.effective_user
        assert user is not None
        if self.bind_limiter.retry_after(user.id) > 0:
            minutes = self.config.bind_window_minutes
            await self._plain(update, context, texts.BIND_TOO_MANY.format(minutes=minutes))
            return
        shown = f"@{user.username}" if user.username else user.full_name
        try:
            bound = await asyncio.to_thread(binding.redeem, self.assistant, CHANNEL, user.id, code, shown)
        except StoreError as exc:
            self.bind_limiter.take(user.id)  # only failures count
            await self._plain(update, context, exc.message)
            return
        log.info("telegram user %s bound to account %s", user.id, bound.login)
        await self._plain(update, context, texts.BOUND.format(who=binding.describe(bound)))

    async def unbind(self, update: Update, context: Context) -> None:
        user = update.effective_user
        assert user is not None
        gone = await asyncio.to_thread(binding.unbind, self.assistant, CHANNEL, user.id)
        text = texts.UNBOUND.format(who=binding.describe(gone)) if gone else texts.NOT_BOUND_NOTHING
        await self._plain(update, context, text)

    async def unknown_command(self, update: Update, context: Context) -> None:
        await self._plain(update, context, "没有这个命令。" + texts.COMMAND_HELP)

    async def non_text(self, update: Update, context: Context) -> None:
        await self._plain(update, context, texts.NON_TEXT)

    # -- buttons -------------------------------------------------------------------------------------
    async def pressed(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        pressed = kb.parse(query.data if isinstance(query.data, str) else None)
        markup = query.message.reply_markup if isinstance(query.message, Message) else None
        if pressed.kind == "feedback":
            user = update.effective_user
            assert user is not None
            cid = self.conversation_id(update)

            def rate() -> None:
                self.assistant.feedback(pressed.query_id, pressed.rating, user=self._actor(user.id),
                                        rater=f"conversation:{cid}")

            await asyncio.to_thread(rate)
            await query.answer(texts.THANKS_UP if pressed.rating == "up" else texts.THANKS_DOWN)
            await self._edit(update, kb.after_rating(markup, pressed.rating))
            return
        if pressed.kind not in ("say", "value"):
            await query.answer()
            return
        value: str | None = pressed.value
        if pressed.kind == "say":
            state = await asyncio.to_thread(self.assistant.conversation, self.conversation_id(update))
            value = kb.resolve(pressed, state.options if state else [])
        if value is None:
            await query.answer(texts.STALE_CHOICE)
            await self._edit(update, kb.after_choice(markup, None))
            return
        await query.answer()
        await self._edit(update, kb.after_choice(markup, kb.label_of(markup, str(query.data)) or value))
        await self.converse(update, context, value)

    @staticmethod
    async def _edit(update: Update, markup: InlineKeyboardMarkup | None) -> None:
        """Replace the pressed message's buttons; a message that is gone or unchanged is not an error."""
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            return
        try:
            await query.edit_message_reply_markup(reply_markup=markup)
        except BadRequest as exc:
            log.debug("update %s: keyboard not edited: %s", update.update_id, exc)

    # -- errors --------------------------------------------------------------------------------------
    async def on_error(self, update: object, context: Context) -> None:
        """Log with the update id; tell the user briefly in Chinese — never the exception itself."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(error, StoreError):  # a rule or state the core explains in Chinese (busy, not migrated …)
            log.warning("update %s: %s", update_id, error.message)
            text = error.message
        elif isinstance(error, IndexUnavailable):
            log.warning("update %s: index unavailable: %s", update_id, error)
            text = "知识库暂不可用，请稍后再试。"
        elif isinstance(error, NetworkError):  # Telegram unreachable: nothing can be sent anyway
            log.warning("update %s: Telegram network error: %s", update_id, error)
            return
        else:
            log.error("update %s failed: %r", update_id, error, exc_info=error)
            settings = self.assistant.settings
            contact = f"如急需办理，请致电{settings.station_name}：{settings.station_phone}。" if settings.station_phone else ""
            text = texts.APOLOGY.format(contact=contact)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # answered already, or too old
                await update.callback_query.answer()
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError as exc:
            log.warning("update %s: apology not sent: %s", update_id, exc)
