"""What the engine says back, in a shape every channel can render.

Text is plain Chinese; ``choices`` become buttons (web page, Telegram inline
keyboard) or a numbered list (terminal). A choice either sends its ``value``
back as the user's next message (``action="say"``) or rates an answer
(``action="feedback"``, value "up:<query_id>" / "down:<query_id>").
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.answering.models import Certainty, Citation


class Choice(BaseModel):
    label: str
    value: str
    action: Literal["say", "feedback"] = "say"


class Reply(BaseModel):
    text: str
    kind: str = Field(
        default="info",
        description="answer | refusal | prompt | confirm | done | error | info | help | not_bound",
    )
    intent: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    grounded: bool | None = None
    certainty: Certainty | None = Field(default=None, description="for an answer: clear | likely | none")
    query_id: int | None = None
    flow: str | None = Field(default=None, description="booking | visit | cancel_booking | credit, while one runs")
    step: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, description="e.g. the booking just made, a credit view")


def say(label: str, value: str | None = None) -> Choice:
    return Choice(label=label, value=value if value is not None else label)


def feedback_choices(query_id: int) -> list[Choice]:
    return [
        Choice(label="👍 有用", value=f"up:{query_id}", action="feedback"),
        Choice(label="👎 没用", value=f"down:{query_id}", action="feedback"),
    ]


CONFIRM_CHOICES = [say("确认"), say("修改"), say("取消")]


def parse_feedback_value(value: str) -> tuple[str, int]:
    """'up:42' -> ('up', 42): what a channel passes to ``Assistant.feedback`` when a 👍/👎 button is pressed."""
    rating, _, query_id = value.partition(":")
    if rating not in ("up", "down") or not query_id.isdecimal():
        raise ValueError(f"not a feedback value: {value!r}")
    return rating, int(query_id)
