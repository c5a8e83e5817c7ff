"""The station workbench's rules in the store: who books which milestone, milestone order, inspector
conflicts, staff told of a cancelled or moved booking, the queues, a visit handed back, and evidence photos."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from PIL import Image

from assistant.store import accounts, attachments, bookings, notify, visits
from assistant.store.actors import Actor
from assistant.store.attachments import AttachmentTooLarge, Limits, UnsupportedAttachment
from assistant.store.booking_rules import InspectorConflict, MilestoneNotAllowed, MilestoneOutOfOrder
from assistant.store.booking_views import booking_queues
from assistant.store.errors import NotFound, PermissionDenied
from assistant.store.rules import PRACTICE_MILESTONE_ORDER, PRACTICE_MILESTONE_ROLES, StoreRules
from tests.plugins.store import CST, NOW, count_rows

from .test_store_bookings import book

D = date


@pytest.fixture
def practice(rules: StoreRules) -> StoreRules:
    """The default rules plus the station's practice (what an installation's Settings give)."""
    return replace(rules, milestone_roles=dict(PRACTICE_MILESTONE_ROLES), milestone_order=dict(PRACTICE_MILESTONE_ORDER))


def complete(session, world, rules, milestone: str, day: date) -> str:
    """A booking of ``milestone`` made in the past and completed on its day (as the demo seed replays one)."""
    past = datetime.combine(day - timedelta(days=20), time(9), CST)
    b = book(session, world.inspector, world, rules, milestone=milestone, day=day, now=past,
             enterprise=world.builder_id if milestone != "竣工验收监督" else world.owner_id)
    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=past)
    bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"], at_time=time(9),
                              rules=rules, now=past)
    bookings.complete_booking(session, world.inspector, b.booking_no, "合格", rules=rules,
                              now=datetime.combine(day, time(15), CST))
    return b.booking_no


def test_completion_inspection_is_booked_by_the_owner_only(session, world, practice):
    err = None
    with pytest.raises(MilestoneNotAllowed) as info:
        book(session, world.contractor, world, practice, milestone="竣工验收监督", day=D(2026, 10, 12))
    err = info.value
    assert err.status == 403 and err.code == "milestone_role_not_allowed"
    assert "竣工验收监督由建设单位组织" in err.message and "示例建工集团有限公司在该工程中为施工单位" in err.message
    assert "请由建设单位（示例置业有限公司）提出" in err.message
    session.rollback()
    # Staff booking on the firms' behalf: without naming one, the owner is taken (and the order rule then speaks).
    with pytest.raises(MilestoneOutOfOrder):
        book(session, world.inspector, world, practice, milestone="竣工验收监督", day=D(2026, 10, 12))


def test_milestones_follow_their_order(session, world, practice, rules):
    session.commit()
    before = count_rows(session, "bookings", "audit_events")
    with pytest.raises(MilestoneOutOfOrder) as info:
        book(session, world.contractor, world, practice, milestone="主体结构验收")
    assert "地基与基础验收（尚未预约）尚未办结，主体结构验收须在其办结后预约" in info.value.message
    session.rollback()
    assert count_rows(session, "bookings", "audit_events") == before

    found = book(session, world.contractor, world, practice, milestone="地基与基础验收")
    with pytest.raises(MilestoneOutOfOrder) as info:
        book(session, world.contractor, world, practice, milestone="主体结构验收", day=D(2026, 9, 30))
    assert f"（{found.booking_no}，已提交）" in info.value.message
    session.rollback()

    # Completed earlier: now 主体 may be booked; the bare rules never asked.
    complete(session, world, practice, "地基与基础验收", D(2026, 9, 1))
    assert book(session, world.contractor, world, practice, milestone="主体结构验收", day=D(2026, 9, 30)).status == "submitted"
    assert book(session, world.contractor, world, rules, project=world.project2_id, milestone="主体结构验收").status == "submitted"


def test_scheduling_warns_of_an_inspector_booked_near_that_time(session, world, rules):
    a = book(session, world.contractor, world, rules)
    b = book(session, world.contractor, world, rules, project=world.project2_id)
    for no in (a.booking_no, b.booking_no):
        bookings.accept_booking(session, world.inspector, no, rules=rules, now=NOW)
    bookings.schedule_booking(session, world.inspector, a.booking_no, inspectors=["insp1", "insp2"], at_time=time(9),
                              rules=rules, now=NOW)
    session.commit()
    with pytest.raises(InspectorConflict) as info:
        bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"],
                                  at_time=time(10, 30), rules=rules, now=NOW)
    conflict = info.value.detail["conflicts"][0]
    assert conflict["booking_no"] == a.booking_no and conflict["inspectors"] == ["张监督", "李监督"]
    assert "监督员时间冲突：张监督、李监督已排 2026-09-29 09:00" in info.value.message
    session.rollback()
    # Two hours apart is another slot; a confirmed conflict is scheduled and the audit says so.
    bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"], at_time=time(11),
                              rules=rules, now=NOW)
    s = bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"],
                                  at_time=time(9, 30), allow_conflict=True, rules=rules, now=NOW)
    assert s.scheduled_time == time(9, 30)


def test_assigned_inspectors_are_told_of_a_move_and_a_cancellation(session, world, rules):
    b = book(session, world.contractor, world, rules)
    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW)
    bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"], at_time=time(9),
                              rules=rules, now=NOW)
    insp1, insp2 = world.inspector.account_id, world.inspector2.account_id
    assert [n.kind for n in notify.list_for(session, insp2)] == ["booking_scheduled", "booking_submitted"]

    later = NOW + timedelta(hours=1)
    bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp2"], at_time=time(14),
                              on_date=D(2026, 9, 30), rules=replace(rules, min_inspectors=1), now=later)
    moved = notify.list_for(session, insp2)[0]
    assert moved.kind == "booking_moved" and moved.subject_no == b.booking_no
    assert "原定时间：2026-09-29（周二） 09:00" in moved.body and "改为：2026-09-30（周三） 14:00" in moved.body
    # insp1 moved it himself: nobody tells you your own action (he was told of the new booking, as the team is)
    assert [n.kind for n in notify.list_for(session, insp1)] == ["booking_submitted"]

    bookings.cancel_booking(session, world.contractor, b.booking_no, "现场条件未具备", rules=rules,
                            now=later + timedelta(hours=1))
    told = notify.list_for(session, insp2)[0]
    assert told.kind == "booking_cancelled" and b.booking_no in told.body
    assert "取消原因：现场条件未具备" in told.body and "示例建工" in told.body


def test_a_reassigned_inspector_is_told_he_is_off_it(session, world, rules, admin):
    accounts.create_account(session, admin, login="insp3", name="王监督", role="inspector", team=world.team_id)
    b = book(session, world.contractor, world, rules)
    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW)
    bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"], at_time=time(9),
                              rules=rules, now=NOW)
    bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp3"], at_time=time(9),
                              rules=rules, now=NOW + timedelta(minutes=5))
    told = notify.list_for(session, world.inspector2.account_id)[0]
    assert told.kind == "booking_moved" and "监督人员已调整" in told.title
    assert "监督人员：张监督、李监督 → 张监督、王监督" in told.body, told.body


def test_queues_today_week_overdue_and_pending(session, world, rules):
    overdue = complete(session, world, rules, "监督交底", D(2026, 9, 1))  # completed: in no queue
    past = datetime(2026, 9, 1, 9, tzinfo=CST)
    late = book(session, world.contractor, world, rules, day=D(2026, 9, 7), now=past)
    tomorrow = book(session, world.contractor, world, rules, project=world.project2_id)
    q = booking_queues(session, rules=rules, now=datetime(2026, 9, 28, 9, tzinfo=CST))  # Monday
    assert q.week_end == D(2026, 10, 4)
    assert [b.booking_no for b in q.overdue] == [late.booking_no]
    assert [b.booking_no for b in q.week] == [tomorrow.booking_no] and q.today == []
    assert {b.booking_no for b in q.pending} == {late.booking_no, tomorrow.booking_no}
    assert q.counts == {"today": 0, "week": 1, "overdue": 1, "pending": 2}
    assert overdue not in {b.booking_no for b in q.overdue}


def test_an_expert_hands_a_visit_back(session, world, rules, admin):
    v = visits.submit_visit(session, world.contractor, topic="技术咨询", description="咨询", contact_name="王",
                            contact_phone="13912345678", rules=rules, now=NOW)
    visits.assign_visit(session, world.inspector, v.visit_no, experts=["exp"], planned_date=D(2026, 9, 29),
                        rules=rules, now=NOW)
    with pytest.raises(PermissionDenied):
        visits.release_visit(session, world.contractor, v.visit_no, "不去了", rules=rules, now=NOW)
    back = visits.release_visit(session, world.expert, v.visit_no, "当天另有任务", rules=rules, now=NOW)
    assert (back.status, back.experts, back.planned_date) == ("submitted", [], None)
    assert [x.visit_no for x in visits.visit_queue(session, rules=rules, now=NOW)] == [v.visit_no]
    history = visits.get_visit(session, v.visit_no).history
    assert history[-1].action_label == "退回派遣" and history[-1].detail["reason"] == "当天另有任务"


# -- attachments --------------------------------------------------------------------------------------------
def photo(size=(2400, 1800), *, taken="2026:09:24 10:20:30", fmt="JPEG", gps=True) -> bytes:
    img = Image.new("RGB", size, (90, 120, 150))
    exif = Image.Exif()
    exif[271], exif[272] = "ZJCam", "X100"
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 15.0, 36.0), 3: "E", 4: (120.0, 9.0, 0.0)})
    buf = io.BytesIO()
    img.save(buf, fmt, exif=exif) if fmt == "JPEG" else img.save(buf, fmt)
    return buf.getvalue()


LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_px=1600, max_per_record=3)


def test_a_photo_is_checked_by_content_resized_and_keeps_its_evidence(session, world, rules, tmp_path):
    b = book(session, world.contractor, world, rules)
    data = photo()
    out = attachments.save_attachment(session, world.inspector, "booking", b.booking_no, "现场.png", data,
                                      root=tmp_path, limits=LIMITS, now=NOW)
    assert (out.kind, out.content_type, out.filename) == ("image", "image/jpeg", "现场.jpg")
    assert (out.width, out.height) == (1600, 1200) and out.original_size == len(data)
    assert out.taken_at == "2026:09:24 10:20:30"
    assert out.exif["make"] == "ZJCam" and out.exif["gps"] == {"lat": 30.26, "lon": 120.15}
    stored = attachments.open_attachment(session, world.contractor, out.uid, root=tmp_path)
    kept = Image.open(stored.path)
    assert kept.size == (1600, 1200) and not kept.getexif().get_ifd(0x8825)  # no position in the served file
    thumb = Image.open(attachments.open_attachment(session, world.inspector, out.uid, root=tmp_path, thumb=True).path)
    assert max(thumb.size) == 320
    assert [a.uid for a in attachments.list_attachments(session, world.contractor, "booking", b.booking_no)] == [out.uid]


def test_bad_uploads_are_refused_in_chinese_and_nothing_is_kept(session, world, rules, tmp_path):
    b = book(session, world.contractor, world, rules)
    cases = [
        (b"%PDF-1.4 not really a pdf", UnsupportedAttachment),
        (b"MZ\x90\x00 an executable named .jpg", UnsupportedAttachment),
        (photo()[:2000], UnsupportedAttachment),  # truncated
        (b"\xff" * (LIMITS.max_bytes + 1), AttachmentTooLarge),
    ]
    for data, exc in cases:
        with pytest.raises(exc) as info:
            attachments.save_attachment(session, world.inspector, "booking", b.booking_no, "照片.jpg", data,
                                        root=tmp_path, limits=LIMITS, now=NOW)
        assert "照片.jpg" in info.value.message
    with pytest.raises(PermissionDenied):  # a firm adds no evidence to a booking
        attachments.save_attachment(session, world.contractor, "booking", b.booking_no, "a.jpg", photo(),
                                    root=tmp_path, limits=LIMITS, now=NOW)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    for _ in range(3):
        attachments.save_attachment(session, world.inspector, "booking", b.booking_no, "a.png",
                                    photo((400, 300), fmt="PNG"), root=tmp_path, limits=LIMITS, now=NOW)
    with pytest.raises(Exception, match="达到上限 3 个"):
        attachments.save_attachment(session, world.inspector, "booking", b.booking_no, "a.png",
                                    photo((400, 300), fmt="PNG"), root=tmp_path, limits=LIMITS, now=NOW)


def test_evidence_is_served_only_to_those_who_may_see_the_record(session, world, rules, tmp_path):
    from assistant.store import rectifications

    n = rectifications.issue_notice(session, world.inspector, project=world.project_id, problem="保护层不足",
                                    deadline=D(2026, 10, 9), rules=rules, now=NOW)
    out = attachments.save_attachment(session, world.contractor, "notice", n.notice_no, "整改后.jpg", photo(),
                                      root=tmp_path, limits=LIMITS, now=NOW)
    assert attachments.open_attachment(session, world.inspector, out.uid, root=tmp_path).path.is_file()
    for stranger in (world.outsider, world.expert):
        with pytest.raises(NotFound):  # never confirms that the file exists
            attachments.open_attachment(session, stranger, out.uid, root=tmp_path)
        with pytest.raises(PermissionDenied):
            attachments.list_attachments(session, stranger, "notice", n.notice_no)
    with pytest.raises(PermissionDenied):
        attachments.save_attachment(session, world.outsider, "notice", n.notice_no, "x.jpg", photo(),
                                    root=tmp_path, limits=LIMITS, now=NOW)
    with pytest.raises(NotFound):
        attachments.save_attachment(session, world.inspector, "nothing", "1", "x.jpg", photo(), root=tmp_path,
                                    limits=LIMITS, now=NOW)
    # A visit's photos: the assigned expert adds them, the firm sees them.
    v = visits.submit_visit(session, world.contractor, topic="技术咨询", description="咨询", contact_name="王",
                            contact_phone="13912345678", rules=rules, now=NOW)
    with pytest.raises(PermissionDenied):
        attachments.save_attachment(session, world.expert, "visit", v.visit_no, "x.jpg", photo(), root=tmp_path,
                                    limits=LIMITS, now=NOW)
    visits.assign_visit(session, world.inspector, v.visit_no, experts=["exp"], planned_date=D(2026, 9, 29),
                        rules=rules, now=NOW)
    shot = attachments.save_attachment(session, world.expert, "visit", v.visit_no, "x.jpg", photo(taken=None),
                                       root=tmp_path, limits=LIMITS, now=NOW)
    assert shot.taken_at is None
    assert attachments.open_attachment(session, world.contractor, shot.uid, root=tmp_path).content_type == "image/jpeg"
    assert Actor.system().is_staff
