"""WeCom's callback crypto against the published WXBizMsgCrypt sample vector and an independent implementation.

The vector (token, EncodingAESKey, CorpID, the URL-verification GET and the
encrypted "hello" POST) is the one in WeCom's official WXBizMsgCrypt samples
(Sample.cpp / Sample.py). ``wechatpy``'s enterprise crypto serves as a second,
independent implementation: what one encrypts the other must decrypt.
"""

from __future__ import annotations

import base64
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.enterprise.crypto import WeChatCrypto

from bots.wecom import crypto as wc
from bots.wecom.crypto import WeComCrypto, WeComCryptoError, signature
from bots.wecom.replay import ReplayGuard
from bots.wecom.wire import WireError, cdata, encrypted_reply, parse_envelope, parse_message, text_reply

# WeCom's official sample (WXBizMsgCrypt Sample.cpp): "假设企业在企业微信后台设置的参数如下"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"
VERIFY = {  # GET /cgi-bin/wxpush?msg_signature=…&timestamp=…&nonce=…&echostr=…
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
}
ECHO_PLAIN = "1616140317555161061"
POST_SIGNATURE, POST_TIMESTAMP, POST_NONCE = "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149"
POST_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+"
    "rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLY"
    "L42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun"
    "1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0"
    "MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]>"
    "</Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
)


@pytest.fixture
def sample() -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, CORP_ID)


@pytest.fixture
def oracle() -> WeChatCrypto:
    return WeChatCrypto(TOKEN, AES_KEY, CORP_ID)


# -- the published vector -------------------------------------------------------------------------------------

def test_the_sample_url_verification_checks_and_decrypts_echostr(sample):
    assert signature(TOKEN, VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"]) == VERIFY["msg_signature"]
    assert sample.verify_url(**VERIFY) == ECHO_PLAIN


def test_the_sample_message_checks_and_decrypts_to_hello(sample):
    envelope = parse_envelope(POST_BODY)
    assert (envelope.to_user, envelope.agent_id) == (CORP_ID, "218")
    xml = sample.open(POST_SIGNATURE, POST_TIMESTAMP, POST_NONCE, envelope.encrypt)
    msg = parse_message(xml)
    assert (msg.msg_type, msg.from_user, msg.to_user, msg.content) == ("text", "mycreate", CORP_ID, "hello")
    assert (msg.msg_id, msg.agent_id, msg.create_time) == ("4561255354251345929", "218", 1409659813)
    assert msg.dedupe_key == "msg:4561255354251345929"


@pytest.mark.parametrize("field", ["msg_signature", "timestamp", "nonce", "echostr"])
def test_changing_any_signed_value_of_the_sample_is_refused(sample, field):
    args = dict(VERIFY)
    value = args[field]
    args[field] = value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:]
    with pytest.raises(WeComCryptoError) as err:
        sample.verify_url(**args)
    assert err.value.code == wc.VALIDATE_SIGNATURE


def test_the_sample_is_refused_with_another_token_or_another_corp(sample):
    envelope = parse_envelope(POST_BODY)
    with pytest.raises(WeComCryptoError) as err:
        WeComCrypto("other", AES_KEY, CORP_ID).open(POST_SIGNATURE, POST_TIMESTAMP, POST_NONCE, envelope.encrypt)
    assert err.value.code == wc.VALIDATE_SIGNATURE
    with pytest.raises(WeComCryptoError) as err:
        WeComCrypto(TOKEN, AES_KEY, "ww0000000000000000").open(POST_SIGNATURE, POST_TIMESTAMP, POST_NONCE,
                                                               envelope.encrypt)
    assert err.value.code == wc.VALIDATE_CORP_ID


def test_a_bad_encoding_aes_key_is_refused_at_construction():
    for key in ("short", AES_KEY + "x", AES_KEY[:-1] + "!"):
        with pytest.raises(WeComCryptoError) as err:
            WeComCrypto(TOKEN, key, CORP_ID)
        assert err.value.code == wc.ILLEGAL_AES_KEY


# -- against an independent implementation -----------------------------------------------------------------

def test_a_passive_reply_we_seal_is_opened_by_wechatpy(sample, oracle):
    plain = text_reply("mycreate", CORP_ID, "拆模强度见《示例规程》ZJ/T 101-2025 第6.0.2条。]]>尾", now=1348831860)
    timestamp, nonce = str(int(time.time())), "1372623149"
    encrypted, sig = sample.seal(plain, timestamp, nonce)
    xml = encrypted_reply(encrypted, sig, timestamp, nonce)
    assert oracle.decrypt_message(xml, sig, timestamp, nonce) == plain
    back = parse_message(plain)
    assert back.content == "拆模强度见《示例规程》ZJ/T 101-2025 第6.0.2条。]]>尾"  # the CDATA split survived


def test_a_message_wechatpy_encrypts_is_opened_by_us(sample, oracle):
    xml = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Content><![CDATA[楼板拆模]]></Content></xml>"
    sealed = oracle.encrypt_message(xml, "998877", "1409659813")
    envelope = parse_envelope(sealed)
    sig = sealed.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert sample.open(sig, "1409659813", "998877", envelope.encrypt) == xml


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=700))
def test_any_text_round_trips_and_pads_to_32_bytes(text):
    c = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    encrypted = c.encrypt(text)
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert c.decrypt(encrypted) == text
    assert WeChatCrypto(TOKEN, AES_KEY, CORP_ID).decrypt_message(
        f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>", c.sign("1", "2", encrypted), "1", "2") == text


def test_ciphertext_that_is_not_wecoms_is_refused(sample):
    for bad in ("not base64!", base64.b64encode(b"x" * 15).decode(), base64.b64encode(b"x" * 32).decode()):
        with pytest.raises(WeComCryptoError):
            sample.decrypt(bad)


# -- the XML around it -------------------------------------------------------------------------------------

def test_hostile_or_foreign_xml_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            "<xml><Encrypt>&b;</Encrypt></xml>")
    for body in (bomb, "<xml><Encrypt></Encrypt></xml>", "<root><Encrypt>x</Encrypt></root>", "no xml", "x" * 70000):
        with pytest.raises(WireError):
            parse_envelope(body)


def test_cdata_keeps_any_text_and_drops_what_xml_cannot_carry():
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"
    msg = parse_message(text_reply("u", "c", "前\x01后]]>\n第二行", now=1))
    assert msg.content == "前后]]>\n第二行"


# -- replay protection ---------------------------------------------------------------------------------------

def test_replay_guard_refuses_stale_timestamps_and_reused_nonces():
    now = [1_800_000_000.0]
    guard = ReplayGuard(max_skew=300, clock=lambda: now[0])
    ts = str(int(now[0]))
    assert guard.refusal(ts, "1") is None
    assert "重复" in guard.refusal(ts, "1")
    assert guard.refusal(ts, "2") is None
    assert "超出" in guard.refusal(str(int(now[0]) - 301), "3")
    assert "超出" in guard.refusal(str(int(now[0]) + 301), "3")
    assert "不合法" in guard.refusal("abc", "3")
    now[0] += 400  # the first pairs are now too old to be accepted anyway, and are forgotten
    assert guard.refusal(str(int(now[0])), "9") is None
    assert len(guard) == 1
    assert "超出" in guard.refusal(ts, "1")


def test_without_the_freshness_check_a_nonce_is_still_used_once():
    guard = ReplayGuard(max_skew=0, clock=lambda: 1_800_000_000.0)
    assert guard.refusal("1409659813", "1372623149") is None
    assert "重复" in guard.refusal("1409659813", "1372623149")
