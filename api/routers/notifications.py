"""In-page notices of the signed-in person: what changed in their bookings, notices and visits."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import notifications_desk, require
from api.schemas import In
from assistant.store.actors import Actor
from assistant.store.notify import NotificationOut
from assistant.usecases.registry import NotificationDesk

router = APIRouter(prefix="/v1/notifications", tags=["消息提醒"])


class NotificationList(BaseModel):
    unread: int
    items: list[NotificationOut]


class ReadIn(In):
    ids: list[int] | None = Field(default=None, max_length=500, description="要标为已读的消息编号；不填则全部标为已读")


class ReadOut(BaseModel):
    marked: int


@router.get("", response_model=NotificationList, summary="我的消息提醒",
            description="与本人有关的变化（预约受理、退回、排期、改期、取消，整改通知，服务派遣等），最新的在前。")
def mine(unread_only: bool = False, limit: int = Query(50, ge=1, le=200),
         desk: NotificationDesk = Depends(notifications_desk), actor: Actor = Depends(require())) -> NotificationList:
    return NotificationList(unread=desk.unread(actor), items=desk.mine(actor, unread_only=unread_only, limit=limit))


@router.post("/read", response_model=ReadOut, summary="标为已读")
def read(body: ReadIn, desk: NotificationDesk = Depends(notifications_desk),
         actor: Actor = Depends(require())) -> ReadOut:
    return ReadOut(marked=desk.mark_read(actor, body.ids))
