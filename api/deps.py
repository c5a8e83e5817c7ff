"""Dependencies of the routes: the app's services and who is calling (bearer token -> ``Actor``)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from api.ratelimit import client_address
from api.services import Services
from assistant.errors import Unauthenticated
from assistant.knowledge import Knowledge
from assistant.store.actors import Actor
from assistant.store.enums import AccountRole
from assistant.store.tokens import hash_token
from assistant.usecases.attachments import AttachmentDesk
from assistant.usecases.bookings import BookingDesk
from assistant.usecases.followup import CaseDesk, CreditDraftDesk, SpotCheckDesk
from assistant.usecases.inspections import InspectionDesk, ToleranceDesk
from assistant.usecases.library import LibraryDesk
from assistant.usecases.registry import AccountDesk, CreditDesk, NotificationDesk
from assistant.usecases.work import NoticeDesk, VisitDesk

bearer = HTTPBearer(auto_error=False, scheme_name="访问令牌",
                    description="质监站管理员签发的访问令牌（zj_ 开头），放在 Authorization: Bearer 之后")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="zhijian"'}

STAFF = (AccountRole.inspector, AccountRole.admin)
ADMIN = (AccountRole.admin,)
MEMBERS = (AccountRole.contractor, AccountRole.inspector, AccountRole.admin)


def get_services(request: Request) -> Services:
    return request.app.state.services


def current_actor(
    request: Request,
    creds: HTTPAuthorizationCredentials | None = Security(bearer),
    services: Services = Depends(get_services),
) -> Actor | None:
    """``None`` for an anonymous caller; 401 for a bad token; 429 for bad tokens beyond the address's budget."""
    if creds is None:
        if request.headers.get("authorization"):
            raise ApiError(401, "请使用 Authorization: Bearer <访问令牌> 的格式", "unauthenticated", headers=_CHALLENGE)
        return None
    key = hash_token(creds.credentials)
    cached = services.token_cache.get(key)
    if cached is not None:
        return cached
    try:
        actor = services.assistant.accounts.authenticate(creds.credentials)
    except Unauthenticated as exc:
        # Throttle the failures, never the verification: a valid token from a shared address (carrier NAT,
        # the station's one exit) still works while someone else's bad tokens are refused.
        failed = services.limits.hit("auth", client_address(request.scope))
        if not failed.allowed:
            services.metrics.rate_limited.labels(scope="auth").inc()
            raise ApiError(429, f"无效令牌尝试过多，请 {failed.retry_after} 秒后再试", "rate_limited",
                           headers={"Retry-After": str(failed.retry_after)}, retry_after=failed.retry_after) from None
        raise ApiError(401, exc.message, exc.code, headers=_CHALLENGE) from None
    services.token_cache.put(key, actor)
    return actor


def require(*roles: AccountRole) -> Callable[..., Actor]:
    """A dependency admitting signed-in callers of ``roles`` (any role when none are given)."""

    def dependency(actor: Actor | None = Depends(current_actor)) -> Actor:
        if actor is None:
            raise ApiError(401, "此功能需要登录：请在“我的”页面填写访问令牌，或在请求头中附带令牌", "unauthenticated",
                           headers=_CHALLENGE)
        if roles and actor.role not in roles:
            allowed = "、".join(r.label for r in roles)
            raise ApiError(403, f"您的账号角色（{actor.role.label}）无权进行此操作，仅限{allowed}", "forbidden")
        return actor

    return dependency



# The assistant's use-case desks, one dependency each, so a route's signature says what it works with.
def bookings_desk(services: Services = Depends(get_services)) -> BookingDesk:
    return services.assistant.bookings


def visits_desk(services: Services = Depends(get_services)) -> VisitDesk:
    return services.assistant.visits


def notices_desk(services: Services = Depends(get_services)) -> NoticeDesk:
    return services.assistant.notices


def notifications_desk(services: Services = Depends(get_services)) -> NotificationDesk:
    return services.assistant.notifications


def credit_desk(services: Services = Depends(get_services)) -> CreditDesk:
    return services.assistant.credit


def accounts_desk(services: Services = Depends(get_services)) -> AccountDesk:
    return services.assistant.accounts


def attachments_desk(services: Services = Depends(get_services)) -> AttachmentDesk:
    return services.assistant.attachments


def library_desk(services: Services = Depends(get_services)) -> LibraryDesk:
    return services.assistant.library


def knowledge(services: Services = Depends(get_services)) -> Knowledge:
    return services.assistant.knowledge


def tolerances_desk(services: Services = Depends(get_services)) -> ToleranceDesk:
    return services.assistant.tolerances


def inspections_desk(services: Services = Depends(get_services)) -> InspectionDesk:
    return services.assistant.inspections


def credit_drafts_desk(services: Services = Depends(get_services)) -> CreditDraftDesk:
    return services.assistant.credit_drafts


def cases_desk(services: Services = Depends(get_services)) -> CaseDesk:
    return services.assistant.cases


def spot_checks_desk(services: Services = Depends(get_services)) -> SpotCheckDesk:
    return services.assistant.spot_checks
