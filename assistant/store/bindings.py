"""Binding chat-channel identities to accounts with one-time codes.

An admin (any account) or an inspector (enterprise accounts only) issues a code;
the person sends it to the bot, which redeems it for their channel identity
(``channel="telegram"``, ``external_id`` = the Telegram user id). From then on
that identity acts as the account: role and enterprise are read from the
account at every message, so deactivating the account stops the binding too.

Codes are 8 characters from an alphabet without look-alikes (no 0/O, 1/I),
shown as ``ABCD-EFGH``; only their SHA-256 is stored, a code works once, and
issuing a new code for an account voids its earlier unused ones.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.store import audit
from assistant.store.accounts import account_row
from assistant.store.actors import Actor, require_staff
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import AccountRole
from assistant.store.errors import InvalidInput, NotFound, PermissionDenied
from assistant.store.models import Account, BindingCode, ChannelBinding
from assistant.store.models.base import utcnow
from assistant.store.schemas import Out

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LEN = 8
DEFAULT_HOURS = 72
MAX_HOURS = 24 * 30
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{{CODE_LEN}}}$")


class BindingOut(Out):
    id: int
    channel: str
    external_id: str
    display_name: str
    account_id: int
    login: str
    name: str
    role: str
    role_label: str
    enterprise_id: int | None
    enterprise_name: str | None
    created_at: datetime


class IssuedCode(BaseModel):
    """The only time the plain code exists outside the person it is given to."""

    code: str
    account_id: int
    login: str
    name: str
    role_label: str
    enterprise_name: str | None
    expires_at: datetime


def normalize_code(text: str) -> str:
    """'abcd efgh' / 'ABCD-EFGH' -> 'ABCDEFGH' (what is hashed)."""
    return re.sub(r"[\s\-_－—]", "", (text or "")).upper()


def looks_like_code(text: str) -> bool:
    return bool(_CODE_RE.match(normalize_code(text)))


def format_code(raw: str) -> str:
    return f"{raw[:4]}-{raw[4:]}"


def hash_code(text: str) -> str:
    return hashlib.sha256(normalize_code(text).encode("ascii", "ignore")).hexdigest()


def _enterprise_name(session: Session, account: Account) -> str | None:
    return enterprise_row(session, account.enterprise_id).name if account.enterprise_id else None


def to_out(session: Session, b: ChannelBinding) -> BindingOut:
    a = b.account
    return BindingOut(
        id=b.id, channel=b.channel, external_id=b.external_id, display_name=b.display_name, account_id=a.id,
        login=a.login, name=a.name, role=a.role.value, role_label=a.role.label, enterprise_id=a.enterprise_id,
        enterprise_name=_enterprise_name(session, a), created_at=b.created_at,
    )


def issue_code(session: Session, actor: Actor, account: int | str, *, hours: int = DEFAULT_HOURS,
               now: datetime | None = None) -> IssuedCode:
    """A one-time binding code for ``account``: admins for any account, inspectors for enterprise accounts."""
    require_staff(actor, "签发绑定码")
    now = now or utcnow()
    row = account_row(session, account)
    if actor.role != AccountRole.admin and row.role != AccountRole.contractor:
        raise PermissionDenied("监督员只能为企业用户签发绑定码，其他账号请由管理员签发")
    if not row.active:
        raise InvalidInput(f"账号“{row.login}”已停用，不能签发绑定码")
    if row.role == AccountRole.contractor and row.enterprise_id is None:
        raise InvalidInput(f"账号“{row.login}”未关联企业，不能绑定")
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(f"绑定码有效期应为1到{MAX_HOURS}小时")
    for old in session.scalars(select(BindingCode).where(
            BindingCode.account_id == row.id, BindingCode.used_at.is_(None), BindingCode.expires_at > now)):
        old.expires_at = now  # only the newest code of an account works
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))
    code = BindingCode(code_hash=hash_code(raw), account_id=row.id, created_by=actor.name[:64], created_at=now,
                       expires_at=now + timedelta(hours=hours), used_by="")
    session.add(code)
    session.flush()
    audit.record(session, actor, "binding_code", code.id, "create", at=now,
                 detail={"account": row.login, "hours": hours})
    return IssuedCode(code=format_code(raw), account_id=row.id, login=row.login, name=row.name,
                      role_label=row.role.label, enterprise_name=_enterprise_name(session, row),
                      expires_at=code.expires_at)


def redeem_code(session: Session, channel: str, external_id: str, code: str, *, display_name: str = "",
                now: datetime | None = None) -> BindingOut:
    """Tie ``channel``/``external_id`` to the code's account (replacing an earlier binding); the code is spent."""
    now = now or utcnow()
    if not looks_like_code(code):
        raise InvalidInput("绑定码格式不对：应为8位字母和数字，如 ABCD-EFGH")
    row = session.scalars(select(BindingCode).where(BindingCode.code_hash == hash_code(code))
                          .with_for_update()).one_or_none()
    if row is None or row.used_at is not None:
        raise InvalidInput("绑定码无效或已被使用，请向质监站管理员或监督员重新领取")
    if row.expires_at <= now:
        raise InvalidInput("绑定码已过期，请向质监站管理员或监督员重新领取")
    account = row.account
    if not account.active:
        raise InvalidInput(f"账号“{account.login}”已停用，不能绑定")
    who = f"{channel}:{external_id}"
    row.used_at, row.used_by = now, who[:96]
    binding = session.scalars(select(ChannelBinding).where(
        ChannelBinding.channel == channel, ChannelBinding.external_id == external_id)).one_or_none()
    if binding is None:
        binding = ChannelBinding(channel=channel, external_id=external_id, created_at=now)
        session.add(binding)
    binding.account_id, binding.display_name, binding.created_at = account.id, display_name[:128], now
    session.flush()
    session.refresh(binding)
    me = Actor(name=account.name, role=account.role, account_id=account.id, enterprise_id=account.enterprise_id,
               team_id=account.team_id)
    audit.record(session, me, "channel_binding", binding.id, "create", at=now,
                 detail={"channel": channel, "account": account.login})
    return to_out(session, binding)


def binding_for(session: Session, channel: str, external_id: str) -> BindingOut | None:
    row = session.scalars(select(ChannelBinding).options(selectinload(ChannelBinding.account)).where(
        ChannelBinding.channel == channel, ChannelBinding.external_id == external_id)).one_or_none()
    return None if row is None else to_out(session, row)


def actor_for_binding(session: Session, channel: str, external_id: str) -> Actor | None:
    """The ``Actor`` a channel identity acts as; None when unbound or the account is inactive."""
    row = session.scalars(select(ChannelBinding).options(selectinload(ChannelBinding.account)).where(
        ChannelBinding.channel == channel, ChannelBinding.external_id == external_id)).one_or_none()
    if row is None or not row.account.active:
        return None
    a = row.account
    return Actor(name=a.name, role=a.role, account_id=a.id, enterprise_id=a.enterprise_id, team_id=a.team_id)


def list_bindings(session: Session, *, account: int | str | None = None, channel: str | None = None
                  ) -> list[BindingOut]:
    stmt = select(ChannelBinding).options(selectinload(ChannelBinding.account)).order_by(ChannelBinding.id)
    if account is not None:
        stmt = stmt.where(ChannelBinding.account_id == account_row(session, account).id)
    if channel is not None:
        stmt = stmt.where(ChannelBinding.channel == channel)
    return [to_out(session, b) for b in session.scalars(stmt)]


def unbind(session: Session, actor: Actor, binding_id: int, *, now: datetime | None = None) -> BindingOut:
    """Remove a binding: staff for anyone's, a person for their own."""
    row = session.get(ChannelBinding, binding_id)
    if row is None:
        raise NotFound(f"未找到绑定记录 {binding_id}")
    if not (actor.is_staff or actor.account_id == row.account_id):
        raise PermissionDenied("只能解除本人的绑定")
    out = to_out(session, row)
    session.delete(row)
    session.flush()
    audit.record(session, actor, "channel_binding", binding_id, "revoke", at=now or utcnow(),
                 detail={"channel": out.channel, "account": out.login})
    return out


def unbind_self(session: Session, channel: str, external_id: str, *, now: datetime | None = None
                ) -> BindingOut | None:
    """A person ends their own binding (the bot's /unbind); None when there was none."""
    row = session.scalars(select(ChannelBinding).where(
        ChannelBinding.channel == channel, ChannelBinding.external_id == external_id)).one_or_none()
    if row is None:
        return None
    a = row.account
    me = Actor(name=a.name, role=a.role, account_id=a.id, enterprise_id=a.enterprise_id, team_id=a.team_id)
    return unbind(session, me, row.id, now=now)
