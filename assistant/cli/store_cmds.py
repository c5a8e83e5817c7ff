"""db / seed-demo / credit, and registration of the other store command groups."""

from __future__ import annotations

import importlib

import typer

from assistant.cli import app
from assistant.cli.store_common import (
    AS_HELP,
    actor,
    echo_json,
    handle_errors,
    now,
    parse_date,
    rules,
    store_session,
)
from assistant.config import get_settings
from assistant.store import migrate
from assistant.store.credit import credit_full, credit_public
from assistant.store.db import get_engine, session_scope
from assistant.store.schemas import CreditFull, CreditPublic

db_app = typer.Typer(help="数据库结构升级、回退与版本查看（Alembic 迁移）。", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _masked_url() -> str:
    return get_engine(get_settings()).url.render_as_string(hide_password=True)


@db_app.command("upgrade")
@handle_errors
def db_upgrade(revision: str = typer.Argument("head", help="目标版本，默认最新")) -> None:
    """把数据库结构升级到指定版本（默认最新）。"""
    engine = get_engine(get_settings())
    migrate.upgrade(engine, revision)
    typer.echo(f"数据库已升级到 {migrate.current_revision(engine)}（{_masked_url()}）")


@db_app.command("downgrade")
@handle_errors
def db_downgrade(
    revision: str = typer.Argument("-1", help="目标版本：-1 回退一步，base 回到空库"),
    yes: bool = typer.Option(False, "--yes", "-y", help="不再确认（回退会删除表和数据）"),
) -> None:
    """回退数据库结构（会删除新版本的表和数据）。"""
    if not yes:
        typer.confirm(f"回退到 {revision} 会删除数据，确定吗？", abort=True)
    engine = get_engine(get_settings())
    migrate.downgrade(engine, revision)
    typer.echo(f"数据库已回退到 {migrate.current_revision(engine) or 'base（空库）'}")


@db_app.command("current")
@handle_errors
def db_current(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """显示数据库当前版本与程序所需版本。"""
    engine = get_engine(get_settings())
    current, head = migrate.current_revision(engine), migrate.head_revision()
    if as_json:
        echo_json({"current": current, "head": head, "up_to_date": current == head, "url": _masked_url()})
        return
    state = "已是最新" if current == head else "需要运行 zhijian db upgrade"
    typer.echo(f"数据库：{_masked_url()}\n当前版本：{current or '未初始化'}\n程序版本：{head}（{state}）")


@app.command("seed-demo")
@handle_errors
def seed_demo(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """载入演示数据（虚构企业均以“示例”标注）：企业、工程、信用记录、监督组、预约与服务申请。"""
    from assistant.store.seed import seed_demo as run_seed

    engine = get_engine(get_settings())
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        summary = run_seed(session, rules=rules(), now=now())
    if as_json:
        echo_json(summary.__dict__)
        return
    if not summary.created:
        typer.echo("演示数据已存在，未重复载入。")
        return
    typer.echo(f"已载入演示数据：企业 {len(summary.enterprises)} 家，工程 {len(summary.projects)} 项，"
               f"预约 {len(summary.bookings)} 条（{'、'.join(summary.bookings)}），整改通知 {len(summary.notices)} 份，"
               f"服务申请 {len(summary.visits)} 条。")
    typer.echo(f"演示账号：{'、'.join(summary.accounts)}（命令中用 --as 登录名 切换身份）")


def _print_credit(c: CreditPublic | CreditFull) -> None:
    how = {"code": "按信用代码", "name": "按名称", "fuzzy": f"按近似名称（相似度{c.match_score:.0f}）"}[c.matched_by]
    typer.echo(f"{c.enterprise_name}（{c.uscc}）  {how}匹配")
    typer.echo(f"信用等级：{c.grade}  监管方式：{c.mode}  双随机抽查比例：{c.check_ratio_min:g}%–{c.check_ratio_max:g}%"
               f"  （{c.as_of} 计）")
    if isinstance(c, CreditFull):
        typer.echo(f"信用分：{c.score:g} = 基础分 {c.base:g} + 良好 {c.good_points_counted:g}"
                   f"（合计 {c.good_points:g}，封顶后计入）{c.bad_points:+g}（不良）")
        for r in c.records:
            typer.echo(f"  [{r.status_label}] {r.kind_label} {r.points:+g}  {r.recorded_on} 至 {r.expires_on}  "
                       f"{r.reason}{('  ' + r.document_no) if r.document_no else ''}")
        if c.next_expiry:
            typer.echo(f"最近到期：{c.next_expiry}（到期后分数将变化）")


@app.command("credit")
@handle_errors
def credit(
    query: str = typer.Argument(..., help="企业名称（可近似）或18位统一社会信用代码"),
    full: bool = typer.Option(False, "--full", help="显示信用分与记录明细（限本企业和质监站人员）"),
    as_of: str = typer.Option(None, "--as-of", help="按某日计算，默认今天"),
    login: str = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """查询企业信用等级与监管方式。"""
    day = parse_date(as_of, "计算日期")
    with store_session() as session:
        if full:
            result: CreditPublic | CreditFull = credit_full(session, query, actor=actor(session, login), as_of=day, rules=rules(), now=now())
        else:
            result = credit_public(session, query, as_of=day, rules=rules(), now=now())
    if as_json:
        echo_json(result)
    else:
        _print_credit(result)


for _mod in ("store_booking_cmds", "store_registry_cmds", "store_work_cmds"):
    importlib.import_module(f"assistant.cli.{_mod}")
