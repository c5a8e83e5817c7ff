"""Rectification notices: open -> replied -> closed on a passed re-inspection (a failure reopens)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.store import rectifications as rect
from assistant.store.errors import IllegalTransition, InvalidDate, InvalidInput, NotFound, PermissionDenied
from tests.plugins.store import NOW, count_rows


def issue(session, world, rules, **kw):
    args = dict(project=world.project_id, problem="二层梁柱节点箍筋间距超差", deadline=date(2026, 10, 9),
                cited_code="GB 50204-2015", cited_clause="5.5.1", rules=rules, now=NOW)
    args.update(kw)
    return rect.issue_notice(session, world.inspector, **args)


def test_lifecycle_with_failed_reinspection(session, world, rules):
    n = issue(session, world, rules)
    assert n.notice_no == "ZG2026-0001" and n.status_label == "待整改"
    assert n.responsible_enterprise_id == world.builder_id  # the contractor by default
    assert rect.open_notice_numbers(session, world.project_id) == ["ZG2026-0001"]
    rect.reply_notice(session, world.contractor, n.notice_no, "已按图纸加密箍筋", rules=rules, now=NOW)
    with pytest.raises(InvalidInput, match="请填写复查意见"):
        rect.reinspect_notice(session, world.inspector, n.notice_no, passed=False, rules=rules, now=NOW)
    back = rect.reinspect_notice(session, world.inspector, n.notice_no, passed=False, note="仍有两处超差",
                                 rules=rules, now=NOW)
    assert back.status == "open"
    rect.reply_notice(session, world.contractor, n.notice_no, "两处已返工", rules=rules, now=NOW)
    closed = rect.reinspect_notice(session, world.inspector2, n.notice_no, passed=True, rules=rules, now=NOW)
    session.commit()
    assert closed.status == "closed" and closed.closed_at is not None
    assert rect.open_notice_numbers(session, world.project_id) == []
    detail = rect.get_notice(session, n.notice_no, rules=rules, now=NOW)
    assert [(h.action, h.actor_name) for h in detail.history] == [
        ("issue", "张监督"), ("reply", "示例建工联系人"), ("reinspect_fail", "张监督"),
        ("reply", "示例建工联系人"), ("reinspect_pass", "李监督"),
    ]


def test_rules_and_permissions(session, world, rules, admin):
    before = count_rows(session, "rectification_notices", "audit_events")
    with pytest.raises(InvalidDate, match="已经过去"):
        issue(session, world, rules, deadline=date(2026, 9, 1))
    with pytest.raises(InvalidInput, match="不是该工程的参建单位"):
        issue(session, world, rules, responsible=world.other_id)
    with pytest.raises(InvalidInput, match="请同时填写引用的标准编号"):
        issue(session, world, rules, cited_code="")
    with pytest.raises(NotFound):
        issue(session, world, rules, project="JD-0000")
    with pytest.raises(PermissionDenied):
        rect.issue_notice(session, world.contractor, project=world.project_id, problem="x",
                          deadline=date(2026, 10, 9), rules=rules, now=NOW)
    session.rollback()
    assert count_rows(session, "rectification_notices", "audit_events") == before

    n = issue(session, world, rules, responsible=world.supervisor_id)
    session.commit()
    with pytest.raises(PermissionDenied):  # the builder is not the responsible party here
        rect.reply_notice(session, world.contractor, n.notice_no, "越权回复", rules=rules, now=NOW)
    with pytest.raises(IllegalTransition, match="当前为“待整改”，不能复查"):
        rect.reinspect_notice(session, world.inspector, n.notice_no, passed=True, rules=rules, now=NOW)
    late = rect.list_notices(session, open_only=True, rules=rules, now=NOW + timedelta(days=30))
    assert [x.overdue for x in late] == [True]
    assert rect.list_notices(session, actor=world.contractor, rules=rules) == []
