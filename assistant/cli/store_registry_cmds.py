"""Registers the station keeps: enterprises, projects, teams, accounts and credit records."""

from __future__ import annotations

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
from assistant.store import accounts, credit, enterprises, projects, teams

JSON = typer.Option(False, "--json", help="以 JSON 输出")
AS = typer.Option(None, "--as", help=AS_HELP)

ent_app = typer.Typer(help="企业登记与查询。", no_args_is_help=True)
proj_app = typer.Typer(help="工程登记与查询。", no_args_is_help=True)
team_app = typer.Typer(help="监督组与每日可预约数。", no_args_is_help=True)
acct_app = typer.Typer(help="账号（企业用户、监督员、专家、管理员）。", no_args_is_help=True)
rec_app = typer.Typer(help="信用记录录入与撤销。", no_args_is_help=True)
for sub, name in ((ent_app, "enterprises"), (proj_app, "projects"), (team_app, "teams"), (acct_app, "accounts"),
                  (rec_app, "credit-records")):
    app.add_typer(sub, name=name)


@ent_app.command("list")
@handle_errors
def ent_list(role: str = typer.Option(None, "--role", help="类别：建设、施工、监理、勘察、设计、检测"),
             as_json: bool = JSON) -> None:
    """列出登记的企业。"""
    with store_session() as session:
        rows = enterprises.list_enterprises(session, role)
    if as_json:
        echo_json(rows)
        return
    for e in rows:
        typer.echo(f"{e.id:>4}  {e.uscc}  [{e.role_label}]  {e.name}  {e.qualification}")


@ent_app.command("add")
@handle_errors
def ent_add(
    code: str = typer.Option(..., "--code", help="18位统一社会信用代码"),
    name: str = typer.Option(..., "--name", help="企业名称"),
    role: str = typer.Option(..., "--role", help="类别：建设、施工、监理、勘察、设计、检测"),
    qualification: str = typer.Option("", "--qualification", help="资质"),
    address: str = typer.Option("", "--address"),
    phone: str = typer.Option("", "--phone"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """登记企业（校验统一社会信用代码）。"""
    with store_session() as session:
        e = enterprises.create_enterprise(session, actor(session, login), uscc_code=code, name=name, role=role,
                                          qualification=qualification, address=address, phone=phone)
    echo_json(e) if as_json else typer.echo(f"已登记：{e.name}（{e.uscc}）")


@proj_app.command("list")
@handle_errors
def proj_list(status: str = typer.Option(None, "--status", help="监督中 或 已竣工"), as_json: bool = JSON) -> None:
    """列出工程。"""
    with store_session() as session:
        rows = projects.list_projects(session, status=status)
    if as_json:
        echo_json(rows)
        return
    for p in rows:
        key = "  重点公共工程" if p.is_key_public else ""
        typer.echo(f"{p.id:>4}  {p.number}  [{p.status_label}]  {p.name}  {p.team_name or '未分组'}{key}")


@proj_app.command("show")
@handle_errors
def proj_show(project: str = typer.Argument(..., help="工程名称、监督注册号或施工许可证号"),
              as_json: bool = JSON) -> None:
    """显示工程及参建单位。"""
    with store_session() as session:
        p = projects.get_project(session, project)
    if as_json:
        echo_json(p)
        return
    typer.echo(f"{p.name}  [{p.status_label}]{'  重点公共工程' if p.is_key_public else ''}")
    typer.echo(f"监督注册号：{p.supervision_no or '—'}  施工许可证号：{p.permit_no or '—'}  监督组：{p.team_name or '未分组'}")
    typer.echo(f"地址：{p.address or '—'}")
    for party in p.parties:
        typer.echo(f"  {party.role_label}单位：{party.enterprise_name}（{party.uscc}）")


@proj_app.command("add")
@handle_errors
def proj_add(
    name: str = typer.Option(..., "--name"),
    supervision_no: str = typer.Option(None, "--supervision-no", help="监督注册号"),
    permit_no: str = typer.Option(None, "--permit-no", help="施工许可证号"),
    address: str = typer.Option("", "--address"),
    team: str = typer.Option(None, "--team", help="负责的监督组名称"),
    key_public: bool = typer.Option(False, "--key-public", help="重点公共工程（学校、医院等）"),
    parties: list[str] = typer.Option([], "--party", help="参建单位，写成 角色=企业名称或信用代码，可重复"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """登记工程。"""
    mapping = {}
    for item in parties:
        role, sep, ref = item.partition("=")
        if not sep or not ref.strip():
            raise typer.BadParameter(f"“{item}”应写成 角色=企业，如 施工=示例建工集团有限公司")
        mapping[role.strip()] = ref.strip()
    with store_session() as session:
        p = projects.create_project(session, actor(session, login), name=name, supervision_no=supervision_no,
                                    permit_no=permit_no, address=address, team=team, is_key_public=key_public,
                                    parties=mapping)
    echo_json(p) if as_json else typer.echo(f"已登记工程：{p.name}（{p.number}）")


@team_app.command("list")
@handle_errors
def team_list(as_json: bool = JSON) -> None:
    """列出监督组。"""
    with store_session() as session:
        rows = teams.list_teams(session, rules=rules())
    if as_json:
        echo_json(rows)
        return
    for t in rows:
        typer.echo(f"{t.id:>4}  {t.name}  每日可预约 {t.daily_capacity}{'（默认）' if t.uses_default_capacity else ''}")


@team_app.command("add")
@handle_errors
def team_add(name: str = typer.Argument(...), capacity: int = typer.Option(None, "--capacity", help="每日可预约数"),
             login: str = AS) -> None:
    """设立监督组。"""
    with store_session() as session:
        t = teams.create_team(session, actor(session, login), name, daily_capacity=capacity, rules=rules())
    typer.echo(f"已设立：{t.name}（每日可预约 {t.daily_capacity}）")


@team_app.command("day")
@handle_errors
def team_day(
    team: str = typer.Argument(..., help="监督组名称"),
    day: str = typer.Option(..., "--date"),
    capacity: int = typer.Option(None, "--capacity", help="当天可预约数；0 表示当天不接受预约；不填恢复默认"),
    note: str = typer.Option("", "--note", help="说明，如 全组参加培训"),
    login: str = AS,
) -> None:
    """调整某一天的可预约数。"""
    with store_session() as session:
        teams.set_day_capacity(session, actor(session, login), team, parse_date(day), capacity, note)
    typer.echo(f"已调整 {team} {day} 的可预约数为 {capacity if capacity is not None else '默认值'}")


@acct_app.command("list")
@handle_errors
def acct_list(role: str = typer.Option(None, "--role"), as_json: bool = JSON) -> None:
    """列出账号。"""
    with store_session() as session:
        rows = accounts.list_accounts(session, role)
    if as_json:
        echo_json(rows)
        return
    for a in rows:
        typer.echo(f"{a.id:>4}  {a.login}  {a.name}  [{a.role_label}]{'' if a.active else '  已停用'}")


@acct_app.command("add")
@handle_errors
def acct_add(
    login_name: str = typer.Option(..., "--login"),
    name: str = typer.Option(..., "--name"),
    role: str = typer.Option(..., "--role", help="企业用户、监督员、服务团专家、管理员"),
    enterprise: str = typer.Option(None, "--enterprise", help="企业用户所属企业"),
    team: str = typer.Option(None, "--team", help="监督员所属监督组"),
    phone: str = typer.Option("", "--phone"),
    login: str = AS,
) -> None:
    """开设账号。"""
    with store_session() as session:
        a = accounts.create_account(session, actor(session, login), login=login_name, name=name, role=role,
                                    enterprise=enterprise, team=team, phone=phone)
    typer.echo(f"已开设账号：{a.login}（{a.name}，{a.role_label}）")


@rec_app.command("add")
@handle_errors
def rec_add(
    enterprise: str = typer.Option(..., "--enterprise", help="企业名称或信用代码"),
    kind: str = typer.Option(..., "--kind", help="良好 或 不良"),
    points: float = typer.Option(..., "--points", help="分值（正数即可，类别决定加减）"),
    recorded_on: str = typer.Option(..., "--date", help="记录日期"),
    reason: str = typer.Option(..., "--reason", help="事由"),
    document_no: str = typer.Option("", "--doc", help="文号"),
    expires_on: str = typer.Option(None, "--expires", help="有效期截止日期（不良记录必填）"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """录入信用记录。"""
    with store_session() as session:
        r = credit.add_record(session, actor(session, login), enterprise=enterprise, kind=kind, points=points,
                              recorded_on=parse_date(recorded_on, "记录日期"), reason=reason,
                              document_no=document_no, expires_on=parse_date(expires_on, "有效期截止日期"), rules=rules(), now=now())
    echo_json(r) if as_json else typer.echo(f"已录入信用记录 {r.id}：{r.kind_label} {r.points:+g}，有效至 {r.expires_on}")


@rec_app.command("revoke")
@handle_errors
def rec_revoke(record_id: int, reason: str = typer.Option(..., "--reason"), login: str = AS) -> None:
    """撤销信用记录（如复核后撤销）。"""
    with store_session() as session:
        credit.revoke_record(session, actor(session, login), record_id, reason, rules=rules(), now=now())
    typer.echo(f"已撤销信用记录 {record_id}")
