"""Shared plumbing of the store commands: sessions, acting account, dates, errors, output."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from functools import wraps
from typing import Any

import typer
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from assistant.cli.output import dump, echo_json  # noqa: F401 - re-exported for the store commands
from assistant.config import get_settings
from assistant.store.actors import Actor
from assistant.store.db import get_engine, session_scope
from assistant.store.errors import StoreError
from assistant.store.migrate import ensure_current
from assistant.store.models.base import utcnow as default_clock
from assistant.store.rules import StoreRules

CLI_ACTOR = "命令行管理员"
AS_HELP = "以该账号（登录名）的身份操作；默认以质监站管理员身份"


@contextmanager
def store_session() -> Iterator[Session]:
    """A unit of work on the configured database, refused if it is not migrated."""
    engine = get_engine(get_settings())
    ensure_current(engine)
    with session_scope(engine) as session:
        yield session


def rules() -> StoreRules:
    """The station's rules, from the one settings object the command line reads."""
    return StoreRules.from_settings(get_settings())


def now() -> datetime:
    return default_clock()


def actor(session: Session, login: str | None) -> Actor:
    if not login:
        return Actor.system(CLI_ACTOR)
    from assistant.store.accounts import actor_for

    return actor_for(session, login)


def parse_date(text: str | None, what: str = "日期") -> date | None:
    if text is None or text == "":
        return None
    m = re.fullmatch(r"\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*", text)
    if not m:
        raise StoreError(f"{what}“{text}”格式不正确，请写成 2026-09-29")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise StoreError(f"{what}“{text}”不存在") from None


def parse_time(text: str) -> time:
    m = re.fullmatch(r"\s*(\d{1,2})[:：点](\d{2})?分?\s*", text or "")
    if not m or int(m[1]) > 23 or int(m[2] or 0) > 59:
        raise StoreError(f"时间“{text}”格式不正确，请写成 09:30")
    return time(int(m[1]), int(m[2] or 0))


def echo_rows(rows: list[Any], as_json: bool, line: Callable[[Any], str], empty: str) -> None:
    """A listing: JSON for scripts, one line a row for people, a sentence when there is nothing."""
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        typer.echo(line(row))
    if not rows:
        typer.echo(empty)


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a ``StoreError`` into its Chinese message (or a JSON problem with --json) and exit code 1."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except StoreError as exc:
            problem = exc.to_problem()
        except OperationalError as exc:
            problem = {"title": f"无法访问数据库：{exc.orig}", "status": 503, "code": "db_unavailable"}
        if kwargs.get("as_json"):
            echo_json({"error": problem})
        else:
            typer.secho(f"错误：{problem['title']}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)

    return wrapper


def fmt_dt(value: datetime | None) -> str:
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d %H:%M")


_DETAIL_LABELS = {
    "milestone": "事项", "requested_date": "预约日期", "inspectors": "监督员", "date": "日期", "time": "时间",
    "moved": "改期", "reason": "原因", "result": "结论", "deadline": "整改期限", "cited": "依据", "note": "意见",
    "topic": "类别", "experts": "专家", "planned_date": "计划日期", "visited_on": "服务日期",
    "satisfaction": "满意度",
}


def _detail_value(value: Any) -> str:
    if value is True:
        return "是"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def history_lines(history: list[Any]) -> list[str]:
    """One line per audit entry: when, who, what (with Chinese state names) and the details."""
    lines = []
    for h in history:
        move = f"（{h.from_label or '—'} → {h.to_label}）" if h.to_label else ""
        extra = "；".join(
            f"{_DETAIL_LABELS.get(k, k)}：{_detail_value(v)}" for k, v in h.detail.items() if v not in ("", None, [], False)
        )
        lines.append(f"  {fmt_dt(h.at)}  {h.actor_name}  {h.action_label}{move}{('  ' + extra) if extra else ''}")
    return lines
