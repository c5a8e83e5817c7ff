"""The XML WeCom posts to the callback URL and the XML a passive reply goes back in.

Parsed with ``defusedxml`` (no entities, no external references): the envelope
arrives before its signature is checked, so it is untrusted input.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BODY = 64 * 1024  # a WeCom callback is a few KB; anything larger is not WeCom
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


class WireError(ValueError):
    """XML that is not what WeCom sends."""


def _parse(data: bytes | str) -> Element:
    if len(data) > MAX_BODY:
        raise WireError("请求体过大")
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WireError(f"XML 无法解析：{exc.__class__.__name__}") from None
    if root.tag != "xml":
        raise WireError("根元素不是 <xml>")
    return root


def _field(root: Element, name: str) -> str:
    node = root.find(name)
    return (node.text or "").strip() if node is not None else ""


@dataclass(frozen=True)
class Envelope:
    """What arrives in the POST body: the encrypted message and (unverified) routing fields."""

    encrypt: str
    to_user: str = ""
    agent_id: str = ""


def parse_envelope(body: bytes | str) -> Envelope:
    root = _parse(body)
    encrypt = _field(root, "Encrypt")
    if not encrypt:
        raise WireError("缺少 <Encrypt>")
    return Envelope(encrypt=encrypt, to_user=_field(root, "ToUserName"), agent_id=_field(root, "AgentID"))


@dataclass(frozen=True)
class Inbound:
    """One decrypted message or event from a member of the enterprise."""

    msg_type: str  # text | event | image | voice | video | location | link | …
    from_user: str  # the member's UserID
    to_user: str  # the CorpID
    create_time: int
    agent_id: str = ""
    msg_id: str = ""
    content: str = ""
    event: str = ""  # click | view | subscribe | enter_agent | …
    event_key: str = ""

    @property
    def dedupe_key(self) -> str:
        """WeCom retries a callback it got no answer to; this names the retried message or event.

        Events carry no id: WeCom's own advice is member + CreateTime, so the same menu item clicked
        twice within one second counts once.
        """
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.from_user}:{self.create_time}:{self.event}:{self.event_key}"


def parse_message(xml: str) -> Inbound:
    root = _parse(xml)
    try:
        created = int(_field(root, "CreateTime") or 0)
    except ValueError:
        raise WireError("CreateTime 不是整数") from None
    msg = Inbound(
        msg_type=_field(root, "MsgType").lower(), from_user=_field(root, "FromUserName"),
        to_user=_field(root, "ToUserName"), create_time=created, agent_id=_field(root, "AgentID"),
        msg_id=_field(root, "MsgId"), content=_field(root, "Content"), event=_field(root, "Event").lower(),
        event_key=_field(root, "EventKey"),
    )
    if not msg.msg_type or not msg.from_user:
        raise WireError("缺少 MsgType 或 FromUserName")
    return msg


def cdata(text: str) -> str:
    """``text`` inside CDATA; a "]]>" in it is split across two sections, control characters dropped."""
    return "<![CDATA[" + _NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_corp: str, content: str, *, now: int | None = None) -> str:
    """The plaintext XML of a passive text reply (encrypted afterwards)."""
    created = int(time.time()) if now is None else now
    return (f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_corp)}</FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType>{cdata('text')}</MsgType>"
            f"<Content>{cdata(content)}</Content></xml>")


def encrypted_reply(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The envelope a passive reply is returned in."""
    return (f"<xml><Encrypt>{cdata(encrypt)}</Encrypt><MsgSignature>{cdata(msg_signature)}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>")
