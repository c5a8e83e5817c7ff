"""Booking an inspection by conversation, on SQLite and PostgreSQL: slot filling, validation by the store's
own rules at each step, confirmation before any write, 取消/重新开始, cancelling one's own booking,
binding checks, and a restarted engine continuing the same conversation."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.conversation.engine import ConversationEngine
from assistant.store import bookings, rectifications
from assistant.store.booking_views import list_bookings
from assistant.store.db import engine_schema, make_engine
from assistant.store.rules import StoreRules
from tests.plugins.assistant import Dialogue, NoAnswerer, read
from tests.plugins.store import NOW


def _bookings(db):
    return read(db, lambda s: list_bookings(s, rules=StoreRules()))


def test_full_booking_with_a_wrong_date_corrected(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    r = talk("我要预约主体结构验收")
    assert r.kind == "prompt" and r.step == "project" and r.flow == "booking"
    assert [c.value for c in r.choices] == ["示例中学教学楼", "示例小区1号楼"]

    r = talk("1")  # picks the first offered project; the milestone came with the first message
    assert r.step == "date" and "最早可约 2026年9月29日" in r.text  # 2 working days after Thu 24 Sep, holiday between
    assert r.choices[0].value == "2026-09-29"

    r = talk("明天")  # Fri 25 Sep: inside the lead time (and the Mid-Autumn holiday)
    assert r.kind == "error" and r.step == "date"
    assert "须至少提前2个工作日预约" in r.text and "最早可约 2026-09-29" in r.text

    r = talk("10月1日")  # National Day
    assert r.kind == "error" and "国庆节假期" in r.text and "不是工作日" in r.text and "2026-09-29" in r.text

    r = talk("10月10日")  # a Saturday made a working day: accepted
    assert r.step == "contact" and r.kind == "prompt"

    r = talk("张三")
    assert r.step == "phone"
    r = talk("138 0000 1111")
    assert r.kind == "confirm" and r.step == "confirm"
    assert "示例中学教学楼" in r.text and "2026年10月10日（周六）" in r.text and "13800001111" in r.text
    assert [c.label for c in r.choices] == ["确认", "修改", "取消"]
    assert _bookings(engine) == []  # nothing written before confirmation

    r = talk("确认")
    assert r.kind == "done" and r.flow is None
    made = _bookings(engine)
    assert len(made) == 1
    b = made[0]
    assert (b.project_name, b.milestone, b.requested_date, b.contact_name, b.contact_phone, b.status) == (
        "示例中学教学楼", "主体结构验收", date(2026, 10, 10), "张三", "13800001111", "submitted")
    assert b.booking_no in r.text and r.data["booking"]["booking_no"] == b.booking_no


def test_everything_in_one_message_then_edit_from_the_summary(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    r = talk("帮我约一下示例小区1号楼下周三的地基验收，联系人王五 13900000000")
    assert r.kind == "confirm", r.text
    assert "示例小区1号楼" in r.text and "地基与基础验收" in r.text and "2026年9月30日（周三）" in r.text
    assert "王五" in r.text

    r = talk("修改")
    assert r.step == "modify" and "联系电话" in [c.label for c in r.choices]
    r = talk("联系电话")
    assert r.step == "phone"
    r = talk("12345")  # the store's phone check, re-asked
    assert r.step == "phone" and "格式不正确" in r.text
    r = talk("0571-87654321")
    assert r.kind == "confirm" and "0571-87654321" in r.text

    r = talk("日期改成10月12日")  # a value typed at the summary replaces the slot after validation
    assert r.kind == "confirm" and "2026年10月12日（周一）" in r.text
    r = talk("改成10月3日")
    assert r.kind == "error" and "国庆节假期" in r.text and r.step == "date"
    r = talk("10月9日")
    assert r.kind == "confirm" and "2026年10月9日（周五）" in r.text
    talk("好的")
    assert [b.requested_date for b in _bookings(engine)] == [date(2026, 10, 9)]


def test_cancel_and_restart_at_any_point_write_nothing(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    talk("预约验收")
    talk("示例中学教学楼")
    r = talk("重新开始")
    assert r.step == "project" and r.flow == "booking"
    talk("2")
    talk("主体验收")
    r = talk("下周三")
    assert r.step == "contact"
    r = talk("算了不约了")
    assert r.flow is None and "已取消本次预约" in r.text
    assert _bookings(engine) == []
    assert conv_engine.state(cid).flow is None
    r = talk("取消")  # nothing left to cancel
    assert "当前没有进行中的办理" in r.text


def test_a_new_engine_continues_the_same_conversation(conv_engine, engine, rules, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    talk("预约监督交底")
    talk("示例小区1号楼")
    talk("2026-09-29")
    # The process restarts: a new engine object on a new connection pool.
    url = engine.url.render_as_string(hide_password=False)
    other_db = make_engine(url, schema=engine_schema(engine))
    try:
        fresh = ConversationEngine(other_db, lambda: NoAnswerer(), rules=rules, clock=lambda: NOW)
        again = Dialogue(fresh, cid, w.contractor)
        r = again("李四 13700000000")
        assert r.kind == "confirm" and "监督交底" in r.text and "2026年9月29日" in r.text and "李四" in r.text
        r = again("确认")
        assert r.kind == "done"
    finally:
        other_db.dispose()
    assert [(b.milestone, b.contact_name) for b in _bookings(engine)] == [("监督交底", "李四")]


def test_rules_of_the_project_are_checked_when_the_milestone_is_chosen(conv_engine, engine, w, admin, rules,
                                                                       session, cid):
    rectifications.issue_notice(session, admin, project=w.project_id, problem="楼板保护层不足",
                                deadline=NOW.date() + timedelta(days=10), rules=rules, now=NOW)
    bookings.create_booking(session, w.contractor, project=w.project2_id, milestone="监督交底",
                            requested_date=date(2026, 9, 29), contact_name="甲", contact_phone="13800000000",
                            rules=rules, now=NOW)
    session.commit()
    talk = Dialogue(conv_engine, cid, w.contractor)
    r = talk("预约示例中学教学楼的主体结构验收")
    assert r.kind == "error" and "未销项的整改通知单" in r.text and r.step == "milestone"
    r = talk("地基与基础验收")  # not held back by the notice
    assert r.step == "date"
    talk("取消")
    r = talk("我要约示例小区1号楼的监督交底")
    assert r.kind == "error" and "已有进行中的预约" in r.text


def test_cancelling_ones_own_booking_and_not_anothers(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    for text in ("预约示例中学教学楼主体验收", "2026-09-30", "张三 13800000000", "确认"):
        r = talk(text)
    no = r.data["booking"]["booking_no"]

    r = Dialogue(conv_engine, cid + "-out", w.outsider)(f"取消预约 {no}")
    assert r.kind == "error" and "未找到贵单位的预约" in r.text

    r = talk("我的预约")
    assert no in r.text and "已提交" in r.text
    r = talk("取消预约")
    assert r.step == "pick" and r.choices[0].value == no
    r = talk("1")
    assert r.kind == "confirm" and no in r.text
    r = talk("不取消")
    assert "保留不变" in r.text and _bookings(engine)[0].status == "submitted"
    talk(f"取消预约 {no}")
    r = talk("确认")
    assert r.kind == "done" and "已取消" in r.text
    assert _bookings(engine)[0].status == "cancelled"
    r = talk(no)  # status by number, with the history
    assert "已取消（示例建工联系人通过对话取消）" in r.text and "办理记录" in r.text


def test_only_users_bound_to_an_enterprise_may_book(conv_engine, engine, w, cid):
    for text in ("我要预约主体结构验收", "申请帮扶", "我的预约", "取消预约"):
        r = conv_engine.handle(cid, None, text, channel="telegram")
        assert r.kind == "not_bound" and "绑定码" in r.text and "/bind" in r.text, (text, r.text)
    # Each channel is told its own way in.
    assert "“绑定 绑定码”" in conv_engine.handle(cid + "-wx", None, "申请帮扶", channel="wecom").text
    web = conv_engine.handle(cid + "-web", None, "申请帮扶", channel="web").text
    assert "访问令牌" in web and "/bind" not in web and "Telegram" not in web
    r = conv_engine.handle(cid + "-staff", w.inspector, "预约主体结构验收", channel="test")
    assert r.kind == "not_bound" and "管理端" in r.text
    r = conv_engine.handle(cid + "-out", w.outsider, "预约主体结构验收", channel="test")
    assert r.kind == "error" and "暂无在监工程" in r.text
    assert _bookings(engine) == []


def test_another_person_cannot_continue_a_dialogue(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    for text in ("预约示例中学教学楼主体验收", "2026-09-30", "张三 13800000000"):
        r = talk(text)
    assert r.kind == "confirm"
    r = conv_engine.handle(cid, w.outsider, "确认", channel="test")
    assert r.kind != "done" and _bookings(engine) == []
    assert conv_engine.state(cid).flow is None


def test_values_at_the_summary_other_business_mid_dialogue_and_stale_dialogues(engine, rules, w, cid):
    clock = [NOW]
    eng = ConversationEngine(engine, lambda: NoAnswerer(), rules=rules, clock=lambda: clock[0])
    talk = Dialogue(eng, cid, w.contractor)
    for text in ("预约示例中学教学楼主体验收", "2026-09-30", "张三 13800000000"):
        r = talk(text)
    r = talk("改电话13900000000")  # the new value typed with the request to change it
    assert r.kind == "confirm" and "13900000000" in r.text
    r = talk("申请帮扶")
    assert "您正在办理预约" in r.text and "请先回复“取消”" in r.text and r.step == "confirm"
    r = talk("嗯嗯嗯嗯嗯")
    assert "没有看懂" in r.text and r.step == "confirm"
    clock[0] = NOW + timedelta(hours=25)
    r = talk("确认")
    assert "已超过24小时，已自动结束" in r.text and r.kind != "done"
    assert _bookings(engine) == []


def test_a_full_day_is_refused_with_the_days_that_have_room(conv_engine, engine, w, admin, rules, session, cid):
    for project, milestone in ((w.project_id, "监督交底"), (w.project_id, "地基与基础验收"),
                               (w.project2_id, "监督交底")):
        bookings.create_booking(session, admin, project=project, milestone=milestone,
                                requested_date=date(2026, 9, 30), contact_name="甲", contact_phone="13800000000",
                                rules=rules, now=NOW)
    session.commit()
    talk = Dialogue(conv_engine, cid, w.contractor)
    r = talk("约示例中学教学楼下周三的主体验收")
    assert r.kind == "error" and r.step == "date" and "预约已满（每日3个）" in r.text
    assert "2026-09-30" not in [c.value for c in r.choices] and r.choices[0].value == "2026-09-29"
