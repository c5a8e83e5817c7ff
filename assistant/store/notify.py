"""Tell people about a change, in the same transaction as the change (a transactional outbox).

A service calls ``emit`` inside its unit of work; if the change rolls back, so
does the notification. Each recipient gets at most one notification per event
(``event_key`` + account). The in-page list reads them directly. ``emit`` also
writes, in the same transaction, one ``Delivery`` per chat channel the recipient
is bound on (``pending``), or one ``skipped`` row saying why nothing will be
pushed (no binding, kind muted, account inactive); the outbox worker
(``assistant.outbox``) sends the pending ones afterwards.

Muting a kind stops it being pushed to chat; it is still listed in the page,
which is the record of what happened and pushes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistant.store.errors import InvalidInput
from assistant.store.models import Account, ChannelBinding, Delivery, Notification, NotificationPref
from assistant.store.upsert import insert_ignore

# Every kind of notice, with the label a person sees when choosing what to mute.
KINDS: dict[str, str] = {
    "booking_submitted": "新预约待受理（监督组）",
    "booking_accepted": "预约已受理",
    "booking_returned": "预约被退回",
    "booking_scheduled": "预约已排期",
    "booking_moved": "预约改期或调整监督人员",
    "booking_completed": "预约已办结",
    "booking_cancelled": "预约已取消",
    "notice_issued": "收到整改通知单",
    "notice_replied": "整改回复待复查",
    "notice_reinspected": "整改复查结果",
    "notice_due_tomorrow": "整改明日到期",
    "notice_overdue": "整改已逾期",
    "visit_assigned": "服务团派遣（专家）",
    "visit_scheduled": "服务已安排（企业）",
    "visit_recorded": "服务已登记，待评价",
    "visit_closed": "服务评价",
    "visit_withdrawn": "服务申请已撤回",
    "daily_digest": "每日待办（监督员）",
}
NO_CHANNEL = "none"  # the channel of the one skipped delivery of a recipient bound nowhere
SKIP_UNBOUND = "未绑定 Telegram 或企业微信，仅在网页中提示"
SKIP_MUTED = "本人已关闭此类提醒，仅在网页中提示"
SKIP_INACTIVE = "账号已停用"


def emit(
    session: Session,
    kind: str,
    *,
    event_key: str,
    recipients: Iterable[int],
    title: str,
    body: str = "",
    subject_type: str = "",
    subject_no: str = "",
    data: dict[str, Any] | None = None,
    at: datetime,
) -> int:
    """Write one notification per distinct recipient account; returns how many were new.

    ``event_key`` names the change uniquely (e.g. ``f"booking:{no}:cancel:{audit_id}"``); emitting the same
    key twice for a recipient writes nothing the second time.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    new = 0
    for account_id in dict.fromkeys(a for a in recipients if a):
        if insert_ignore(session, Notification, {
            "event_key": event_key[:160], "kind": kind, "account_id": account_id, "subject_type": subject_type,
            "subject_no": subject_no, "title": title[:200], "body": body, "data": data or {}, "created_at": at,
            "read_at": None,
        }):
            new += 1
            notification_id = session.scalars(select(Notification.id).where(
                Notification.event_key == event_key[:160], Notification.account_id == account_id)).one()
            _fan_out(session, notification_id, account_id, kind, at)
    return new


def _fan_out(session: Session, notification_id: int, account_id: int, kind: str, at: datetime) -> None:
    """The deliveries of a new notification: one per bound channel, or one skipped row with the reason."""
    bound = {channel: external_id for channel, external_id in session.execute(  # the latest binding per channel
        select(ChannelBinding.channel, ChannelBinding.external_id).where(ChannelBinding.account_id == account_id)
        .order_by(ChannelBinding.created_at, ChannelBinding.id))}
    active = session.scalar(select(Account.active).where(Account.id == account_id))
    why = (SKIP_INACTIVE if not active else SKIP_MUTED if kind in muted_kinds(session, account_id)
           else SKIP_UNBOUND if not bound else "")
    for channel in sorted(bound) or [NO_CHANNEL]:
        session.add(Delivery(notification_id=notification_id, channel=channel, status="skipped" if why else "pending",
                             attempts=0, next_attempt_at=at, last_error=why, external_id=bound.get(channel, ""),
                             updated_at=at))


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    subject_type: str
    subject_no: str
    data: dict[str, Any]
    created_at: datetime
    read: bool


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(id=n.id, kind=n.kind, title=n.title, body=n.body, subject_type=n.subject_type,
                           subject_no=n.subject_no, data=n.data or {}, created_at=n.created_at,
                           read=n.read_at is not None)


def list_for(session: Session, account_id: int, *, unread_only: bool = False, limit: int = 50) -> list[NotificationOut]:
    """An account's in-page notices, newest first."""
    stmt = select(Notification).where(Notification.account_id == account_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return [_out(n) for n in session.scalars(stmt)]


def unread_count(session: Session, account_id: int) -> int:
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.account_id == account_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, account_id: int, ids: Iterable[int] | None, *, at: datetime) -> int:
    """Mark the account's notices read (all of them when ``ids`` is None); returns how many changed."""
    stmt = update(Notification).where(Notification.account_id == account_id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return session.execute(stmt.values(read_at=at)).rowcount or 0


# -- preferences ---------------------------------------------------------------------------------------

class KindPref(BaseModel):
    kind: str
    label: str
    muted: bool


class Preferences(BaseModel):
    muted: list[str]
    kinds: list[KindPref]


def muted_kinds(session: Session, account_id: int) -> set[str]:
    pref = session.get(NotificationPref, account_id)
    return set(pref.muted or []) if pref else set()


def preferences_of(muted: set[str]) -> Preferences:
    return Preferences(muted=sorted(k for k in muted if k in KINDS),
                       kinds=[KindPref(kind=k, label=label, muted=k in muted) for k, label in KINDS.items()])


def preferences(session: Session, account_id: int) -> Preferences:
    return preferences_of(muted_kinds(session, account_id))


def set_muted(session: Session, account_id: int, kinds: Iterable[str], *, at: datetime) -> Preferences:
    """Replace the account's muted kinds; an unknown kind is refused with the list of valid ones."""
    wanted = list(dict.fromkeys(k.strip() for k in kinds))
    unknown = [k for k in wanted if k not in KINDS]
    if unknown:
        raise InvalidInput(f"没有这类提醒：{'、'.join(unknown)}；可选：{'、'.join(KINDS)}")
    pref = session.get(NotificationPref, account_id, with_for_update=True)
    if pref is None:
        pref = NotificationPref(account_id=account_id)
        session.add(pref)
    pref.muted, pref.updated_at = sorted(wanted), at
    session.flush()
    return preferences(session, account_id)
