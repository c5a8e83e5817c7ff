"""On-site work: the tolerance catalogue, measured-value checks, inspection records and notices from findings."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from api.deps import MEMBERS, STAFF, current_actor, inspections_desk, require, tolerances_desk
from api.schemas import DbId, In, Ref, as_ref
from assistant.store.actors import Actor
from assistant.store.loop_schemas import (
    FindingOut,
    InspectionDetail,
    InspectionOut,
    MeasurementCheck,
    MeasurementOut,
    NoticeDraft,
    TimelineEntry,
    ToleranceItem,
)
from assistant.store.schemas import NoticeOut
from assistant.usecases.inspections import InspectionDesk, ToleranceDesk

router = APIRouter(tags=["监督检查与实测实量"])
_404 = {404: {"description": "没有该检查记录"}, 403: {"description": "不是本企业参建工程的记录"}}
_NUMBERS = {"items": {"type": "number"}}


class CheckIn(In):
    item: str = Field(min_length=1, max_length=80, description="允许偏差表中的项目编号（GET /v1/tolerances 的 id）")
    design: Any = Field(default=None, json_schema_extra={"type": ["number", "null"]},
                        description="设计值；按相对设计值判定的项目必填，其余项目留空")
    values: list[Any] = Field(max_length=2000, json_schema_extra=_NUMBERS, description="实测值（单位同项目）")


class InspectionIn(In):
    project: Ref | None = Field(default=None, description="工程编号、监督注册号、施工许可证号或名称；填写预约编号时可不填")
    source: str | None = Field(default=None, max_length=16, description="patrol 巡查 | booking 预约验收监督 | spot_check 双随机抽查")
    booking: str | None = Field(default=None, max_length=16, description="预约编号（预约验收监督）")
    spot_check: str | None = Field(default=None, max_length=16, description="抽查批次编号（双随机抽查）")
    inspected_on: date | None = Field(default=None, description="检查日期，默认今天")
    inspectors: list[Ref] = Field(default_factory=list, max_length=10, description="检查人员，默认本人")
    unit_work: str = Field(default="", max_length=200, description="单位工程")
    position: str = Field(default="", max_length=200, description="检查部位")
    entity_items: list[str] = Field(default_factory=list, max_length=50, description="实体质量检查项")
    behavior_items: list[str] = Field(default_factory=list, max_length=50, description="质量行为检查项")
    photos: list[DbId] = Field(default_factory=list, max_length=30, description="现场照片的附件编号")


class FindingIn(In):
    category: str = Field(max_length=16, description="entity 实体质量 | behavior 质量行为")
    problem: str = Field(min_length=1, max_length=2000, description="问题描述")
    cited_code: str = Field(min_length=1, max_length=64, description="引用的标准编号（从检索结果选择）")
    cited_clause: str = Field(min_length=1, max_length=32, description="条款号，如 5.0.6")
    photos: list[DbId] = Field(default_factory=list, max_length=30)
    measurement_id: DbId | None = Field(default=None, description="由哪组实测记录发现")


class MeasurementIn(CheckIn):
    position: str = Field(default="", max_length=200, description="实测部位或构件，如 3F 板 B-2")


class FinishIn(In):
    conclusion: str = Field(min_length=1, max_length=4000)


class SelectIn(In):
    finding_ids: list[DbId] = Field(default_factory=list, max_length=50, description="选中的问题编号")
    measurement_ids: list[DbId] = Field(default_factory=list, max_length=50, description="选中的超差实测记录编号")


class NoticeFromFindingsIn(SelectIn):
    problem: str | None = Field(default=None, max_length=4000, description="修改后的问题描述；不填用草稿")
    deadline: date | None = Field(default=None, description="整改期限；不填按工作日自动计算")
    cited_code: str | None = Field(default=None, max_length=64)
    cited_clause: str | None = Field(default=None, max_length=32)
    responsible: Ref | None = Field(default=None, description="整改责任单位；默认工程的施工单位")


# -- tolerances and checks (the contract other tools use) ------------------------------------------------------
@router.get("/v1/tolerances", response_model=list[ToleranceItem], summary="实测实量项目与允许偏差",
            description="来自知识库中的允许偏差表：项目、单位、允许偏差上下限（是否相对设计值）、每次检查点数、"
                        "合格点率要求及规定该允许偏差的条文。`zhijian tolerances --json` 输出同一列表。")
def tolerances(desk: ToleranceDesk = Depends(tolerances_desk),
               _actor: Actor | None = Depends(current_actor)) -> list[ToleranceItem]:
    return desk.items()


@router.post("/v1/measurements/check", response_model=MeasurementCheck, summary="实测值判定",
             description="逐点给出偏差和是否合格、合格点率、是否合格与是否预警（合格点率低于预警线，"
                         "或有点超过允许偏差的倍数），并引用规定允许偏差的条文。恰在限值上的点判为合格。"
                         "项目不存在、非数字或不合理的读数返回 422，错误信息指明字段。")
def check(body: CheckIn, desk: ToleranceDesk = Depends(tolerances_desk),
          _actor: Actor | None = Depends(current_actor)) -> MeasurementCheck:
    return desk.check(body.item, body.design, body.values)


# -- inspection records --------------------------------------------------------------------------------------
@router.get("/v1/inspections", response_model=list[InspectionOut], summary="监督检查记录列表",
            description="企业用户看到本单位参建工程的记录；工作人员看到全部。")
def list_(project: str | None = Query(None, max_length=200), status: str | None = Query(None, max_length=16),
          desk: InspectionDesk = Depends(inspections_desk),
          actor: Actor = Depends(require(*MEMBERS))) -> list[InspectionOut]:
    return desk.list(actor, project=as_ref(project), status=status)


@router.post("/v1/inspections", response_model=InspectionDetail, status_code=201, summary="新建监督检查记录（工作人员）")
def create(body: InspectionIn, response: Response, desk: InspectionDesk = Depends(inspections_desk),
           actor: Actor = Depends(require(*STAFF))) -> InspectionDetail:
    fields = body.model_dump(exclude_none=True)
    out = desk.create(actor, **fields)
    response.headers["Location"] = f"/v1/inspections/{out.record_no}"
    return out


@router.get("/v1/inspections/{record_no}", response_model=InspectionDetail, summary="检查记录详情", responses=_404)
def detail(record_no: str, desk: InspectionDesk = Depends(inspections_desk),
           actor: Actor = Depends(require(*MEMBERS))) -> InspectionDetail:
    return desk.get(actor, record_no)


@router.post("/v1/inspections/{record_no}/findings", response_model=FindingOut, status_code=201,
             summary="记录发现的问题（引用条文）", responses=_404)
def add_finding(record_no: str, body: FindingIn, desk: InspectionDesk = Depends(inspections_desk),
                actor: Actor = Depends(require(*STAFF))) -> FindingOut:
    return desk.add_finding(actor, record_no, category=body.category, description=body.problem,
                            cited_code=body.cited_code, cited_clause=body.cited_clause, photos=body.photos,
                            measurement_id=body.measurement_id)


@router.post("/v1/inspections/{record_no}/measurements", response_model=MeasurementOut, status_code=201,
             summary="录入实测实量", responses=_404)
def measure(record_no: str, body: MeasurementIn, desk: InspectionDesk = Depends(inspections_desk),
            actor: Actor = Depends(require(*STAFF))) -> MeasurementOut:
    return desk.measure(actor, record_no, item=body.item, design=body.design, values=body.values,
                        position=body.position)


@router.post("/v1/inspections/{record_no}/finish", response_model=InspectionDetail, summary="完成检查（填写结论）",
             responses=_404)
def finish(record_no: str, body: FinishIn, desk: InspectionDesk = Depends(inspections_desk),
           actor: Actor = Depends(require(*STAFF))) -> InspectionDetail:
    return desk.finish(actor, record_no, body.conclusion)


@router.post("/v1/inspections/{record_no}/notice-draft", response_model=NoticeDraft,
             summary="由选中的问题生成整改通知单草稿（不保存）", responses=_404)
def notice_draft(record_no: str, body: SelectIn, desk: InspectionDesk = Depends(inspections_desk),
                 actor: Actor = Depends(require(*STAFF))) -> NoticeDraft:
    return desk.notice_draft(actor, record_no, findings=body.finding_ids, measurements=body.measurement_ids)


@router.post("/v1/inspections/{record_no}/notices", response_model=NoticeOut, status_code=201,
             summary="由选中的问题下发整改通知单", responses=_404)
def issue_notice(record_no: str, body: NoticeFromFindingsIn, response: Response,
                 desk: InspectionDesk = Depends(inspections_desk),
                 actor: Actor = Depends(require(*STAFF))) -> NoticeOut:
    out = desk.issue_notice(actor, record_no, findings=body.finding_ids, measurements=body.measurement_ids,
                            problem=body.problem, deadline=body.deadline, cited_code=body.cited_code,
                            cited_clause=body.cited_clause, responsible=body.responsible)
    response.headers["Location"] = f"/v1/rectifications/{out.notice_no}"
    return out


@router.get("/v1/inspections/{record_no}/pdf", summary="打印检查记录（PDF）", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "可打印的检查记录"}, **_404})
def inspection_pdf(record_no: str, desk: InspectionDesk = Depends(inspections_desk),
                   actor: Actor = Depends(require(*MEMBERS))) -> Response:
    data = desk.pdf(actor, record_no)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{record_no}.pdf"'})


@router.get("/v1/projects/{project}/timeline", response_model=list[TimelineEntry], summary="工程动态（时间线）",
            description="预约、检查记录、整改通知和服务申请，按日期倒序。企业用户只能查看本单位参建的工程。")
def project_timeline(project: str, desk: InspectionDesk = Depends(inspections_desk),
                     actor: Actor = Depends(require(*MEMBERS))) -> list[TimelineEntry]:
    return desk.timeline(actor, as_ref(project))  # type: ignore[arg-type]
