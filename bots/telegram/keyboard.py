"""The core's choices as inline keyboards, and callback data back to what the user chose.

Callback data is limited to 64 bytes, and a project name in Chinese easily
exceeds that, so a choice made inside a dialogue is sent as its position plus a
digest of its value (``s:2:1a2b3c4d``): the value is read back from the
conversation's stored options, and a button from an older prompt whose options
have changed is recognised as stale instead of answering the wrong question.
Menu-like choices outside a dialogue carry their value (``v:我的预约``) and stay
usable. 👍/👎 carry the query id (``f:up:42``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from assistant.conversation.replies import Choice, Reply, parse_feedback_value

MAX_DATA = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
NOOP = "x"


@dataclass(frozen=True)
class Pressed:
    kind: str  # say | value | feedback | noop | unknown
    value: str = ""
    index: int = -1
    digest: str = ""
    rating: str = ""
    query_id: int = 0


def digest(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:8]


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_DATA


def callback_data(choice: Choice, index: int, in_dialogue: bool) -> str:
    """``index`` is the choice's position among the reply's "say" choices (the engine's stored options)."""
    if choice.action == "feedback":
        rating, query_id = parse_feedback_value(choice.value)
        return f"f:{rating}:{query_id}"
    free = f"v:{choice.value}"
    if not in_dialogue and _fits(free):
        return free
    return f"s:{index}:{digest(choice.value)}"


def parse(data: str | None) -> Pressed:
    kind, _, rest = (data or "").partition(":")
    try:
        if kind == "f":
            rating, query_id = parse_feedback_value(rest)
            return Pressed("feedback", rating=rating, query_id=query_id)
        if kind == "s":
            index, _, dig = rest.partition(":")
            return Pressed("say", index=int(index), digest=dig)
    except ValueError:
        return Pressed("unknown")
    if kind == "v" and rest:
        return Pressed("value", value=rest)
    if kind == NOOP:
        return Pressed("noop")
    return Pressed("unknown")


def resolve(pressed: Pressed, options: list[str]) -> str | None:
    """The value a "say" button stands for, if the conversation still offers it; None when stale."""
    if 0 <= pressed.index < len(options) and digest(options[pressed.index]) == pressed.digest:
        return options[pressed.index]
    return next((o for o in options if digest(o) == pressed.digest), None)


def _width(labels: list[str]) -> int:
    longest = max((len(x) for x in labels), default=0)
    return 3 if longest <= 4 else 2 if longest <= 12 else 1


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Say-choices in rows (wider labels, fewer per row), then the 👍/👎 row."""
    in_dialogue = reply.flow is not None
    says = [c for c in reply.choices if c.action == "say"]
    rates = [c for c in reply.choices if c.action == "feedback"]
    rows: list[list[InlineKeyboardButton]] = []
    width = _width([c.label for c in says])
    buttons = [InlineKeyboardButton(c.label, callback_data=callback_data(c, i, in_dialogue))
               for i, c in enumerate(says)]
    rows += [buttons[i:i + width] for i in range(0, len(buttons), width)]
    if rates:
        rows.append([InlineKeyboardButton(c.label, callback_data=callback_data(c, 0, in_dialogue)) for c in rates])
    return InlineKeyboardMarkup(rows) if rows else None


def _kind_of(button: InlineKeyboardButton) -> str:
    data = button.callback_data if isinstance(button.callback_data, str) else ""
    return data.partition(":")[0]


def label_of(markup: InlineKeyboardMarkup | None, data: str) -> str:
    for row in markup.inline_keyboard if markup else ():
        for b in row:
            if b.callback_data == data:
                return b.text
    return ""


def after_choice(markup: InlineKeyboardMarkup | None, chosen: str | None) -> InlineKeyboardMarkup | None:
    """The choices of a prompt replaced by one inert "✔ chosen" button (or removed); 👍/👎 kept."""
    keep = [row for row in (markup.inline_keyboard if markup else ()) if any(_kind_of(b) == "f" for b in row)]
    head = [[InlineKeyboardButton(f"✔ {chosen}", callback_data=NOOP)]] if chosen else []
    rows = head + [list(r) for r in keep]
    return InlineKeyboardMarkup(rows) if rows else None


def after_rating(markup: InlineKeyboardMarkup | None, rating: str) -> InlineKeyboardMarkup:
    """The 👍/👎 row replaced by what was chosen; other buttons kept."""
    rows = [list(row) for row in (markup.inline_keyboard if markup else ())
            if not any(_kind_of(b) == "f" for b in row)]
    done = "已评价 👍 有用" if rating == "up" else "已评价 👎 没用"
    rows.append([InlineKeyboardButton(done, callback_data=NOOP)])
    return InlineKeyboardMarkup(rows)
