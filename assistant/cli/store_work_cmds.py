"""Rectification notices (zhijian notices …) and quality-service-team visits (zhijian visits …)."""

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
    rules,
    store_session,
)
from assistant.store import rectifications as notices_svc
from assistant.store import visits as visits_svc
from assistant.store.schemas import NoticeOut, VisitOut

JSON = typer.Option(False, "--json", help="以 JSON 输出")
AS = typer.Option(None, "--as", help=AS_HELP)

notices_app = typer.Typer(help="整改通知单：下发、回复、复查。", no_args_is_help=True)
visits_app = typer.Typer(help="质量服务团上门服务申请：申请、派员、服务、评价、撤回。", no_args_is_help=True)
app.add_typer(notices_app, name="notices")
app.add_typer(visits_app, name="visits")


def _notice_line(n: NoticeOut) -> str:
    cited = f"  依据 {n.cited_code} {n.cited_clause}".rstrip() if n.cited_code else ""
    late = "（已逾期）" if n.overdue else ""
    return (f"{n.notice_no}  [{n.status_label}]  期限 {n.deadline}{late}  {n.project_name}  "
            f"{n.responsible_enterprise_name}：{n.problem}{cited}")


def _visit_line(v: VisitOut) -> str:
    prio = f"  优先级 {v.priority:g}（{'、'.join(v.priority_reasons) or '一般'}）" if v.priority is not None else ""
    where = f"  {v.project_name}" if v.project_name else ""
    return f"{v.visit_no}  [{v.status_label}]  {v.topic}  {v.enterprise_name}{where}{prio}"


@notices_app.command("list")
@handle_errors
def notices_list(
    project: str = typer.Option(None, "--project"),
    open_only: bool = typer.Option(False, "--open", help="只列未销项的"),
    as_json: bool = JSON,
) -> None:
    """列出整改通知单。"""
    with store_session() as session:
        rows = notices_svc.list_notices(session, project=project, open_only=open_only, rules=rules(), now=now())
    echo_rows(rows, as_json, _notice_line, "没有符合条件的整改通知单。")


@notices_app.command("show")
@handle_errors
def notices_show(notice_no: str, as_json: bool = JSON) -> None:
    """显示整改通知单及办理记录。"""
    with store_session() as session:
        n = notices_svc.get_notice(session, notice_no, rules=rules(), now=now())
    if as_json:
        echo_json(n)
        return
    typer.echo(_notice_line(n))
    for label, value in (("整改回复", n.reply), ("复查意见", n.reinspection_note)):
        if value:
            typer.echo(f"{label}：{value}")
    typer.echo("办理记录：")
    for line in history_lines(n.history):
        typer.echo(line)


@notices_app.command("issue")
@handle_errors
def notices_issue(
    project: str = typer.Option(..., "--project"),
    problem: str = typer.Option(..., "--problem", help="存在问题"),
    deadline: str = typer.Option(..., "--deadline", help="整改期限"),
    code: str = typer.Option("", "--code", help="引用的标准编号，如 GB 50204-2015"),
    clause: str = typer.Option("", "--clause", help="条款号，如 5.5.1"),
    responsible: str = typer.Option(None, "--responsible", help="整改责任单位，默认施工单位"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """下发整改通知单。"""
    with store_session() as session:
        n = notices_svc.issue_notice(session, actor(session, login), project=project, problem=problem,
                                     deadline=parse_date(deadline, "整改期限"), cited_code=code, cited_clause=clause,
                                     responsible=responsible, rules=rules(), now=now())
    echo_json(n) if as_json else typer.echo(f"已下发：{_notice_line(n)}")


@notices_app.command("reply")
@handle_errors
def notices_reply(notice_no: str, text: str = typer.Option(..., "--text", help="整改情况"), login: str = AS,
                  as_json: bool = JSON) -> None:
    """回复整改通知单。"""
    with store_session() as session:
        n = notices_svc.reply_notice(session, actor(session, login), notice_no, text, rules=rules(), now=now())
    echo_json(n) if as_json else typer.echo(f"已回复：{_notice_line(n)}")


@notices_app.command("reinspect")
@handle_errors
def notices_reinspect(
    notice_no: str,
    passed: bool = typer.Option(..., "--pass/--fail", help="复查是否通过"),
    note: str = typer.Option("", "--note", help="复查意见（不通过时必填）"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """复查整改：通过则销项，不通过则退回整改。"""
    with store_session() as session:
        n = notices_svc.reinspect_notice(session, actor(session, login), notice_no, passed=passed, note=note, rules=rules(), now=now())
    echo_json(n) if as_json else typer.echo(f"复查{'通过' if passed else '未通过'}：{_notice_line(n)}")


@visits_app.command("list")
@handle_errors
def visits_list(status: str = typer.Option(None, "--status"), as_json: bool = JSON) -> None:
    """列出服务申请。"""
    with store_session() as session:
        rows = visits_svc.list_visits(session, status=status)
    echo_rows(rows, as_json, _visit_line, "没有符合条件的服务申请。")


@visits_app.command("queue")
@handle_errors
def visits_queue(as_json: bool = JSON) -> None:
    """待派员的申请，按优先级排序（重点公共工程、信用等级低的企业优先）。"""
    with store_session() as session:
        rows = visits_svc.visit_queue(session, rules=rules(), now=now())
    echo_rows(rows, as_json, _visit_line, "没有待派员的申请。")


@visits_app.command("show")
@handle_errors
def visits_show(visit_no: str, as_json: bool = JSON) -> None:
    """显示服务申请及办理记录。"""
    with store_session() as session:
        v = visits_svc.get_visit(session, visit_no)
    if as_json:
        echo_json(v)
        return
    typer.echo(_visit_line(v))
    typer.echo(f"需求：{v.description}")
    if v.preferred_dates:
        typer.echo(f"期望日期：{'、'.join(d.isoformat() for d in v.preferred_dates)}")
    if v.experts:
        typer.echo(f"专家：{'、'.join(v.experts)}  计划日期：{v.planned_date}")
    if v.findings:
        typer.echo(f"服务意见（{v.visited_on}）：{v.findings}")
    if v.satisfaction:
        typer.echo(f"满意度：{v.satisfaction}/5  {v.feedback}")
    typer.echo("办理记录：")
    for line in history_lines(v.history):
        typer.echo(line)


@visits_app.command("create")
@handle_errors
def visits_create(
    topic: str = typer.Option(..., "--topic", help="技术咨询、方案优化、质量体系诊断、整改帮扶、其他"),
    description: str = typer.Option(..., "--description", help="需求描述"),
    contact: str = typer.Option(..., "--contact"),
    phone: str = typer.Option(..., "--phone"),
    enterprise: str = typer.Option(None, "--enterprise", help="申请企业（企业用户可省略）"),
    project: str = typer.Option(None, "--project", help="相关工程（可选）"),
    dates: list[str] = typer.Option([], "--prefer", help="期望日期，可重复"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """申请质量服务团上门服务。"""
    with store_session() as session:
        v = visits_svc.submit_visit(session, actor(session, login), topic=topic, description=description,
                                    contact_name=contact, contact_phone=phone, enterprise=enterprise,
                                    project=project, preferred_dates=[parse_date(d, "期望日期") for d in dates], rules=rules(), now=now())
    echo_json(v) if as_json else typer.echo(f"已提交：{_visit_line(v)}")


@visits_app.command("assign")
@handle_errors
def visits_assign(
    visit_no: str,
    experts: list[str] = typer.Option(..., "--expert", help="专家登录名或姓名，可重复"),
    day: str = typer.Option(..., "--date", help="计划服务日期"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """派遣专家。"""
    with store_session() as session:
        v = visits_svc.assign_visit(session, actor(session, login), visit_no, experts=experts,
                                    planned_date=parse_date(day, "计划服务日期"), rules=rules(), now=now())
    echo_json(v) if as_json else typer.echo(f"已派员：{_visit_line(v)}")


@visits_app.command("visit")
@handle_errors
def visits_visit(
    visit_no: str,
    findings: str = typer.Option(..., "--findings", help="服务意见"),
    day: str = typer.Option(None, "--date", help="服务日期，默认今天"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """登记上门服务情况。"""
    with store_session() as session:
        v = visits_svc.record_visit(session, actor(session, login), visit_no, findings=findings,
                                    visited_on=parse_date(day, "服务日期"), rules=rules(), now=now())
    echo_json(v) if as_json else typer.echo(f"已登记：{_visit_line(v)}")


@visits_app.command("close")
@handle_errors
def visits_close(
    visit_no: str,
    satisfaction: int = typer.Option(..., "--satisfaction", help="满意度 1-5"),
    feedback: str = typer.Option("", "--feedback"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """评价并办结。"""
    with store_session() as session:
        v = visits_svc.close_visit(session, actor(session, login), visit_no, satisfaction=satisfaction,
                                   feedback=feedback, rules=rules(), now=now())
    echo_json(v) if as_json else typer.echo(f"已办结：{_visit_line(v)}")


@visits_app.command("withdraw")
@handle_errors
def visits_withdraw(visit_no: str, reason: str = typer.Option(..., "--reason"), login: str = AS,
                    as_json: bool = JSON) -> None:
    """撤回服务申请。"""
    with store_session() as session:
        v = visits_svc.withdraw_visit(session, actor(session, login), visit_no, reason, rules=rules(), now=now())
    echo_json(v) if as_json else typer.echo(f"已撤回：{_visit_line(v)}")
