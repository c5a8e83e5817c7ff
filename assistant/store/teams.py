"""Inspection teams (监督组), their daily capacity and per-day overrides."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks
from assistant.store.actors import Actor, require_staff
from assistant.store.errors import AlreadyExists, InvalidInput, NotFound
from assistant.store.models import InspectionTeam, TeamDay
from assistant.store.rules import StoreRules
from assistant.store.schemas import TeamOut
from assistant.store.upsert import insert_ignore


def to_out(team: InspectionTeam, rules: StoreRules) -> TeamOut:
    default = rules.team_daily_capacity
    return TeamOut(
        id=team.id,
        name=team.name,
        daily_capacity=team.daily_capacity if team.daily_capacity is not None else default,
        uses_default_capacity=team.daily_capacity is None,
        active=team.active,
    )


def create_team(session: Session, actor: Actor, name: str, *, daily_capacity: int | None = None,
                rules: StoreRules) -> TeamOut:
    require_staff(actor, "设立监督组")
    clean = checks.text(name, "监督组名称", max_len=100)
    if daily_capacity is not None and daily_capacity < 0:
        raise InvalidInput("每日可预约数不能为负数")
    if session.scalar(select(InspectionTeam.id).where(InspectionTeam.name == clean)):
        raise AlreadyExists(f"监督组“{clean}”已存在")
    team = InspectionTeam(name=clean, daily_capacity=daily_capacity)
    session.add(team)
    session.flush()
    audit.record(session, actor, "team", team.id, "create", detail={"name": clean, "daily_capacity": daily_capacity})
    return to_out(team, rules)


def list_teams(session: Session, *, rules: StoreRules) -> list[TeamOut]:
    return [to_out(t, rules) for t in session.scalars(select(InspectionTeam).order_by(InspectionTeam.id))]


def team_row(session: Session, ref: int | str) -> InspectionTeam:
    if isinstance(ref, int):
        team = session.get(InspectionTeam, ref)
    else:
        team = session.scalar(select(InspectionTeam).where(InspectionTeam.name == ref.strip()))
    if team is None:
        raise NotFound(f"未找到监督组“{ref}”")
    return team


def set_day_capacity(
    session: Session, actor: Actor, team: int | str, day: date, capacity: int | None, note: str = ""
) -> None:
    """Override one day's capacity (0 closes the day, e.g. for training); ``None`` restores the default."""
    require_staff(actor, "调整监督组日程")
    if capacity is not None and capacity < 0:
        raise InvalidInput("每日可预约数不能为负数")
    row = team_row(session, team)
    insert_ignore(session, TeamDay, {"team_id": row.id, "day": day, "capacity": None, "note": ""})
    td = session.scalars(
        select(TeamDay).where(TeamDay.team_id == row.id, TeamDay.day == day).with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    td.capacity = capacity
    td.note = checks.text(note, "说明", max_len=200, required=False)
    session.flush()
    audit.record(session, actor, "team", row.id, "update",
                 detail={"day": day.isoformat(), "capacity": capacity, "note": td.note})
