"""Rectification notices (整改通知单): issue, reply, re-inspect."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response

from api.deps import MEMBERS, STAFF, cases_desk, notices_desk, require
from api.schemas import CaseIn, NoticeIn, NoticeReplyIn, ReinspectIn, as_ref
from assistant.store.actors import Actor
from assistant.store.loop_schemas import CaseDraft, CaseFields, EscalationOut, OverdueNotice, PublishedCaseOut
from assistant.store.schemas import NoticeDetail, NoticeOut
from assistant.usecases.followup import CaseDesk
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


@router.get("/overdue", response_model=list[OverdueNotice], summary="逾期未整改的通知单（工作人员）",
            description="待整改且已过整改期限的通知单，逾期最久的在前。")
def overdue(notices: NoticeDesk = Depends(notices_desk),
            actor: Actor = Depends(require(*STAFF))) -> list[OverdueNotice]:
    return notices.overdue(actor)


@router.post("/escalate", response_model=EscalationOut, summary="催办逾期通知单（工作人员）",
             description="对新近逾期的通知单提醒监督员，并起草不良信用记录（须工作人员确认）；可反复执行，每个期限只催办一次。")
def escalate(notices: NoticeDesk = Depends(notices_desk), actor: Actor = Depends(require(*STAFF))) -> EscalationOut:
    return notices.escalate(actor)


@router.get("/{notice_no}", response_model=NoticeDetail, summary="通知单详情", responses=_404)
def detail(notice_no: str, notices: NoticeDesk = Depends(notices_desk),
           actor: Actor = Depends(require(*MEMBERS))) -> NoticeDetail:
    return notices.get(actor, notice_no)


@router.post("/{notice_no}/reply", response_model=NoticeOut, summary="回复整改情况（责任单位）", responses=_404)
def reply(notice_no: str, body: NoticeReplyIn, notices: NoticeDesk = Depends(notices_desk),
          actor: Actor = Depends(require(*MEMBERS))) -> NoticeOut:
    return notices.reply(actor, notice_no, body.reply, body.photos)


@router.post("/{notice_no}/reinspect", response_model=NoticeOut, summary="复查（工作人员）", responses=_404,
             description="通过则销项（销号）；不通过则重新下发，整改期限为 new_deadline 或按工作日自动计算。")
def reinspect(notice_no: str, body: ReinspectIn, notices: NoticeDesk = Depends(notices_desk),
              actor: Actor = Depends(require(*STAFF))) -> NoticeOut:
    return notices.reinspect(actor, notice_no, passed=body.passed, note=body.note, new_deadline=body.new_deadline)


@router.get("/{notice_no}/pdf", summary="打印整改通知单（PDF）", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "可打印、可盖章的通知单"}, **_404})
def notice_pdf(notice_no: str, notices: NoticeDesk = Depends(notices_desk),
               actor: Actor = Depends(require(*MEMBERS))) -> Response:
    data = notices.pdf(actor, notice_no)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{notice_no}.pdf"'})


@router.get("/{notice_no}/case-draft", response_model=CaseDraft, summary="发布为案例：草稿（工作人员）",
            description="已销项的通知单生成案例草稿（问题、原因、处理、依据），企业、工程和人员名称及电话、信用代码已隐去。",
            responses=_404)
def case_draft(notice_no: str, cases: CaseDesk = Depends(cases_desk),
               actor: Actor = Depends(require(*STAFF))) -> CaseDraft:
    return cases.draft(actor, notice_no)


@router.post("/{notice_no}/case-preview", response_model=CaseFields, summary="发布为案例：预览（工作人员）",
             description="按发布时的同一规则隐去企业、工程、人员名称及电话、信用代码，返回将要发布的文字；不保存。",
             responses=_404)
def case_preview(notice_no: str, body: CaseIn, cases: CaseDesk = Depends(cases_desk),
                 actor: Actor = Depends(require(*STAFF))) -> CaseFields:
    return cases.preview(actor, notice_no, CaseFields(**body.model_dump()))


@router.post("/{notice_no}/publish", response_model=PublishedCaseOut, status_code=202,
             summary="发布为案例（工作人员）", responses=_404,
             description="案例保存后在后台导入知识库（导入任务见 job_id），完成后可被检索，并像示例案例一样在回答中引用。")
def publish(notice_no: str, body: CaseIn, cases: CaseDesk = Depends(cases_desk),
            actor: Actor = Depends(require(*STAFF))) -> PublishedCaseOut:
    return cases.publish(actor, notice_no, CaseFields(**body.model_dump()))
