"""zhijian bookings …: listing, detail, open dates and every transition of inspection bookings."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.cli.store_common import (
    AS_HELP,
    actor,
    echo_json,
    echo_rows,
    handle_errors,
    history_lines,
    now,
    parse_date,
    parse_time,
    rules,
    store_session,
)
from assistant.store import bookings as svc
from assistant.store.booking_views import booking_window, get_booking, list_bookings
from assistant.store.schemas import BookingOut

bookings_app = typer.Typer(help="监督验收预约：查询、提交、受理、退回、排期、办结、取消。", no_args_is_help=True)
app.add_typer(bookings_app, name="bookings")

JSON = typer.Option(False, "--json", help="以 JSON 输出")
AS = typer.Option(None, "--as", help=AS_HELP)


def _line(b: BookingOut) -> str:
    when = f"{b.inspection_date}{(' ' + b.scheduled_time.strftime('%H:%M')) if b.scheduled_time else ''}"
    who = f"  监督员：{'、'.join(b.inspectors)}" if b.inspectors else ""
    flag = "（日历暂定）" if b.notices else ""
    return f"{b.booking_no}  [{b.status_label}]  {when}{flag}  {b.milestone}  {b.project_name}  {b.enterprise_name}{who}"


def _done(b: BookingOut, as_json: bool, verb: str) -> None:
    if as_json:
        echo_json(b)
    else:
        typer.echo(f"已{verb}：{_line(b)}")
        for n in b.notices:
            typer.echo(f"提示：{n}")


@bookings_app.command("list")
@handle_errors
def list_cmd(
    status: str = typer.Option(None, "--status", help="状态，如 已提交、已受理、scheduled"),
    day: str = typer.Option(None, "--date", help="监督日期"),
    date_from: str = typer.Option(None, "--from", help="起始日期"),
    date_to: str = typer.Option(None, "--to", help="截止日期"),
    project: str = typer.Option(None, "--project", help="工程名称、监督注册号或施工许可证号"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """按监督日期列出预约。"""
    with store_session() as session:
        rows = list_bookings(
            session, actor=actor(session, login) if login else None, status=status, day=parse_date(day),
            date_from=parse_date(date_from), date_to=parse_date(date_to), project=project, rules=rules(),
        )
    echo_rows(rows, as_json, _line, "没有符合条件的预约。")


@bookings_app.command("show")
@handle_errors
def show_cmd(booking_no: str = typer.Argument(..., help="预约编号，如 2026-000001"), login: str = AS,
             as_json: bool = JSON) -> None:
    """显示一条预约及其全部办理记录。"""
    with store_session() as session:
        b = get_booking(session, booking_no, actor=actor(session, login) if login else None, rules=rules())
    if as_json:
        echo_json(b)
        return
    typer.echo(_line(b))
    typer.echo(f"工程：{b.project_name}（{b.project_number}）{b.project_address}")
    typer.echo(f"申请日期：{b.requested_date}  联系人：{b.contact_name} {b.contact_phone}  监督组：{b.team_name}")
    for label, value in (("备注", b.note), ("退回/取消原因", b.status_reason), ("监督结论", b.result)):
        if value:
            typer.echo(f"{label}：{value}")
    for n in b.notices:
        typer.echo(f"提示：{n}")
    typer.echo("办理记录：")
    for line in history_lines(b.history):
        typer.echo(line)


@bookings_app.command("slots")
@handle_errors
def slots_cmd(
    project: str = typer.Option(..., "--project", help="工程名称、监督注册号或施工许可证号"),
    milestone: str = typer.Option(..., "--milestone", help="预约事项，如 主体结构验收"),
    as_json: bool = JSON,
) -> None:
    """显示最早可约日期和监督组有空的日子。"""
    with store_session() as session:
        w = booking_window(session, project, milestone, rules=rules(), now=now())
    if as_json:
        echo_json(w)
        return
    typer.echo(f"{w.milestone}须提前{w.lead_days}个工作日预约，最早可约 {w.earliest}（{w.team_name}）")
    for d in w.days:
        typer.echo(f"  {d.day}  余 {d.free}/{d.capacity}{'（日历暂定）' if d.provisional else ''}")
    for n in w.notices:
        typer.echo(f"提示：{n}")


@bookings_app.command("create")
@handle_errors
def create_cmd(
    project: str = typer.Option(..., "--project", help="工程名称、监督注册号或施工许可证号"),
    milestone: str = typer.Option(..., "--milestone", help="预约事项，如 地基与基础验收"),
    day: str = typer.Option(..., "--date", help="预约监督日期"),
    contact: str = typer.Option(..., "--contact", help="联系人"),
    phone: str = typer.Option(..., "--phone", help="联系电话"),
    enterprise: str = typer.Option(None, "--enterprise", help="申请单位，默认本工程施工单位"),
    note: str = typer.Option("", "--note", help="备注"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """提交监督验收预约。"""
    with store_session() as session:
        b = svc.create_booking(
            session, actor(session, login), project=project, milestone=milestone,
            requested_date=parse_date(day, "预约日期"), contact_name=contact, contact_phone=phone,
            enterprise=enterprise, note=note,
            rules=rules(), now=now(),
        )
    _done(b, as_json, "提交")


@bookings_app.command("accept")
@handle_errors
def accept_cmd(booking_no: str, login: str = AS, as_json: bool = JSON) -> None:
    """受理预约。"""
    with store_session() as session:
        b = svc.accept_booking(session, actor(session, login), booking_no, rules=rules(), now=now())
    _done(b, as_json, "受理")


@bookings_app.command("return")
@handle_errors
def return_cmd(booking_no: str, reason: str = typer.Option(..., "--reason", help="退回原因"), login: str = AS,
               as_json: bool = JSON) -> None:
    """退回预约（并说明原因）。"""
    with store_session() as session:
        b = svc.return_booking(session, actor(session, login), booking_no, reason, rules=rules(), now=now())
    _done(b, as_json, "退回")


@bookings_app.command("schedule")
@handle_errors
def schedule_cmd(
    booking_no: str,
    inspectors: list[str] = typer.Option(..., "--inspector", help="监督员登录名或姓名，可重复"),
    at: str = typer.Option(..., "--time", help="到场时间，如 09:30"),
    day: str = typer.Option(None, "--date", help="改到另一天（可选）"),
    allow_conflict: bool = typer.Option(False, "--allow-conflict", help="监督员在该时段已有其他监督时仍然排期"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """指派监督员和时间（可同时改期）；监督员时间冲突时需加 --allow-conflict 确认。"""
    with store_session() as session:
        b = svc.schedule_booking(session, actor(session, login), booking_no, inspectors=inspectors,
                                 at_time=parse_time(at), on_date=parse_date(day, "改期日期"),
                                 allow_conflict=allow_conflict, rules=rules(), now=now())
    _done(b, as_json, "排期")


@bookings_app.command("complete")
@handle_errors
def complete_cmd(booking_no: str, result: str = typer.Option(..., "--result", help="监督结论"), login: str = AS,
                 as_json: bool = JSON) -> None:
    """办结预约并记录监督结论。"""
    with store_session() as session:
        b = svc.complete_booking(session, actor(session, login), booking_no, result, rules=rules(), now=now())
    _done(b, as_json, "办结")


@bookings_app.command("cancel")
@handle_errors
def cancel_cmd(booking_no: str, reason: str = typer.Option(..., "--reason", help="取消原因"), login: str = AS,
               as_json: bool = JSON) -> None:
    """取消预约。"""
    with store_session() as session:
        b = svc.cancel_booking(session, actor(session, login), booking_no, reason, rules=rules(), now=now())
    _done(b, as_json, "取消")
