"""The Telegram bot end to end: python-telegram-bot's real HTTP stack against a loopback Bot API server.

A question answered with a citation and rated; a booking made with buttons and a corrected date, ending in
the database; an unbound user refused and told how to bind; a 6,000-character answer split without breaking
a citation; a burst of 30 messages rate-limited without touching the dialogue; an internal error answered
with an apology and logged with the update id; and webhook mode.
"""

from __future__ import annotations

import html
import json
import logging
import re
from datetime import date

from sqlalchemy import select
from starlette.testclient import TestClient

from assistant.store.bindings import issue_code
from assistant.store.booking_views import list_bookings
from assistant.store.db import session_scope
from assistant.store.models import AnswerFeedback, QueryLog
from assistant.store.rules import StoreRules
from bots.telegram import BotConfig, build_application
from bots.telegram.render import utf16_len
from bots.telegram.webhook import SECRET_HEADER, webhook_app
from tests.plugins.assistant import LongAnswerer
from tests.plugins.botapi import TOKEN
from tests.plugins.bots import NOW, Chat, bind, button_data

SLAB = "楼板拆模时混凝土强度要达到多少"


def _plain(html_text: str) -> str:
    return html.unescape(re.sub(r"</?b>", "", html_text))


def _read(engine, fn):
    with session_scope(engine) as s:
        return fn(s)


def _feedback_row(message) -> list[str]:
    return [b["text"] for b in message.buttons() if b["callback_data"].startswith("f:")]


# -- a question with a citation ---------------------------------------------------------------------------

def test_question_answered_with_citation_and_rated(api, make_bot, engine, sample_answerer):
    with make_bot(sample_answerer) as bot:
        chat = Chat(api, 1001)
        answer = chat.last(SLAB)
        assert answer.params["parse_mode"] == "HTML"
        assert re.search(r"<b>《[^<]+》ZJ/T 101-2025 第[\d.]+条</b>", answer.text), answer.text
        assert "<" not in re.sub(r"</?b>", "", answer.text)  # everything else escaped
        assert _feedback_row(answer) == ["👍 有用", "👎 没用"]
        up = button_data(answer, "👍")
        query_id = int(up.rsplit(":", 1)[1])
        logged = _read(engine, lambda s: s.get(QueryLog, query_id))
        assert (logged.question, logged.channel, logged.conversation_id, logged.grounded) == (
            SLAB, "telegram", chat.cid, True)
        assert api.of("sendChatAction")  # "typing…" while it looked the answer up

        answered = chat.press_data(answer, up)
        assert answered.params["text"] == "感谢您的肯定！"
        edited = api.of("editMessageReplyMarkup")[-1]
        assert int(edited.params["message_id"]) == answer.result["message_id"]
        offered = ["申请帮扶"] if "最接近的条文如下，请核对" in answer.text else []  # a likely answer offers the team
        assert [b["text"] for b in edited.buttons()] == [*offered, "已评价 👍 有用"]
        fb = _read(engine, lambda s: s.scalars(select(AnswerFeedback)).one())
        assert (fb.query_id, fb.rating, fb.rater) == (query_id, 1, f"conversation:{chat.cid}")

        found = chat.last("/search 拆模 强度")
        assert "检索“拆模 强度”的结果" in found.text and found.text.count("<b>《") >= 2
        missing = chat.last("/search GB55032 3.3.5")  # not held: said so, no clauses of other numbers
        assert missing.text == "⚠ 条文库尚未收录 GB55032，查不到它的第3.3.5条。"
        other = chat.last("/search ZJT101 3.3.5 拆除底模")
        assert other.text.startswith("⚠ 条文库收录的《") and "并非第3.3.5条" in other.text
        assert "第3.3.5条</b>" not in other.text
        clause = chat.last("/clause ZJ/T 101 6.0.2")
        assert "<b>《" in clause.text and "ZJ/T 101-2025 第6.0.2条</b>" in clause.text
        assert "用法" in chat.last("/clause").text
        assert bot.assistant.conversation(chat.cid).flow is None


def test_a_likely_answer_shows_the_nearest_clauses_for_the_user_to_check(api, make_bot, sample_installation):
    from assistant.answering.certainty import TIER_FEATURES, Tiers
    from assistant.answering.service import Answerer
    from assistant.config import Settings

    never_clear = Tiers(weights=(0.0,) * len(TIER_FEATURES), bias=-60.0, clear_threshold=0.5)
    with make_bot(Answerer(Settings(data_dir=sample_installation), tiers=never_clear)):
        answer = Chat(api, 1717).last(SLAB)
        text = _plain(answer.text)
        assert text.startswith("最接近的条文如下，请核对") and "明确规定" not in text, text
        assert len(set(re.findall(r"<b>《[^<]+》ZJ/T \d+-2025 第[\d.]+条</b>", answer.text))) >= 2, answer.text
        assert "请对照原文" in text
        assert _feedback_row(answer) == ["👍 有用", "👎 没用"]
        assert "申请帮扶" in [b["text"] for b in answer.buttons()]  # the service team, as after a refusal


# -- a booking with buttons and a corrected date ------------------------------------------------------------

def test_booking_dialogue_with_buttons_and_a_corrected_date(api, make_bot, engine, w):
    with session_scope(engine) as s:
        code = issue_code(s, w.inspector, "boss", now=NOW).code
    with make_bot() as bot:
        chat = Chat(api, 2002)
        bound = chat.last(f"/bind {code.lower().replace('-', ' ')}")  # typed loosely
        assert "绑定成功" in bound.text and "示例建工集团有限公司" in bound.text
        assert "无效" in chat.last(f"/bind {code}").text  # one-time

        r = chat.last("/book")
        assert "请选择要预约的工程" in r.text
        assert [b["text"] for b in r.buttons()] == ["示例中学教学楼（JD-2026-001）", "示例小区1号楼（SG-2026-002）"]
        assert all(len(b["callback_data"].encode()) <= 64 for b in r.buttons())
        project_prompt = r

        r = chat.press(project_prompt, "示例中学教学楼")[-1]
        edited = api.of("editMessageReplyMarkup")[-1]
        assert [b["text"] for b in edited.buttons()] == ["✔ 示例中学教学楼（JD-2026-001）"]
        assert "请选择验收事项" in r.text
        milestone_prompt = r

        r = chat.press(milestone_prompt, "主体结构验收")[-1]
        assert "最早可约 2026年9月29日" in r.text and r.buttons()[0]["text"].startswith("9月29日")

        r = chat.last("明天")  # a holiday and inside the lead time: refused, asked again
        assert "须至少提前2个工作日预约" in r.text and r.buttons()
        r = chat.press(r, "9月29日")[-1]
        assert "请输入现场联系人姓名" in r.text

        stale = chat.press_data(milestone_prompt, button_data(milestone_prompt, "监督交底"))
        assert stale.params["text"].startswith("该选项已失效")
        assert bot.assistant.conversation(chat.cid).step == "contact"  # the old button changed nothing

        assert [b["text"] for b in r.buttons()] == ["示例建工联系人"]  # the account's name, offered
        r = chat.last("张三")
        assert "手机号" in r.text
        r = chat.last("13800001111")
        assert "请核对预约信息" in r.text and "2026年9月29日" in r.text
        assert [b["text"] for b in r.buttons()] == ["确认", "修改", "取消"]

        r = chat.press(r, "修改")[-1]
        r = chat.press(r, "预约日期")[-1]
        assert "请选择或输入希望监督到场的日期" in r.text
        r = chat.last("10月10日")  # the corrected date: an adjusted working Saturday
        assert "请核对预约信息" in r.text and "2026年10月10日（周六）" in r.text
        assert _read(engine, lambda s: list_bookings(s, rules=StoreRules())) == []  # nothing written before 确认

        done = chat.press(r, "确认")[-1]
        assert "预约已提交，预约编号" in done.text

    made = _read(engine, lambda s: list_bookings(s, rules=StoreRules()))
    assert len(made) == 1
    b = made[0]
    assert (b.project_name, b.milestone, b.requested_date, b.contact_name, b.contact_phone, b.status) == (
        "示例中学教学楼", "主体结构验收", date(2026, 10, 10), "张三", "13800001111", "submitted")
    assert b.booking_no in done.text


# -- an unbound user ------------------------------------------------------------------------------------------

def test_unbound_user_may_ask_and_look_up_credit_but_is_told_how_to_bind(api, make_bot, engine, w):
    with make_bot() as bot:
        chat = Chat(api, 3003)
        start = chat.last("/start")
        assert "/bind" in start.text
        for attempt in ("/book", "我要预约主体结构验收", "/visit"):
            r = chat.last(attempt)
            assert "绑定企业账号" in r.text and "/bind 绑定码" in r.text, (attempt, r.text)
            assert bot.assistant.conversation(chat.cid).flow is None
        assert "绑定码" in chat.last("/mybookings@zhijian_test_bot").text  # as a group addresses it
        how = chat.last("/bind")
        assert "还没有绑定" in how.text and "/bind ABCD-EFGH" in how.text
        assert "绑定码无效" in chat.last("/bind ZZZZ-ZZZZ").text
        assert "格式不对" in chat.last("/bind 123").text

        credit = chat.last("/credit 示例建工集团有限公司")
        assert "信用等级：" in credit.text and "信用分明细仅向本企业和质监站工作人员开放" in credit.text

        with session_scope(engine) as s:  # bound through the deep link t.me/<bot>?start=<code>, then booking works
            code = issue_code(s, w.inspector, "boss", now=NOW).code
        assert "绑定成功" in chat.last(f"/start {code.replace('-', '')}").text
        assert "请选择要预约的工程" in chat.last("/book").text
        assert "已取消本次预约" in chat.last("/cancel").text
    assert _read(engine, lambda s: list_bookings(s, rules=StoreRules())) == []


# -- a long answer -------------------------------------------------------------------------------------------

def long_answerer() -> LongAnswerer:
    """A grounded answer of about 6,000 characters: six quoted clauses (with characters HTML must escape)."""
    return LongAnswerer(lambda i: (f"第{i}条要求<甲>&“乙”：" + "模板及支架应具有足够的承载力、刚度和稳定性。" * 43 + "结束。"))


def test_a_6000_character_answer_is_split_without_breaking_a_citation(api, make_bot, engine):
    answerer = long_answerer()
    full = answerer.answer("q").answer
    assert 6000 <= len(full) < 6200
    with make_bot(answerer):
        chat = Chat(api, 4004)
        before = len(chat.received())
        api.push(api.message_update(4004, "模板支架有什么要求"))
        api.wait_for(lambda: any(_feedback_row(m) for m in chat.received()[before:]))
        messages = chat.received()[before:]
    assert len(messages) >= 2
    assert all(utf16_len(m.text) <= 4096 for m in messages)
    assert [bool(m.markup) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert "".join(_plain(m.text) for m in messages).replace("\n", "") == full.replace("\n", "")
    for c in answerer.citations:
        holding = [m for m in messages if f"<b>{html.escape(c.reference(), quote=False)}</b>" in m.text]
        assert len(holding) == 1, c.clause_no  # the reference whole, in bold, once …
        assert html.escape(c.text, quote=False) in holding[0].text  # … with its whole quoted clause
    assert "&lt;甲&gt;&amp;" in messages[0].text


# -- a burst from one chat -----------------------------------------------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_30_messages_is_rate_limited_without_losing_the_dialogue(api, make_bot, engine, w):
    bind(engine, w.inspector, "boss", 5005)
    clock = FakeClock()
    config = BotConfig(rate_burst=5, rate_per_minute=6, clock=clock)
    with make_bot(config=config) as bot:
        chat = Chat(api, 5005)
        chat.last("/book")
        r = chat.last("示例中学教学楼")
        assert "请选择验收事项" in r.text
        state = bot.assistant.conversation(chat.cid)
        assert (state.flow, state.step) == ("booking", "milestone")

        before = len(chat.received())
        burst = [api.message_update(5005, "在吗") for _ in range(30)]  # 3 tokens left of 5
        marker = api.message_update(5006, "/help")  # another chat; updates are handled in order
        api.push(*burst, marker)
        api.wait_for(lambda: len(api.sent(5006)) == 1)
        burst = chat.received()[before:]
        clock.now += 60  # a minute later (refilled) the user goes on
        r = chat.last("主体结构验收")

        notices = [m for m in burst if "发送得太快" in m.text]
        assert len(notices) == 1 and "进度已保留" in notices[0].text
        assert len(burst) == 3 + 1  # three answered by the engine, then one notice; 27 dropped silently
        assert "请选择或输入希望监督到场的日期" in r.text  # the dialogue went on from where it stood
        after = bot.assistant.conversation(chat.cid)
        assert after.slots["project_name"] == "示例中学教学楼" and after.slots["milestone"] == "主体结构验收"
        assert after.turns == state.turns + 3 + 1  # dropped messages never reached the engine


# -- an internal error ----------------------------------------------------------------------------------------

class BrokenAnswerer:
    def lookup(self, text: str):
        return None

    def answer(self, question: str, *, context: str | None = None):
        raise RuntimeError("secret-internal-detail")


def test_an_internal_error_gets_a_short_apology_and_is_logged_with_the_update_id(api, make_bot, caplog):
    caplog.set_level(logging.ERROR, logger="bots")
    with make_bot(BrokenAnswerer()):
        chat = Chat(api, 6006)
        update = api.message_update(6006, SLAB)
        before = len(chat.received())
        api.push(update)
        api.wait_for(lambda: len(chat.received()) > before)
        apology = chat.received()[-1]
        assert apology.text.startswith("抱歉，处理您的消息时出了点问题") and "0000-1234567" in apology.text
        assert not re.search(r"Traceback|RuntimeError|secret-internal-detail|File \"", apology.text)
        assert "我可以帮您" in chat.last("/help").text  # and the bot carries on
    records = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"update {update['update_id']} failed" in r.getMessage() for r in records)


# -- webhook mode ----------------------------------------------------------------------------------------------

def test_webhook_mode_checks_the_secret_and_answers(api, engine, rules, tmp_path, w):
    from assistant.config import Settings
    from assistant.core import Assistant
    from tests.plugins.bots import UNLIMITED, NoAnswerer

    assistant = Assistant(Settings(data_dir=tmp_path), answerer=NoAnswerer(), db=engine, rules=rules,
                          clock=lambda: NOW)
    application = build_application(assistant, TOKEN, base_url=api.base_url, config=UNLIMITED, webhook=True)
    app = webhook_app(application, url="https://bot.example.cn/telegram/webhook", secret_token="s3cret")
    update = api.message_update(7007, "/help")
    with TestClient(app) as client:
        registered = api.of("setWebhook")[-1].params
        assert registered["url"] == "https://bot.example.cn/telegram/webhook" and registered["secret_token"] == "s3cret"
        assert client.post("/telegram/webhook", json=update).status_code == 403
        assert client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "wrong"}).status_code == 403
        assert api.sent(7007) == []
        ok = client.post("/telegram/webhook", content=json.dumps(update), headers={SECRET_HEADER: "s3cret"})
        assert ok.status_code == 200
        api.wait_for(lambda: len(api.sent(7007)) == 1)
    assert "我可以帮您" in api.sent(7007)[0].text
