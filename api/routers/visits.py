"""Quality service team (质量服务团) visit requests: submit, queue, assign, record, close, withdraw."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response

from api.deps import MEMBERS, STAFF, require, visits_desk
from api.schemas import AssignIn, ReasonIn, VisitCloseIn, VisitIn, VisitRecordIn
from assistant.store.actors import Actor
from assistant.store.enums import AccountRole
from assistant.store.schemas import VisitDetail, VisitOut
from assistant.usecases.work import VisitContext, VisitDesk

router = APIRouter(prefix="/v1/visits", tags=["服务团上门服务"])
WITH_EXPERTS = (*MEMBERS, AccountRole.expert)
_404 = {404: {"description": "没有该申请"}, 403: {"description": "不是本企业的申请"}}


@router.get("", response_model=list[VisitOut], summary="服务申请列表",
            description="企业用户看到本单位的申请，专家看到派给自己的，工作人员看到全部。")
def list_(status: str | None = Query(None, max_length=32), visits: VisitDesk = Depends(visits_desk),
          actor: Actor = Depends(require(*WITH_EXPERTS))) -> list[VisitOut]:
    return visits.list(actor, status=status)


@router.get("/queue", response_model=list[VisitOut], summary="待派员队列（按优先级）")
def queue(visits: VisitDesk = Depends(visits_desk), _actor: Actor = Depends(require(*STAFF))) -> list[VisitOut]:
    return visits.queue()


@router.post("", response_model=VisitOut, status_code=201, summary="申请服务团上门服务")
def submit(body: VisitIn, response: Response, visits: VisitDesk = Depends(visits_desk),
           actor: Actor = Depends(require(*MEMBERS))) -> VisitOut:
    out = visits.submit(
            actor, topic=body.topic, description=body.description, contact_name=body.contact_name,
            contact_phone=body.contact_phone, enterprise=body.enterprise, project=body.project,
            preferred_dates=body.preferred_dates,
    )
    response.headers["Location"] = f"/v1/visits/{out.visit_no}"
    return out


@router.get("/{visit_no}", response_model=VisitDetail, summary="服务申请详情", responses=_404)
def detail(visit_no: str, visits: VisitDesk = Depends(visits_desk),
           actor: Actor = Depends(require(*WITH_EXPERTS))) -> VisitDetail:
    return visits.get(actor, visit_no)


@router.get("/{visit_no}/context", response_model=VisitContext, summary="服务企业概况（信用等级、未销项整改）",
            responses=_404)
def context(visit_no: str, visits: VisitDesk = Depends(visits_desk),
            actor: Actor = Depends(require(*WITH_EXPERTS))) -> VisitContext:
    return visits.context(actor, visit_no)


@router.post("/{visit_no}/release", response_model=VisitOut, summary="退回派遣（派遣的专家无法前往时）",
             description="退回后申请回到待派员队列，由工作人员重新派遣；须说明原因。", responses=_404)
def release(visit_no: str, body: ReasonIn, visits: VisitDesk = Depends(visits_desk),
            actor: Actor = Depends(require(*WITH_EXPERTS))) -> VisitOut:
    return visits.release(actor, visit_no, body.reason)


@router.post("/{visit_no}/assign", response_model=VisitOut, summary="派遣专家（工作人员）", responses=_404)
def assign(visit_no: str, body: AssignIn, visits: VisitDesk = Depends(visits_desk),
           actor: Actor = Depends(require(*STAFF))) -> VisitOut:
    return visits.assign(actor, visit_no, experts=body.experts, planned_date=body.planned_date)


@router.post("/{visit_no}/record", response_model=VisitOut, summary="登记上门服务意见（派遣的专家或工作人员）",
             responses=_404)
def record(visit_no: str, body: VisitRecordIn, visits: VisitDesk = Depends(visits_desk),
           actor: Actor = Depends(require(*WITH_EXPERTS))) -> VisitOut:
    return visits.record(actor, visit_no, findings=body.findings, visited_on=body.visited_on)


@router.post("/{visit_no}/close", response_model=VisitOut, summary="评价并办结（申请企业）", responses=_404)
def close(visit_no: str, body: VisitCloseIn, visits: VisitDesk = Depends(visits_desk),
          actor: Actor = Depends(require(*MEMBERS))) -> VisitOut:
    return visits.close(actor, visit_no, satisfaction=body.satisfaction, feedback=body.feedback)


@router.post("/{visit_no}/withdraw", response_model=VisitOut, summary="撤回申请", responses=_404)
def withdraw(visit_no: str, body: ReasonIn, visits: VisitDesk = Depends(visits_desk),
             actor: Actor = Depends(require(*MEMBERS))) -> VisitOut:
    return visits.withdraw(actor, visit_no, body.reason)
