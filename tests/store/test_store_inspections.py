"""The inspection loop in the store: record -> findings and measured sets -> notice -> reply -> re-inspection,
re-issue with a new deadline, overdue escalation, credit drafts confirmed by staff, the project timeline.

Runs on SQLite and, with ZHIJIAN_TEST_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.store import credit, credit_drafts, inspections, notice_loop, rectifications, timeline
from assistant.store.errors import (
    Conflict,
    IllegalTransition,
    InvalidDate,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from assistant.store.measurements import check
from assistant.store.models import AuditEvent, CreditDraft, Notification
from assistant.store.notify import list_for
from assistant.store.tolerances import build_catalogue, find_item
from corpus.ingest import parse_path
from corpus.models import canonical_code
from tests.plugins.store import CST, NOW, count_rows

SAMPLE = Path(__file__).resolve().parents[2] / "corpus" / "sample"
KNOWN = {("ZJ/T 102-2025", "5.0.2"), ("ZJ/T 102-2025", "5.0.6"), ("ZJ/T 108-2025", "4.1.4")}


def check_clause(code: str, clause: str) -> tuple[str, str]:
    """Stands in for the knowledge base: only the clauses in KNOWN exist."""
    c = canonical_code(code) or code
    if (c, clause) not in KNOWN:
        raise InvalidInput(f"{c} 中没有第{clause}条", field="cited_clause")
    return c, clause


@pytest.fixture(scope="module")
def catalogue():
    return build_catalogue([parse_path(SAMPLE / "tolerances.yaml")])


def _record(session, world, rules, **kw):
    out = inspections.create_inspection(session, world.inspector, project=world.project_id, unit_work="教学楼",
                                        position="三层楼板", entity_items=["钢筋保护层"], behavior_items=["隐蔽验收记录"],
                                        inspectors=["insp1", "insp2"], rules=rules, now=NOW, **kw)
    session.commit()
    return out


def _measure(session, world, rules, catalogue, record_no, values, item="CV-02", design=25):
    result = check(find_item(catalogue, item), design, values, rules=rules)
    out = inspections.add_measurement(session, world.inspector, record_no, result, position="3F 板 B-2", rules=rules,
                                      now=NOW)
    session.commit()
    return out


def test_a_record_with_findings_and_measurements(session, world, rules, catalogue):
    rec = _record(session, world, rules)
    assert rec.record_no == "JC2026-0001" and rec.status_label == "记录中" and rec.source_label == "巡查"
    assert rec.inspectors == ["张监督", "李监督"] and rec.inspected_on == date(2026, 9, 24)
    f = inspections.add_finding(session, world.inspector, rec.record_no, category="实体质量",
                                description="板底垫块用碎砖代替", cited_code="ZJ/T102—2025", cited_clause="第5.0.2条",
                                check_clause=check_clause, photos=[7, 8], rules=rules, now=NOW)
    assert (f.cited_code, f.cited_clause, f.citation) == ("ZJ/T 102-2025", "5.0.2", "ZJ/T 102-2025 第5.0.2条")
    assert f.photos == [7, 8] and f.category == "entity"
    m = _measure(session, world, rules, catalogue, rec.record_no, [33, 20, 37.5, 25, 26, 24])
    assert m.points_ok == 5 and m.pass_rate == round(5 / 6, 4) and m.alert and not m.ok  # 37.5: +12.5 > 1.5 × 8
    detail = inspections.get_inspection(session, rec.record_no, actor=world.contractor)
    assert detail.findings == 1 and detail.measurements == 1 and detail.alerts == 1
    assert [h.action for h in detail.history] == ["create", "finding", "measure"]


@pytest.mark.parametrize("code,clause,field", [("ZJ/T 102-2025", "9.9.9", "cited_clause"),
                                               ("GB 1-2099", "1.0.1", "cited_clause")])
def test_a_finding_must_cite_a_clause_that_exists(session, world, rules, code, clause, field):
    rec = _record(session, world, rules)
    before = count_rows(session, "inspection_findings", "audit_events")
    with pytest.raises(InvalidInput) as err:
        inspections.add_finding(session, world.inspector, rec.record_no, category="entity", description="x",
                                cited_code=code, cited_clause=clause, check_clause=check_clause, rules=rules, now=NOW)
    assert err.value.detail["field"] == field
    session.rollback()
    assert count_rows(session, "inspection_findings", "audit_events") == before


def test_only_staff_record_and_contractors_see_only_their_projects(session, world, rules):
    with pytest.raises(PermissionDenied):
        inspections.create_inspection(session, world.contractor, project=world.project_id, rules=rules, now=NOW)
    session.rollback()
    rec = _record(session, world, rules)
    assert inspections.get_inspection(session, rec.record_no, actor=world.contractor).record_no == rec.record_no
    with pytest.raises(NotFound, match=f"未找到监督检查记录 {rec.record_no}"):
        inspections.get_inspection(session, rec.record_no, actor=world.outsider)
    assert inspections.list_inspections(session, actor=world.outsider) == []
    assert [r.record_no for r in inspections.list_inspections(session, actor=world.contractor)] == [rec.record_no]
    assert inspections.list_inspections(session, actor=world.expert) == []


def test_a_future_inspection_date_is_refused(session, world, rules):
    with pytest.raises(InvalidDate):
        inspections.create_inspection(session, world.inspector, project=world.project_id,
                                      inspected_on=date(2026, 9, 25), rules=rules, now=NOW)


def test_notice_drafted_from_findings_and_flagged_sets(session, world, rules, catalogue):
    rec = _record(session, world, rules)
    f = inspections.add_finding(session, world.inspector, rec.record_no, category="behavior",
                                description="隐蔽验收记录事后补填", cited_code="ZJ/T 108-2025", cited_clause="4.1.4",
                                check_clause=check_clause, rules=rules, now=NOW)
    m = _measure(session, world, rules, catalogue, rec.record_no, [33, 20, 37.5, 25, 26, 24])
    good = _measure(session, world, rules, catalogue, rec.record_no, [25, 26, 27, 24, 25, 25])
    draft = notice_loop.notice_draft(session, world.inspector, rec.record_no, finding_ids=[f.id],
                                     measurement_ids=[m.id], rules=rules, now=NOW)
    # 7 working days from Thursday 24 Sep 2026: 28, 29, 30 Sep, (1–7 Oct holiday), 8, 9, Sat 10 (adjusted), Mon 12 Oct
    assert draft.deadline == date(2026, 10, 12) and draft.deadline_workdays == 7
    assert draft.responsible_enterprise_id == world.builder_id
    assert draft.citations == ["ZJ/T 108-2025 第4.1.4条", "ZJ/T 102-2025 第5.0.6条"]
    assert (draft.cited_code, draft.cited_clause) == ("ZJ/T 108-2025", "4.1.4")
    assert draft.problem.startswith("1. 隐蔽验收记录事后补填（依据 ZJ/T 108-2025 第4.1.4条）\n2. 3F 板 B-2")
    assert "合格点率83.3%" in draft.problem and "37.5" not in draft.problem and "12.5" in draft.problem
    with pytest.raises(InvalidInput, match="合格，无需整改"):
        notice_loop.notice_draft(session, world.inspector, rec.record_no, measurement_ids=[good.id], rules=rules,
                                 now=NOW)
    with pytest.raises(InvalidInput, match="至少选择"):
        notice_loop.notice_draft(session, world.inspector, rec.record_no, rules=rules, now=NOW)

    notice = notice_loop.issue_from_findings(session, world.inspector, rec.record_no, finding_ids=[f.id],
                                             measurement_ids=[m.id], rules=rules, now=NOW)
    session.commit()
    assert notice.deadline == date(2026, 10, 12) and notice.inspection_id == rec.id
    assert notice.problem == draft.problem and notice.responsible_enterprise_id == world.builder_id
    detail = inspections.get_inspection(session, rec.record_no)
    assert detail.notices == [notice.notice_no]
    assert [x.notice_no for x in detail.finding_list] == [notice.notice_no, notice.notice_no]
    assert detail.finding_list[1].measurement_id == m.id and detail.finding_list[1].cited_clause == "5.0.6"
    assert detail.measurement_list[0].notice_no == notice.notice_no
    with pytest.raises(Conflict, match="已下发过整改通知单"):
        notice_loop.issue_from_findings(session, world.inspector, rec.record_no, finding_ids=[f.id], rules=rules,
                                        now=NOW)
    session.rollback()
    findings, issuer = notice_loop.printed_parts(session, notice.id)
    assert issuer == "张监督" and [x.citation for x in findings] == ["ZJ/T 108-2025 第4.1.4条", "ZJ/T 102-2025 第5.0.6条"]


def test_staff_edit_the_draft_before_issuing(session, world, rules):
    rec = _record(session, world, rules)
    f = inspections.add_finding(session, world.inspector, rec.record_no, category="entity", description="垫块不足",
                                cited_code="ZJ/T 102-2025", cited_clause="5.0.2", check_clause=check_clause,
                                rules=rules, now=NOW)
    n = notice_loop.issue_from_findings(session, world.inspector, rec.record_no, finding_ids=[f.id],
                                        problem="三层板底垫块数量不足、间距过大", deadline=date(2026, 10, 9),
                                        rules=rules, now=NOW)
    assert n.problem == "三层板底垫块数量不足、间距过大" and n.deadline == date(2026, 10, 9)
    assert (n.cited_code, n.cited_clause) == ("ZJ/T 102-2025", "5.0.2")


def _issued(session, world, rules, deadline=date(2026, 10, 12)):
    rec = _record(session, world, rules)
    f = inspections.add_finding(session, world.inspector, rec.record_no, category="entity", description="垫块不足",
                                cited_code="ZJ/T 102-2025", cited_clause="5.0.2", check_clause=check_clause,
                                rules=rules, now=NOW)
    n = notice_loop.issue_from_findings(session, world.inspector, rec.record_no, finding_ids=[f.id],
                                        deadline=deadline, rules=rules, now=NOW)
    session.commit()
    return n


def _drafts(session):
    return [(d.event, d.kind.value, d.points, d.status.value) for d in
            session.scalars(select(CreditDraft).order_by(CreditDraft.id))]


def test_reply_reinspect_fail_reissues_with_a_new_deadline_then_pass_closes(session, world, rules):
    n = _issued(session, world, rules)
    later = datetime(2026, 10, 9, 10, 0, tzinfo=CST)  # Friday
    r = rectifications.reply_notice(session, world.contractor, n.notice_no, "已补垫块", photos=[11, 12],
                                    rules=rules, now=later)
    assert r.status == "replied" and r.reply_photos == [11, 12]
    failed = rectifications.reinspect_notice(session, world.inspector, n.notice_no, passed=False,
                                             note="垫块间距仍大于1 m", rules=rules, now=later)
    notice_loop.after_reinspection(session, n.notice_no, passed=False, rules=rules, now=later)
    session.commit()
    # 7 working days from Fri 9 Oct: Sat 10 (adjusted), 12, 13, 14, 15, 16, 19 Oct
    assert failed.status == "open" and failed.deadline == date(2026, 10, 19) and failed.reissue_count == 1
    assert _drafts(session) == [("notice_reissued", "bad", 2.0, "pending")]
    rectifications.reply_notice(session, world.contractor, n.notice_no, "已加密垫块", rules=rules, now=later)
    session.commit()
    with pytest.raises(InvalidDate):
        rectifications.reinspect_notice(session, world.inspector, n.notice_no, passed=False, note="仍不合格",
                                        new_deadline=date(2026, 10, 9), rules=rules, now=later)
    session.rollback()
    closed = rectifications.reinspect_notice(session, world.inspector, n.notice_no, passed=True, rules=rules,
                                             now=later)
    notice_loop.after_reinspection(session, n.notice_no, passed=True, rules=rules, now=later)
    session.commit()
    assert closed.status == "closed" and closed.closed_at is not None
    # re-issued once: closing it is not "on time", so no good record is drafted
    assert [d[0] for d in _drafts(session)] == ["notice_reissued"]
    history = rectifications.get_notice(session, n.notice_no, rules=rules, now=later).history
    assert [h.action for h in history] == ["issue", "reply", "reinspect_fail", "reply", "reinspect_pass"]
    assert history[2].detail["deadline"] == "2026-10-19"


def test_closed_on_time_drafts_a_good_record_that_counts_only_when_confirmed(session, world, rules):
    n = _issued(session, world, rules)
    day = datetime(2026, 10, 8, 10, 0, tzinfo=CST)
    rectifications.reply_notice(session, world.contractor, n.notice_no, "已整改", rules=rules, now=day)
    rectifications.reinspect_notice(session, world.inspector, n.notice_no, passed=True, rules=rules, now=day)
    notice_loop.after_reinspection(session, n.notice_no, passed=True, rules=rules, now=day)
    session.commit()
    pending = credit_drafts.list_drafts(session, world.inspector)
    assert [(d.event, d.kind, d.points, d.source_no) for d in pending] == [
        ("notice_closed_on_time", "good", 1.0, n.notice_no)]
    score = credit.credit_full(session, "示例建工集团有限公司", actor=world.inspector, rules=rules, now=day).score
    assert score == 70  # a draft changes nothing
    confirmed = credit_drafts.confirm(session, world.inspector, pending[0].id, rules=rules, now=day)
    session.commit()
    full = credit.credit_full(session, "示例建工集团有限公司", actor=world.inspector, rules=rules, now=day)
    assert confirmed.status == "confirmed" and full.score == 71
    assert full.records[0].document_no == n.notice_no and n.notice_no in full.records[0].reason
    assert full.records[0].expires_on == date(2027, 10, 8)
    with pytest.raises(IllegalTransition):
        credit_drafts.confirm(session, world.inspector, pending[0].id, rules=rules, now=day)
    with pytest.raises(PermissionDenied):
        credit_drafts.list_drafts(session, world.contractor)


def test_overdue_notices_escalate_once_notifying_the_inspectors_and_drafting_a_bad_record(session, world, rules):
    n = _issued(session, world, rules, deadline=date(2026, 10, 9))
    on_deadline = datetime(2026, 10, 9, 18, 0, tzinfo=CST)
    assert notice_loop.overdue(session, world.inspector, rules=rules, now=on_deadline) == []
    late = datetime(2026, 10, 12, 9, 0, tzinfo=CST)
    queue = notice_loop.overdue(session, world.inspector, rules=rules, now=late)
    assert [(q.notice_no, q.days_overdue, q.issued_by) for q in queue] == [(n.notice_no, 3, "张监督")]
    out = notice_loop.escalate(session, world.inspector, rules=rules, now=late)
    session.commit()
    assert [e.notice_no for e in out.escalated] == [n.notice_no] and len(out.drafts) == 1
    assert out.notified == 2  # the issuer and the second inspector of the record
    told = list_for(session, world.inspector2.account_id)
    assert told[0].kind == "notice_overdue" and "逾期 3 天" in told[0].title
    assert _drafts(session) == [("notice_overdue", "bad", 3.0, "pending")]
    again = notice_loop.escalate(session, world.inspector, rules=rules, now=late + timedelta(days=1))
    session.commit()
    overdue = session.scalars(select(Notification).where(Notification.kind == "notice_overdue")).all()
    assert again.escalated == [] and len(overdue) == 2  # told once per deadline (the issue notice is another kind)
    assert rectifications.get_notice(session, n.notice_no, rules=rules, now=late).escalated_at is not None
    with pytest.raises(PermissionDenied):
        notice_loop.escalate(session, world.contractor, rules=rules, now=late)
    # the rejected draft stays rejected; the score is untouched
    d = credit_drafts.reject(session, world.inspector, out.drafts[0], "已书面申请延期并获同意", rules=rules, now=late)
    assert d.status == "rejected" and d.decision_note.startswith("已书面申请延期")
    assert credit.credit_full(session, "示例建工集团有限公司", actor=world.inspector, rules=rules,
                              now=late).score == 70


def test_a_clean_inspection_drafts_a_good_record(session, world, rules, catalogue):
    rec = _record(session, world, rules)
    _measure(session, world, rules, catalogue, rec.record_no, [25, 26, 27, 24, 25, 25])
    done = inspections.finish_inspection(session, world.inspector, rec.record_no, conclusion="未发现问题",
                                         rules=rules, now=NOW)
    session.commit()
    assert done.status == "finished" and done.finished_at is not None
    assert _drafts(session) == [("inspection_clean", "good", 1.0, "pending")]
    with pytest.raises(IllegalTransition, match="已完成"):
        inspections.add_finding(session, world.inspector, rec.record_no, category="entity", description="x",
                                cited_code="ZJ/T 102-2025", cited_clause="5.0.2", check_clause=check_clause,
                                rules=rules, now=NOW)


def test_a_record_with_a_finding_drafts_nothing_on_finishing(session, world, rules):
    rec = _record(session, world, rules)
    inspections.add_finding(session, world.inspector, rec.record_no, category="entity", description="垫块不足",
                            cited_code="ZJ/T 102-2025", cited_clause="5.0.2", check_clause=check_clause,
                            rules=rules, now=NOW)
    inspections.finish_inspection(session, world.inspector, rec.record_no, conclusion="发现问题一项", rules=rules,
                                  now=NOW)
    session.commit()
    assert _drafts(session) == []


def test_a_disabled_draft_rule_drafts_nothing(session, world, rules):
    from dataclasses import replace

    quiet = replace(rules, credit_drafts={})
    rec = _record(session, world, quiet)
    inspections.finish_inspection(session, world.inspector, rec.record_no, conclusion="未发现问题", rules=quiet,
                                  now=NOW)
    session.commit()
    assert _drafts(session) == []


def test_the_project_timeline(session, world, rules):
    n = _issued(session, world, rules)
    entries = timeline.project_timeline(session, world.contractor, world.project_id, rules=rules, now=NOW)
    assert [e.kind for e in entries] == ["notice", "inspection"]
    assert entries[0].number == n.notice_no and entries[1].title == "巡查：教学楼 三层楼板"
    with pytest.raises(NotFound):
        timeline.project_timeline(session, world.outsider, world.project_id, rules=rules, now=NOW)
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.entity == "inspection")) is not None
