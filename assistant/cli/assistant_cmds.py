"""ask / chat / report / feedback: the assistant from the terminal.

``zhijian chat`` reads stdin line by line, so a dialogue can be scripted
(``printf '预约验收\n1\n…' | zhijian chat --as jiangong``); it prints each reply
and its choices as a numbered list — typing the number picks the choice.
"""

from __future__ import annotations

import logging
import sys
import uuid
from datetime import date
from typing import Any

import typer

from assistant.cli import app
from assistant.cli.output import echo_json
from assistant.config import get_settings

log = logging.getLogger(__name__)
_QUIT = {"退出", "再见", "exit", "quit", "/quit", "/exit", "q"}



def _fail(message: str, as_json: bool = False, code: str = "error") -> None:
    if as_json:
        echo_json({"error": {"title": message, "code": code}})
    else:
        typer.secho(f"错误：{message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _assistant() -> Any:
    from assistant.core import Assistant

    return Assistant(get_settings())


@app.command()
def ask(
    question: str = typer.Argument(..., help="问题，如“楼板拆模时混凝土强度要达到多少”，或“GB55032 3.3.5”"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（answer、grounded、certainty、citations…）"),
) -> None:
    """提问：按规范条文作答并注明出处；知识库没有依据时明确告知。"""
    from index import IndexUnavailable

    try:
        answer = _assistant().ask(question, channel="cli")
    except IndexUnavailable as exc:
        _fail(str(exc), as_json, "index_unavailable")
        return
    if as_json:
        echo_json(answer.model_dump(mode="json"))
        return
    typer.echo(answer.answer)
    if answer.query_id is not None:
        typer.secho(f"\n（回答编号 {answer.query_id}；评价：zhijian feedback {answer.query_id} up|down）", dim=True)


def _resolve_actor(assistant: Any, who: str | None) -> Any:
    if not who:
        return None
    from assistant.store.accounts import actor_for
    from assistant.store.db import session_scope

    with session_scope(assistant.db) as session:
        return actor_for(session, int(who) if who.isdecimal() else who)


def _print_reply(reply: Any) -> None:
    typer.echo(reply.text)
    says = [c for c in reply.choices if c.action == "say"]
    if says:
        typer.echo("  " + "  ".join(f"[{i}] {c.label}" for i, c in enumerate(says, start=1)))
    if reply.query_id is not None and any(c.action == "feedback" for c in reply.choices):
        typer.secho(f"  （回答编号 {reply.query_id}；回复“👍”或“👎 原因”评价）", dim=True)
    typer.echo("")


@app.command()
def chat(
    as_account: str | None = typer.Option(None, "--as", help="以该账号（登录名、姓名或编号）的身份对话；默认未绑定用户"),
    conversation: str | None = typer.Option(None, "--conversation", help="继续已有会话的编号；默认新开会话"),
    as_json: bool = typer.Option(False, "--json", help="每条回复输出一行 JSON"),
) -> None:
    """终端对话：提问、预约验收、查预约和信用、申请帮扶。逐行读取标准输入，可用脚本驱动。"""
    from assistant.store.errors import StoreError

    assistant = _assistant()
    try:
        assistant.check_db()
        actor = _resolve_actor(assistant, as_account)
    except StoreError as exc:
        _fail(exc.message, as_json, exc.code)
        return
    cid = conversation or f"cli-{uuid.uuid4().hex[:12]}"
    interactive = sys.stdin.isatty()
    if not as_json:
        who = f"{actor.name}（{actor.role.label}）" if actor else "未绑定用户"
        typer.echo(f"质监助手 · 会话 {cid} · 身份：{who}。输入“退出”结束；用 --conversation {cid} 可继续本会话。\n")
    while True:
        try:
            line = input("你：") if interactive else sys.stdin.readline()
        except EOFError:
            break
        if not interactive and line == "":
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in _QUIT:
            break
        if not interactive and not as_json:
            typer.echo(f"你：{text}")
        try:
            reply = assistant.chat(cid, actor, text, channel="cli")
        except StoreError as exc:
            _fail(exc.message, as_json, exc.code)
            return
        except Exception as exc:  # noqa: BLE001 — one failed message must not end the session
            log.exception("chat message failed")
            typer.secho(f"抱歉，这条消息处理出错（{type(exc).__name__}），请换个说法或稍后再试。", fg=typer.colors.RED,
                        err=True)
            continue
        if as_json:
            echo_json({"conversation_id": cid, **reply.model_dump(mode="json")}, indent=None)
        else:
            _print_reply(reply)


def _day(text: str | None, what: str, today: date) -> date | None:
    if not text:
        return None
    from assistant.conversation.dates import parse_date

    day = parse_date(text, today)
    if day is None:
        _fail(f"{what}“{text}”无法识别，请写成 2026-09-01")
    return day


@app.command()
def report(
    since: str | None = typer.Option(None, "--since", help="开始日期（含），默认30天前"),
    until: str | None = typer.Option(None, "--until", help="结束日期（含），默认今天"),
    limit: int = typer.Option(20, "--limit", min=1, max=200, help="列出的问题组数"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """未答问题报告：一段时间内最常见的未能回答的问题和主题，以及被点 👎 的回答。"""
    from assistant.store.errors import StoreError

    assistant = _assistant()
    today = assistant.rules.today(assistant.clock())
    try:
        assistant.check_db()
        rep = assistant.report(_day(since, "开始日期", today), _day(until, "结束日期", today), limit=limit)
    except StoreError as exc:
        _fail(exc.message, as_json, exc.code)
        return
    if as_json:
        echo_json(rep.model_dump(mode="json"))
        return
    typer.echo(f"未答问题报告 {rep.since} 至 {rep.until}")
    typer.echo(f"提问 {rep.total_queries} 次，未能回答 {rep.unanswered} 次（{rep.unanswered_rate:.1%}）；"
               f"👍 {rep.feedback_up}  👎 {rep.feedback_down}")
    if rep.questions:
        typer.echo("\n最常见的未答问题：")
        for i, q in enumerate(rep.questions, start=1):
            also = f"（另有说法：{'；'.join(q.variants[:3])}）" if q.variants else ""
            typer.echo(f"{i:>3}. [{q.count}次] {q.question}{also}")
    if rep.topics:
        typer.echo("\n高频主题：" + "、".join(f"{t.topic}（{t.count}）" for t in rep.topics))
    if rep.uncertain_questions:
        typer.echo(f"\n只给出了相近条文的问题（{rep.uncertain} 次，请核对条文库是否缺少答案）：")
        for i, q in enumerate(rep.uncertain_questions, start=1):
            typer.echo(f"{i:>3}. [{q.count}次] {q.question}")
    if rep.disliked:
        typer.echo("\n被点 👎 的回答：")
        for d in rep.disliked:
            cited = f" 引用：{'、'.join(d.cited)}" if d.cited else ""
            notes = f" 意见：{'；'.join(d.comments)}" if d.comments else ""
            typer.echo(f"  · #{d.query_id} {d.question}{cited}{notes}")
    if not (rep.questions or rep.disliked):
        typer.echo("这段时间没有未能回答的问题。")


@app.command("feedback")
def feedback_cmd(
    query_id: int = typer.Argument(..., help="回答编号（ask 输出中的编号）"),
    rating: str = typer.Argument(..., help="up（👍）或 down（👎）"),
    comment: str = typer.Option("", "--comment", help="补充说明，如“引用的条文不对”"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """评价一条回答（👍/👎），可附意见。"""
    from assistant.store.errors import StoreError

    assistant = _assistant()
    try:
        assistant.check_db()
        out = assistant.feedback(query_id, rating, comment=comment, rater="cli")
    except StoreError as exc:
        _fail(exc.message, as_json, exc.code)
        return
    if as_json:
        echo_json(out.model_dump(mode="json"))
        return
    mark = "👍" if out.rating == "up" else "👎"
    typer.echo(f"已{'更新' if out.replaced else '记录'}对回答 {out.query_id} 的评价：{mark}"
               + (f"（{out.comment}）" if out.comment else ""))
