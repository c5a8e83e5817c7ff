"""On-site work from the command line: tolerances and checks, inspection records, the notice loop
(overdue, escalate, print), credit drafts, published cases and 双随机 draws.

These go through the same use-case desks as the API (``Assistant``), so ``zhijian tolerances --json``
prints exactly what ``GET /v1/tolerances`` returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from assistant.cli import app
from assistant.cli.store_common import AS_HELP, echo_json, echo_rows, handle_errors, parse_date
from assistant.cli.store_work_cmds import notices_app
from assistant.config import get_settings
from assistant.store.actors import Actor
from assistant.store.errors import StoreError
from assistant.store.loop_schemas import (
    CreditDraftOut,
    DrawOut,
    InspectionOut,
    OverdueNotice,
    PublishedCaseOut,
)
from assistant.store.tolerances import ToleranceItem
from corpus.loaders.tolerance import bounds_text

JSON = typer.Option(False, "--json", help="以 JSON 输出")
AS = typer.Option(None, "--as", help=AS_HELP)

inspections_app = typer.Typer(help="监督检查记录：列表、详情、打印。", no_args_is_help=True)
drafts_app = typer.Typer(help="信用记录草稿：由整改和检查事件起草，确认后才计入信用。", no_args_is_help=True)
spot_app = typer.Typer(help="双随机抽查：按信用等级抽取工程和检查人员，种子留存备查。", no_args_is_help=True)
cases_app = typer.Typer(help="本站案例：已销项的整改通知单匿名发布为知识库案例。", no_args_is_help=True)
app.add_typer(inspections_app, name="inspections")
app.add_typer(drafts_app, name="credit-drafts")
app.add_typer(spot_app, name="spotchecks")
app.add_typer(cases_app, name="cases")


def _assistant() -> Any:
    from assistant.core import Assistant

    return Assistant(get_settings())


def _actor(core: Any, login: str | None) -> Actor:
    if not login:
        return Actor.system("命令行管理员")
    from assistant.store.accounts import actor_for

    with core.runtime.session() as s:
        return actor_for(s, login)


def _tolerance_line(t: ToleranceItem) -> str:
    rel = "相对设计值" if t.relative_to_design else "实测偏差"
    return (f"{t.id:<8} {t.name}  {bounds_text(t.lower, t.upper, t.unit, t.relative_to_design)}（{rel}）  "
            f"每次{t.points}点，合格点率≥{t.pass_rate_required * 100:g}%  依据 {t.code} 第{t.clause_no}条")


@app.command()
@handle_errors
def tolerances(as_json: bool = JSON) -> None:
    """列出实测实量项目及允许偏差（来自知识库中的允许偏差表）。"""
    items = _assistant().tolerances.items()
    echo_rows(items, as_json, _tolerance_line, "知识库中没有允许偏差表；请先导入（示例语料库自带 ZJ-TOL-2025）。")


@app.command()
@handle_errors
def measure(
    item: str = typer.Argument(..., help="项目编号，如 CV-02（见 zhijian tolerances）"),
    values: list[str] = typer.Argument(..., help="实测值，空格分隔"),
    design: str = typer.Option(None, "--design", help="设计值（按相对设计值判定的项目必填）"),
    as_json: bool = JSON,
) -> None:
    """判定一组实测值：逐点偏差、合格点率、是否预警。"""
    r = _assistant().tolerances.check(item, design, values)
    if as_json:
        echo_json(r)
        return
    typer.echo(f"{r.name}（依据 {r.citation}）")
    for i, p in enumerate(r.points, start=1):
        flag = "合格" if p.ok else ("超差（超过1.5倍）" if p.beyond else "超差")
        typer.echo(f"  第{i}点  {p.value:g} {r.unit}  偏差 {p.deviation:+g}  {flag}")
    typer.echo(f"合格点率 {r.pass_rate_percent:g}%（{r.points_ok}/{r.points_total}）  "
               f"{'合格' if r.ok else '不合格'}{'  ⚠ 预警' if r.alert else ''}")
    for m in r.messages:
        typer.echo(f"  · {m}")


def _inspection_line(i: InspectionOut) -> str:
    where = " ".join(x for x in (i.unit_work, i.position) if x)
    return (f"{i.record_no}  [{i.status_label}]  {i.inspected_on}  {i.source_label}  {i.project_name}  {where}  "
            f"问题 {i.findings} 条，实测 {i.measurements} 组{f'（预警 {i.alerts}）' if i.alerts else ''}")


@inspections_app.command("list")
@handle_errors
def inspections_list(project: str = typer.Option(None, "--project"), login: str = AS, as_json: bool = JSON) -> None:
    """列出监督检查记录。"""
    core = _assistant()
    rows = core.inspections.list(_actor(core, login), project=project)
    echo_rows(rows, as_json, _inspection_line, "没有监督检查记录。")


@inspections_app.command("show")
@handle_errors
def inspections_show(record_no: str, login: str = AS, as_json: bool = JSON) -> None:
    """显示检查记录：发现的问题（引用条文）和实测实量。"""
    core = _assistant()
    r = core.inspections.get(_actor(core, login), record_no)
    if as_json:
        echo_json(r)
        return
    typer.echo(_inspection_line(r))
    for f in r.finding_list:
        typer.echo(f"  问题{f.seq} [{f.category_label}] {f.description}（依据 {f.citation}）"
                   f"{'  → ' + f.notice_no if f.notice_no else ''}")
    for m in r.measurement_list:
        typer.echo(f"  实测{m.seq} {m.name} {m.position}  合格点率 {m.pass_rate * 100:.1f}%"
                   f"{'  ⚠ 预警' if m.alert else ''}")
    if r.conclusion:
        typer.echo(f"结论：{r.conclusion}")


def _write(data: bytes, out: Path) -> None:
    out.write_bytes(data)
    typer.echo(f"已生成 {out}（{len(data) // 1024} KB）")


@inspections_app.command("pdf")
@handle_errors
def inspections_pdf(record_no: str, out: Path = typer.Option(..., "--out", help="PDF 文件"), login: str = AS) -> None:
    """打印检查记录（PDF）。"""
    core = _assistant()
    _write(core.inspections.pdf(_actor(core, login), record_no), out)


def _overdue_line(o: OverdueNotice) -> str:
    told = "（已催办）" if o.escalated_at else ""
    return f"{o.notice_no}  逾期 {o.days_overdue} 天{told}  期限 {o.deadline}  {o.project_name}  {o.responsible_enterprise_name}"


@notices_app.command("overdue")
@handle_errors
def notices_overdue(as_json: bool = JSON) -> None:
    """列出逾期未整改的通知单。"""
    core = _assistant()
    echo_rows(core.notices.overdue(_actor(core, None)), as_json, _overdue_line, "没有逾期的整改通知单。")


@notices_app.command("escalate")
@handle_errors
def notices_escalate(login: str = AS, as_json: bool = JSON) -> None:
    """催办逾期通知单：提醒监督员，起草不良信用记录（可每天定时运行）。"""
    core = _assistant()
    out = core.notices.escalate(_actor(core, login))
    if as_json:
        echo_json(out)
        return
    for o in out.escalated:
        typer.echo(f"已催办：{_overdue_line(o)}")
    typer.echo(f"共催办 {len(out.escalated)} 份，发出提醒 {out.notified} 条，起草信用记录 {len(out.drafts)} 条。")


@notices_app.command("pdf")
@handle_errors
def notices_pdf(notice_no: str, out: Path = typer.Option(..., "--out", help="PDF 文件")) -> None:
    """打印整改通知单（PDF，含编号和盖章处）。"""
    core = _assistant()
    _write(core.notices.pdf(None, notice_no), out)


def _draft_line(d: CreditDraftOut) -> str:
    sign = "+" if d.kind == "good" else "-"
    return (f"#{d.id}  [{d.status_label}]  {d.enterprise_name}  {d.kind_label} {sign}{d.points:g} 分"
            f"（{d.valid_months} 个月）  {d.event_label}  {d.source_no}")


@drafts_app.command("list")
@handle_errors
def drafts_list(status: str = typer.Option("pending", "--status", help="pending | confirmed | rejected | all"),
                as_json: bool = JSON) -> None:
    """列出信用记录草稿。"""
    core = _assistant()
    rows = core.credit_drafts.list(_actor(core, None), status=None if status == "all" else status)
    echo_rows(rows, as_json, _draft_line, "没有信用记录草稿。")


@drafts_app.command("confirm")
@handle_errors
def drafts_confirm(draft_id: int, points: float = typer.Option(None, "--points"), login: str = AS,
                   as_json: bool = JSON) -> None:
    """确认草稿，计入企业信用。"""
    core = _assistant()
    d = core.credit_drafts.confirm(_actor(core, login), draft_id, points=points)
    echo_json(d) if as_json else typer.echo(f"已确认：{_draft_line(d)}")


@drafts_app.command("reject")
@handle_errors
def drafts_reject(draft_id: int, note: str = typer.Option(..., "--note", help="驳回理由"), login: str = AS,
                  as_json: bool = JSON) -> None:
    """驳回草稿。"""
    core = _assistant()
    d = core.credit_drafts.reject(_actor(core, login), draft_id, note)
    echo_json(d) if as_json else typer.echo(f"已驳回：{_draft_line(d)}")


def _draw_line(d: DrawOut) -> str:
    per = "，".join(f"{g}级 {c['drawn']}/{c['eligible']}" for g, c in sorted(d.counts.items()))
    return f"{d.draw_no}  {d.period_start}~{d.period_end}  种子 {d.seed}  {per}"


def _ratios(pairs: list[str]) -> dict[str, float]:
    out = {}
    for pair in pairs:
        grade, _, value = pair.partition("=")
        try:
            out[grade.strip().upper()] = float(value)
        except ValueError:
            raise StoreError(f"抽查比例“{pair}”格式不正确，请写成 B=10") from None
    return out


@spot_app.command("draw")
@handle_errors
def spot_draw(
    start: str = typer.Option(..., "--from", help="抽查周期开始日期"),
    end: str = typer.Option(..., "--to", help="抽查周期结束日期"),
    seed: str = typer.Option(None, "--seed", help="随机种子；不填自动生成并记录"),
    ratio: list[str] = typer.Option([], "--ratio", help="某等级的抽查比例（%），如 --ratio B=10，可重复"),
    per: int = typer.Option(None, "--inspectors", help="每个工程的检查人数"),
    login: str = AS,
    as_json: bool = JSON,
) -> None:
    """按信用等级抽取本周期的检查对象和检查人员。"""
    core = _assistant()
    d = core.spot_checks.create(_actor(core, login), period_start=parse_date(start, "开始日期"),
                                period_end=parse_date(end, "结束日期"), seed=seed, ratios=_ratios(ratio) or None,
                                inspectors_per_project=per)
    if as_json:
        echo_json(d)
        return
    typer.echo(_draw_line(d))
    for p in d.picks:
        typer.echo(f"  {p.grade}级  {p.project_name}（{p.enterprise_name or '—'}）  检查人员：{'、'.join(p.inspectors)}")


@spot_app.command("list")
@handle_errors
def spot_list(as_json: bool = JSON) -> None:
    """列出抽查批次。"""
    core = _assistant()
    echo_rows(core.spot_checks.list(_actor(core, None)), as_json, _draw_line, "还没有抽查批次。")


@spot_app.command("show")
@handle_errors
def spot_show(draw_no: str, as_json: bool = JSON) -> None:
    """显示抽查批次，并按记录的种子重抽复核。"""
    core = _assistant()
    d = core.spot_checks.get(_actor(core, None), draw_no)
    if as_json:
        echo_json(d)
        return
    typer.echo(_draw_line(d))
    typer.echo("复核：按记录的种子和抽取范围重抽，结果一致" if d.replay_ok else "复核：重抽结果与记录不一致！")
    for p in d.picks:
        typer.echo(f"  {p.grade}级  {p.project_name}  检查人员：{'、'.join(p.inspectors)}"
                   f"{'  检查记录 ' + p.inspection_no if p.inspection_no else ''}")


def _case_line(c: PublishedCaseOut) -> str:
    return f"{c.case_no}  {c.title}  （通知单 {c.notice_no}，导入：{c.job_status_label or '—'}）"


@cases_app.command("list")
@handle_errors
def cases_list(as_json: bool = JSON) -> None:
    """列出本站发布的案例。"""
    core = _assistant()
    echo_rows(core.cases.list(_actor(core, None)), as_json, _case_line, "还没有发布的案例。")
