"""The WeCom channel's pieces on their own: rendering within WeCom's byte limits, message translation,
and the API client's token cache, refresh and retries (over httpx's mock transport)."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest

from assistant.answering.models import Citation
from assistant.conversation.replies import Choice, Reply, feedback_choices, say
from bots.wecom.client import RetryPolicy, WeComAPIError, WeComClient
from bots.wecom.handlers import WeComChannel
from bots.wecom.render import FEEDBACK_LINE, TEXT_LIMIT, body_text, render, size, split, to_markdown
from bots.wecom.texts import menu
from bots.wecom.wire import Inbound

CITE = Citation(code="GB 50204-2015", title="混凝土结构工程施工质量验收规范", clause_no="4.1.2", text="模板…",
                score=1.0, kind="body", status="现行", mandatory=True)


# -- rendering ------------------------------------------------------------------------------------------------

def test_a_short_reply_is_one_message_with_its_choices_numbered_and_feedback_last():
    reply = Reply(text="请核对预约信息：\n工程：示例中学", choices=[say("确认"), say("修改"), say("取消"),
                                                              *feedback_choices(7)])
    (message,) = render(reply)
    assert message == ("请核对预约信息：\n工程：示例中学\n\n请回复序号或文字：\n1. 确认\n2. 修改\n3. 取消\n\n"
                       + FEEDBACK_LINE)


def test_a_long_reply_is_split_within_2048_bytes_at_boundaries_without_cutting_a_reference():
    ref = CITE.reference()
    para = f"{ref}【强制性条文】：\n“" + "模板及支架应具有足够的承载力、刚度和稳定性，" * 18 + "。”"
    text = "\n\n".join(["规定如下："] + [para] * 4 + ["一整段没有任何标点" * 120])
    reply = Reply(text=text, citations=[CITE], choices=[say("申请帮扶")])
    messages = render(reply)
    assert len(messages) >= 5 and all(size(m) <= TEXT_LIMIT for m in messages)
    assert all(m.count(ref) == m.count("【强制性条文】") for m in messages)  # no reference cut in two
    assert "".join(messages).replace("\n", "").startswith(text.replace("\n", ""))
    assert messages[-1].endswith("1. 申请帮扶")
    assert not any(m.rstrip().endswith("：") for m in messages[:-1])  # a heading stays with what follows


def test_split_keeps_every_character_of_any_text():
    text = "甲。" * 3000 + "\n\n" + "乙" * 2000
    pieces = split(text, TEXT_LIMIT)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert all(size(p) <= TEXT_LIMIT for p in pieces)


def test_markdown_sets_citations_in_bold_and_neutralises_markup():
    md = to_markdown(f"见{CITE.reference()}【强制性条文】，*注意* `x`\n# 不是标题", [CITE.reference()])
    assert md == ("见**《混凝土结构工程施工质量验收规范》GB 50204-2015 第4.1.2条****【强制性条文】**，"
                  "＊注意＊ ｀x｀\n＃ 不是标题")


def test_a_citation_the_text_does_not_name_is_added_as_the_source():
    assert body_text(Reply(text="按规范执行。", citations=[CITE])).endswith(f"出处：{CITE.reference()}")
    assert body_text(Reply(text=f"见{CITE.reference()}。", citations=[CITE])) == f"见{CITE.reference()}。"


# -- translation -----------------------------------------------------------------------------------------------

def _text(content: str, user: str = "u1") -> Inbound:
    return Inbound(msg_type="text", from_user=user, to_user="corp", create_time=1, msg_id="1", content=content)


def _event(event: str, key: str = "") -> Inbound:
    return Inbound(msg_type="event", from_user="u1", to_user="corp", create_time=1, event=event, event_key=key)


@pytest.fixture
def channel() -> WeComChannel:
    return WeComChannel(assistant=None)  # type: ignore[arg-type] - translation never reaches the core


def test_menu_clicks_and_binding_words_become_actions(channel):
    t = channel.translate
    assert (t(_event("click", "BOOK")).kind, t(_event("click", "BOOK")).text) == ("chat", "预约验收")
    assert t(_event("click", "BIND")).kind == "bind_status"
    assert t(_event("click", "NOPE")).kind == "ignore"
    assert t(_event("enter_agent")).kind == "ignore"
    assert t(_event("subscribe")).text == "/start"
    assert t(Inbound(msg_type="image", from_user="u1", to_user="c", create_time=1)).kind == "say"
    assert (t(_text("绑定 abcd-efgh")).kind, t(_text("绑定 abcd-efgh")).text) == ("bind", "abcd-efgh")
    assert t(_text("/bind ABCD EFGH")).kind == "bind"
    assert t(_text("绑定ABCDEFGH")).kind == "bind"
    assert t(_text("ABCD-EFGH")).kind == "bind"  # a code pasted alone
    assert t(_text("绑定")).kind == "bind_status"
    assert t(_text("解绑")).kind == "unbind"
    assert (t(_text("绑定码在哪里领")).kind, t(_text("绑定码在哪里领")).text) == ("chat", "绑定码在哪里领")
    assert t(_text("ABCDEFGH")).kind == "chat"  # eight letters alone may be anything


def test_numbers_labels_and_ratings_answer_what_was_offered_last(channel):
    t = channel.translate
    assert t(_text("2")).text == "2"  # nothing remembered: the engine maps numbers itself
    assert t(_text("有用")).text == "👍"
    channel.remember("u1", Reply(text="请选择", choices=[Choice(label="立即预约", value="预约验收"), say("我的预约")]))
    assert t(_text("1")).text == "预约验收"
    assert t(_text(" 2. ")).text == "我的预约"
    assert t(_text("3")).text == "3"  # not offered
    assert t(_text("立即预约")).text == "预约验收"
    assert t(_text("有用")).text == "有用"  # no answer to rate
    assert t(_text("1", user="u2")).text == "1"  # another member's list
    channel.remember("u1", Reply(text="答案", choices=feedback_choices(3)))
    assert t(_text("有用")).text == "👍"
    assert t(_text("没用，引用不对")).text == "👎 引用不对"
    channel.remember("u1", Reply(text="感谢反馈", intent="feedback"))
    assert t(_text("没用 没说保存年限")).text == "👎 没说保存年限"  # a reason added to the rating


def test_the_menu_fits_wecoms_shape():
    m = menu()
    assert len(m["button"]) <= 3 and all(len(b.get("sub_button", [])) <= 5 for b in m["button"])
    keys = [s["key"] for b in m["button"] for s in [b, *b.get("sub_button", [])] if "key" in s]
    assert len(keys) == len(set(keys)) == 7


# -- the API client --------------------------------------------------------------------------------------------

class Script:
    """A scripted WeCom API behind httpx.MockTransport."""

    def __init__(self, answers: dict[str, list]) -> None:
        self.answers, self.calls, self.bodies = answers, [], []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        api = request.url.path.removeprefix("/cgi-bin/")
        self.calls.append((api, dict(request.url.params)))
        self.bodies.append(json.loads(request.content) if request.content else None)
        answer = self.answers[api].pop(0) if len(self.answers[api]) > 1 else self.answers[api][0]
        if isinstance(answer, int):
            return httpx.Response(answer, text="error")
        return httpx.Response(200, json=answer)

    def of(self, api: str) -> list[dict]:
        return [p for a, p in self.calls if a == api]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _client(script: Script, clock: Clock | None = None, attempts: int = 3) -> WeComClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(script))
    return WeComClient("corp", "s3cret", 1000002, "https://wecom.test", http=http, clock=clock or Clock(),
                       retry=RetryPolicy(attempts=attempts, wait_initial=0.001, wait_max=0.002))


def _token(n: int, expires: int = 7200) -> dict:
    return {"errcode": 0, "errmsg": "ok", "access_token": f"T{n}", "expires_in": expires}


OK = {"errcode": 0, "errmsg": "ok"}


def test_the_token_is_cached_until_shortly_before_it_expires():
    script = Script({"gettoken": [_token(1), _token(2)], "message/send": [OK]})
    clock = Clock()
    client = _client(script, clock)

    async def run() -> None:
        await client.send_text("u1", "一")
        clock.now = 7200 - 301  # still outside the 300 s margin
        await client.send_text("u1", "二")
        clock.now = 7200 - 299
        await client.send_text("u1", "三")

    asyncio.run(run())
    assert [p["access_token"] for p in script.of("message/send")] == ["T1", "T1", "T2"]
    assert script.of("gettoken") == [{"corpid": "corp", "corpsecret": "s3cret"}] * 2
    assert script.bodies[1] == {"touser": "u1", "msgtype": "text", "agentid": 1000002, "text": {"content": "一"},
                                "safe": 0}


@pytest.mark.parametrize("errcode", [40014, 42001, 40001])
def test_a_refused_token_is_replaced_once(errcode):
    refused = {"errcode": errcode, "errmsg": "token"}
    script = Script({"gettoken": [_token(1), _token(2)], "message/send": [refused, OK]})
    client = _client(script)
    asyncio.run(client.send_text("u1", "你好"))
    assert [p["access_token"] for p in script.of("message/send")] == ["T1", "T2"]


def test_a_token_refused_twice_is_an_error_not_a_loop():
    script = Script({"gettoken": [_token(1), _token(2)], "message/send": [{"errcode": 42001, "errmsg": "x"}]})
    with pytest.raises(WeComAPIError) as err:
        asyncio.run(_client(script).send_text("u1", "你好"))
    assert err.value.errcode == 42001 and len(script.of("message/send")) == 2


def test_server_errors_are_retried_and_then_given_up_with_a_chinese_log(caplog):
    caplog.set_level(logging.WARNING, logger="bots.wecom")
    script = Script({"gettoken": [_token(1)], "message/send": [502, {"errcode": -1, "errmsg": "busy"}, OK]})
    asyncio.run(_client(script).send_text("u1", "你好"))
    assert len(script.of("message/send")) == 3
    assert sum("暂时失败" in r.getMessage() for r in caplog.records) == 2

    script = Script({"gettoken": [_token(1)], "message/send": [500]})
    with pytest.raises(WeComAPIError):
        asyncio.run(_client(script, attempts=3).send_text("u1", "你好"))
    assert len(script.of("message/send")) == 3
    assert any("连续 3 次失败" in r.getMessage() for r in caplog.records)


def test_configuration_errors_say_what_to_check(caplog):
    caplog.set_level(logging.ERROR, logger="bots.wecom")
    script = Script({"gettoken": [{"errcode": 40001, "errmsg": "invalid credential"}], "message/send": [OK]})
    with pytest.raises(WeComAPIError) as err:
        asyncio.run(_client(script).send_text("u1", "你好"))
    assert "ZHIJIAN_WECOM_SECRET" in str(err.value) and script.of("message/send") == []
    script = Script({"gettoken": [_token(1)], "message/send": [{"errcode": 60020, "errmsg": "not allow ip"}]})
    with pytest.raises(WeComAPIError) as err:
        asyncio.run(_client(script).send_text("u1", "你好"))
    assert "企业可信IP" in str(err.value)
    assert all("s3cret" not in r.getMessage() and "T1" not in r.getMessage() for r in caplog.records)


# -- the command ----------------------------------------------------------------------------------------------

def test_zhijian_wecom_without_configuration_says_which_variables_are_missing(monkeypatch, tmp_path):
    import typer
    from typer.testing import CliRunner

    from assistant.config import get_settings
    from bots.wecom.cli import register

    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so "wecom" stays a subcommand as in zhijian
        pass

    for var in ("CORP_ID", "AGENT_ID", "SECRET", "TOKEN", "AES_KEY"):
        monkeypatch.delenv(f"ZHIJIAN_WECOM_{var}", raising=False)
    monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZHIJIAN_WECOM_CORP_ID", "ww5a1b2c3d4e5f6a7b")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["wecom"])
        assert result.exit_code == 1
        assert "ZHIJIAN_WECOM_AGENT_ID" in result.output and "ZHIJIAN_WECOM_CORP_ID" not in result.output
        assert "bots/README.md" in result.output
        assert "企业微信自建应用" in CliRunner().invoke(app, ["wecom", "--help"]).output
    finally:
        get_settings.cache_clear()


def test_serve_mounts_the_callback_only_when_wecom_is_configured(tmp_path):
    """`zhijian serve` finds the channel through its entry point; unconfigured, there is no such route."""
    from starlette.testclient import TestClient

    from api.app import configured_channels, create_app
    from assistant.config import Settings
    from tests.plugins.wecomapi import AES_KEY, AGENT_ID, SECRET, TOKEN

    plain = Settings(data_dir=tmp_path / "a")
    assert configured_channels(plain) == []
    configured = Settings(data_dir=tmp_path / "b", wecom_corp_id="wx5823bf96d3bd56c7", wecom_agent_id=AGENT_ID,
                          wecom_secret=SECRET, wecom_token=TOKEN, wecom_aes_key=AES_KEY,
                          wecom_api_base="http://127.0.0.1:9")
    channels = configured_channels(configured)
    assert len(channels) == 1
    with TestClient(create_app(plain)) as c:
        assert c.get("/wecom/callback").status_code == 404
    bad_signature = {"msg_signature": "0" * 40, "timestamp": "1", "nonce": "1", "echostr": "eA=="}
    app = create_app(configured, channels=channels)
    with TestClient(app) as c:
        assert c.get("/wecom/callback", params=bad_signature).status_code == 403
