"""Accounts of people who act in the store, and the ``Actor`` they act as.

Minimal for now (a later issue adds API tokens and Telegram binding).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks
from assistant.store.actors import Actor, require_staff
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import AccountRole, parse_enum
from assistant.store.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from assistant.store.models import Account
from assistant.store.schemas import AccountOut
from assistant.store.teams import team_row


def to_out(a: Account) -> AccountOut:
    return AccountOut(
        id=a.id, login=a.login, name=a.name, role=a.role.value, role_label=a.role.label,
        enterprise_id=a.enterprise_id, team_id=a.team_id, phone=a.phone, active=a.active,
    )


def create_account(
    session: Session,
    actor: Actor,
    *,
    login: str,
    name: str,
    role: str | AccountRole,
    enterprise: int | str | None = None,
    team: int | str | None = None,
    phone: str = "",
) -> AccountOut:
    require_staff(actor, "开设账号")
    if actor.role != AccountRole.admin:
        raise PermissionDenied("只有管理员可以开设账号")
    clean_login = checks.text(login, "登录名", max_len=64)
    kind = parse_enum(AccountRole, role, "账号角色")
    if session.scalar(select(Account.id).where(Account.login == clean_login)):
        raise AlreadyExists(f"登录名“{clean_login}”已被使用")
    ent_id = enterprise_row(session, enterprise).id if enterprise is not None else None
    if kind == AccountRole.contractor and ent_id is None:
        raise InvalidInput("企业用户必须关联所属企业")
    account = Account(
        login=clean_login,
        name=checks.text(name, "姓名", max_len=64),
        role=kind,
        enterprise_id=ent_id,
        team_id=team_row(session, team).id if team is not None else None,
        phone=checks.phone(phone) if phone else "",
    )
    session.add(account)
    session.flush()
    audit.record(session, actor, "account", account.id, "create", detail={"login": clean_login, "role": kind.value})
    return to_out(account)


def list_accounts(session: Session, role: str | AccountRole | None = None) -> list[AccountOut]:
    stmt = select(Account).order_by(Account.id)
    if role is not None:
        stmt = stmt.where(Account.role == parse_enum(AccountRole, role, "账号角色"))
    return [to_out(a) for a in session.scalars(stmt)]


def account_row(session: Session, ref: int | str) -> Account:
    """By id, login, or (when unique) display name."""
    if isinstance(ref, int):
        account = session.get(Account, ref)
    else:
        key = ref.strip()
        account = session.scalar(select(Account).where(Account.login == key))
        if account is None:
            named = list(session.scalars(select(Account).where(Account.name == key)))
            if len(named) > 1:
                raise InvalidInput(f"姓名为“{key}”的账号不止一个，请改用登录名")
            account = named[0] if named else None
    if account is None:
        raise NotFound(f"未找到账号“{ref}”")
    return account


def actor_for(session: Session, ref: int | str) -> Actor:
    """The ``Actor`` an authenticated account acts as; inactive accounts may not act."""
    account = account_row(session, ref)
    if not account.active:
        raise PermissionDenied(f"账号“{account.login}”已停用")
    return Actor(
        name=account.name,
        role=account.role,
        account_id=account.id,
        enterprise_id=account.enterprise_id,
        team_id=account.team_id,
    )
