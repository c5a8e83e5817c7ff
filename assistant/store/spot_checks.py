"""Random-check planning by credit grade (双随机): which projects, and which inspectors, for a period.

Projects under supervision are grouped by the credit grade of their contractor on
the day of the draw; from each grade a share is drawn (the configured ratio, within
the grade's range: A ≤5 %, B 5–20 %, C 21–60 %, D 61–100 % by default), and for each
drawn project the inspectors are drawn from the active inspectors. How many of n:

    round(n × ratio), but at least ceil(n × min) and at most floor(n × max) —

so an A-grade firm is never drawn beyond its ratio (无事不扰: with fewer than 20
A-grade projects, none is drawn). When ceil(n × min) > floor(n × max) the minimum
wins for grades whose minimum is above zero.

Everything comes from one ``random.Random`` seeded with the recorded seed over
id-sorted lists, and the population is stored with the draw, so anyone can replay
it (``replay_ok`` on the detail) — the audit trail the rules ask for.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks, credit
from assistant.store.actors import Actor, require_staff
from assistant.store.enums import AccountRole, EnterpriseRole, ProjectStatus
from assistant.store.errors import InvalidDate, InvalidInput, NotFound
from assistant.store.loop_schemas import DrawDetail, DrawOut, PickOut
from assistant.store.models import Account, Enterprise, Inspection, Project, SpotCheckDraw, SpotCheckPick
from assistant.store.projects import party_of
from assistant.store.rules import StoreRules
from assistant.store.sequences import next_number

Pick = tuple[int, str, list[int]]  # project id, grade, inspector account ids


def count_for(n: int, ratio: float, lo: float, hi: float) -> int:
    """How many of ``n`` projects of one grade to draw (ratios in percent); see the module docstring."""
    at_least = math.ceil(n * lo / 100 - 1e-9)
    at_most = math.floor(n * hi / 100 + 1e-9)
    target = math.floor(n * ratio / 100 + 0.5)
    if at_least > at_most:
        return at_least if lo > 0 else at_most
    return min(max(target, at_least), at_most)


def draw(population: Sequence[Sequence], inspectors: Sequence[int], ratios: Mapping[str, float],
         bounds: Mapping[str, tuple[float, float]], seed: str, per_project: int) -> list[Pick]:
    """The picks a seed gives for this population: deterministic, independent of input order."""
    rng = random.Random(f"zhijian-spot-check:{seed}")
    by_grade: dict[str, list[int]] = {}
    for project_id, grade in population:
        by_grade.setdefault(str(grade), []).append(int(project_id))
    staff = sorted(int(i) for i in inspectors)
    picks: list[Pick] = []
    for grade in sorted(by_grade):
        ids = sorted(by_grade[grade])
        lo, hi = bounds[grade]
        k = count_for(len(ids), ratios[grade], lo, hi)
        for project_id in sorted(rng.sample(ids, k)):
            picks.append((project_id, grade, sorted(rng.sample(staff, per_project))))
    return picks


def _bounds(rules: StoreRules) -> dict[str, tuple[float, float]]:
    return {g: (m.ratio_min, m.ratio_max) for g, m in rules.credit.modes.items()}


def _ratios(rules: StoreRules, given: Mapping[str, float] | None) -> dict[str, float]:
    bounds = _bounds(rules)
    out = {g: (lo + hi) / 2 for g, (lo, hi) in bounds.items()}
    for source in (rules.spot_check_ratios, given or {}):
        for grade, value in source.items():
            g = str(grade).strip().upper()
            if g not in bounds:
                raise InvalidInput(f"抽查比例中的信用等级“{grade}”无效，可选：{'、'.join(bounds)}", field="ratios")
            lo, hi = bounds[g]
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise InvalidInput(f"{g}级抽查比例应为百分数", field=f"ratios.{g}") from None
            if not lo <= v <= hi:
                raise InvalidInput(f"{g}级抽查比例 {v:g}% 超出规定范围 {lo:g}%–{hi:g}%",
                                   field=f"ratios.{g}")
            out[g] = v
    return out


def _population(session: Session, rules: StoreRules, as_of: date) -> list[list]:
    scheme = rules.credit
    projects = session.scalars(select(Project).where(Project.status == ProjectStatus.under_supervision)
                               .order_by(Project.id))
    out = []
    for p in projects:
        firm = party_of(p, EnterpriseRole.contractor)
        grade = credit.grade_of(session, firm, as_of, scheme) if firm else scheme.grade(scheme.base)
        out.append([p.id, grade])
    return out


def _pick_out(session: Session, pick: SpotCheckPick, names: Mapping[int, str]) -> PickOut:
    firm = party_of(pick.project, EnterpriseRole.contractor)
    inspection = session.get(Inspection, pick.inspection_id) if pick.inspection_id else None
    return PickOut(project_id=pick.project_id, project_name=pick.project.name, grade=pick.grade,
                   enterprise_name=session.get(Enterprise, firm).name if firm else None,
                   inspectors=[names.get(i, str(i)) for i in pick.inspector_ids], inspector_ids=list(pick.inspector_ids),
                   inspection_no=inspection.record_no if inspection else None)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Account.id, Account.name).where(Account.id.in_(ids))).all())


def to_out(session: Session, d: SpotCheckDraw) -> DrawOut:
    names = _names(session, {i for p in d.picks for i in p.inspector_ids} | ({d.created_by_id} if d.created_by_id else set()))
    return DrawOut(draw_no=d.draw_no, period_start=d.period_start, period_end=d.period_end, seed=d.seed,
                   ratios=d.ratios, counts=d.counts, inspectors_per_project=d.inspectors_per_project, note=d.note,
                   created_at=d.created_at, created_by=names.get(d.created_by_id) if d.created_by_id else None,
                   picks=[_pick_out(session, p, names) for p in d.picks])


def create_draw(
    session: Session,
    actor: Actor,
    *,
    period_start: date,
    period_end: date,
    seed: str | None = None,
    ratios: Mapping[str, float] | None = None,
    inspectors_per_project: int | None = None,
    note: str = "",
    rules: StoreRules,
    now: datetime | None = None,
) -> DrawDetail:
    """Draw the projects and inspectors for a period and keep the draw, its population and its seed."""
    require_staff(actor, "抽取双随机检查对象")
    if period_end < period_start:
        raise InvalidDate("抽查周期的结束日期早于开始日期")
    if (period_end - period_start).days > 366:
        raise InvalidDate("抽查周期最长一年")
    per = inspectors_per_project or rules.spot_check_inspectors
    if not 1 <= per <= 10:
        raise InvalidInput("每个工程的检查人数应为 1–10 人", field="inspectors_per_project")
    key = checks.text(seed, "随机种子", max_len=40, required=False) if seed is not None else ""
    key = key or secrets.token_hex(8)
    chosen = _ratios(rules, ratios)
    bounds = _bounds(rules)
    today = rules.today(now)
    population = _population(session, rules, today)
    staff = list(session.scalars(select(Account.id).where(Account.role == AccountRole.inspector,
                                                          Account.active.is_(True)).order_by(Account.id)))
    if len(staff) < per:
        raise InvalidInput(f"在岗监督员只有 {len(staff)} 人，不足每个工程 {per} 人", field="inspectors_per_project")
    picks = draw(population, staff, chosen, bounds, key, per)
    counts = {}
    for g in sorted(bounds):
        eligible = sum(1 for _, grade in population if grade == g)
        counts[g] = {"eligible": eligible, "drawn": sum(1 for _, grade, _ in picks if grade == g),
                     "ratio": chosen[g], "min": bounds[g][0], "max": bounds[g][1]}
    row = SpotCheckDraw(
        draw_no=next_number(session, "spotcheck", today.year, width=3), period_start=period_start,
        period_end=period_end, seed=key, ratios=chosen, counts=counts,
        population={"as_of": today.isoformat(), "projects": population, "inspectors": staff},
        inspectors_per_project=per, note=checks.text(note, "备注", max_len=1000, required=False),
        created_by_id=actor.account_id, created_at=rules.now(now),
    )
    row.picks = [SpotCheckPick(project_id=p, grade=g, inspector_ids=ins) for p, g, ins in picks]
    session.add(row)
    session.flush()
    audit.record(session, actor, "spot_check", row.id, "create", at=rules.now(now),
                 detail={"seed": key, "drawn": len(picks), "period": f"{period_start}~{period_end}"})
    session.refresh(row)
    return _detail(session, row)


def _detail(session: Session, d: SpotCheckDraw) -> DrawDetail:
    bounds = {g: (c["min"], c["max"]) for g, c in d.counts.items()}
    ratios = {g: float(r) for g, r in d.ratios.items()}
    try:
        again = draw(d.population["projects"], d.population["inspectors"], ratios, bounds, d.seed,
                     d.inspectors_per_project)
    except (KeyError, ValueError):
        again = []
    kept = [(p.project_id, p.grade, sorted(p.inspector_ids)) for p in d.picks]
    return DrawDetail(**to_out(session, d).model_dump(), replay_ok=sorted(again) == sorted(kept),
                      population=d.population)


def draw_row(session: Session, draw_no: str) -> SpotCheckDraw:
    row = session.scalar(select(SpotCheckDraw).where(SpotCheckDraw.draw_no == (draw_no or "").strip()))
    if row is None:
        raise NotFound(f"未找到抽查批次 {draw_no}")
    return row


def get_draw(session: Session, actor: Actor, draw_no: str) -> DrawDetail:
    require_staff(actor, "查看双随机抽查")
    return _detail(session, draw_row(session, draw_no))


def list_draws(session: Session, actor: Actor, *, limit: int = 50) -> list[DrawOut]:
    require_staff(actor, "查看双随机抽查")
    rows = session.scalars(select(SpotCheckDraw).order_by(SpotCheckDraw.id.desc()).limit(limit))
    return [to_out(session, d) for d in rows]
