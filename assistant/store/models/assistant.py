"""Tables of the assistant: conversation state, the query log and answer feedback.

Conversation state lives here (not in memory) so a restarted process, or a
second worker, continues every dialogue where it stopped. The query log keeps
every question with what was answered, which is what the unanswered-questions
report and the 👍/👎 feedback hang on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.models.base import Base, utcnow


class Conversation(Base):
    """One dialogue of one channel (a Telegram chat, a browser tab, a terminal session)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueryLog(Base):
    """Every question put to the knowledge service, whichever channel it came from."""

    __tablename__ = "query_log"
    __table_args__ = (Index("ix_query_log_grounded_asked_at", "grounded", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    question: Mapped[str] = mapped_column(Text)
    resolved_question: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str] = mapped_column(String(32), default="question")
    grounded: Mapped[bool] = mapped_column(Boolean)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # clear | likely | none; '' for rows logged before answers had a certainty
    certainty: Mapped[str] = mapped_column(String(8), default="", server_default="")
    mode: Mapped[str] = mapped_column(String(16), default="extractive")
    citations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)


class AnswerFeedback(Base):
    """👍 (+1) or 👎 (-1) on one logged answer, with an optional comment; one per rater and answer."""

    __tablename__ = "answer_feedback"
    __table_args__ = (CheckConstraint("rating IN (-1, 1)", name="rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("query_log.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rater: Mapped[str] = mapped_column(String(160), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
