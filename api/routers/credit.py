"""Enterprise credit: grade and supervision mode for anyone, the breakdown for staff and the firm itself."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from api.deps import credit_desk, current_actor
from assistant.store.actors import Actor
from assistant.store.schemas import CreditFull, CreditPublic
from assistant.usecases.registry import CreditDesk

router = APIRouter(prefix="/v1", tags=["企业信用"])


@router.get(
    "/credit",
    response_model=CreditFull | CreditPublic,
    summary="查询企业信用等级与监管方式",
    description="输入企业名称（可近似）或18位统一社会信用代码。任何人可见等级和监管方式；"
                "本企业用户和质监站工作人员另可见信用分与记录明细（view=full）。",
    responses={404: {"description": "未找到企业"}, 409: {"description": "名称与多家企业相近"}},
)
def credit(q: str = Query(min_length=1, max_length=200, description="企业名称或统一社会信用代码"),
           desk: CreditDesk = Depends(credit_desk),
           actor: Actor | None = Depends(current_actor)) -> CreditFull | CreditPublic:
    return desk.lookup(actor, q)
