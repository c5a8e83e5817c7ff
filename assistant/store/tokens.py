"""API tokens: issue, authenticate, revoke, list — and demo tokens for the demo seed.

A token is ``zj_`` + 43 URL-safe random characters (256 bits). Only its SHA-256
is stored, so a copy of the database grants nothing; the plain token is shown
once, when issued. A token acts as its account: role, enterprise and team come
from the account at each request, so deactivating an account stops its tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.store import audit, checks
from assistant.store.accounts import account_row
from assistant.store.actors import Actor
from assistant.store.enums import AccountRole
from assistant.store.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied, StoreError
from assistant.store.models import Account, ApiToken
from assistant.store.models.base import utcnow
from assistant.store.schemas import Out

TOKEN_PREFIX = "zj_"
DISPLAY_PREFIX_LEN = 10
DEMO_LABEL = "演示令牌"
# last_used_at is written at most this often per token, so reads stay reads.
TOUCH_INTERVAL = timedelta(minutes=5)
TOKEN_ROLES = (AccountRole.contractor, AccountRole.inspector, AccountRole.expert, AccountRole.admin)
# Demo accounts of ``assistant.store.seed`` that get a demo token, by role.
DEMO_ACCOUNTS = {"admin": "admin", "inspector": "zhang", "contractor": "jiangong", "expert": "zhao"}


class Unauthenticated(StoreError):
    """Missing, unknown, expired or revoked token."""

    status = 401
    code = "unauthenticated"


class TokenOut(Out):
    id: int
    prefix: str
    account_id: int
    login: str
    name: str
    role: str
    role_label: str
    enterprise_id: int | None
    label: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool


class IssuedToken(BaseModel):
    """The only time the plain token exists outside the client."""

    token: str
    info: TokenOut


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def _active(t: ApiToken, now: datetime) -> bool:
    return t.revoked_at is None and (t.expires_at is None or t.expires_at > now) and t.account.active


def to_out(t: ApiToken, now: datetime | None = None) -> TokenOut:
    a = t.account
    return TokenOut(
        id=t.id, prefix=t.prefix, account_id=a.id, login=a.login, name=a.name, role=a.role.value,
        role_label=a.role.label, enterprise_id=a.enterprise_id, label=t.label, created_by=t.created_by,
        created_at=t.created_at, expires_at=t.expires_at, last_used_at=t.last_used_at, revoked_at=t.revoked_at,
        active=_active(t, now or utcnow()),
    )


def _require_admin(actor: Actor, what: str) -> None:
    if actor.role != AccountRole.admin:
        raise PermissionDenied(f"只有管理员可以{what}")


def issue_token(
    session: Session,
    actor: Actor,
    account: int | str,
    *,
    label: str = "",
    expires_days: int | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """A new token for ``account`` (admins only); the plain token is in the result and nowhere else."""
    _require_admin(actor, "签发访问令牌")
    now = now or utcnow()
    row = account_row(session, account)
    if not row.active:
        raise InvalidInput(f"账号“{row.login}”已停用，不能签发令牌")
    if row.role not in TOKEN_ROLES:
        raise InvalidInput(f"账号“{row.login}”的角色不能使用访问令牌")
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise InvalidInput("令牌有效期应为1到3650天")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=hash_token(plain), prefix=plain[:DISPLAY_PREFIX_LEN], account_id=row.id,
        label=checks.text(label, "令牌说明", max_len=100, required=False), created_by=actor.name[:64],
        created_at=now, expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(token)
    session.flush()
    session.refresh(token)
    audit.record(session, actor, "api_token", token.id, "create", at=now,
                 detail={"account": row.login, "label": token.label})
    return IssuedToken(token=plain, info=to_out(token, now))


def authenticate(session: Session, token: str, *, now: datetime | None = None) -> Actor:
    """The ``Actor`` behind a bearer token; ``Unauthenticated`` (nothing said about why) otherwise."""
    now = now or utcnow()
    plain = (token or "").strip()
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        raise Unauthenticated("访问令牌无效，请检查后重新输入")
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(plain)).options(selectinload(ApiToken.account))
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("访问令牌无效或已被撤销，请向质监站管理员申请新令牌")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthenticated("访问令牌已过期，请向质监站管理员申请新令牌")
    account = row.account
    if not account.active:
        raise Unauthenticated(f"账号“{account.login}”已停用")
    if row.last_used_at is None or now - row.last_used_at > TOUCH_INTERVAL:
        row.last_used_at = now
        session.flush()
    return Actor(name=account.name, role=account.role, account_id=account.id,
                 enterprise_id=account.enterprise_id, team_id=account.team_id)


def _token_row(session: Session, ref: int | str) -> ApiToken:
    if isinstance(ref, int) or str(ref).isdecimal():
        row = session.get(ApiToken, int(ref))
    else:
        key = str(ref).strip()
        rows = list(session.scalars(select(ApiToken).where(ApiToken.prefix == key[:DISPLAY_PREFIX_LEN])))
        if len(rows) > 1:
            raise InvalidInput(f"前缀为“{key}”的令牌不止一个，请改用令牌编号")
        row = rows[0] if rows else None
    if row is None:
        raise NotFound(f"未找到令牌“{ref}”")
    return row


def revoke_token(session: Session, actor: Actor, ref: int | str, *, now: datetime | None = None) -> TokenOut:
    """Stop a token at once (by id or its displayed prefix); revoking twice is an error."""
    _require_admin(actor, "撤销访问令牌")
    now = now or utcnow()
    row = _token_row(session, ref)
    if row.revoked_at is not None:
        raise IllegalTransition(f"令牌 {row.prefix}… 已于 {row.revoked_at:%Y-%m-%d} 撤销")
    row.revoked_at = now
    session.flush()
    audit.record(session, actor, "api_token", row.id, "revoke", at=now, detail={"account": row.account.login})
    return to_out(row, now)


def list_tokens(session: Session, *, account: int | str | None = None, include_revoked: bool = False,
                now: datetime | None = None) -> list[TokenOut]:
    stmt = select(ApiToken).options(selectinload(ApiToken.account)).order_by(ApiToken.id)
    if account is not None:
        stmt = stmt.where(ApiToken.account_id == account_row(session, account).id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return [to_out(t, now) for t in session.scalars(stmt)]


def seed_demo_tokens(session: Session, *, now: datetime | None = None) -> dict[str, str]:
    """Fresh demo tokens (role -> plain token) for the demo accounts; earlier demo tokens are revoked.

    Call after ``assistant.store.seed.seed_demo``; roles whose demo account is missing are skipped.
    """
    now = now or utcnow()
    system = Actor.system("演示数据")
    logins = list(DEMO_ACCOUNTS.values())
    old = session.scalars(
        select(ApiToken).join(Account).where(
            Account.login.in_(logins), ApiToken.label == DEMO_LABEL, ApiToken.revoked_at.is_(None)
        )
    )
    for t in old:
        t.revoked_at = now
    session.flush()
    out: dict[str, str] = {}
    for role, login in DEMO_ACCOUNTS.items():
        if session.scalar(select(Account.id).where(Account.login == login)) is None:
            continue
        out[role] = issue_token(session, system, login, label=DEMO_LABEL, now=now).token
    return out
