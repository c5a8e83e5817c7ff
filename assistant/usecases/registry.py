"""Who is who: accounts and their tokens, chat bindings, and enterprise credit lookups."""

from __future__ import annotations

from datetime import date

from assistant.store import accounts, bindings, deliveries, notify, tokens
from assistant.store.actors import Actor
from assistant.store.bindings import BindingOut, IssuedCode
from assistant.store.credit import credit_lookup
from assistant.store.deliveries import DeadLetter, OutboxStatus
from assistant.store.enterprises import enterprise_row
from assistant.store.errors import PermissionDenied
from assistant.store.notify import NotificationOut, Preferences
from assistant.store.schemas import AccountOut, CreditFull, CreditPublic
from assistant.store.tokens import IssuedToken, TokenOut
from assistant.usecases.runtime import Runtime


class AccountDesk:
    """Accounts, API tokens and one-time chat binding codes (admins and, for codes, inspectors)."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def authenticate(self, token: str) -> Actor:
        """The ``Actor`` behind a bearer token; ``Unauthenticated`` otherwise."""
        with self._rt.session() as s:
            return tokens.authenticate(s, token, now=self._rt.now())

    def actor(self, login: str) -> Actor:
        """Act as the account ``login`` (the command line's --as)."""
        with self._rt.session() as s:
            return accounts.actor_for(s, login)

    def enterprise_name(self, actor: Actor) -> str | None:
        if actor.enterprise_id is None:
            return None
        with self._rt.session() as s:
            return enterprise_row(s, actor.enterprise_id).name

    def list(self, *, role: str | None = None) -> list[AccountOut]:
        with self._rt.session() as s:
            return accounts.list_accounts(s, role=role)

    def create(self, actor: Actor, *, login: str, name: str, role: str, enterprise: int | str | None = None,
               team: int | str | None = None, phone: str = "") -> AccountOut:
        with self._rt.session() as s:
            return accounts.create_account(s, actor, login=login, name=name, role=role, enterprise=enterprise,
                                           team=team, phone=phone)

    def staff(self, role: str) -> list[AccountOut]:
        """Active accounts of one station role (inspector, expert), for assigning people to work."""
        return [a for a in self.list(role=role) if a.active]

    def list_bindings(self) -> list[BindingOut]:
        """Chat identities bound to accounts (admins)."""
        with self._rt.session() as s:
            return bindings.list_bindings(s)

    def tokens(self, *, account: str | None = None, include_revoked: bool = False) -> list[TokenOut]:
        with self._rt.session() as s:
            return tokens.list_tokens(s, account=account, include_revoked=include_revoked, now=self._rt.now())

    def issue_token(self, actor: Actor, login: str, *, label: str = "", expires_days: int | None = None
                    ) -> IssuedToken:
        with self._rt.session() as s:
            return tokens.issue_token(s, actor, login, label=label, expires_days=expires_days, now=self._rt.now())

    def revoke_token(self, actor: Actor, ref: int | str) -> TokenOut:
        with self._rt.session() as s:
            return tokens.revoke_token(s, actor, ref, now=self._rt.now())

    def issue_binding_code(self, actor: Actor, login: str, *, hours: int = bindings.DEFAULT_HOURS) -> IssuedCode:
        with self._rt.session() as s:
            return bindings.issue_code(s, actor, login, hours=hours, now=self._rt.now())


class BindingDesk:
    """What a chat channel needs to know who writes: resolve, redeem a one-time code, show, end."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    @staticmethod
    def looks_like_code(text: str) -> bool:
        return bindings.looks_like_code(text)

    def actor_for(self, channel: str, external_id: int | str) -> Actor | None:
        with self._rt.session() as s:
            return bindings.actor_for_binding(s, channel, str(external_id))

    def redeem(self, channel: str, external_id: int | str, code: str, display_name: str = "") -> BindingOut:
        """Bind with a one-time code; a ``StoreError`` with a Chinese reason when the code is no good."""
        with self._rt.session() as s:
            return bindings.redeem_code(s, channel, str(external_id), code, display_name=display_name,
                                        now=self._rt.now())

    def status(self, channel: str, external_id: int | str) -> BindingOut | None:
        with self._rt.session() as s:
            return bindings.binding_for(s, channel, str(external_id))

    def unbind(self, channel: str, external_id: int | str) -> BindingOut | None:
        with self._rt.session() as s:
            return bindings.unbind_self(s, channel, str(external_id), now=self._rt.now())

    @staticmethod
    def describe(b: BindingOut) -> str:
        """'示例建工集团有限公司 · 示例建工联系人（企业用户）' — what a user is told they are bound as."""
        firm = f"{b.enterprise_name} · " if b.enterprise_name else ""
        return f"{firm}{b.name}（{b.role_label}）"


class NotificationDesk:
    """In-page notices of the signed-in person (the same notifications the outbox sends to chat channels)."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def mine(self, actor: Actor, *, unread_only: bool = False, limit: int = 50) -> list[NotificationOut]:
        if actor.account_id is None:
            return []
        with self._rt.session() as s:
            return notify.list_for(s, actor.account_id, unread_only=unread_only, limit=limit)

    def unread(self, actor: Actor) -> int:
        if actor.account_id is None:
            return 0
        with self._rt.session() as s:
            return notify.unread_count(s, actor.account_id)

    def mark_read(self, actor: Actor, ids: list[int] | None = None) -> int:
        if actor.account_id is None:
            return 0
        with self._rt.session() as s:
            return notify.mark_read(s, actor.account_id, ids, at=self._rt.now())

    # -- what is pushed to chat --------------------------------------------------------------------
    @staticmethod
    def kinds() -> dict[str, str]:
        """Every kind of notice and its Chinese label."""
        return dict(notify.KINDS)

    def preferences(self, actor: Actor) -> Preferences:
        """Which kinds the person has muted (not pushed to chat; still listed in the page)."""
        if actor.account_id is None:
            return notify.preferences_of(set())
        with self._rt.session() as s:
            return notify.preferences(s, actor.account_id)

    def set_muted(self, actor: Actor, kinds: list[str]) -> Preferences:
        if actor.account_id is None:
            raise PermissionDenied("没有账号的身份不能设置提醒")
        with self._rt.session() as s:
            return notify.set_muted(s, actor.account_id, kinds, at=self._rt.now())

    # -- administration ----------------------------------------------------------------------------
    def dead_letters(self, actor: Actor, *, limit: int = 100) -> list[DeadLetter]:
        """Deliveries that gave up, with the reason (admins)."""
        with self._rt.session() as s:
            return deliveries.dead_letters(s, actor, limit=limit)

    def retry(self, actor: Actor, ids: list[int] | None = None) -> int:
        """Queue dead letters again (all of them when ``ids`` is None); admins."""
        with self._rt.session() as s:
            return deliveries.retry_dead(s, actor, ids, now=self._rt.now())

    def outbox_status(self) -> OutboxStatus:
        with self._rt.session() as s:
            return deliveries.status(s)


class CreditDesk:
    """Enterprise credit: grade and supervision mode for anyone, the breakdown for staff and the firm itself."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def lookup(self, actor: Actor | None, query: str, *, as_of: date | None = None) -> CreditPublic | CreditFull:
        with self._rt.session() as s:
            return credit_lookup(s, query, actor=actor, rules=self._rt.rules, as_of=as_of, now=self._rt.now())
