"""Projects under supervision and the enterprises filling each role on them."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assistant.store import audit, checks
from assistant.store.actors import Actor, require_staff
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import EnterpriseRole, ProjectStatus, parse_enum
from assistant.store.errors import AlreadyExists, AmbiguousMatch, InvalidInput, NotFound
from assistant.store.models import Project, ProjectParty
from assistant.store.schemas import PartyOut, ProjectOut
from assistant.store.teams import team_row


def to_out(p: Project) -> ProjectOut:
    return ProjectOut(
        id=p.id,
        name=p.name,
        supervision_no=p.supervision_no,
        permit_no=p.permit_no,
        address=p.address,
        status=p.status.value,
        status_label=p.status.label,
        is_key_public=p.is_key_public,
        team_id=p.team_id,
        team_name=p.team.name if p.team else None,
        parties=[
            PartyOut(role=pp.role.value, role_label=pp.role.label, enterprise_id=pp.enterprise_id,
                     enterprise_name=pp.enterprise.name, uscc=pp.enterprise.uscc)
            for pp in p.parties
        ],
    )


def create_project(
    session: Session,
    actor: Actor,
    *,
    name: str,
    supervision_no: str | None = None,
    permit_no: str | None = None,
    address: str = "",
    team: int | str | None = None,
    is_key_public: bool = False,
    parties: Mapping[str | EnterpriseRole, int | str] | None = None,
) -> ProjectOut:
    """Register a project; at least one of the supervision or permit numbers is required."""
    require_staff(actor, "登记工程")
    clean_name = checks.text(name, "工程名称", max_len=200)
    sup = checks.text(supervision_no, "监督注册号", max_len=64, required=False) or None
    permit = checks.text(permit_no, "施工许可证号", max_len=64, required=False) or None
    if not (sup or permit):
        raise InvalidInput("请至少填写监督注册号或施工许可证号中的一项")
    for column, value, label in ((Project.supervision_no, sup, "监督注册号"), (Project.permit_no, permit, "施工许可证号")):
        if value and session.scalar(select(Project.id).where(column == value)):
            raise AlreadyExists(f"{label} {value} 已被其他工程使用")
    project = Project(
        name=clean_name,
        supervision_no=sup,
        permit_no=permit,
        address=checks.text(address, "工程地址", max_len=300, required=False),
        is_key_public=is_key_public,
        team_id=team_row(session, team).id if team is not None else None,
    )
    session.add(project)
    for role, ref in (parties or {}).items():
        project.parties.append(
            ProjectParty(role=parse_enum(EnterpriseRole, role, "参建角色"), enterprise_id=enterprise_row(session, ref).id)
        )
    session.flush()
    audit.record(session, actor, "project", project.id, "create", detail={"name": clean_name})
    return to_out(project)


def set_party(session: Session, actor: Actor, project: int | str, role: str | EnterpriseRole,
              enterprise: int | str) -> ProjectOut:
    """Put (or replace) the enterprise filling ``role`` on a project."""
    require_staff(actor, "变更参建单位")
    row = project_row(session, project)
    kind = parse_enum(EnterpriseRole, role, "参建角色")
    ent = enterprise_row(session, enterprise)
    party = next((pp for pp in row.parties if pp.role == kind), None)
    if party is None:
        row.parties.append(ProjectParty(role=kind, enterprise_id=ent.id))
    else:
        party.enterprise_id = ent.id
    session.flush()
    session.expire(row, ["parties"])
    audit.record(session, actor, "project", row.id, "update", detail={"role": kind.value, "enterprise_id": ent.id})
    return to_out(row)


def set_status(session: Session, actor: Actor, project: int | str, status: str | ProjectStatus) -> ProjectOut:
    require_staff(actor, "变更工程状态")
    row = project_row(session, project)
    new = parse_enum(ProjectStatus, status, "工程状态")
    old = row.status
    row.status = new
    session.flush()
    audit.record(session, actor, "project", row.id, "update", from_status=old.value, to_status=new.value)
    return to_out(row)


def get_project(session: Session, ref: int | str) -> ProjectOut:
    return to_out(project_row(session, ref))


def list_projects(
    session: Session, *, enterprise_id: int | None = None, status: str | ProjectStatus | None = None
) -> list[ProjectOut]:
    stmt = select(Project).order_by(Project.id)
    if enterprise_id is not None:
        stmt = stmt.where(Project.parties.any(ProjectParty.enterprise_id == enterprise_id))
    if status is not None:
        stmt = stmt.where(Project.status == parse_enum(ProjectStatus, status, "工程状态"))
    return [to_out(p) for p in session.scalars(stmt)]


def project_row(session: Session, ref: int | str, *, lock: bool = False) -> Project:
    """Find a project by id, supervision number, permit number or exact name.

    ``lock`` takes a row lock (SELECT … FOR UPDATE) so rules spanning several
    rows of one project (bookings, notices) are checked without a race.
    """
    if isinstance(ref, int):
        stmt = select(Project).where(Project.id == ref)
    else:
        key = (ref or "").strip()
        if not key:
            raise NotFound("请填写工程名称、监督注册号或施工许可证号")
        by_no = select(Project.id).where(or_(Project.supervision_no == key, Project.permit_no == key))
        ids = list(session.scalars(by_no)) or list(session.scalars(select(Project.id).where(Project.name == key)))
        if not ids:
            raise NotFound(f"未找到工程“{key}”，请核对工程名称、监督注册号或施工许可证号")
        if len(ids) > 1:
            raise AmbiguousMatch(f"名为“{key}”的工程有{len(ids)}项，请改用监督注册号或施工许可证号")
        stmt = select(Project).where(Project.id == ids[0])
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    project = session.scalars(stmt).one_or_none()
    if project is None:
        raise NotFound(f"未找到编号为 {ref} 的工程")
    return project


def party_ids(project: Project) -> set[int]:
    return {pp.enterprise_id for pp in project.parties}


def party_of(project: Project, *roles: EnterpriseRole) -> int | None:
    """The enterprise filling the first of ``roles`` present on the project."""
    by_role = {pp.role: pp.enterprise_id for pp in project.parties}
    return next((by_role[r] for r in roles if r in by_role), None)
