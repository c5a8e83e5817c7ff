"""Booking rules and the booking state machine, through the service layer, on every backend."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session

from assistant.store import bookings, rectifications, teams
from assistant.store.actors import Actor
from assistant.store.booking_views import booking_window, get_booking, list_bookings
from assistant.store.errors import (
    CapacityFull,
    Conflict,
    DuplicateActiveBooking,
    IllegalTransition,
    InvalidDate,
    InvalidInput,
    NotFound,
    OpenRectification,
    PermissionDenied,
    StoreError,
)
from assistant.store.rules import StoreRules
from tests.plugins.store import CST, NOW, World, count_rows

D = date
WRITES = ("bookings", "audit_events", "number_sequences", "booking_inspectors")


def book(session: Session, actor: Actor, world: World, rules: StoreRules, *, project: int | str | None = None,
         milestone: str = "地基与基础验收", day: date = D(2026, 9, 29), now: datetime = NOW, **kw):
    return bookings.create_booking(
        session, actor, project=project if project is not None else world.project_id, milestone=milestone,
        requested_date=day, contact_name="王经理", contact_phone="13912345678", rules=rules, now=now, **kw,
    )


def refused(session: Session, exc: type[StoreError], fn, *args, **kwargs) -> StoreError:
    """Call, expect ``exc``, and check that nothing was written."""
    session.commit()
    before = count_rows(session, *WRITES)
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    session.rollback()
    assert count_rows(session, *WRITES) == before
    assert info.value.message and all(ord(c) < 128 for c in info.value.message) is False  # Chinese text
    return info.value


def test_full_lifecycle_with_audit(session, world, rules, admin):
    b = book(session, world.contractor, world, rules, note="桩基检测报告已出")
    assert b.booking_no == "2026-000001"
    assert (b.status, b.status_label, b.enterprise_id) == ("submitted", "已提交", world.builder_id)
    assert b.project_number == "JD-2026-001" and b.team_name == "第一监督组"

    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW)
    s = bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "李监督"],
                                  at_time=time(9, 30), rules=rules, now=NOW)
    assert s.status == "scheduled" and s.inspectors == ["张监督", "李监督"] and s.scheduled_time == time(9, 30)
    on_day = datetime(2026, 9, 29, 15, 0, tzinfo=CST)
    done = bookings.complete_booking(session, world.inspector2, b.booking_no, "同意进入下道工序", rules=rules,
                                     now=on_day)
    session.commit()
    assert done.status == "completed" and done.result == "同意进入下道工序"

    detail = get_booking(session, b.booking_no, rules=rules)
    steps = [(h.action, h.from_status, h.to_status, h.actor_name) for h in detail.history]
    assert steps == [
        ("submit", None, "submitted", "示例建工联系人"),
        ("accept", "submitted", "accepted", "张监督"),
        ("schedule", "accepted", "scheduled", "张监督"),
        ("complete", "scheduled", "completed", "李监督"),
    ]
    assert detail.history[0].actor_id == world.contractor.account_id
    assert [(h.from_label, h.to_label) for h in detail.history][1] == ("已提交", "已受理")
    assert detail.history[-1].at == on_day  # when, as the service was told
    assert detail.history[2].detail["inspectors"] == ["张监督", "李监督"]


def test_numbers_follow_the_year_and_count_up(session, world, rules):
    a = book(session, world.contractor, world, rules)
    b = book(session, world.contractor, world, rules, project=world.project2_id)
    assert (a.booking_no, b.booking_no) == ("2026-000001", "2026-000002")
    session.commit()
    # a refused request does not consume a number
    with pytest.raises(StoreError):
        book(session, world.contractor, world, rules, milestone="主体结构验收", day=D(2026, 9, 28))
    session.rollback()
    c = book(session, world.contractor, world, rules, milestone="主体结构验收")
    assert c.booking_no == "2026-000003"


@pytest.mark.parametrize(
    ("milestone", "day", "fragment"),
    [
        ("地基与基础验收", D(2026, 9, 24), "已是今天或已经过去"),
        ("地基与基础验收", D(2026, 9, 1), "已经过去"),
        ("地基与基础验收", D(2026, 9, 28), "至少提前2个工作日预约，2026-09-28 在提前期内，最早可约 2026-09-29"),
        ("竣工验收监督", D(2026, 10, 9), "至少提前7个工作日预约，2026-10-09 在提前期内，最早可约 2026-10-12"),
        ("地基与基础验收", D(2026, 10, 1), "2026-10-01（国庆节假期）不是工作日"),
        ("地基与基础验收", D(2026, 10, 11), "2026-10-11（星期日）不是工作日"),
        ("地基与基础验收", D(2027, 1, 20), "不能晚于90天之后"),
    ],
)
def test_bad_dates_refused_with_reason(session, world, rules, milestone, day, fragment):
    err = refused(session, InvalidDate, book, session, world.contractor, world, rules, milestone=milestone, day=day)
    assert fragment in err.message


def test_lead_time_counts_working_days_across_holidays(session, world, rules):
    # 7 working days from Thu 24 Sep: 28, 29, 30 Sep, 8, 9, 10 (adjusted Saturday), 12 Oct.
    b = book(session, world.contractor, world, rules, milestone="竣工验收监督", day=D(2026, 10, 12))
    assert b.requested_date == D(2026, 10, 12) and not b.calendar_provisional
    # An adjusted working Saturday is bookable.
    s = book(session, world.contractor, world, rules, milestone="主体结构验收", day=D(2026, 10, 10))
    assert s.status == "submitted"


def test_lead_time_is_configurable(session, world):
    strict = StoreRules(lead_days={"地基与基础验收": 3})
    err = refused(session, InvalidDate, book, session, world.contractor, world, strict, day=D(2026, 9, 29))
    assert "最早可约 2026-09-30" in err.message


def test_unknown_project_milestone_and_bad_contact(session, world, rules):
    assert "未找到工程“不存在的工程”" in refused(
        session, NotFound, book, session, world.contractor, world, rules, project="不存在的工程").message
    assert "预约事项“桩基验收”无效" in refused(
        session, InvalidInput, book, session, world.contractor, world, rules, milestone="桩基验收").message
    err = refused(session, InvalidInput, bookings.create_booking, session, world.contractor, project=world.project_id,
                  milestone="地基与基础验收", requested_date=D(2026, 9, 29), contact_name="王经理",
                  contact_phone="12345", rules=rules, now=NOW)
    assert "联系电话“12345”格式不正确" in err.message


def test_project_found_by_permit_number_and_phone_normalised(session, world, rules):
    b = bookings.create_booking(session, world.contractor, project="SG-2026-002", milestone="监督交底",
                                requested_date=D(2026, 9, 29), contact_name="王经理",
                                contact_phone="０５７１－８７６５４３２１", rules=rules, now=NOW)
    assert b.project_id == world.project2_id and b.contact_phone == "0571-87654321"


def test_one_active_booking_per_project_and_milestone(session, world, rules):
    first = book(session, world.contractor, world, rules)
    session.commit()
    err = refused(session, DuplicateActiveBooking, book, session, world.contractor, world, rules, day=D(2026, 9, 30))
    assert first.booking_no in err.message and "请勿重复预约" in err.message
    # another milestone or another project is fine; a returned booking no longer blocks
    book(session, world.contractor, world, rules, milestone="监督交底")
    bookings.return_booking(session, world.inspector, first.booking_no, "检测报告未附", rules=rules, now=NOW)
    again = book(session, world.contractor, world, rules, day=D(2026, 9, 30))
    assert again.status == "submitted"


def test_open_rectification_blocks_main_structure_and_completion(session, world, rules, admin):
    notice = rectifications.issue_notice(session, world.inspector, project=world.project_id, problem="楼板裂缝",
                                         cited_code="GB50204-2015", cited_clause="第8.2.1条",
                                         deadline=D(2026, 10, 15), rules=rules, now=NOW)
    assert (notice.cited_code, notice.cited_clause) == ("GB 50204-2015", "8.2.1")
    session.commit()
    for milestone, day in (("主体结构验收", D(2026, 9, 29)), ("竣工验收监督", D(2026, 10, 12))):
        err = refused(session, OpenRectification, book, session, world.contractor, world, rules,
                      milestone=milestone, day=day)
        assert notice.notice_no in err.message and f"不能预约{milestone}" in err.message
    assert book(session, world.contractor, world, rules, milestone="地基与基础验收").status == "submitted"
    # replied is still open; only a passed re-inspection lifts the block
    rectifications.reply_notice(session, world.contractor, notice.notice_no, "已返工处理", rules=rules, now=NOW)
    session.commit()
    refused(session, OpenRectification, book, session, world.contractor, world, rules, milestone="主体结构验收")
    rectifications.reinspect_notice(session, world.inspector, notice.notice_no, passed=True, rules=rules, now=NOW)
    assert book(session, world.contractor, world, rules, milestone="主体结构验收").status == "submitted"


def test_daily_capacity_per_team(session, world, rules, admin):
    extra = []
    from assistant.store import projects

    for i in range(3):
        extra.append(projects.create_project(session, admin, name=f"示例工程{i}", supervision_no=f"X-{i}",
                                             team=world.team_id, parties={"施工": world.builder_id}).id)
    for pid in extra:
        book(session, world.contractor, world, rules, project=pid)
    session.commit()
    err = refused(session, CapacityFull, book, session, world.contractor, world, rules)
    assert "第一监督组 2026-09-29 的预约已满（每日3个）" in err.message
    assert "可选日期：2026-09-30、2026-10-08、2026-10-09" in err.message
    assert err.detail["alternatives"][0] == "2026-09-30"
    # cancelling one frees the slot
    first = list_bookings(session, day=D(2026, 9, 29), rules=rules)[0]
    bookings.cancel_booking(session, world.contractor, first.booking_no, "工期调整", rules=rules, now=NOW)
    assert book(session, world.contractor, world, rules).status == "submitted"


def test_day_capacity_override_closes_a_day(session, world, rules, admin):
    teams.set_day_capacity(session, admin, world.team_id, D(2026, 9, 29), 0, note="全组参加培训")
    session.commit()
    err = refused(session, CapacityFull, book, session, world.contractor, world, rules)
    assert "每日0个）（全组参加培训）" in err.message
    window = booking_window(session, world.project_id, "地基与基础验收", rules=rules, now=NOW)
    assert window.earliest == D(2026, 9, 29)
    assert [d.day for d in window.days][:3] == [D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9)]
    assert window.days[0].free == 3


def test_illegal_transitions(session, world, rules):
    b = book(session, world.contractor, world, rules)
    session.commit()
    err = refused(session, IllegalTransition, bookings.complete_booking, session, world.inspector, b.booking_no,
                  "通过", rules=rules, now=NOW)
    assert "当前为“已提交”，不能办结" in err.message
    refused(session, IllegalTransition, bookings.schedule_booking, session, world.inspector, b.booking_no,
            inspectors=["insp1", "insp2"], at_time=time(9), rules=rules, now=NOW)
    bookings.cancel_booking(session, world.contractor, b.booking_no, "不需要了", rules=rules, now=NOW)
    session.commit()
    err = refused(session, IllegalTransition, bookings.accept_booking, session, world.inspector, b.booking_no,
                  rules=rules, now=NOW)
    assert "当前为“已取消”，不能受理" in err.message
    refused(session, NotFound, bookings.accept_booking, session, world.inspector, "2026-999999", rules=rules, now=NOW)


def test_permissions(session, world, rules):
    err = refused(session, PermissionDenied, book, session, world.outsider, world, rules)
    assert "不是该工程的参建单位" in err.message
    b = book(session, world.contractor, world, rules)
    session.commit()
    refused(session, PermissionDenied, bookings.accept_booking, session, world.contractor, b.booking_no,
            rules=rules, now=NOW)
    # For someone who may not see it, another enterprise's booking is "not found", like a missing number.
    refused(session, NotFound, bookings.cancel_booking, session, world.outsider, b.booking_no, "捣乱",
            rules=rules, now=NOW)
    with pytest.raises(NotFound, match=f"未找到预约编号 {b.booking_no}"):
        get_booking(session, b.booking_no, actor=world.outsider, rules=rules)
    assert list_bookings(session, actor=world.outsider, rules=rules) == []
    assert [x.booking_no for x in list_bookings(session, actor=world.contractor, rules=rules)] == [b.booking_no]


def test_schedule_needs_two_inspectors_and_reschedule_checks_the_new_day(session, world, rules, admin):
    b = book(session, world.contractor, world, rules)
    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW)
    session.commit()
    err = refused(session, InvalidInput, bookings.schedule_booking, session, world.inspector, b.booking_no,
                  inspectors=["insp1"], at_time=time(9), rules=rules, now=NOW)
    assert "至少需要指派2名监督员" in err.message
    refused(session, InvalidInput, bookings.schedule_booking, session, world.inspector, b.booking_no,
            inspectors=["insp1", "boss"], at_time=time(9), rules=rules, now=NOW)
    refused(session, InvalidDate, bookings.schedule_booking, session, world.inspector, b.booking_no,
            inspectors=["insp1", "insp2"], at_time=time(9), on_date=D(2026, 10, 3), rules=rules, now=NOW)
    teams.set_day_capacity(session, admin, world.team_id, D(2026, 10, 8), 0)
    session.commit()
    refused(session, CapacityFull, bookings.schedule_booking, session, world.inspector, b.booking_no,
            inspectors=["insp1", "insp2"], at_time=time(9), on_date=D(2026, 10, 8), rules=rules, now=NOW)
    moved = bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"],
                                      at_time=time(14), on_date=D(2026, 10, 9), rules=rules, now=NOW)
    assert (moved.inspection_date, moved.requested_date) == (D(2026, 10, 9), D(2026, 9, 29))
    again = bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp2", "insp1"],
                                      at_time=time(10), rules=rules, now=NOW)
    session.commit()
    assert again.scheduled_time == time(10)
    assert [h.action for h in get_booking(session, b.booking_no, rules=rules).history][-2:] == ["schedule", "reschedule"]
    # completing before the inspection day is refused
    err = refused(session, IllegalTransition, bookings.complete_booking, session, world.inspector, b.booking_no,
                  "通过", rules=rules, now=NOW + timedelta(days=1))
    assert "尚未到" in err.message


def test_completed_project_and_project_without_team(session, world, rules, admin):
    from assistant.store import projects

    projects.set_status(session, admin, world.project_id, "已竣工")
    loose = projects.create_project(session, admin, name="未分组工程", supervision_no="Y-1",
                                    parties={"施工": world.builder_id})
    session.commit()
    assert "已竣工" in refused(session, Conflict, book, session, world.contractor, world, rules).message
    assert "尚未分配监督组" in refused(session, Conflict, book, session, world.contractor, world, rules,
                                      project=loose.id).message


def test_provisional_calendar_beyond_published_years(session, world, rules):
    late = datetime(2026, 12, 28, 9, 0, tzinfo=CST)
    window = booking_window(session, world.project_id, "竣工验收监督", rules=rules, now=late)
    assert window.earliest.year == 2027 and window.notices and "2027年" in window.notices[0]
    # 1 Jan 2027 is New Year's Day by law even before the arrangement is published
    err = refused(session, InvalidDate, book, session, world.contractor, world, rules, day=D(2027, 1, 1), now=late)
    assert "元旦" in err.message
    b = book(session, world.contractor, world, rules, day=window.earliest, milestone="竣工验收监督", now=late)
    assert b.calendar_provisional and "以国务院办公厅公布的安排为准" in b.notices[0]


def test_notice_issued_after_submission_holds_acceptance_and_scheduling(session, world, rules):
    b = book(session, world.contractor, world, rules, milestone="主体结构验收")
    n = rectifications.issue_notice(session, world.inspector, project=world.project_id, problem="墙体垂直度超差",
                                    deadline=D(2026, 9, 28), rules=rules, now=NOW)
    session.commit()
    err = refused(session, OpenRectification, bookings.accept_booking, session, world.inspector, b.booking_no,
                  rules=rules, now=NOW)
    assert f"{n.notice_no}）" in err.message and "不能受理主体结构验收" in err.message
    rectifications.reply_notice(session, world.contractor, n.notice_no, "已整改", rules=rules, now=NOW)
    rectifications.reinspect_notice(session, world.inspector, n.notice_no, passed=True, rules=rules, now=NOW)
    assert bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW).status == "accepted"
    n2 = rectifications.issue_notice(session, world.inspector, project=world.project_id, problem="又一处问题",
                                     deadline=D(2026, 9, 28), rules=rules, now=NOW)
    session.commit()
    err = refused(session, OpenRectification, bookings.schedule_booking, session, world.inspector, b.booking_no,
                  inspectors=["insp1", "insp2"], at_time=time(9), rules=rules, now=NOW)
    assert n2.notice_no in err.message
