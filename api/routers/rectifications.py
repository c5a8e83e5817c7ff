"""Rectification notices (整改通知单): issue, reply, re-inspect."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response

from api.deps import MEMBERS, STAFF, notices_desk, require
from api.schemas import NoticeIn, NoticeReplyIn, ReinspectIn, as_ref
from assistant.store.actors import Actor
from assistant.store.schemas import NoticeDetail, NoticeOut
from assistant.usecases.work import NoticeDesk

router = APIRouter(prefix="/v1/rectifications", tags=["整改通知"])
_404 = {404: {"description": "没有该通知单"}, 403: {"description": "不是本企业参建工程的通知单"}}


@router.get("", response_model=list[NoticeOut], summary="整改通知单列表",
            description="企业用户看到本单位负责整改的通知单；工作人员看到全部。")
def list_(project: str | None = Query(None, max_length=200), status: str | None = Query(None, max_length=32),
          open_only: bool = False, notices: NoticeDesk = Depends(notices_desk),
          actor: Actor = Depends(require(*MEMBERS))) -> list[NoticeOut]:
    return notices.list(actor, project=as_ref(project), status=status, open_only=open_only)


@router.post("", response_model=NoticeOut, status_code=201, summary="下发整改通知单（工作人员）")
def issue(body: NoticeIn, response: Response, notices: NoticeDesk = Depends(notices_desk),
          actor: Actor = Depends(require(*STAFF))) -> NoticeOut:
    out = notices.issue(
            actor, project=body.project, problem=body.problem, deadline=body.deadline, cited_code=body.cited_code,
            cited_clause=body.cited_clause, responsible=body.responsible,
    )
    response.headers["Location"] = f"/v1/rectifications/{out.notice_no}"
    return out


@router.get("/{notice_no}", response_model=NoticeDetail, summary="通知单详情", responses=_404)
def detail(notice_no: str, notices: NoticeDesk = Depends(notices_desk),
           actor: Actor = Depends(require(*MEMBERS))) -> NoticeDetail:
    return notices.get(actor, notice_no)


@router.post("/{notice_no}/reply", response_model=NoticeOut, summary="回复整改情况（责任单位）", responses=_404)
def reply(notice_no: str, body: NoticeReplyIn, notices: NoticeDesk = Depends(notices_desk),
          actor: Actor = Depends(require(*MEMBERS))) -> NoticeOut:
    return notices.reply(actor, notice_no, body.reply)


@router.post("/{notice_no}/reinspect", response_model=NoticeOut, summary="复查（工作人员）", responses=_404)
def reinspect(notice_no: str, body: ReinspectIn, notices: NoticeDesk = Depends(notices_desk),
              actor: Actor = Depends(require(*STAFF))) -> NoticeOut:
    return notices.reinspect(actor, notice_no, passed=body.passed, note=body.note)
