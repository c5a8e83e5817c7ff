"""Quality service team visit requests: lifecycle, priority and rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.store import credit, projects, rectifications
from assistant.store import visits as v
from assistant.store.errors import (
    Conflict,
    IllegalTransition,
    InvalidDate,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from tests.plugins.store import NOW, count_rows


def submit(session, actor, rules, now=NOW, **kw):
    args = dict(topic="技术咨询", description="高支模方案论证前想请专家把关", contact_name="王工",
                contact_phone="13800001111", rules=rules, now=now)
    args.update(kw)
    return v.submit_visit(session, actor, **args)


def test_lifecycle(session, world, rules):
    r = submit(session, world.contractor, rules, project=world.project_id,
               preferred_dates=[date(2026, 9, 30), date(2026, 9, 29)])
    assert r.visit_no == "FW2026-0001" and r.enterprise_id == world.builder_id
    assert r.preferred_dates == [date(2026, 9, 29), date(2026, 9, 30)]
    a = v.assign_visit(session, world.inspector, r.visit_no, experts=["exp", "insp2"], planned_date=date(2026, 9, 30),
                       rules=rules, now=NOW)
    assert a.status == "assigned" and a.experts == ["李监督", "赵专家"]
    with pytest.raises(PermissionDenied):
        v.record_visit(session, world.contractor, r.visit_no, findings="自己写", rules=rules, now=NOW)
    later = NOW + timedelta(days=6)
    done = v.record_visit(session, world.expert, r.visit_no, findings="建议增设水平剪刀撑", rules=rules, now=later)
    assert done.visited_on == date(2026, 9, 30) and done.status_label == "已上门服务"
    with pytest.raises(InvalidInput, match="满意度应为1到5的整数"):
        v.close_visit(session, world.contractor, r.visit_no, satisfaction=6, rules=rules, now=later)
    closed = v.close_visit(session, world.contractor, r.visit_no, satisfaction=5, feedback="很有帮助", rules=rules,
                           now=later)
    session.commit()
    assert (closed.status, closed.satisfaction) == ("closed", 5)
    steps = [(h.action, h.from_status, h.to_status) for h in v.get_visit(session, r.visit_no).history]
    assert steps == [("submit", None, "submitted"), ("assign", "submitted", "assigned"),
                     ("visit", "assigned", "visited"), ("close", "visited", "closed")]
    with pytest.raises(IllegalTransition, match="当前为“已办结”，不能撤回"):
        v.withdraw_visit(session, world.contractor, r.visit_no, "不要了", rules=rules, now=later)


def test_bad_requests_write_nothing(session, world, rules):
    before = count_rows(session, "visit_requests", "audit_events", "number_sequences")
    cases = [
        (InvalidInput, "服务类别“聊天”无效", dict(topic="聊天")),
        (InvalidInput, "请填写需求描述", dict(description="  ")),
        (InvalidDate, "2026-10-01（国庆节假期）不是工作日", dict(preferred_dates=[date(2026, 10, 1)])),
        (InvalidDate, "已是今天或已经过去", dict(preferred_dates=[date(2026, 9, 24)])),
        (InvalidInput, "不是工程“示例中学教学楼”的参建单位", dict(project=world.project_id, actor=world.outsider)),
        (PermissionDenied, "只有本企业用户", dict(enterprise=world.owner_id)),
    ]
    for exc, fragment, kw in cases:
        actor = kw.pop("actor", world.contractor)
        with pytest.raises(exc) as info:
            submit(session, actor, rules, **kw)
        assert fragment in info.value.message
        session.rollback()
    assert count_rows(session, "visit_requests", "audit_events", "number_sequences") == before
    submit(session, world.contractor, rules)
    with pytest.raises(Conflict, match="请勿重复申请"):
        submit(session, world.contractor, rules)


def test_withdraw_and_expert_rules(session, world, rules):
    r = submit(session, world.contractor, rules)
    with pytest.raises(InvalidInput, match="不是服务团专家或监督员"):
        v.assign_visit(session, world.inspector, r.visit_no, experts=["boss"], planned_date=date(2026, 9, 30),
                       rules=rules, now=NOW)
    with pytest.raises(InvalidDate, match="不是工作日"):
        v.assign_visit(session, world.inspector, r.visit_no, experts=["exp"], planned_date=date(2026, 9, 26),
                       rules=rules, now=NOW)
    with pytest.raises(NotFound, match=f"未找到服务申请 {r.visit_no}"):  # another firm's request looks missing
        v.withdraw_visit(session, world.outsider, r.visit_no, "别人的", rules=rules, now=NOW)
    w = v.withdraw_visit(session, world.contractor, r.visit_no, "问题已自行解决", rules=rules, now=NOW)
    assert w.status == "withdrawn"
    assert submit(session, world.contractor, rules).status == "submitted"  # no longer a duplicate


def test_queue_puts_key_projects_and_low_credit_first(session, world, rules, admin):
    school = projects.create_project(session, admin, name="示例小学", supervision_no="KP-1", team=world.team_id,
                                     is_key_public=True, parties={"施工": world.builder_id})
    # the other contractor is graded D
    credit.add_record(session, admin, enterprise=world.other_id, kind="bad", points=20, recorded_on=date(2026, 9, 1),
                      rules=rules,
                      expires_on=date(2027, 9, 1), reason="质量问题", now=NOW)
    session.commit()
    earlier = NOW - timedelta(days=3)
    plain = submit(session, world.contractor, rules, now=earlier)
    key = submit(session, world.contractor, rules, project=school.id, topic="方案优化")
    weak = submit(session, world.outsider, rules, topic="质量体系诊断")
    rectifications.issue_notice(session, admin, project=world.project_id, problem="问题", deadline=date(2026, 10, 9),
                                rules=rules, now=NOW)
    flagged = submit(session, world.contractor, rules, project=world.project_id, topic="整改帮扶")
    session.commit()
    queue = v.visit_queue(session, rules=rules, now=NOW)
    order = [q.visit_no for q in queue]
    # key project + grade C (40 + 30) > grade D (50) > open notice + grade C (15 + 30) > grade C + 3 days waiting
    assert order == [key.visit_no, weak.visit_no, flagged.visit_no, plain.visit_no]
    assert [q.priority for q in queue] == [70, 50, 45, 33]
    by_no = {q.visit_no: q for q in queue}
    assert by_no[weak.visit_no].priority_reasons == ["信用等级D"]
    assert "重点公共工程" in by_no[key.visit_no].priority_reasons
    assert "有未销项整改通知" in by_no[flagged.visit_no].priority_reasons
    assert by_no[plain.visit_no].priority_reasons == ["信用等级C", "已等待3天"]


@pytest.mark.parametrize("day", [date(2150, 1, 1), date(2100, 1, 4), date(2027, 12, 1)])
def test_a_visit_planned_too_far_ahead_is_a_chinese_error_not_a_crash(session, world, rules, day):
    r = v.submit_visit(session, world.contractor, topic="技术咨询", description="屋面防水做法", contact_name="示例",
                            contact_phone="13900000003", rules=rules, now=NOW)
    with pytest.raises(InvalidDate) as err:
        v.assign_visit(session, world.inspector, r.visit_no, experts=["exp"], planned_date=day,
                            rules=rules, now=NOW)
    assert "天之后" in err.value.message


def test_the_calendar_says_when_a_year_is_beyond_its_tables():
    from assistant.store.errors import CalendarUnavailable
    from assistant.store.workdays import WorkCalendar

    with pytest.raises(CalendarUnavailable) as err:
        WorkCalendar().info(date(2150, 1, 1))
    assert "2150年" in err.value.message
