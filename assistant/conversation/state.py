"""Conversation state: a JSON document per conversation, stored in the database.

Every message loads it under a row lock and writes it back in the same
transaction as whatever the message changed in the store, so a booking and
the dialogue that made it are committed together, and a restarted process (or
another worker) continues exactly where the last one stopped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.store.models import Conversation

TRANSCRIPT_MAX = 40  # messages kept so a channel (the web page) can show the dialogue again after a reload


class TranscriptEntry(BaseModel):
    """One message as a channel shows it again: the person's text, or the assistant's reply."""

    role: str  # user | bot
    text: str
    at: datetime | None = None
    kind: str | None = None
    grounded: bool | None = None
    certainty: str | None = None  # clear | likely | none, for an answer
    query_id: int | None = None
    citations: list[dict[str, Any]] = Field(default_factory=list)
    choices: list[dict[str, Any]] = Field(default_factory=list)


class ConversationState(BaseModel):
    flow: str | None = None  # booking | visit | cancel_booking | credit
    step: str | None = None
    slots: dict[str, Any] = Field(default_factory=dict)
    options: list[str] = Field(default_factory=list, description="values offered last, so '2' can pick one")
    labels: dict[str, str] = Field(default_factory=dict,
                                   description="button label -> value offered last, so typing the label picks it")
    back_to_confirm: bool = False  # editing one field from the summary
    flow_started: datetime | None = None
    last_question: str | None = None  # resolved, for follow-ups
    last_query_id: int | None = None
    last_unanswered: str | None = None  # offered as the description of a visit request
    account_id: int | None = None  # whose dialogue this is
    turns: int = 0
    transcript: list[TranscriptEntry] = Field(default_factory=list)

    def remember(self, user_text: str, reply: Any, now: datetime) -> None:
        """Keep the exchange (the last ``TRANSCRIPT_MAX`` messages) for channels that redraw the dialogue."""
        cites = [c.model_dump(mode="json") for c in list(getattr(reply, "citations", []))[:5]]
        for c in cites:
            if isinstance(c.get("text"), str) and len(c["text"]) > 800:
                c["text"] = c["text"][:800] + "……"
        self.transcript.append(TranscriptEntry(role="user", text=user_text[:2000], at=now))
        self.transcript.append(TranscriptEntry(
            role="bot", text=reply.text, at=now, kind=reply.kind, grounded=reply.grounded,
            certainty=getattr(reply, "certainty", None), query_id=reply.query_id,
            citations=cites, choices=[c.model_dump(mode="json") for c in reply.choices]))
        del self.transcript[:-TRANSCRIPT_MAX]

    def start(self, flow: str, step: str, now: datetime) -> None:
        self.flow, self.step, self.slots, self.options, self.labels = flow, step, {}, [], {}
        self.back_to_confirm, self.flow_started = False, now

    def clear_flow(self) -> None:
        self.flow, self.step, self.slots, self.options, self.labels = None, None, {}, [], {}
        self.back_to_confirm, self.flow_started = False, None


def load(session: Session, conversation_id: str, channel: str, *, now: datetime,
         lock: bool = True) -> tuple[Conversation, ConversationState]:
    """The conversation row (created on first use) and its state, locked for this transaction."""
    stmt = select(Conversation).where(Conversation.id == conversation_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        row = Conversation(id=conversation_id, channel=channel[:16], state={}, version=0, created_at=now,
                           updated_at=now)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # created meanwhile by a concurrent message of the same conversation
            row = session.scalars(stmt).one()
    return row, ConversationState.model_validate(row.state or {})


def save(session: Session, row: Conversation, state: ConversationState, now: datetime) -> None:
    row.state = state.model_dump(mode="json")
    row.account_id = state.account_id
    row.version = (row.version or 0) + 1
    row.updated_at = now
    session.flush()


def peek(session: Session, conversation_id: str) -> ConversationState | None:
    """The stored state without locking, for channels that show where a dialogue stands."""
    row = session.get(Conversation, conversation_id)
    return None if row is None else ConversationState.model_validate(row.state or {})


def prune_idle(session: Session, key_prefix: str, idle_since: datetime) -> int:
    """Delete the conversations stored under ``key_prefix`` whose last message is older than ``idle_since``.

    Anonymous conversations belong to nobody who could ask for them to be removed, so they are not kept
    forever; the count deleted is returned.
    """
    result = session.execute(delete(Conversation).where(Conversation.id.startswith(key_prefix, autoescape=True),
                                                        Conversation.updated_at < idle_since))
    return int(result.rowcount or 0)
