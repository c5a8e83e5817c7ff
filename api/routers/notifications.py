"""In-page notices of the signed-in person: what changed in their bookings, notices and visits."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ADMIN, notifications_desk, require
from api.schemas import In
from assistant.store.actors import Actor
from assistant.store.deliveries import DeadLetter, OutboxStatus
from assistant.store.notify import NotificationOut, Preferences
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


class PreferencesIn(In):
    muted: list[str] = Field(default_factory=list, max_length=100,
                             description="不推送到聊天渠道的提醒类别（见 GET 返回的 kinds）；空列表表示全部推送")


@router.get("/preferences", response_model=Preferences, summary="我的提醒设置",
            description="每类提醒是否推送到已绑定的 Telegram / 企业微信；静音的类别仍在网页消息中列出。")
def preferences(desk: NotificationDesk = Depends(notifications_desk),
                actor: Actor = Depends(require())) -> Preferences:
    return desk.preferences(actor)


@router.put("/preferences", response_model=Preferences, summary="设置静音的提醒类别")
def set_preferences(body: PreferencesIn, desk: NotificationDesk = Depends(notifications_desk),
                    actor: Actor = Depends(require())) -> Preferences:
    return desk.set_muted(actor, body.muted)


@router.get("/dead-letters", response_model=list[DeadLetter], summary="发送失败的提醒（管理员）",
            description="重试用尽、被渠道拒绝或发送结果不确定而停止自动重发的提醒，附原因；可重发。")
def dead_letters(limit: int = Query(100, ge=1, le=1000), desk: NotificationDesk = Depends(notifications_desk),
                 actor: Actor = Depends(require(*ADMIN))) -> list[DeadLetter]:
    return desk.dead_letters(actor, limit=limit)


class RetryIn(In):
    ids: list[int] | None = Field(default=None, max_length=1000, description="要重发的死信编号；不填则重发全部")


class RetryOut(BaseModel):
    queued: int


@router.post("/dead-letters/retry", response_model=RetryOut, summary="重发发送失败的提醒（管理员）")
def retry(body: RetryIn, desk: NotificationDesk = Depends(notifications_desk),
          actor: Actor = Depends(require(*ADMIN))) -> RetryOut:
    return RetryOut(queued=desk.retry(actor, body.ids))


@router.get("/outbox", response_model=OutboxStatus, summary="提醒发送情况（管理员）",
            description="各渠道待发送、已发送、未推送（未绑定或已静音）、发送失败的数量。")
def outbox(desk: NotificationDesk = Depends(notifications_desk),
           actor: Actor = Depends(require(*ADMIN))) -> OutboxStatus:
    return desk.outbox_status()
