"""zhijian notifications …: what people were told, what could not be pushed, and the delivery worker."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

import typer

from assistant.cli import app
from assistant.cli.store_common import (
    AS_HELP,
    actor,
    echo_json,
    echo_rows,
    fmt_dt,
    handle_errors,
    store_session,
)
from assistant.config import get_settings
from assistant.store import deliveries, notify
from assistant.store.deliveries import DeadLetter
from assistant.store.notify import NotificationOut

JSON = typer.Option(False, "--json", help="以 JSON 输出")

notifications_app = typer.Typer(
    help="消息提醒：查看提醒、发送失败的提醒（死信）与重发、静音设置，运行推送进程。", no_args_is_help=True)
app.add_typer(notifications_app, name="notifications")

CHANNELS = {"telegram": "Telegram", "wecom": "企业微信", notify.NO_CHANNEL: "未绑定"}
STATES = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "skipped": "未推送", "dead": "发送失败"}


def _dead_line(d: DeadLetter) -> str:
    return (f"{d.delivery_id:>5}  {fmt_dt(d.updated_at)}  {CHANNELS.get(d.channel, d.channel)} {d.external_id}  "
            f"{d.name}（{d.login}）  {d.title}\n       尝试{d.attempts}次：{d.last_error}")


def _notice_line(n: NotificationOut) -> str:
    mark = " " if n.read else "●"
    return f"{mark} {n.id:>5}  {fmt_dt(n.created_at)}  {n.title}"


@notifications_app.command("list")
@handle_errors
def list_mine(
    login: str = typer.Option(..., "--as", help="账号登录名：列出此人的提醒"),
    unread: bool = typer.Option(False, "--unread", help="只列未读"),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = JSON,
) -> None:
    """列出某人的提醒（最新的在前，● 为未读）。"""
    with store_session() as session:
        who = actor(session, login)
        rows = notify.list_for(session, who.account_id, unread_only=unread, limit=limit)  # type: ignore[arg-type]
    echo_rows(rows, as_json, _notice_line, "没有提醒。")


@notifications_app.command("dead")
@handle_errors
def dead(limit: int = typer.Option(100, "--limit", min=1, max=1000), as_json: bool = JSON) -> None:
    """列出发送失败、已停止重试的提醒（死信）及原因；用 zhijian notifications retry 重发。"""
    with store_session() as session:
        rows = deliveries.dead_letters(session, actor(session, None), limit=limit)
    echo_rows(rows, as_json, _dead_line, "没有发送失败的提醒。")


@notifications_app.command("retry")
@handle_errors
def retry(
    ids: list[int] = typer.Argument(None, help="死信编号（zhijian notifications dead 的第一列）"),
    all_dead: bool = typer.Option(False, "--all", help="重发全部死信"),
    as_json: bool = JSON,
) -> None:
    """把死信放回发送队列（重新计算重试次数）；推送进程会尽快发送。"""
    if not ids and not all_dead:
        typer.secho("错误：请给出死信编号，或用 --all 重发全部。", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    from assistant.store.models.base import utcnow

    with store_session() as session:
        n = deliveries.retry_dead(session, actor(session, None), None if all_dead else ids, now=utcnow())
    if as_json:
        echo_json({"queued": n})
        return
    typer.echo(f"已放回发送队列：{n} 条。")


@notifications_app.command("status")
@handle_errors
def status(as_json: bool = JSON) -> None:
    """各渠道提醒的发送情况（待发送、已发送、未推送、发送失败）。"""
    with store_session() as session:
        st = deliveries.status(session)
    if as_json:
        echo_json(st)
        return
    if not st.counts:
        typer.echo("还没有任何提醒。")
    for channel, counts in sorted(st.counts.items()):
        parts = "，".join(f"{STATES.get(k, k)} {v}" for k, v in sorted(counts.items()))
        typer.echo(f"{CHANNELS.get(channel, channel)}：{parts}")
    if st.oldest_pending:
        typer.echo(f"最早待发送：{fmt_dt(st.oldest_pending)}")


@notifications_app.command("mute")
@handle_errors
def mute(
    kinds: list[str] = typer.Argument(None, help="要静音的提醒类别（不填则列出当前设置）"),
    login: str = typer.Option(..., "--as", help=AS_HELP),
    clear: bool = typer.Option(False, "--clear", help="取消全部静音"),
    as_json: bool = JSON,
) -> None:
    """设置某人不推送到聊天渠道的提醒类别（网页中仍会列出）。"""
    from assistant.store.models.base import utcnow

    with store_session() as session:
        who = actor(session, login)
        account_id = who.account_id or 0
        if kinds or clear:
            prefs = notify.set_muted(session, account_id, [] if clear else kinds, at=utcnow())
        else:
            prefs = notify.preferences(session, account_id)
    if as_json:
        echo_json(prefs)
        return
    for k in prefs.kinds:
        typer.echo(f"{'🔕' if k.muted else '🔔'} {k.kind:<22} {k.label}")


@notifications_app.command("run")
def run(
    once: bool = typer.Option(False, "--once", help="发完当前到期的提醒后退出（适合定时任务）"),
    log_level: str = typer.Option("info", "--log-level", help="日志级别：debug、info、warning、error"),
) -> None:
    """运行提醒推送进程：把提醒发给已绑定 Telegram、企业微信的用户，失败的按退避重试（Ctrl+C 停止）。

    zhijian serve、bot、wecom 已自带推送；单独运行时可在它们的环境中设置 ZHIJIAN_NOTIFY_WORKER=false。
    """
    from assistant.core import Assistant
    from assistant.outbox import configured_senders, describe
    from assistant.store.errors import StoreError

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request lines carry bot tokens
    settings = get_settings()
    senders = configured_senders(settings)
    if not senders:
        typer.secho("错误：没有配置任何聊天渠道（ZHIJIAN_TELEGRAM_TOKEN，或 ZHIJIAN_WECOM_* 五项），无处推送。",
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    assistant = Assistant(settings)
    try:
        assistant.check_db()
    except StoreError as exc:
        typer.secho(f"错误：{exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    outbox = assistant.outbox(senders)

    async def once_then_close() -> None:
        try:
            total = await outbox.drain()
        finally:
            await outbox.aclose()
        typer.echo(f"发出 {total.sent} 条，待重试 {total.retrying} 条，失败 {total.dead} 条，新提醒 {total.reminders} 条。")

    if once:
        asyncio.run(once_then_close())
        return
    typer.echo(f"提醒推送已启动：经 {describe(senders)} 推送。按 Ctrl+C 停止。")

    async def forever() -> None:
        stop = asyncio.Event()  # SIGTERM/Ctrl+C: finish the sends under way, then stop
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError):
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        try:
            await outbox.run(stop)
        finally:
            await outbox.aclose()

    asyncio.run(forever())
    typer.echo("已停止。")
