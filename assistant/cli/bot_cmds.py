"""bot: run the Telegram bot; bind-code / bindings / unbind: tie chat users to accounts."""

from __future__ import annotations

import logging
import secrets

import typer

from assistant.cli import app
from assistant.cli.store_common import AS_HELP, actor, echo_json, fmt_dt, handle_errors, store_session
from assistant.config import get_settings


@app.command()
def bot(
    webhook_url: str = typer.Option(None, "--webhook-url",
                                    help="改用 webhook：Telegram 推送更新的 HTTPS 地址（含路径）；默认长轮询"),
    listen: str = typer.Option("127.0.0.1", "--listen", help="webhook 模式的监听地址（通常在反向代理之后）"),
    port: int = typer.Option(8443, "--port", min=1, max=65535, help="webhook 模式的端口"),
    path: str = typer.Option("/telegram/webhook", "--path", help="webhook 模式的本地路径"),
    secret: str = typer.Option(None, "--secret", envvar="ZHIJIAN_TELEGRAM_WEBHOOK_SECRET",
                               help="webhook 密钥（Telegram 每次推送时附带）；默认每次启动随机生成"),
    drop_pending: bool = typer.Option(False, "--drop-pending", help="丢弃机器人离线期间积压的消息"),
    rate_burst: int = typer.Option(8, "--rate-burst", min=1, help="每个会话允许连续发送的消息数"),
    rate_per_minute: float = typer.Option(20, "--rate-per-minute", min=0.1, help="此后每分钟允许的消息数"),
    log_level: str = typer.Option("info", "--log-level", help="日志级别：debug、info、warning、error"),
) -> None:
    """启动 Telegram 机器人（令牌取自环境变量 ZHIJIAN_TELEGRAM_TOKEN）。"""
    from assistant.core import Assistant
    from assistant.store.errors import StoreError
    from bots.telegram import BotConfig, build_application, run_polling

    settings = get_settings()
    if not settings.telegram_token:
        typer.secho("错误：未设置 ZHIJIAN_TELEGRAM_TOKEN。请先在 Telegram 中找 @BotFather 创建机器人并取得令牌，"
                    "详见 bots/README.md。", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll otherwise
    assistant = Assistant(settings)
    try:
        assistant.check_db()
    except StoreError as exc:
        typer.secho(f"错误：{exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    config = BotConfig(rate_burst=rate_burst, rate_per_minute=rate_per_minute)
    application = build_application(assistant, settings.telegram_token, base_url=settings.telegram_base_url,
                                    config=config, webhook=bool(webhook_url), setup=True)
    if webhook_url:
        from bots.telegram.webhook import serve_webhook

        typer.echo(f"质监助手机器人（webhook）：{webhook_url} -> http://{listen}:{port}{path}。按 Ctrl+C 停止。")
        serve_webhook(application, url=webhook_url, listen=listen, port=port, path=path,
                      secret_token=secret or secrets.token_urlsafe(32))
        return
    typer.echo("质监助手机器人已启动（长轮询）。按 Ctrl+C 停止。")
    run_polling(application, drop_pending_updates=drop_pending)


@app.command("bind-code")
@handle_errors
def bind_code(
    account: str = typer.Argument(..., help="账号（登录名、姓名或编号）"),
    hours: int = typer.Option(72, "--hours", min=1, help="有效期（小时）"),
    login: str = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """签发一次性绑定码：企业用户在 Telegram 中发送“/bind 绑定码”后即以该账号办理业务。"""
    from assistant.store.bindings import issue_code

    with store_session() as session:
        ref: int | str = int(account) if account.isdigit() else account
        issued = issue_code(session, actor(session, login), ref, hours=hours)
    if as_json:
        echo_json(issued)
        return
    firm = f"{issued.enterprise_name} · " if issued.enterprise_name else ""
    typer.echo(f"绑定码：{issued.code}")
    typer.echo(f"账号：{firm}{issued.name}（{issued.login}，{issued.role_label}）")
    typer.echo(f"有效期至：{fmt_dt(issued.expires_at)}，仅可使用一次；再次签发会使旧码作废。")
    typer.echo(f"请交给本人，在 Telegram 中向机器人发送：/bind {issued.code}")


@app.command()
@handle_errors
def bindings(
    account: str = typer.Option(None, "--account", help="只看该账号的绑定"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出已绑定的聊天用户（Telegram）。"""
    from assistant.store.bindings import list_bindings

    with store_session() as session:
        rows = list_bindings(session, account=account)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        typer.echo("暂无绑定。")
    for b in rows:
        firm = f"{b.enterprise_name} · " if b.enterprise_name else ""
        typer.echo(f"{b.id:>4}  {b.channel} {b.external_id} {b.display_name}  ->  {firm}{b.name}（{b.login}，"
                   f"{b.role_label}）  {fmt_dt(b.created_at)}")


@app.command()
@handle_errors
def unbind(
    binding_id: int = typer.Argument(..., help="绑定编号（zhijian bindings 中的第一列）"),
    login: str = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """解除一个聊天用户的绑定。"""
    from assistant.store.bindings import unbind as unbind_one

    with store_session() as session:
        gone = unbind_one(session, actor(session, login), binding_id)
    if as_json:
        echo_json(gone)
        return
    typer.echo(f"已解除绑定：{gone.channel} {gone.external_id} {gone.display_name}（{gone.name}）")
