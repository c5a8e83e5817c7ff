"""Who is acting: every service that changes data takes an ``Actor`` for the audit log and permissions."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.store.enums import AccountRole
from assistant.store.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The person (or the station's own tooling) behind a call."""

    name: str
    role: AccountRole
    account_id: int | None = None
    enterprise_id: int | None = None
    team_id: int | None = None

    @classmethod
    def system(cls, name: str = "系统") -> Actor:
        """The station itself (CLI, seeding, scheduled jobs): admin rights, no account row."""
        return cls(name=name, role=AccountRole.admin)

    @property
    def is_staff(self) -> bool:
        """Station staff: inspectors and admins."""
        return self.role in (AccountRole.inspector, AccountRole.admin)

    def acts_for(self, enterprise_id: int) -> bool:
        return self.role == AccountRole.contractor and self.enterprise_id == enterprise_id


def require_staff(actor: Actor, what: str) -> None:
    if not actor.is_staff:
        raise PermissionDenied(f"只有质监站监督员或管理员可以{what}")


def require_staff_or_member(actor: Actor, enterprise_id: int, what: str) -> None:
    """Staff, or a contractor account of the enterprise concerned."""
    if not (actor.is_staff or actor.acts_for(enterprise_id)):
        raise PermissionDenied(f"只有本企业用户或质监站工作人员可以{what}")
