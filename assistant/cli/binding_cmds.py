"""bind-code / bindings / unbind: tie chat users (Telegram, WeCom) to accounts."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.cli.store_common import AS_HELP, actor, echo_json, fmt_dt, handle_errors, store_session


@app.command("bind-code")
@handle_errors
def bind_code(
    account: str = typer.Argument(..., help="账号（登录名、姓名或编号）"),
    hours: int = typer.Option(72, "--hours", min=1, help="有效期（小时）"),
    login: str = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """签发一次性绑定码：企业用户在企业微信中发送“绑定 绑定码”（Telegram 中发送“/bind 绑定码”）后即以该账号办理业务。"""
    from assistant.store.bindings import issue_code

    with store_session() as session:
        ref: int | str = int(account) if account.isdecimal() else account
        issued = issue_code(session, actor(session, login), ref, hours=hours)
    if as_json:
        echo_json(issued)
        return
    firm = f"{issued.enterprise_name} · " if issued.enterprise_name else ""
    typer.echo(f"绑定码：{issued.code}")
    typer.echo(f"账号：{firm}{issued.name}（{issued.login}，{issued.role_label}）")
    typer.echo(f"有效期至：{fmt_dt(issued.expires_at)}，仅可使用一次；再次签发会使旧码作废。")
    typer.echo(f"请交给本人：在企业微信应用中发送“绑定 {issued.code}”，或在 Telegram 中向机器人发送：/bind {issued.code}")


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
