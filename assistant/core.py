"""The facade channels use — one ``Assistant`` per installation and process.

The API, the Telegram and WeCom bots and the CLI hold an ``Assistant`` built
from one ``Settings`` object and call its typed use-cases; they never reach
the index, the document library or a database session themselves:

- ``ask`` / ``search`` / ``lookup`` / ``chat`` / ``feedback`` / ``report``: knowledge and conversations;
- ``bookings``, ``visits``, ``notices``, ``credit``, ``accounts``, ``bindings``, ``notifications``,
  ``attachments``: the station's business, its evidence and what people are told about it;
- ``inspections``, ``tolerances``, ``credit_drafts``, ``cases``, ``spot_checks``: on-site inspection records
  and measured values, and what follows from them (credit drafts, published cases, random-check draws);
- ``knowledge`` (clause views, document list, index status) and ``library`` (uploads and jobs, admins);
- ``health``: what /healthz reports.

The station's rules (``StoreRules``, from the settings) and the clock reach
every one of them through one ``Runtime``. The answering service (and with it
the index and the embedding model) loads on first use, so a channel that only
books inspections never pays for it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from assistant import feedback
from assistant.answering.models import Answer
from assistant.answering.protocol import AnswerSource
from assistant.config import Settings, SettingView, settings_view
from assistant.conversation import anonymous
from assistant.conversation.engine import ConversationEngine
from assistant.conversation.replies import Reply
from assistant.conversation.state import ConversationState, TranscriptEntry, prune_idle
from assistant.jobs import Job, JobManager
from assistant.knowledge import Knowledge
from assistant.outbox import Outbox, OutboxPolicy, Sender
from assistant.store import migrate
from assistant.store.actors import Actor
from assistant.store.errors import SchemaNotReady, StoreError
from assistant.store.models.base import utcnow
from assistant.store.rules import StoreRules
from assistant.usecases.attachments import AttachmentDesk
from assistant.usecases.bookings import BookingDesk
from assistant.usecases.followup import CaseDesk, CreditDraftDesk, SpotCheckDesk
from assistant.usecases.inspections import InspectionDesk, ToleranceDesk
from assistant.usecases.library import LibraryDesk
from assistant.usecases.registry import AccountDesk, BindingDesk, CreditDesk, NotificationDesk
from assistant.usecases.runtime import Runtime
from assistant.usecases.work import NoticeDesk, VisitDesk
from assistant.views import DatabaseHealth, Health, Hit, IndexHealth, SearchFilters

log = logging.getLogger(__name__)


def default_clock() -> datetime:
    """Now, in UTC; the station's today is derived from it with the configured time zone."""
    return utcnow()


class Assistant:
    """Questions, conversations, the station's business and library maintenance over one installation."""

    def __init__(
        self,
        settings: Settings,
        *,
        answerer: AnswerSource | None = None,
        db: Engine | None = None,
        rules: StoreRules | None = None,
        clock: Callable[[], datetime] | None = None,
        on_job_finished: Callable[[Job], None] = lambda job: None,
    ) -> None:
        self.settings = settings
        self.rules = rules or StoreRules.from_settings(settings)
        # Looked up at call time, so tests can fix "now" by patching ``default_clock``.
        self.clock = clock or (lambda: default_clock())
        self.runtime = Runtime(settings, self.rules, self.clock, db)
        self.knowledge = Knowledge(settings, answerer=answerer, today=lambda: self.rules.today(self.clock()))
        self.bookings = BookingDesk(self.runtime)
        self.visits = VisitDesk(self.runtime)
        self.notices = NoticeDesk(self.runtime)
        self.credit = CreditDesk(self.runtime)
        self.accounts = AccountDesk(self.runtime)
        self.bindings = BindingDesk(self.runtime)
        self.notifications = NotificationDesk(self.runtime)
        self.attachments = AttachmentDesk(self.runtime)
        jobs = JobManager(settings, on_index_changed=self.knowledge.index_changed, on_finished=on_job_finished)
        self.library = LibraryDesk(self.knowledge, jobs)
        self.tolerances = ToleranceDesk(self.runtime, self.knowledge)
        self.inspections = InspectionDesk(self.runtime, self.knowledge, self.tolerances)
        self.credit_drafts = CreditDraftDesk(self.runtime)
        self.cases = CaseDesk(self.runtime, jobs)
        self.spot_checks = SpotCheckDesk(self.runtime)
        self._engine: ConversationEngine | None = None
        self._write_probe: tuple[float, bool] | None = None

    # -- plumbing ------------------------------------------------------------------------------------
    @property
    def answerer(self) -> AnswerSource:
        return self.knowledge.answerer

    @property
    def db(self) -> Engine:
        return self.runtime.db

    def check_db(self) -> None:
        """Raise ``SchemaNotReady`` (Chinese message) unless the database is migrated to this code's version."""
        migrate.ensure_current(self.db)

    def warm_up(self) -> None:
        """Load the index and the embedding model before the first question (IndexUnavailable if no index)."""
        self.knowledge.warm_up()

    @property
    def engine(self) -> ConversationEngine:
        if self._engine is None:
            self._engine = ConversationEngine(
                self.db, lambda: self.answerer, rules=self.rules, clock=self.clock,
                station_name=self.settings.station_name, station_phone=self.settings.station_phone,
            )
        return self._engine

    def close(self) -> None:
        self.library.shutdown()

    def outbox(self, senders: Sequence[Sender], *, policy: OutboxPolicy | None = None,
               clock: Callable[[], datetime] | None = None) -> Outbox:
        """The notification worker over this installation, pushing through ``senders`` (one per channel)."""
        return Outbox(self.runtime, senders, policy=policy, clock=clock)

    # -- knowledge -----------------------------------------------------------------------------------
    def ask(self, question: str, *, context: str | None = None, user: Actor | None = None, channel: str = "api",
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
            with self.runtime.session() as session:
                query_id = feedback.log_query(
                    session, question=question, answer=answer, channel=channel, latency_ms=latency,
                    account_id=user.account_id if user else None, conversation_id=conversation_id,
                    context=context or "", now=self.clock(),
                )
        except Exception as exc:  # noqa: BLE001 — an unlogged answer beats no answer
            hint = "（数据库尚未初始化，可运行 zhijian db upgrade）" if isinstance(exc, SchemaNotReady) else \
                f"：{exc.message if isinstance(exc, StoreError) else type(exc).__name__}"
            log.warning("本次提问已回答，但未写入查询日志%s", hint)
            log.debug("query log failure", exc_info=exc)
            return answer
        return answer.model_copy(update={"query_id": query_id})

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None
               ) -> list[Hit]:
        """Hits from the answering service's own index (the one whose clauses the answers cite)."""
        return self.answerer.search(query, k=k, mode=mode, filters=filters)

    def lookup(self, text: str) -> Answer | None:
        return self.answerer.lookup(text)

    # -- conversations -------------------------------------------------------------------------------
    def chat(self, conversation_id: str, user: Actor | None, text: str, *, channel: str = "api") -> Reply:
        """One message of a conversation; ``user`` is the ``Actor`` of a bound account, or None."""
        return self.engine.handle(conversation_id, user, text, channel=channel)

    def conversation(self, conversation_id: str) -> ConversationState | None:
        return self.engine.state(conversation_id)

    def transcript(self, conversation_id: str) -> list[TranscriptEntry]:
        """The conversation's last messages (empty for an unknown one), for a channel to show again."""
        state = self.engine.state(conversation_id)
        return list(state.transcript) if state else []

    def anonymous_conversation(self, presented: str | None) -> tuple[str, str]:
        """(id for the browser, id the conversation is stored under) for a caller without an account.

        ``presented`` is continued only when this installation issued it; otherwise a new one is issued,
        so nobody reaches another person's anonymous conversation by guessing or making up an id.
        """
        secret = self.settings.install_secret()
        key = anonymous.storage_key(secret, presented)
        if key is not None and presented is not None:
            return presented, key
        fresh = anonymous.issue(secret)
        key = anonymous.storage_key(secret, fresh)
        assert key is not None
        self._prune_anonymous()
        return fresh, key

    def _prune_anonymous(self) -> None:
        """Starting a conversation is when old ones go: no scheduler is needed for a once-in-a-while delete."""
        idle_since = self.clock() - timedelta(days=self.settings.anonymous_conversation_days)
        with self.runtime.session() as session:
            pruned = prune_idle(session, anonymous.STORAGE_PREFIX, idle_since)
        if pruned:
            log.info("deleted %d anonymous conversations idle since %s", pruned, idle_since.date())

    def anonymous_transcript(self, presented: str) -> list[TranscriptEntry]:
        """The messages of an anonymous conversation; empty for an id this installation did not issue."""
        key = anonymous.storage_key(self.settings.install_secret(), presented)
        return self.transcript(key) if key else []

    # -- feedback and reports ------------------------------------------------------------------------
    def feedback(self, query_id: int, rating: str | int, *, comment: str = "", user: Actor | None = None,
                 rater: str = "") -> feedback.FeedbackOut:
        """👍/👎 on an answer. ``rater`` identifies who rates (so a second press replaces the first)."""
        account_id = user.account_id if user else None
        who = rater or (f"account:{account_id}" if account_id else "")
        with self.runtime.session() as session:
            return feedback.record_feedback(session, query_id, rating, comment=comment, rater=who,
                                            account_id=account_id, now=self.clock())

    def anonymous_rater(self, address: str) -> str:
        """Who rates, for a caller known only by network address: a keyed hash, so one vote per address and
        answer without storing the address or anything that can be turned back into it by trying all of them."""
        digest = hmac.new(self.settings.install_secret(), address.encode(), hashlib.sha256).hexdigest()[:24]
        return f"address:{digest}"

    def report(self, since: date | None = None, until: date | None = None, *, limit: int = 20
               ) -> feedback.UnansweredReport:
        """Most frequent unanswered questions and topics; default the last 30 days up to today."""
        today = self.rules.today(self.clock())
        until = until or today
        since = since or until - timedelta(days=29)
        with self.runtime.session() as session:
            return feedback.unanswered_report(session, since, until, limit=limit, tz=self.rules.timezone)

    def settings_view(self) -> list[SettingView]:
        """The station's settings as read-only text for admins; secrets only say whether they are set."""
        return settings_view(self.settings)

    # -- operations ----------------------------------------------------------------------------------
    def health(self) -> Health:
        """Database and index, each with ``ok`` and a Chinese detail for operators."""
        return Health(database=self._database_health(), index=self._index_health())

    def _database_health(self) -> DatabaseHealth:
        try:
            current = migrate.current_revision(self.db)
        except Exception as exc:  # any driver error means "down"; the message is for operators
            return DatabaseHealth(ok=False, detail=f"数据库无法连接：{type(exc).__name__}")
        head = migrate.head_revision()
        if current != head:
            return DatabaseHealth(ok=False, revision=current, expected=head,
                                  detail="数据库尚未初始化或版本不一致，请运行 zhijian db upgrade")
        if not self._writable():
            return DatabaseHealth(ok=False, revision=current, backend=self.db.dialect.name,
                                  detail="数据库为只读状态：可以查询，但预约、整改等修改无法保存，请检查数据库或数据目录的写权限")
        return DatabaseHealth(ok=True, revision=current, backend=self.db.dialect.name)

    def _writable(self) -> bool:
        """Whether the database takes writes, probed at most every 30 s (a probe briefly takes the write lock)."""
        now = time.monotonic()
        if self._write_probe is None or now - self._write_probe[0] > 30:
            try:
                self._write_probe = (now, migrate.can_write(self.db))
            except Exception:  # noqa: BLE001 - any other failure shows up in the revision check next time
                self._write_probe = (now, False)
        return self._write_probe[1]

    def _index_health(self) -> IndexHealth:
        try:
            return self.knowledge.status()
        except Exception as exc:
            return IndexHealth(ok=False, detail=str(exc) or type(exc).__name__)
