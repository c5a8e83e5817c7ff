"""Who is told what, by whom, written with the change: bookings, rectification notices, visits, reminders, digests.

Through the store services on every backend. Each notification row is one
person told about one change; a delivery row says how it will reach their chat
(pending on each bound channel, or skipped with the reason).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import bindings, bookings, events, notify, rectifications, reminders, visits
from assistant.store.actors import Actor
from assistant.store.errors import InvalidInput
from assistant.store.models import Account, Delivery, Notification
from tests.plugins.store import CST, NOW, World

D = date


def told(session: Session, *kinds: str) -> list[tuple[str, str]]:
    """(kind, login) of every notification, in the order written."""
    stmt = select(Notification.kind, Account.login).join(Account, Notification.account_id == Account.id)
    if kinds:
        stmt = stmt.where(Notification.kind.in_(kinds))
    return [tuple(r) for r in session.execute(stmt.order_by(Notification.id))]


def last(session: Session, kind: str, login: str) -> Notification:
    return session.scalars(select(Notification).join(Account, Notification.account_id == Account.id)
                           .where(Notification.kind == kind, Account.login == login)
                           .order_by(Notification.id.desc())).first()


def bind(session: Session, login: str, channel: str, external_id: str) -> None:
    code = bindings.issue_code(session, Actor.system("测试"), login, now=NOW).code
    bindings.redeem_code(session, channel, external_id, code, now=NOW)


def booked(session, world: World, rules, day: date = D(2026, 9, 29), project: int | None = None):
    return bookings.create_booking(session, world.contractor, project=project or world.project_id,
                                   milestone="地基与基础验收",
                                   requested_date=day, contact_name="王经理", contact_phone="13912345678",
                                   rules=rules, now=NOW)


def test_a_bookings_whole_life_tells_each_person_once(session, world, rules):
    b = booked(session, world, rules)
    no = b.booking_no
    # submitted: the team's inspectors, who accept or return it
    assert told(session) == [("booking_submitted", "insp1"), ("booking_submitted", "insp2")]
    bookings.accept_booking(session, world.inspector, no, rules=rules, now=NOW)
    # insp1 accepted it: only the firm is told (never the person who acted)
    assert told(session, "booking_accepted") == [("booking_accepted", "boss")]
    bookings.schedule_booking(session, world.inspector, no, inspectors=["insp1", "insp2"], at_time=time(9, 30),
                              rules=rules, now=NOW)
    assert told(session, "booking_scheduled") == [("booking_scheduled", "boss"), ("booking_scheduled", "insp2")]
    sched = last(session, "booking_scheduled", "boss")
    assert sched.title == "预约已排期：地基与基础验收 2026-09-29（周二） 09:30"
    for part in (f"预约编号：{no}", "工程：示例中学教学楼", "监督人员：张监督、李监督", "现场联系人：王经理 13912345678"):
        assert part in sched.body
    assert (sched.subject_type, sched.subject_no, sched.data["status"]) == ("booking", no, "scheduled")

    # moved to another day: the firm and both inspectors (insp2 moved it, so not insp2)
    bookings.schedule_booking(session, world.inspector2, no, inspectors=["insp1", "insp2"], at_time=time(14, 0),
                              on_date=D(2026, 9, 30), rules=rules, now=NOW)
    assert told(session, "booking_moved") == [("booking_moved", "boss"), ("booking_moved", "insp1")]
    moved = last(session, "booking_moved", "boss")
    assert moved.title == "预约已改期：地基与基础验收 改至 2026-09-30（周三） 14:00"
    assert "原定时间：2026-09-29（周二） 09:30" in moved.body and "改为：2026-09-30（周三） 14:00" in moved.body
    # scheduled again exactly as it is: nothing to tell
    bookings.schedule_booking(session, world.inspector2, no, inspectors=["insp2", "insp1"], at_time=time(14, 0),
                              rules=rules, now=NOW)
    assert len(told(session, "booking_moved")) == 2
    # a second, different move is a new event (its own key), not swallowed as a repeat of the first
    bookings.schedule_booking(session, world.inspector, no, inspectors=["insp1", "insp2"], at_time=time(9, 0),
                              on_date=D(2026, 9, 30), rules=rules, now=NOW)
    assert told(session, "booking_moved")[2:] == [("booking_moved", "boss"), ("booking_moved", "insp2")]

    # cancelled by the firm: the assigned inspectors, with the reason and who cancelled
    bookings.cancel_booking(session, world.contractor, no, "现场桩基检测推迟", rules=rules, now=NOW)
    assert told(session, "booking_cancelled") == [("booking_cancelled", "insp1"), ("booking_cancelled", "insp2")]
    cancelled = last(session, "booking_cancelled", "insp1")
    assert "取消原因：现场桩基检测推迟" in cancelled.body
    assert "取消方：示例建工集团有限公司（示例建工联系人）" in cancelled.body
    assert "原定时间：2026-09-30（周三） 09:00" in cancelled.body
    keys = session.scalars(select(Notification.event_key).order_by(Notification.id)).all()
    assert f"booking:{no}:moved:1" in keys and f"booking:{no}:moved:3" in keys  # ordinal among the moves


def test_returned_and_completed_bookings_tell_the_firm_with_the_reason(session, world, rules):
    b = booked(session, world, rules)
    bookings.return_booking(session, world.inspector, b.booking_no, "缺少桩基检测报告", rules=rules, now=NOW)
    n = last(session, "booking_returned", "boss")
    assert n.title == "预约被退回：地基与基础验收" and "退回原因：缺少桩基检测报告" in n.body

    b2 = booked(session, world, rules, D(2026, 9, 30))
    bookings.accept_booking(session, world.inspector, b2.booking_no, rules=rules, now=NOW)
    bookings.schedule_booking(session, world.inspector, b2.booking_no, inspectors=["insp1", "insp2"],
                              at_time=time(9, 0), rules=rules, now=NOW)
    later = datetime(2026, 9, 30, 17, 0, tzinfo=CST)
    bookings.complete_booking(session, world.inspector, b2.booking_no, "符合要求，同意进入下道工序",
                              rules=rules, now=later)
    done = last(session, "booking_completed", "boss")
    assert "监督结论：符合要求，同意进入下道工序" in done.body and done.created_at == later


def test_emitting_the_same_event_again_tells_nobody_twice(session, world, rules):
    b = booked(session, world, rules)
    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW)
    from assistant.store.booking_views import booking_row

    row = booking_row(session, b.booking_no)
    assert events.booking_event(session, world.inspector, row, "accept", at=NOW) == 0
    assert told(session, "booking_accepted") == [("booking_accepted", "boss")]
    assert session.query(Delivery).count() == len(told(session))


def test_a_refused_change_tells_nobody(session, world, rules):
    b = booked(session, world, rules)
    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW)
    session.commit()
    before = len(told(session))
    with pytest.raises(InvalidInput):  # one inspector is not enough
        bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1"], at_time=time(9, 0),
                                  rules=rules, now=NOW)
    session.rollback()
    assert len(told(session)) == before


def test_notice_issue_reply_and_reinspections(session, world, rules):
    n = rectifications.issue_notice(session, world.inspector, project=world.project_id, problem="二层梁钢筋保护层厚度不足",
                                    deadline=D(2026, 10, 9), cited_code="GB 50204-2015", cited_clause="5.5.3",
                                    rules=rules, now=NOW)
    issued = last(session, "notice_issued", "boss")
    assert issued.title == "整改通知单：示例中学教学楼，限10月9日前整改"
    assert "依据：GB 50204-2015 第5.5.3条" in issued.body and "整改期限：2026-10-09（周五）前" in issued.body
    rectifications.reply_notice(session, world.contractor, n.notice_no, "已返工并复测合格", rules=rules, now=NOW)
    # the reply goes to the inspector who issued the notice, not to the whole team
    assert told(session, "notice_replied") == [("notice_replied", "insp1")]
    rectifications.reinspect_notice(session, world.inspector2, n.notice_no, passed=False, note="仍有两处不足",
                                    rules=rules, now=NOW)
    fail = last(session, "notice_reinspected", "boss")
    assert fail.title == "复查未通过：示例中学教学楼" and "复查意见：仍有两处不足" in fail.body
    rectifications.reply_notice(session, world.contractor, n.notice_no, "两处已补强", rules=rules, now=NOW)
    rectifications.reinspect_notice(session, world.inspector, n.notice_no, passed=True, rules=rules, now=NOW)
    assert told(session, "notice_replied", "notice_reinspected") == [
        ("notice_replied", "insp1"), ("notice_reinspected", "boss"), ("notice_replied", "insp1"),
        ("notice_reinspected", "boss")]
    assert last(session, "notice_reinspected", "boss").title == "复查通过，已销项：示例中学教学楼"


def test_visit_assignment_reassignment_record_close(session, world, rules, admin):
    v = visits.submit_visit(session, world.contractor, topic="技术咨询", description="深基坑支护方案咨询",
                            contact_name="王经理", contact_phone="13912345678", project=world.project_id,
                            rules=rules, now=NOW)
    assert told(session) == []
    visits.assign_visit(session, world.inspector, v.visit_no, experts=["exp"], planned_date=D(2026, 10, 12),
                        rules=rules, now=NOW)
    assert told(session) == [("visit_scheduled", "boss"), ("visit_assigned", "exp")]
    assert "联系人：王经理 13912345678" in last(session, "visit_assigned", "exp").body
    visits.assign_visit(session, world.inspector, v.visit_no, experts=["insp2"], planned_date=D(2026, 10, 12),
                        rules=rules, now=NOW)
    assert told(session)[2:] == [("visit_scheduled", "boss"), ("visit_assigned", "insp2"),
                                 ("visit_assigned", "exp")]
    assert last(session, "visit_assigned", "exp").title == "服务派遣已取消：示例建工集团有限公司 技术咨询"
    later = datetime(2026, 10, 12, 16, 0, tzinfo=CST)
    visits.record_visit(session, world.inspector2, v.visit_no, findings="建议增设监测点", rules=rules, now=later)
    visits.close_visit(session, world.contractor, v.visit_no, satisfaction=5, rules=rules, now=later)
    assert told(session)[5:] == [("visit_recorded", "boss"), ("visit_closed", "insp2")]
    assert "满意度：5/5" in last(session, "visit_closed", "insp2").body


def test_deliveries_follow_the_bindings_and_the_mutes(session, world, rules):
    bind(session, "boss", "wecom", "wangjingli")
    bind(session, "boss", "telegram", "5001")
    bind(session, "insp2", "telegram", "5002")
    notify.set_muted(session, world.inspector2.account_id, ["booking_submitted"], at=NOW)
    booked(session, world, rules)
    rows = session.execute(select(Notification.kind, Delivery.channel, Delivery.status, Delivery.last_error)
                           .join(Delivery, Delivery.notification_id == Notification.id)
                           .order_by(Notification.id, Delivery.channel)).all()
    # insp1 is bound nowhere; insp2 muted new-booking notices: both recorded as skipped, with the reason
    assert [tuple(r[1:3]) for r in rows] == [("none", "skipped"), ("telegram", "skipped")]
    assert rows[0][3] == notify.SKIP_UNBOUND and rows[1][3] == notify.SKIP_MUTED
    # still listed in the page for both
    assert [n.kind for n in notify.list_for(session, world.inspector2.account_id)] == ["booking_submitted"]

    bookings.accept_booking(session, world.inspector, "2026-000001", rules=rules, now=NOW)
    accepted = session.execute(select(Delivery.channel, Delivery.status).join(Notification).where(
        Notification.kind == "booking_accepted").order_by(Delivery.channel)).all()
    assert [tuple(r) for r in accepted] == [("telegram", "pending"), ("wecom", "pending")]


def test_mute_preferences_are_validated(session, world):
    me = world.contractor.account_id
    prefs = notify.set_muted(session, me, ["booking_accepted", "daily_digest", "booking_accepted"], at=NOW)
    assert prefs.muted == ["booking_accepted", "daily_digest"]
    assert {k.kind for k in prefs.kinds if k.muted} == {"booking_accepted", "daily_digest"}
    assert len(prefs.kinds) == len(notify.KINDS)
    with pytest.raises(InvalidInput, match="没有这类提醒：nonsense"):
        notify.set_muted(session, me, ["nonsense"], at=NOW)
    assert notify.set_muted(session, me, [], at=NOW).muted == []


# -- reminders and digests ---------------------------------------------------------------------------------

def _at(d: date, h: int, m: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, h, m, tzinfo=CST)


def test_deadline_reminders_once_each_and_not_before_morning(session, world, rules):
    issue = dict(project=world.project_id, deadline=D(2026, 9, 29), rules=rules, now=NOW)
    rectifications.issue_notice(session, world.inspector, problem="外墙渗漏", **issue)
    replied = rectifications.issue_notice(session, world.inspector, problem="楼梯栏杆高度不足", **issue)
    rectifications.reply_notice(session, world.contractor, replied.notice_no, "已加高", rules=rules, now=NOW)
    session.commit()
    assert reminders.scan(session, rules=rules, now=_at(D(2026, 9, 28), 6, 0)) == 0  # before 07:30
    # the reminder, and both inspectors' digests (a reply awaits their re-inspection)
    assert reminders.scan(session, rules=rules, now=_at(D(2026, 9, 28), 8, 0)) == 3
    assert reminders.scan(session, rules=rules, now=_at(D(2026, 9, 28), 15, 0)) == 0
    # only the open notice is chased; the replied one waits for its re-inspection
    assert told(session, "notice_due_tomorrow") == [("notice_due_tomorrow", "boss")]
    due = last(session, "notice_due_tomorrow", "boss")
    assert due.title == "整改明日到期：示例中学教学楼" and "整改期限：2026-09-29（周二）" in due.body
    assert "外墙渗漏" in due.body
    # the deadline passes: the firm and the inspector who issued it, once however often it is scanned
    for h in (8, 9, 10):
        reminders.scan(session, rules=rules, now=_at(D(2026, 10, 2), h))
    reminders.scan(session, rules=rules, now=_at(D(2026, 10, 3), 9))
    assert told(session, "notice_overdue") == [("notice_overdue", "boss"), ("notice_overdue", "insp1")]
    assert last(session, "notice_overdue", "insp1").title == "整改已逾期3天：示例中学教学楼"


def test_daily_digest_once_a_working_day_per_inspector(session, world, rules):
    b = booked(session, world, rules)
    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW)
    bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"],
                              at_time=time(9, 30), rules=rules, now=NOW)
    booked(session, world, rules, D(2026, 9, 30), world.project2_id)  # awaiting acceptance
    rectifications.issue_notice(session, world.inspector, project=world.project2_id, problem="模板支撑间距过大",
                                deadline=D(2026, 9, 24), rules=rules, now=NOW)
    session.commit()
    day = D(2026, 9, 29)
    for h in (8, 9, 12):
        reminders.scan(session, rules=rules, now=_at(day, h))
    digests = told(session, "daily_digest")
    assert digests == [("daily_digest", "insp1"), ("daily_digest", "insp2")]
    d = last(session, "daily_digest", "insp1")
    assert d.title == "今日待办 2026-09-29（周二）：今日监督 1 项，待受理预约 1 件，逾期整改 1 件"
    assert "09:30 示例中学教学楼 地基与基础验收（2026-000001）" in d.body
    assert "【待受理预约】1 件" in d.body and "2026-000002" in d.body
    assert "逾期5天" in d.body
    # the next working day brings a new digest; a Saturday of the holiday brings none
    reminders.scan(session, rules=rules, now=_at(D(2026, 9, 30), 8))
    reminders.scan(session, rules=rules, now=_at(D(2026, 10, 3), 8))
    assert [k for k, who in told(session, "daily_digest") if who == "insp1"] == ["daily_digest"] * 2
    # someone with nothing that day gets no digest
    assert reminders.digest_text(session, session.get(Account, world.expert.account_id), day) == ("", "")
