"""What follows from inspections: credit drafts to confirm, the station's published cases, random-check draws."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from api.deps import STAFF, cases_desk, credit_drafts_desk, require, spot_checks_desk
from api.schemas import In, as_ref
from assistant.store.actors import Actor
from assistant.store.loop_schemas import CreditDraftOut, DrawDetail, DrawOut, PublishedCaseOut
from assistant.usecases.followup import CaseDesk, CreditDraftDesk, SpotCheckDesk

router = APIRouter(tags=["信用草稿、本站案例与双随机"])


class ConfirmIn(In):
    points: float | None = Field(default=None, gt=0, le=100, description="改动分值（不填按草稿）")
    expires_on: date | None = Field(default=None, description="有效期截止日期（不填按规则计算）")
    reason: str | None = Field(default=None, max_length=2000, description="改动事由（不填按草稿）")


class RejectIn(In):
    note: str = Field(min_length=1, max_length=2000, description="驳回理由")


class DrawIn(In):
    period_start: date
    period_end: date
    seed: str | None = Field(default=None, max_length=40, description="随机种子；不填则自动生成并记录")
    ratios: dict[str, float] | None = Field(default=None, description="各信用等级的抽查比例（%），须在规定范围内")
    inspectors_per_project: int | None = Field(default=None, ge=1, le=10)
    note: str = Field(default="", max_length=1000)


@router.get("/v1/credit/drafts", response_model=list[CreditDraftOut], summary="待确认的信用记录草稿（工作人员）",
            description="由逾期、重新下发、按期销号、检查无问题等事件起草；确认后才计入信用分。")
def drafts(status: str | None = Query("pending", max_length=16), enterprise: str | None = Query(None, max_length=200),
           desk: CreditDraftDesk = Depends(credit_drafts_desk),
           actor: Actor = Depends(require(*STAFF))) -> list[CreditDraftOut]:
    return desk.list(actor, status=status or None, enterprise=as_ref(enterprise))


@router.post("/v1/credit/drafts/{draft_id}/confirm", response_model=CreditDraftOut, summary="确认草稿，计入信用")
def confirm(draft_id: int, body: ConfirmIn, desk: CreditDraftDesk = Depends(credit_drafts_desk),
            actor: Actor = Depends(require(*STAFF))) -> CreditDraftOut:
    return desk.confirm(actor, draft_id, points=body.points, expires_on=body.expires_on, reason=body.reason)


@router.post("/v1/credit/drafts/{draft_id}/reject", response_model=CreditDraftOut, summary="驳回草稿")
def reject(draft_id: int, body: RejectIn, desk: CreditDraftDesk = Depends(credit_drafts_desk),
           actor: Actor = Depends(require(*STAFF))) -> CreditDraftOut:
    return desk.reject(actor, draft_id, body.note)


@router.get("/v1/cases", response_model=list[PublishedCaseOut], summary="本站发布的案例（工作人员）")
def cases(desk: CaseDesk = Depends(cases_desk), actor: Actor = Depends(require(*STAFF))) -> list[PublishedCaseOut]:
    return desk.list(actor)


@router.get("/v1/spot-checks", response_model=list[DrawOut], summary="双随机抽查批次（工作人员）")
def draws(desk: SpotCheckDesk = Depends(spot_checks_desk), actor: Actor = Depends(require(*STAFF))) -> list[DrawOut]:
    return desk.list(actor)


@router.post("/v1/spot-checks", response_model=DrawDetail, status_code=201, summary="抽取双随机检查对象",
             description="按施工单位信用等级和各等级抽查比例抽取工程，并从在岗监督员中抽取检查人员；"
                         "种子和抽取范围一并保存，可复核（replay_ok）。")
def draw(body: DrawIn, response: Response, desk: SpotCheckDesk = Depends(spot_checks_desk),
         actor: Actor = Depends(require(*STAFF))) -> DrawDetail:
    out = desk.create(actor, period_start=body.period_start, period_end=body.period_end, seed=body.seed,
                      ratios=body.ratios, inspectors_per_project=body.inspectors_per_project, note=body.note)
    response.headers["Location"] = f"/v1/spot-checks/{out.draw_no}"
    return out


@router.get("/v1/spot-checks/{draw_no}", response_model=DrawDetail, summary="抽查批次详情（含复核）",
            responses={404: {"description": "没有该批次"}})
def draw_detail(draw_no: str, desk: SpotCheckDesk = Depends(spot_checks_desk),
                actor: Actor = Depends(require(*STAFF))) -> DrawDetail:
    return desk.get(actor, draw_no)
