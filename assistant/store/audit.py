"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.actors import Actor
from assistant.store.enums import BookingStatus, Labeled, ProjectStatus, RectificationStatus, VisitStatus
from assistant.store.models import AuditEvent
from assistant.store.models.base import utcnow
from assistant.store.schemas import AuditEntry

ACTION_LABELS = {
    "submit": "提交",
    "accept": "受理",
    "return": "退回",
    "schedule": "排期",
    "reschedule": "改期",
    "complete": "完成",
    "cancel": "取消",
    "issue": "下发",
    "reply": "回复",
    "reinspect_pass": "复查通过",
    "reinspect_fail": "复查未通过",
    "retry": "重发",
    "assign": "派员",
    "visit": "上门服务",
    "close": "办结",
    "withdraw": "撤回",
    "release": "退回派遣",
    "create": "新建",
    "revoke": "撤销",
    "update": "修改",
}


_STATUS_ENUMS: dict[str, type[Labeled]] = {
    "booking": BookingStatus,
    "notice": RectificationStatus,
    "visit": VisitStatus,
    "project": ProjectStatus,
}


def _label(entity: str, status: str | None) -> str | None:
    if status is None:
        return None
    enum = _STATUS_ENUMS.get(entity)
    try:
        return enum(status).label if enum else status
    except ValueError:
        return status


def record(
    session: Session,
    actor: Actor,
    entity: str,
    entity_id: int,
    action: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event in the caller's transaction, so it commits or rolls back with the change."""
    session.add(
        AuditEvent(
            entity=entity,
            entity_id=entity_id,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.account_id,
            actor_name=actor.name,
            actor_role=actor.role.value,
            at=at or utcnow(),
            detail=detail or {},
        )
    )


def history(session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        AuditEntry(
            at=e.at,
            actor_id=e.actor_id,
            actor_name=e.actor_name,
            actor_role=e.actor_role,
            action=e.action,
            action_label=ACTION_LABELS.get(e.action, e.action),
            from_status=e.from_status,
            to_status=e.to_status,
            from_label=_label(entity, e.from_status),
            to_label=_label(entity, e.to_status),
            detail=e.detail or {},
        )
        for e in rows
    ]
