"""Credit follows the record — but never silently: events draft credit records that staff confirm or reject.

An overdue or re-issued notice drafts a bad record; a notice closed on time or a
clean inspection drafts a good one (``StoreRules.credit_drafts`` says how many
points and for how long; an event left out drafts nothing). Confirming a draft
adds the record through ``credit.add_record``, so the score and grade change by
the existing scheme and the record names the notice or inspection behind it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks, credit
from assistant.store.actors import Actor, require_staff
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import CreditKind, DraftStatus, parse_enum
from assistant.store.errors import IllegalTransition, InvalidInput, NotFound
from assistant.store.loop_schemas import CreditDraftOut
from assistant.store.models import CreditDraft
from assistant.store.rules import StoreRules
from assistant.store.upsert import insert_ignore

EVENT_LABELS = {
    "notice_overdue": "整改通知单逾期未整改",
    "notice_reissued": "复查不合格，重新下发整改",
    "notice_closed_on_time": "按期整改并销号",
    "inspection_clean": "监督检查未发现问题",
}


def to_out(d: CreditDraft) -> CreditDraftOut:
    return CreditDraftOut(
        id=d.id, enterprise_id=d.enterprise_id, enterprise_name=d.enterprise.name, event=d.event,
        event_label=EVENT_LABELS.get(d.event, d.event), kind=d.kind.value, kind_label=d.kind.label, points=d.points,
        valid_months=d.valid_months, reason=d.reason, source_type=d.source_type, source_no=d.source_no,
        status=d.status.value, status_label=d.status.label, created_at=d.created_at, decided_at=d.decided_at,
        decision_note=d.decision_note, credit_record_id=d.credit_record_id,
    )


def draft(session: Session, event: str, *, enterprise_id: int, source_type: str, source_id: int, source_no: str,
          reason: str, occurrence: int = 1, rules: StoreRules, now: datetime) -> int | None:
    """Propose the record ``event`` calls for; the id of the new draft, or None (rule off, or drafted before)."""
    rule = rules.credit_drafts.get(event)
    if rule is None:
        return None
    inserted = insert_ignore(session, CreditDraft, {
        "enterprise_id": enterprise_id, "event": event, "occurrence": occurrence, "kind": CreditKind(rule.kind),
        "points": rule.points, "valid_months": rule.months, "reason": reason, "source_type": source_type,
        "source_id": source_id, "source_no": source_no, "status": DraftStatus.pending, "created_at": now,
        "decided_at": None, "decided_by_id": None, "decision_note": "", "credit_record_id": None,
    })
    if not inserted:
        return None
    return session.scalar(select(CreditDraft.id).where(
        CreditDraft.source_type == source_type, CreditDraft.source_id == source_id, CreditDraft.event == event,
        CreditDraft.occurrence == occurrence, CreditDraft.enterprise_id == enterprise_id))


def _row(session: Session, draft_id: int, *, lock: bool = False) -> CreditDraft:
    stmt = select(CreditDraft).where(CreditDraft.id == draft_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"未找到编号为 {draft_id} 的信用记录草稿")
    return row


def list_drafts(session: Session, actor: Actor, *, status: str | None = "pending",
                enterprise: int | str | None = None) -> list[CreditDraftOut]:
    require_staff(actor, "查看信用记录草稿")
    stmt = select(CreditDraft).order_by(CreditDraft.created_at, CreditDraft.id)
    if status:
        stmt = stmt.where(CreditDraft.status == parse_enum(DraftStatus, status, "草稿状态"))
    if enterprise is not None:
        stmt = stmt.where(CreditDraft.enterprise_id == enterprise_row(session, enterprise).id)
    return [to_out(d) for d in session.scalars(stmt)]


def _expect_pending(d: CreditDraft) -> None:
    if d.status != DraftStatus.pending:
        raise IllegalTransition(f"信用记录草稿 {d.id} 已{d.status.label}，不能再处理")


def confirm(session: Session, actor: Actor, draft_id: int, *, points: float | None = None,
            expires_on: date | None = None, reason: str | None = None, rules: StoreRules,
            now: datetime) -> CreditDraftOut:
    """Turn the draft into a credit record (staff may change points, expiry and wording first)."""
    require_staff(actor, "确认信用记录")
    d = _row(session, draft_id, lock=True)
    _expect_pending(d)
    today = rules.today(now)
    text = checks.text(reason if reason is not None else d.reason, "记录事由", max_len=2000)
    if points is not None and not 0 < abs(points) <= 100:
        raise InvalidInput("分值应大于0且不超过100", field="points")
    record = credit.add_record(
        session, actor, enterprise=d.enterprise_id, kind=d.kind, points=abs(points) if points is not None else d.points,
        recorded_on=today, expires_on=expires_on or credit.add_months(today, d.valid_months),
        reason=text, document_no=d.source_no, rules=rules, now=now,
    )
    d.status, d.decided_at, d.decided_by_id = DraftStatus.confirmed, rules.now(now), actor.account_id
    d.credit_record_id, d.reason = record.id, text
    session.flush()
    audit.record(session, actor, "credit_draft", d.id, "confirm", from_status="pending", to_status="confirmed",
                 at=rules.now(now), detail={"record_id": record.id, "points": record.points})
    return to_out(d)


def reject(session: Session, actor: Actor, draft_id: int, note: str, *, rules: StoreRules,
           now: datetime) -> CreditDraftOut:
    require_staff(actor, "驳回信用记录草稿")
    d = _row(session, draft_id, lock=True)
    _expect_pending(d)
    d.decision_note = checks.text(note, "驳回理由", max_len=2000)
    d.status, d.decided_at, d.decided_by_id = DraftStatus.rejected, rules.now(now), actor.account_id
    session.flush()
    audit.record(session, actor, "credit_draft", d.id, "reject", from_status="pending", to_status="rejected",
                 at=rules.now(now), detail={"note": d.decision_note})
    return to_out(d)
