"""Who am I, what the station offers, accounts and tokens (admins), the unanswered-questions report."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Path, Query, Response

from api.deps import ADMIN, STAFF, accounts_desk, current_actor, get_services, require
from api.errors import ApiError
from api.schemas import AccountIn, MeOut, MetaOut, TokenIn
from api.services import Services
from assistant.config import SettingView
from assistant.feedback import UnansweredReport
from assistant.store.actors import Actor
from assistant.store.bindings import BindingOut, IssuedCode
from assistant.store.schemas import AccountOut
from assistant.store.tokens import IssuedToken, TokenOut
from assistant.usecases.registry import AccountDesk

router = APIRouter(prefix="/v1", tags=["账号与管理"])


@router.get("/me", response_model=MeOut, summary="当前身份", description="未带令牌时 authenticated 为 false。")
def me(accounts: AccountDesk = Depends(accounts_desk), actor: Actor | None = Depends(current_actor)) -> MeOut:
    if actor is None:
        return MeOut(authenticated=False)
    name = accounts.enterprise_name(actor)
    return MeOut(authenticated=True, name=actor.name, role=actor.role.value, role_label=actor.role.label,
                 account_id=actor.account_id, enterprise_id=actor.enterprise_id, enterprise_name=name)


@router.get("/meta", response_model=MetaOut, summary="质监站信息与可选事项")
def meta(services: Services = Depends(get_services)) -> MetaOut:
    s, rules = services.settings, services.assistant.rules
    return MetaOut(station_name=s.station_name, station_phone=s.station_phone, station_address=s.station_address,
                   milestones=list(rules.milestones), lead_days={m: rules.lead_for(m) for m in rules.milestones},
                   visit_topics=list(rules.visit_topics))


@router.get("/accounts", response_model=list[AccountOut], summary="账号列表（管理员）")
def list_accounts(role: str | None = Query(None, max_length=32), accounts: AccountDesk = Depends(accounts_desk),
                  _actor: Actor = Depends(require(*ADMIN))) -> list[AccountOut]:
    return accounts.list(role=role)


@router.post("/accounts", response_model=AccountOut, status_code=201, summary="开设账号（管理员）")
def create_account(body: AccountIn, accounts: AccountDesk = Depends(accounts_desk),
                   actor: Actor = Depends(require(*ADMIN))) -> AccountOut:
    return accounts.create(actor, login=body.login, name=body.name, role=body.role, enterprise=body.enterprise,
                           team=body.team, phone=body.phone)


@router.get("/staff", response_model=list[AccountOut], summary="在岗人员（监督员、专家），供排期和派遣选择",
            description="role 为 inspector（监督员）或 expert（服务团专家）。限监督员和管理员。")
def staff(role: str = Query("inspector", pattern="^(inspector|expert)$"), accounts: AccountDesk = Depends(accounts_desk),
          _actor: Actor = Depends(require(*STAFF))) -> list[AccountOut]:
    return accounts.staff(role)


@router.get("/bindings", response_model=list[BindingOut], summary="聊天绑定列表（管理员）")
def list_bindings(accounts: AccountDesk = Depends(accounts_desk),
                  _actor: Actor = Depends(require(*ADMIN))) -> list[BindingOut]:
    return accounts.list_bindings()


@router.get("/settings", response_model=list[SettingView], summary="质监站设置（只读，管理员）",
            description="当前生效的全部设置及其环境变量名；密钥只显示是否已设置。修改请改环境变量后重启服务。")
def settings(services: Services = Depends(get_services), _actor: Actor = Depends(require(*ADMIN))) -> list[SettingView]:
    return services.assistant.settings_view()


@router.get("/tokens", response_model=list[TokenOut], summary="访问令牌列表（管理员；只显示前缀）")
def list_tokens(include_revoked: bool = False, accounts: AccountDesk = Depends(accounts_desk),
                _actor: Actor = Depends(require(*ADMIN))) -> list[TokenOut]:
    return accounts.tokens(include_revoked=include_revoked)


@router.post("/accounts/{login}/tokens", response_model=IssuedToken, status_code=201,
             summary="为账号签发访问令牌（管理员）", description="令牌只在此次响应中出现一次，请妥善转交。")
def issue_token(login: str, body: TokenIn, response: Response, accounts: AccountDesk = Depends(accounts_desk),
                actor: Actor = Depends(require(*ADMIN))) -> IssuedToken:
    if len(login) > 64:
        raise ApiError(404, "未找到该账号", "not_found")
    issued = accounts.issue_token(actor, login, label=body.label, expires_days=body.expires_days)
    response.headers["Cache-Control"] = "no-store"
    return issued


@router.post("/accounts/{login}/binding-code", response_model=IssuedCode, status_code=201,
             summary="签发聊天绑定码（监督员、管理员）",
             description="一次性绑定码：企业用户在 Telegram 机器人中发送“/bind 绑定码”即以该账号办理业务；"
                         "监督员只能为企业用户签发，新码签发后旧码作废。")
def issue_binding_code(login: str, response: Response, hours: int = Query(72, ge=1, le=720),
                       accounts: AccountDesk = Depends(accounts_desk),
                       actor: Actor = Depends(require(*STAFF))) -> IssuedCode:
    if len(login) > 64:
        raise ApiError(404, "未找到该账号", "not_found")
    issued = accounts.issue_binding_code(actor, login, hours=hours)
    response.headers["Cache-Control"] = "no-store"
    return issued


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="撤销访问令牌（管理员）",
               responses={404: {"description": "没有该令牌"}})
def revoke_token(token_id: int = Path(ge=1, le=2_147_483_647), services: Services = Depends(get_services),
                 actor: Actor = Depends(require(*ADMIN))) -> TokenOut:
    out = services.assistant.accounts.revoke_token(actor, token_id)
    services.token_cache.clear()  # a revoked token stops working at once in this process
    return out


@router.get("/reports/unanswered", response_model=UnansweredReport, summary="未能回答的问题（按频次）",
            description="一段时间内知识库答不上的问题及主题，按出现次数排列；默认最近30天。限监督员和管理员。")
def unanswered(since: date | None = None, until: date | None = None, limit: int = Query(50, ge=1, le=500),
               services: Services = Depends(get_services),
               _actor: Actor = Depends(require(*STAFF))) -> UnansweredReport:
    if since and until and since > until:
        raise ApiError(422, "起始日期不能晚于截止日期", "validation_failed")
    return services.assistant.report(since, until, limit=limit)
