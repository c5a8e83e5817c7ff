"""tokens: API tokens for accounts (issue, revoke, list; only hashes are stored)."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.cli.store_common import CLI_ACTOR, echo_json, fmt_dt, handle_errors, store_session
from assistant.store.actors import Actor

tokens_app = typer.Typer(help="访问令牌：签发、撤销、列出（令牌只保存哈希，签发时显示一次）。", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("issue")
@handle_errors
def tokens_issue(
    login: str = typer.Argument(..., help="账号登录名"),
    label: str = typer.Option("", "--label", help="说明，如“张工手机”"),
    days: int = typer.Option(None, "--days", min=1, max=3650, help="有效天数，默认长期有效"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """为账号签发访问令牌（只显示这一次）。"""
    from assistant.store.tokens import issue_token

    with store_session() as session:
        issued = issue_token(session, Actor.system(CLI_ACTOR), login, label=label, expires_days=days)
    if as_json:
        echo_json(issued)
        return
    info = issued.info
    typer.echo(f"已为 {info.name}（{info.login}，{info.role_label}）签发令牌 #{info.id}：")
    typer.echo(issued.token)
    typer.echo("令牌只显示这一次，请妥善转交；丢失后撤销并重新签发。")


@tokens_app.command("revoke")
@handle_errors
def tokens_revoke(
    token: str = typer.Argument(..., help="令牌编号或前缀（zhijian tokens list 中显示）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """撤销访问令牌（运行中的服务至多10秒内生效）。"""
    from assistant.store.tokens import revoke_token

    with store_session() as session:
        out = revoke_token(session, Actor.system(CLI_ACTOR), token)
    if as_json:
        echo_json(out)
        return
    typer.echo(f"已撤销令牌 #{out.id}（{out.prefix}…，{out.name}）。")


@tokens_app.command("list")
@handle_errors
def tokens_list(
    login: str = typer.Option(None, "--account", help="只看某个账号"),
    show_all: bool = typer.Option(False, "--all", help="包括已撤销的令牌"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出访问令牌（只显示前缀）。"""
    from assistant.store.tokens import list_tokens

    with store_session() as session:
        rows = list_tokens(session, account=login, include_revoked=show_all)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        typer.echo("没有访问令牌。签发：zhijian tokens issue <登录名>")
        return
    for t in rows:
        state = "有效" if t.active else ("已撤销" if t.revoked_at else "已失效")
        expiry = f"，{fmt_dt(t.expires_at)} 到期" if t.expires_at else ""
        used = f"，最近使用 {fmt_dt(t.last_used_at)}" if t.last_used_at else ""
        typer.echo(f"#{t.id}  {t.prefix}…  {t.name}（{t.login}，{t.role_label}）  {state}  "
                   f"{t.label or '—'}  签发于 {fmt_dt(t.created_at)}{expiry}{used}")
