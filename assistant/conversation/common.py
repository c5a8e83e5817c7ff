"""What every dialogue handler shares: the turn context, the request to answer a question, dry runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from assistant.conversation.replies import Choice, Reply
from assistant.conversation.state import ConversationState
from assistant.store.actors import Actor
from assistant.store.enums import AccountRole, ProjectStatus
from assistant.store.errors import StoreError
from assistant.store.projects import list_projects
from assistant.store.rules import StoreRules
from assistant.store.schemas import ProjectOut

# Stand-ins for slots not asked yet, so a dry run reaches the rule being checked.
PROBE_CONTACT = "待填联系人"
PROBE_PHONE = "13800000000"
PROBE_TEXT = "待填写"


@dataclass
class Turn:
    """One message being handled: the open transaction, who speaks, the rules and the clock."""

    session: Session
    actor: Actor | None
    rules: StoreRules
    now: datetime
    channel: str
    station_name: str = ""
    station_phone: str = ""

    @property
    def today(self) -> date:
        return self.rules.today(self.now)


@dataclass
class AskRequest:
    """The message is a knowledge question; the engine answers it outside the state transaction."""

    question: str  # what the user typed
    resolved: str  # standalone form (follow-ups resolved)
    context: str | None = None  # the previous question, when resolved from it
    intent: str = "question"
    lookup: bool = False  # a clause named by number
    reminder: Reply | None = None  # a dialogue in progress: its prompt follows the answer
    suggest: list[Choice] = field(default_factory=list)


class _Rollback(Exception):
    pass


def dry_run(session: Session, call: Callable[[], Any]) -> StoreError | None:
    """Run a store service inside a savepoint and always undo it; the ``StoreError`` it raised, if any.

    This is how a dialogue validates each answer with exactly the rules (and the
    Chinese reasons) the real submission will apply, without writing anything.
    """
    try:
        with session.begin_nested():
            call()
            raise _Rollback
    except _Rollback:
        return None
    except StoreError as exc:
        return exc


def commit_step(session: Session, call: Callable[[], Any]) -> tuple[Any, StoreError | None]:
    """Run a store service in a savepoint that is kept on success and undone on a ``StoreError``."""
    try:
        with session.begin_nested():
            return call(), None
    except StoreError as exc:
        return None, exc


# How a person signs in on each channel, said where the core tells them to.
_CODE = "请向质监站管理员或监督员领取一次性绑定码，"
HOW_TO_BIND = {
    "telegram": _CODE + "在 Telegram 中发送“/bind 绑定码”完成绑定。",
    "wecom": _CODE + "在企业微信中发送“绑定 绑定码”完成绑定。",
    "cli": "命令行请用 zhijian chat --as <企业账号登录名> 以该账号对话。",
}
WEB_SIGN_IN = "请在网页“我的”中填写质监站签发的访问令牌登录（令牌向质监站管理员领取）。"
# How a person rates an answer with a reason on each channel.
RATE_WITH_REASON = {"wecom": "“没用 原因”"}
RATE_DEFAULT = "“👎 原因”"


def how_to_bind(channel: str) -> str:
    return HOW_TO_BIND.get(channel, WEB_SIGN_IN)


def bound_refusal(actor: Actor | None, what: str, channel: str = "api") -> Reply | None:
    """None when ``actor`` may act for an enterprise; else the reply telling them how to bind on ``channel``."""
    if actor is not None and actor.role == AccountRole.contractor and actor.enterprise_id is not None:
        return None
    if actor is not None and actor.is_staff:
        text = (f"对话{what}面向参建企业用户。质监站工作人员请在管理端（网页工作台）办理：登录后“预约”页受理、排期、办结，"
                "“服务”页派遣专家，“整改”页下发和复查整改通知单。")
    else:
        text = (f"{what}需要先绑定企业账号。{how_to_bind(channel)}"
                "绑定后即可预约验收、申请服务团帮扶、查看本企业的预约和信用明细。\n"
                "未绑定也可以：问规范条文、查企业公开信用等级。")
    return Reply(text=text, kind="not_bound", choices=[Choice(label="问规范", value="帮助")])


def projects_of(turn: Turn) -> list[ProjectOut]:
    """The bound enterprise's projects under supervision: what a booking or a visit may name."""
    assert turn.actor is not None and turn.actor.enterprise_id is not None
    return [p for p in list_projects(turn.session, enterprise_id=turn.actor.enterprise_id)
            if p.status == ProjectStatus.under_supervision.value]


def ask(state: ConversationState, step: str, text: str, choices: list[Choice], *, intent: str, flow: str,
        kind: str = "prompt") -> Reply:
    """Open ``step`` of a dialogue: the state remembers the step and the choices offered, for the next message."""
    state.step = step
    state.options = [c.value for c in choices]
    return Reply(text=text, kind=kind, intent=intent, choices=list(choices), flow=flow, step=step)
