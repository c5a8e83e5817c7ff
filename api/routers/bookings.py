"""Inspection bookings, the projects they are for, and the earliest date a milestone may be booked."""

from __future__ import annotations

from datetime import date, time

from fastapi import APIRouter, Depends, Query, Response

from api.deps import MEMBERS, STAFF, bookings_desk, require
from api.schemas import BookingIn, CompleteIn, ReasonIn, ScheduleIn, as_ref
from assistant.store.actors import Actor
from assistant.store.schemas import BookingDetail, BookingOut, BookingQueues, BookingWindow, ProjectOut
from assistant.usecases.bookings import BookingDesk, ConflictOut

router = APIRouter(prefix="/v1", tags=["监督预约"])
_404 = {404: {"description": "没有该预约"}, 403: {"description": "不是本企业的预约"}}


@router.get("/projects", response_model=list[ProjectOut], summary="工程列表",
            description="企业用户只看到本单位参建的工程；监督员和管理员看到全部。")
def list_projects(status: str | None = Query(None, max_length=32, description="under_supervision 或 completed"),
                  bookings: BookingDesk = Depends(bookings_desk),
                  actor: Actor = Depends(require(*MEMBERS))) -> list[ProjectOut]:
    return bookings.projects(actor, status=status)


@router.get("/bookings/window", response_model=BookingWindow, summary="最早可预约日期",
            description="按提前期（工作日）和监督组排班，给出该工程该事项最早可约的日期和之后有空的日子。")
def window(project: str = Query(min_length=1, max_length=200, description="工程编号（id）、监督注册号、许可证号或名称"),
           milestone: str = Query(min_length=1, max_length=40),
           bookings: BookingDesk = Depends(bookings_desk),
           actor: Actor = Depends(require(*MEMBERS))) -> BookingWindow:
    return bookings.window(actor, as_ref(project), milestone)


@router.get("/bookings", response_model=list[BookingOut], summary="预约列表",
            description="企业用户只看到本单位的预约；监督员和管理员看到全部，可按状态、日期、工程筛选。")
def list_(status: str | None = Query(None, max_length=32), date_from: date | None = None, date_to: date | None = None,
          project: str | None = Query(None, max_length=200), limit: int = Query(200, ge=1, le=500),
          bookings: BookingDesk = Depends(bookings_desk), actor: Actor = Depends(require(*MEMBERS))) -> list[BookingOut]:
    return bookings.list(actor, status=status, date_from=date_from, date_to=date_to, project=as_ref(project),
                         limit=limit)


@router.post("/bookings", response_model=BookingOut, status_code=201, summary="提交监督预约",
             description="检查提前期、工作日、整改通知、重复预约和监督组容量；不符合时说明原因并给出可约日期。")
def create(body: BookingIn, response: Response, bookings: BookingDesk = Depends(bookings_desk),
           actor: Actor = Depends(require(*MEMBERS))) -> BookingOut:
    out = bookings.create(actor, project=body.project, milestone=body.milestone, requested_date=body.requested_date,
                          contact_name=body.contact_name, contact_phone=body.contact_phone,
                          enterprise=body.enterprise, note=body.note)
    response.headers["Location"] = f"/v1/bookings/{out.booking_no}"
    return out


@router.get("/bookings/queues", response_model=BookingQueues, summary="监督员工作台：今日、本周、逾期、待受理",
            description="未办结的预约按监督日期分组并计数；mine=true 只看本人所在监督组。限监督员和管理员。")
def queues(mine: bool = False, bookings: BookingDesk = Depends(bookings_desk),
           actor: Actor = Depends(require(*STAFF))) -> BookingQueues:
    return bookings.queues(actor, mine=mine)


@router.get("/bookings/{booking_no}/conflicts", response_model=list[ConflictOut], summary="排期前检查监督员时间冲突",
            description="所选监督员在该日前后时段（默认两小时内）已有的其他监督；排期时如有冲突需 allow_conflict=true 确认。",
            responses=_404)
def conflicts(booking_no: str, at_time: time, inspectors: list[str] = Query(min_length=1, max_length=10),
              on_date: date | None = None, bookings: BookingDesk = Depends(bookings_desk),
              _actor: Actor = Depends(require(*STAFF))) -> list[ConflictOut]:
    return bookings.conflicts(booking_no, inspectors=[as_ref(i) for i in inspectors], at_time=at_time, on_date=on_date)


@router.get("/bookings/{booking_no}", response_model=BookingDetail, summary="预约详情与办理记录", responses=_404)
def detail(booking_no: str, bookings: BookingDesk = Depends(bookings_desk),
           actor: Actor = Depends(require(*MEMBERS))) -> BookingDetail:
    return bookings.get(actor, booking_no)


@router.post("/bookings/{booking_no}/accept", response_model=BookingOut, summary="受理预约（监督员）", responses=_404)
def accept(booking_no: str, bookings: BookingDesk = Depends(bookings_desk),
           actor: Actor = Depends(require(*STAFF))) -> BookingOut:
    return bookings.accept(actor, booking_no)


@router.post("/bookings/{booking_no}/return", response_model=BookingOut, summary="退回预约（监督员）", responses=_404)
def return_(booking_no: str, body: ReasonIn, bookings: BookingDesk = Depends(bookings_desk),
            actor: Actor = Depends(require(*STAFF))) -> BookingOut:
    return bookings.return_(actor, booking_no, body.reason)


@router.post("/bookings/{booking_no}/schedule", response_model=BookingOut, summary="排期并指派监督员",
             description="所选监督员在该时段已有其他监督时返回 409（inspector_conflict，列出冲突），确认后以 "
                         "allow_conflict=true 重新提交。改期时原负责的监督员会收到提醒。", responses=_404)
def schedule(booking_no: str, body: ScheduleIn, bookings: BookingDesk = Depends(bookings_desk),
             actor: Actor = Depends(require(*STAFF))) -> BookingOut:
    return bookings.schedule(actor, booking_no, inspectors=body.inspectors, at_time=body.at_time, on_date=body.on_date,
                             allow_conflict=body.allow_conflict)


@router.post("/bookings/{booking_no}/complete", response_model=BookingOut, summary="办结（记录监督结论）",
             responses=_404)
def complete(booking_no: str, body: CompleteIn, bookings: BookingDesk = Depends(bookings_desk),
             actor: Actor = Depends(require(*STAFF))) -> BookingOut:
    return bookings.complete(actor, booking_no, body.result)


@router.post("/bookings/{booking_no}/cancel", response_model=BookingOut, summary="取消预约",
             description="申请单位或质监站工作人员可以取消。", responses=_404)
def cancel(booking_no: str, body: ReasonIn, bookings: BookingDesk = Depends(bookings_desk),
           actor: Actor = Depends(require(*MEMBERS))) -> BookingOut:
    return bookings.cancel(actor, booking_no, body.reason)
