"""The WeCom channel end to end: real uvicorn + httpx on loopback, WeCom's side played with wechatpy.

URL verification; an encrypted question answered with an encrypted passive reply that cites a clause (and
is rated by typing 有用); a booking made by a member bound with a one-time code, numbered choices answered by
number and by words, ending in the database; a slow answer acknowledged in the window and sent through
message/send; a long answer split over messages with the access token expiring between them; HTTP 5xx from
the API retried; a tampered signature, a replayed request and a stale timestamp refused without processing;
WeCom's retry of a message run once.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import date

from sqlalchemy import select

from assistant.answering.models import Answer
from assistant.store.bindings import issue_code
from assistant.store.booking_views import list_bookings
from assistant.store.db import session_scope
from assistant.store.models import AnswerFeedback, ChannelBinding, QueryLog
from assistant.store.rules import StoreRules
from bots.wecom import ChannelConfig
from bots.wecom.render import TEXT_LIMIT
from tests.plugins.assistant import LongAnswerer
from tests.plugins.store import NOW
from tests.plugins.wecomapi import CORP_ID

SLAB = "楼板拆模时混凝土强度要达到多少"
CITED = re.compile(r"《[^》]+》ZJ/T 101-2025 第[\d.]+条")
# A clear answer states the clause; a likely one (the sample corpus answers SLAB so) shows the nearest clauses.
LEADS = ("这个问题在规范中有明确规定", "最接近的条文如下，请核对")


def _read(engine, fn):
    with session_scope(engine) as s:
        return fn(s)


def _numbered(text: str) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", text, re.MULTILINE)


# -- URL verification --------------------------------------------------------------------------------------

def test_url_verification_returns_the_decrypted_echostr_and_refuses_a_bad_signature(make_wecom):
    with make_wecom() as rig:
        member = rig.member("admin")
        request = member.seal("<echo>ignored</echo>")
        echo_plain = "4981250195061274563"
        sealed = member.seal(echo_plain)  # the echostr is the encryption of a random number string
        echostr = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", sealed["content"]).group(1)
        params = {**sealed["params"], "echostr": echostr}
        ok = member.http.get(rig.url, params=params)
        assert (ok.status_code, ok.text) == (200, echo_plain)

        bad = member.http.get(rig.url, params={**params, "msg_signature": "0" * 40})
        assert bad.status_code == 403 and echo_plain not in bad.text
        assert member.http.get(rig.url, params={"echostr": echostr}).status_code == 400
        assert request["params"]["msg_signature"]  # (the POST form is the same signature scheme)


# -- a question with a citation --------------------------------------------------------------------------

def test_an_encrypted_question_gets_an_encrypted_answer_citing_the_clause(make_wecom, engine, sample_answerer):
    with make_wecom(sample_answerer) as rig:
        member = rig.member("zhangsan")
        reply = member.say(SLAB)
        assert reply is not None, "the answer should come back in the callback's own response"
        assert reply.content.startswith(LEADS) and CITED.search(reply.content), reply.content
        assert len(reply.content.encode()) <= TEXT_LIMIT
        # the sample answer is longer than one text message: the rest follows through message/send
        rig.api.wait_for(lambda: any("回复“有用”或“没用”" in c.content for c in rig.api.delivered("zhangsan")))
        rest = rig.api.delivered("zhangsan")
        assert all(len(c.content.encode()) <= TEXT_LIMIT for c in rest)
        logged = _read(engine, lambda s: s.scalars(select(QueryLog)).one())
        assert (logged.question, logged.channel, logged.conversation_id, logged.grounded) == (
            SLAB, "wecom", "wecom:zhangsan", True)

        thanks = member.say("有用")
        assert thanks.content == "感谢您的肯定！"
        fb = _read(engine, lambda s: s.scalars(select(AnswerFeedback)).one())
        assert (fb.query_id, fb.rating, fb.rater) == (logged.id, 1, "conversation:wecom:zhangsan")

        clause = member.say("ZJ/T 101 第6.0.2条")
        assert "ZJ/T 101-2025 第6.0.2条" in clause.content
        assert "回复“有用”或“没用”" in clause.content  # one message: all of it in the passive reply
        assert rig.api.delivered("zhangsan") == rest


# -- a booking dialogue --------------------------------------------------------------------------------------

def test_a_member_binds_with_a_code_and_books_to_confirmation(make_wecom, engine, w):
    with session_scope(engine) as s:
        code = issue_code(s, w.inspector, "boss", now=NOW).code
    with make_wecom() as rig:
        member = rig.member("LiSi")
        refused = member.click("BOOK", "预约验收")
        assert "绑定企业账号" in refused.content and "在企业微信中发送“绑定 绑定码”" in refused.content
        assert "Telegram" not in refused.content

        bound = member.say(f"绑定 {code.lower()}")
        assert "绑定成功" in bound.content and "示例建工集团有限公司" in bound.content
        assert "无效" in member.say(f"绑定 {code}").content  # one-time
        binding = _read(engine, lambda s: s.scalars(select(ChannelBinding)).one())
        assert (binding.channel, binding.external_id) == ("wecom", "LiSi")

        r = member.click("BOOK", "预约验收")
        assert "请选择要预约的工程" in r.content
        assert _numbered(r.content) == ["示例中学教学楼（JD-2026-001）", "示例小区1号楼（SG-2026-002）"]
        r = member.say("1")  # by number
        assert "请选择验收事项" in r.content
        r = member.say("主体结构验收")  # by words
        assert "最早可约 2026年9月29日" in r.content
        assert _numbered(r.content)[0].startswith("9月29日")
        r = member.say("明天")  # a holiday and inside the lead time: refused, asked again
        assert "须至少提前2个工作日预约" in r.content
        r = member.say("1")
        assert "请输入现场联系人姓名" in r.content
        r = member.say("张三")
        assert "手机号" in r.content
        r = member.say("13800001111")
        assert "请核对预约信息" in r.content and "2026年9月29日" in r.content
        assert _numbered(r.content) == ["确认", "修改", "取消"]
        assert _read(engine, lambda s: list_bookings(s, rules=StoreRules())) == []  # nothing written before 确认
        done = member.say("1")
        assert "预约已提交，预约编号" in done.content
        assert rig.assistant.conversation("wecom:LiSi").flow is None

        mine = member.click("MYBOOKINGS", "我的预约")
        made = _read(engine, lambda s: list_bookings(s, rules=StoreRules()))
        assert len(made) == 1 and made[0].booking_no in mine.content and made[0].booking_no in done.content
        assert "已解除绑定" in member.say("解绑").content
    b = made[0]
    assert (b.project_name, b.milestone, b.requested_date, b.contact_name, b.contact_phone, b.status) == (
        "示例中学教学楼", "主体结构验收", date(2026, 9, 29), "张三", "13800001111", "submitted")


# -- beyond the window: acknowledged, then sent ------------------------------------------------------------

class GatedAnswerer:
    """The real answerer, held until the test opens the gate (a slow answer, without timing anything)."""

    def __init__(self, inner) -> None:
        self.inner, self.gate, self.calls = inner, threading.Event(), 0

    def lookup(self, text: str):
        return self.inner.lookup(text)

    def answer(self, question: str, *, context: str | None = None) -> Answer:
        self.calls += 1
        assert self.gate.wait(60), "the test never released the answer"
        return self.inner.answer(question, context=context)


def test_a_slow_answer_is_acknowledged_and_sent_through_message_send(make_wecom, sample_answerer):
    answerer = GatedAnswerer(sample_answerer)
    with make_wecom(answerer, window=0.3) as rig:
        member = rig.member("wangwu")
        request = member.seal(member.text_xml(SLAB, msg_id=9_000_000_000_000_000_001))
        first = member.post(request)
        assert (first.status_code, first.content) == (200, b"")  # acknowledged empty: no retry, nothing shown

        retry = member.post(member.seal(member.text_xml(SLAB, msg_id=9_000_000_000_000_000_001)))
        assert (retry.status_code, retry.content) == (200, b"")  # WeCom's retry: the same job, not a second run
        assert rig.api.of("message/send") == []

        answerer.gate.set()
        rig.api.wait_for(lambda: any("回复“有用”或“没用”" in c.content for c in rig.api.delivered("wangwu")))
        sent = rig.api.delivered("wangwu")
        assert all(c.body["msgtype"] == "text" and c.body["agentid"] == rig.callback.client.agent_id for c in sent)
        assert sent[0].content.startswith(LEADS) and CITED.search(sent[0].content)
        assert len(rig.api.of("gettoken")) == 1 and answerer.calls == 1


# -- a long answer, the token expiring between its messages --------------------------------------------------

def long_answerer() -> LongAnswerer:
    """A grounded answer of about 3,000 characters (9 KB): six quoted clauses."""
    return LongAnswerer(lambda i: f"第{i}条：" + "模板及支架应具有足够的承载力、刚度和稳定性，" * 20 + "结束。")


def test_a_long_answer_is_split_and_survives_the_token_expiring_mid_run(make_wecom):
    answerer = long_answerer()
    full = answerer.answer("q").answer
    with make_wecom(answerer) as rig:
        member = rig.member("zhaoliu")
        rig.api.expire_after(1)  # the token WeCom issues next dies after one message
        first = member.say("模板支架有什么要求")  # the passive reply carries the first part …
        rig.api.wait_for(lambda: any("回复“有用”" in c.content for c in rig.api.delivered("zhaoliu")))
        pushed = [c.content for c in rig.api.delivered("zhaoliu")]  # … message/send the rest
        refused = [c for c in rig.api.of("message/send") if c.answer.get("errcode") == 42001]

    assert len(refused) == 1 and len(rig.api.of("gettoken")) == 2  # refreshed once, on 42001
    sent = [first.content, *pushed]
    assert len(sent) >= 4 and all(len(m.encode()) <= TEXT_LIMIT for m in sent)
    assert "".join(sent).replace("\n", "").startswith(full.replace("\n", ""))
    for c in answerer.citations:
        holding = [m for m in sent if c.reference() in m]
        assert len(holding) == 1, c.clause_no  # the reference whole, once
    assert "回复“有用”" in sent[-1] and all("回复“有用”" not in m for m in sent[:-1])
    assert len(set(sent)) == len(sent)  # nothing sent twice


def test_server_errors_are_retried_until_the_api_answers(make_wecom):
    with make_wecom(long_answerer(), markdown=True) as rig:
        rig.api.fail_next("gettoken", 503)
        rig.api.fail_next("message/send", 502, 500)
        member = rig.member("sunqi")
        assert member.say("模板支架有什么要求") is None
        rig.api.wait_for(lambda: any("有用" in c.content for c in rig.api.delivered("sunqi")))
        sent = rig.api.delivered("sunqi")
        statuses = [c.status for c in rig.api.calls]
    assert statuses[:5] == [503, 200, 502, 500, 200]  # gettoken 503 → ok, send 502, 500 → ok
    assert [c.body["msgtype"] for c in sent] == ["markdown"] * len(sent)
    assert all(len(c.content.encode()) <= 4096 for c in sent)
    assert "**《混凝土结构工程施工质量验收规范》GB 50204-2015 第4.1.2条**" in sent[0].content
    assert "**【强制性条文】**" in "".join(c.content for c in sent)
    assert len(rig.api.of("gettoken")) == 2  # one refused with 503, one issued


# -- refusals ------------------------------------------------------------------------------------------------

def test_a_tampered_signature_a_replay_and_a_stale_timestamp_are_refused_unprocessed(make_wecom, w):
    with make_wecom() as rig:
        member = rig.member("attacker-target")
        cid = "wecom:attacker-target"
        request = member.seal(member.text_xml("帮助"))

        sig = request["params"]["msg_signature"]
        tampered = {**request, "params": {**request["params"], "msg_signature": ("0" if sig[0] != "0" else "1") + sig[1:]}}
        assert member.post(tampered).status_code == 403
        altered = {**request, "content": request["content"].replace("<Encrypt><![CDATA[", "<Encrypt><![CDATA[A")}
        assert member.post(altered).status_code == 403
        assert rig.assistant.conversation(cid) is None  # nothing reached the engine

        first = member.post(request)
        assert first.status_code == 200 and "我可以帮您" in member.open(first).content
        replay = member.post(request)
        assert replay.status_code == 403 and not replay.content.startswith(b"<xml>")
        assert rig.assistant.conversation(cid).turns == 1

        stale = member.seal(member.text_xml("帮助"), timestamp=str(int(time.time()) - 3600))
        assert member.post(stale).status_code == 403
        foreign = member.seal(member.text_xml("帮助"))
        foreign["content"] = foreign["content"].replace(CORP_ID, "ww0000000000000000")  # routing only: still ours
        assert member.post(foreign).status_code == 200
        assert member.post({**foreign, "content": "<xml><Encrypt>not-base64!</Encrypt></xml>"}).status_code == 403
        assert member.post({**member.seal("x"), "content": "not xml"}).status_code == 400
        assert member.post({**member.seal("x"), "content": "<xml>" + "x" * 70_000 + "</xml>"}).status_code == 413
        assert rig.assistant.conversation(cid).turns == 2
        assert rig.api.calls == []


def test_events_other_messages_and_the_rate_limit(make_wecom):
    with make_wecom(config=ChannelConfig(rate_burst=3, rate_per_minute=0.5)) as rig:
        member = rig.member("zhouba")
        assert member.send(member.event_xml("enter_agent")) is None  # opening the app needs no answer
        picture = member.send(member._xml({"MsgType": "image", "PicUrl": "http://x/y.jpg", "MsgId": 1234567}))
        assert "只能处理文字消息" in picture.content
        hello = member.send(member.event_xml("subscribe"))
        assert "您好" in hello.content and "绑定 绑定码" in hello.content
        help_ = member.click("HELP", "使用帮助")
        assert "我可以帮您" in help_.content and "解绑" in help_.content
        limited = member.say("帮助")  # the 4th message within the burst of 3 (enter_agent was not counted)
        assert "您发送得太快了" in limited.content and "进度已保留" in limited.content
        assert member.say("帮助") is None  # then dropped quietly
        assert rig.assistant.conversation("wecom:zhouba").turns == 2  # only subscribe and help reached the engine


# -- inside the API app, and the menu ----------------------------------------------------------------------

def test_mounted_in_the_api_app_the_callback_answers_and_the_menu_is_set(wecom_api, engine, rules, tmp_path, w):
    import asyncio

    from starlette.testclient import TestClient

    from api.app import create_app
    from assistant.config import Settings
    from assistant.core import Assistant
    from bots.wecom import build_callback, is_configured, mount_wecom
    from bots.wecom.texts import menu
    from tests.plugins.wecom import FAST_RETRY
    from tests.plugins.wecomapi import AES_KEY, AGENT_ID, SECRET, TOKEN, Member

    settings = Settings(data_dir=tmp_path, wecom_corp_id=CORP_ID, wecom_agent_id=AGENT_ID, wecom_secret=SECRET,
                        wecom_token=TOKEN, wecom_aes_key=AES_KEY, wecom_api_base=wecom_api.base_url)
    assert is_configured(settings) and not is_configured(Settings(data_dir=tmp_path))
    assistant = Assistant(settings, db=engine, rules=rules, clock=lambda: NOW)
    callback = build_callback(assistant, settings, retry=FAST_RETRY)
    asyncio.run(callback.client.create_menu(menu()))
    assert wecom_api.of("menu/create")[-1].answer == {"errcode": 0, "errmsg": "ok"}
    assert wecom_api.of("menu/create")[-1].params["agentid"] == str(AGENT_ID)

    app = create_app(settings)
    lifespan = mount_wecom(app, callback, warm=False)
    member = Member("http://testserver/wecom/callback", "QianJiu")
    with TestClient(app) as client:
        member.http = client
        reply = member.say("帮助")
        assert "我可以帮您" in reply.content
        assert client.get("/wecom/callback", params={"msg_signature": "0" * 40, "timestamp": "1", "nonce": "1",
                                                     "echostr": "eA=="}).status_code == 403

    async def cycle() -> None:  # the lifespan the API app enters closes the API session on the way out
        async with lifespan:
            assert callback.client._http is not None  # (opened by create_menu above)
    asyncio.run(cycle())
    assert callback.client._http is None
