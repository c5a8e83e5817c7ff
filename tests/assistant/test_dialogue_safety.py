"""At a confirmation, what people really type is understood; nothing pending is dropped or pretended."""

from __future__ import annotations

import pytest

from assistant.store.booking_views import list_bookings
from assistant.store.rules import StoreRules
from tests.plugins.assistant import Dialogue, read


def _bookings(db):
    return read(db, lambda s: list_bookings(s, rules=StoreRules()))


def _booked(talk) -> str:
    for text in ("预约示例中学教学楼主体验收", "2026-09-30", "张三 13800000000", "确认"):
        r = talk(text)
    assert r.kind == "done", r.text
    return r.data["booking"]["booking_no"]


def _at_cancel_confirmation(talk, no: str):
    r = talk(f"取消预约 {no}")
    assert r.kind == "confirm" and r.step == "confirm"
    assert [c.label for c in r.choices] == ["确认取消", "不取消"]
    return r


@pytest.mark.parametrize("typed", ["确认取消", "确认", "是的", "对", "1"])
def test_typing_yes_or_the_button_label_cancels(conv_engine, engine, w, cid, typed):
    talk = Dialogue(conv_engine, cid, w.contractor)
    no = _booked(talk)
    _at_cancel_confirmation(talk, no)
    r = talk(typed)
    assert r.kind == "done" and f"预约 {no} 已取消" in r.text
    assert _bookings(engine)[0].status == "cancelled"


@pytest.mark.parametrize("typed", ["不取消", "取消", "不", "否", "2"])
def test_typing_no_or_the_button_label_keeps_the_booking(conv_engine, engine, w, cid, typed):
    talk = Dialogue(conv_engine, cid, w.contractor)
    no = _booked(talk)
    _at_cancel_confirmation(talk, no)
    r = talk(typed)
    assert "保留不变" in r.text and r.flow is None
    assert _bookings(engine)[0].status == "submitted"


def test_anything_else_at_a_confirmation_keeps_it_pending_and_says_so(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    no = _booked(talk)
    _at_cancel_confirmation(talk, no)
    for typed in ("嗯嗯我想想", "下周再说"):
        r = talk(typed)
        assert r.kind == "confirm" and r.flow == "cancel_booking" and "还没有执行" in r.text, r.text
        assert _bookings(engine)[0].status == "submitted"
    r = talk("确认取消")  # still pending, so it still works
    assert r.kind == "done" and _bookings(engine)[0].status == "cancelled"


def test_a_confirm_word_with_nothing_pending_does_not_pretend(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    no = _booked(talk)
    for typed in ("确认", "好的", "是的"):
        r = talk(typed)
        assert "没有需要确认的办理" in r.text and "好的。" not in r.text
    assert _bookings(engine)[0].booking_no == no and _bookings(engine)[0].status == "submitted"


@pytest.mark.parametrize("word", ["确认", "好的", "修改"])
def test_a_control_word_is_never_taken_as_a_slot_value(conv_engine, engine, w, cid, word):
    talk = Dialogue(conv_engine, cid, w.contractor)
    talk("预约示例中学教学楼主体验收")
    r = talk("2026-09-30")
    assert r.step == "contact"
    r = talk(word)
    assert r.step == "contact" and f"“{word}”不能作为填写内容" in r.text
    r = talk("李四")
    assert r.step == "phone"
    r = talk(word)
    assert r.step == "phone" and "不能作为填写内容" in r.text
    talk("13800000000")
    r = talk("确认")
    assert r.kind == "done"
    assert _bookings(engine)[0].contact_name == "李四"


def test_at_the_booking_summary_a_question_is_answered_and_the_booking_still_waits(conv_engine, engine, w, cid):
    talk = Dialogue(conv_engine, cid, w.contractor)
    for text in ("预约示例中学教学楼主体验收", "2026-09-30", "张三 13800000000"):
        r = talk(text)
    assert r.step == "confirm"
    r = talk("随便说点别的")
    assert r.step == "confirm" and "尚未提交" in r.text and _bookings(engine) == []
    r = talk("不")  # declining at the summary submits nothing
    assert r.flow is None and "没有提交任何内容" in r.text and _bookings(engine) == []
