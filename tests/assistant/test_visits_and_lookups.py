"""Visit requests end to end, credit lookups (public vs full view), booking status, help and menus."""

from __future__ import annotations

from datetime import date

from assistant.store.visits import list_visits
from tests.plugins.assistant import Dialogue, read


def _visits(db):
    return read(db, lambda s: list_visits(s))


def test_visit_request_end_to_end(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    r = talk("想请服务团专家上门帮扶")
    assert r.flow == "visit" and r.step == "topic" and "整改帮扶" in [c.value for c in r.choices]
    r = talk("4")
    assert r.step == "description"
    r = talk("三层楼板钢筋保护层偏差较大，请专家指导整改措施")
    assert r.step == "project" and r.choices[-1].value == "不涉及具体工程"
    r = talk("示例中学教学楼")
    assert r.step == "dates" and r.choices[-1].value == "不限"
    r = talk("10月2日")
    assert r.kind == "error" and r.step == "dates" and "国庆节假期" in r.text
    r = talk("下周三、10月9日")
    assert r.step == "contact"
    r = talk("李四")
    r = talk("13900000000")
    assert r.kind == "confirm"
    assert "2026年9月30日（周三）、2026年10月9日（周五）" in r.text and "示例中学教学楼" in r.text
    assert _visits(engine) == []
    r = talk("确认")
    assert r.kind == "done" and r.flow is None
    [v] = _visits(engine)
    assert (v.topic, v.project_name, v.preferred_dates, v.contact_name, v.status) == (
        "整改帮扶", "示例中学教学楼", [date(2026, 9, 30), date(2026, 10, 9)], "李四", "submitted")
    assert v.description.startswith("三层楼板") and v.visit_no in r.text


def test_duplicate_visit_caught_when_the_topic_is_chosen(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    for text in ("申请帮扶", "技术咨询", "装配式构件进场验收流程需要指导", "不涉及", "不限", "王五 0571-88000000"):
        r = talk(text)
    assert r.kind == "confirm" and "不涉及具体工程" in r.text and "期望日期：不限" in r.text
    assert talk("确认").kind == "done"
    talk("申请帮扶")
    r = talk("技术咨询")
    assert r.kind == "error" and "已有同类服务申请在办理中" in r.text and r.step == "topic"
    r = talk("取消")
    assert "已取消本次服务申请" in r.text
    assert len(_visits(engine)) == 1


def test_description_typed_before_the_topic_is_kept(conv_engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    talk("申请帮扶")
    r = talk("地下室外墙渗水，想请专家看看怎么处理")
    assert r.step == "topic" and "已记下需求描述" in r.text
    r = talk("技术咨询")
    assert r.step == "project"  # the description was not asked again


def test_credit_public_for_others_full_for_the_firm_and_staff(conv_engine, w, cid):
    r = conv_engine.handle(cid, None, "查信用 示例建工集团有限公司", channel="test")
    assert "信用等级：C" in r.text and "加强监管" in r.text and "信用分：" not in r.text
    assert r.data["credit"]["view"] == "public"
    r = conv_engine.handle(cid + "-own", w.contractor, "我们公司信用怎么样", channel="test")
    assert r.data["credit"]["view"] == "full" and "信用分：70" in r.text
    r = conv_engine.handle(cid + "-staff", w.inspector, "示例路桥工程有限公司的信用等级是多少", channel="test")
    assert r.data["credit"]["view"] == "full" and "示例路桥工程有限公司" in r.text
    r = conv_engine.handle(cid + "-other", w.outsider, "查一下示例建工集团有限公司的信用", channel="test")
    assert r.data["credit"]["view"] == "public"


def test_credit_asks_for_a_name_and_offers_near_matches(conv_engine, w, cid):
    talk = Dialogue(conv_engine, cid, None)
    r = talk("信用查询")
    assert r.flow == "credit" and r.step == "name"
    r = talk("示例")
    assert "相近" in r.text and len(r.choices) >= 2
    second = r.choices[1].value
    r = talk("2")
    assert r.flow is None and r.data["credit"]["enterprise_name"] == second
    r = talk("查信用 不存在的某某公司")
    assert "未找到" in r.text and r.flow == "credit"
    r = talk("取消")
    assert r.flow is None


def test_status_help_greeting_and_menu_numbers(conv_engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    r = talk("你好")
    assert r.kind == "help" and "示例建工联系人" in r.text and [c.value for c in r.choices][1] == "预约验收"
    r = talk("2")  # picks "预约验收" from the menu
    assert r.flow == "booking"
    talk("取消")
    r = talk("我的预约")
    assert "没有进行中的预约" in r.text
    r = talk("你能做什么")
    assert r.kind == "help" and "申请帮扶" in r.text
    r = talk("👍")
    assert "还没有可以评价的回答" in r.text
    r = conv_engine.handle(cid + "-staff", w.inspector, "我的预约", channel="test")
    assert "预约编号" in r.text
    r = talk("2026-000999")
    assert "未找到预约编号" in r.text
