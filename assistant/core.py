"""The facade channels use: ask, chat, feedback, report — one object per process.

The API, the Telegram bot and the CLI hold an ``Assistant`` and never reach the
index or the database themselves. The answering service (and with it the
index and the embedding model) is loaded on first use, so a channel that only
books inspections never pays for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from assistant import feedback
from assistant.answering.models import Answer
from assistant.config import Settings, get_settings
from assistant.conversation.engine import ConversationEngine
from assistant.conversation.replies import Reply
from assistant.conversation.state import ConversationState
from assistant.store.db import get_engine, session_scope
from assistant.store.migrate import ensure_current
from assistant.store.models.base import utcnow
from assistant.store.rules import StoreRules

log = logging.getLogger(__name__)


def default_clock() -> datetime:
    """Now, in UTC; the station's today is derived from it with the configured time zone."""
    return utcnow()


class Assistant:
    """Questions, conversations, feedback and reports over one installation (data dir or database)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        answerer: Any = None,
        db: Engine | None = None,
        rules: StoreRules | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self._answerer = answerer
        self._lock = threading.Lock()
        self._db = db
        self.rules = rules or StoreRules.from_settings(self.settings)
        # Looked up at call time, so tests can fix "now" by patching ``default_clock``.
        self.clock = clock or (lambda: default_clock())
        self._engine: ConversationEngine | None = None

    # -- plumbing ------------------------------------------------------------------------------------
    @property
    def answerer(self) -> Any:
        if self._answerer is None:
            with self._lock:
                if self._answerer is None:
                    from assistant.answering.service import Answerer

                    self._answerer = Answerer(settings=self.settings)
        return self._answerer

    @property
    def db(self) -> Engine:
        if self._db is None:
            self._db = get_engine(self.settings)
        return self._db

    def check_db(self) -> None:
        """Raise ``SchemaNotReady`` (Chinese message) unless the database is migrated to this code's version."""
        ensure_current(self.db)

    @property
    def engine(self) -> ConversationEngine:
        if self._engine is None:
            self._engine = ConversationEngine(
                self.db, lambda: self.answerer, rules=self.rules, clock=self.clock,
                station_name=self.settings.station_name, station_phone=self.settings.station_phone,
            )
        return self._engine

    # -- knowledge -----------------------------------------------------------------------------------
    def ask(self, question: str, *, context: str | None = None, user: Any = None, channel: str = "api",
            conversation_id: str | None = None, log_query: bool = True) -> Answer:
        """A grounded answer (or a plain refusal), logged with its ``query_id`` for feedback.

        If the query log cannot be written (database not migrated or down) the
        answer is still returned, without a ``query_id``.
        """
        started = time.perf_counter()
        answer = self.answerer.answer(question, context=context)
        latency = (time.perf_counter() - started) * 1000
        if not log_query:
            return answer
        try:
            with session_scope(self.db) as session:
                query_id = feedback.log_query(
                    session, question=question, answer=answer, channel=channel, latency_ms=latency,
                    account_id=getattr(user, "account_id", None), conversation_id=conversation_id,
                    context=context or "", now=self.clock(),
                )
        except Exception as exc:  # noqa: BLE001 — an unlogged answer beats no answer
            log.warning("本次提问未写入查询日志（可运行 zhijian db upgrade 初始化数据库）：%s", exc.__class__.__name__)
            log.debug("query log failure", exc_info=exc)
            return answer
        return answer.model_copy(update={"query_id": query_id})

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: Any = None) -> list[Any]:
        return self.answerer.search(query, k=k, mode=mode, filters=filters)

    def lookup(self, text: str) -> Answer | None:
        return self.answerer.lookup(text)

    # -- conversations -------------------------------------------------------------------------------
    def chat(self, conversation_id: str, user: Any, text: str, *, channel: str = "api") -> Reply:
        """One message of a conversation; ``user`` is the ``Actor`` of a bound account, or None."""
        return self.engine.handle(conversation_id, user, text, channel=channel)

    def conversation(self, conversation_id: str) -> ConversationState | None:
        return self.engine.state(conversation_id)

    # -- feedback and reports ------------------------------------------------------------------------
    def feedback(self, query_id: int, rating: str | int, *, comment: str = "", user: Any = None,
                 rater: str = "") -> feedback.FeedbackOut:
        """👍/👎 on an answer. ``rater`` identifies who rates (so a second press replaces the first)."""
        account_id = getattr(user, "account_id", None)
        who = rater or (f"account:{account_id}" if account_id else "")
        with session_scope(self.db) as session:
            return feedback.record_feedback(session, query_id, rating, comment=comment, rater=who,
                                            account_id=account_id, now=self.clock())

    def report(self, since: date | None = None, until: date | None = None, *, limit: int = 20
               ) -> feedback.UnansweredReport:
        """Most frequent unanswered questions and topics; default the last 30 days up to today."""
        today = self.rules.today(self.clock())
        until = until or today
        since = since or until - timedelta(days=29)
        with session_scope(self.db) as session:
            return feedback.unanswered_report(session, since, until, limit=limit, tz=self.rules.timezone)

