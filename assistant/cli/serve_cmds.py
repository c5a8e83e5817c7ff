"""serve: the HTTP API and the web page; tokens: API tokens for accounts."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.cli.store_common import CLI_ACTOR, echo_json, fmt_dt, handle_errors, store_session
from assistant.config import get_settings
from assistant.store.actors import Actor

tokens_app = typer.Typer(help="访问令牌：签发、撤销、列出（令牌只保存哈希，签发时显示一次）。", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")

_ROLE_ORDER = ("admin", "inspector", "contractor", "expert")
_ROLE_ZH = {"admin": "管理员", "inspector": "监督员", "contractor": "企业用户", "expert": "服务团专家"}


def _prepare(demo: bool | None) -> dict[str, str]:
    """Migrate the database; on the embedded default (or when asked) load the demo and issue demo tokens."""
    from sqlalchemy import func, select

    from assistant.store import migrate
    from assistant.store.db import get_engine, session_scope
    from assistant.store.models import Account, InspectionTeam
    from assistant.store.seed import MARKER_TEAM, seed_demo
    from assistant.store.tokens import seed_demo_tokens

    settings = get_settings()
    engine = get_engine(settings)
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        if demo is None:
            seeded = session.scalar(select(InspectionTeam.id).where(InspectionTeam.name == MARKER_TEAM)) is not None
            empty = session.scalar(select(func.count(Account.id))) == 0
            demo = settings.database_url is None and (seeded or empty)
        if not demo:
            return {}
        seed_demo(session)
        return seed_demo_tokens(session)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址；0.0.0.0 对局域网开放"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口"),
    demo: bool = typer.Option(None, "--demo/--no-demo",
                              help="载入演示数据并签发演示令牌；默认：内置数据库且为空库或已有演示数据时载入"),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn 日志级别：info、warning、error"),
    forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips",
                                            help="信任其 X-Forwarded-For 的反向代理地址（限流按真实来源地址计）"),
) -> None:
    """启动 HTTP 接口和手机网页（uvicorn）。"""
    import uvicorn

    from api.app import create_app

    demo_tokens = _prepare(demo)
    settings = get_settings()
    application = create_app(settings)
    services = application.state.services
    typer.echo("正在加载检索索引和向量模型…")
    try:
        searcher = services.searcher()
        typer.echo(f"索引已加载：{len(searcher.manifest.docs)} 部文档，{searcher.manifest.live_rows} 条。")
    except Exception as exc:
        typer.secho(f"⚠ 检索暂不可用：{exc}", fg=typer.colors.YELLOW, err=True)
        typer.secho("  先导入规范再启动：zhijian ingest corpus/sample", fg=typer.colors.YELLOW, err=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/"
    typer.echo(f"质监助手已启动：{url}   接口文档：{url}docs")
    if demo_tokens:
        typer.echo("演示令牌（演示数据专用，每次启动重新签发；在网页“我的”中填写）：")
        for role in _ROLE_ORDER:
            if role in demo_tokens:
                typer.echo(f"  {_ROLE_ZH[role]:<6}{demo_tokens[role]}")
    typer.echo("按 Ctrl+C 停止。")
    uvicorn.run(application, host=host, port=port, log_level=log_level, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips, server_header=False)


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
