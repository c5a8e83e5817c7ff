"""What a message wants: rules first, example phrases (rapidfuzz) second, a standards question otherwise.

The hard part is not spotting "预约" but telling an action ("帮我约下周三的主体验收")
from a question about the action ("主体验收要提前几天约？"), which the knowledge
base answers from the station's FAQ. So an action word only makes an action
when the message is phrased as a request (我要/帮我/查一下 …, or a bare command);
phrased as a how-to question it stays a question, and the reply offers a button
for the action instead (``IntentMatch.suggest``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rapidfuzz import fuzz, process

from assistant.conversation.dates import find_dates
from index.query import clause_mention


class Intent(StrEnum):
    greeting = "greeting"
    help = "help"
    question = "question"
    clause_lookup = "clause_lookup"
    book = "book"
    booking_status = "booking_status"
    booking_cancel = "booking_cancel"
    credit = "credit"
    visit = "visit"
    feedback = "feedback"


class Control(StrEnum):
    """Words that steer a dialogue in progress rather than answer its question."""

    cancel = "cancel"
    restart = "restart"
    confirm = "confirm"
    modify = "modify"


@dataclass(frozen=True)
class IntentMatch:
    intent: Intent
    score: float  # 0–100
    by: str  # command | rule | example | fallback
    text: str  # the message as typed (trimmed), without a leading /command
    suggest: Intent | None = None  # an action the question is about, offered as a button


BOOKING_NO_RE = re.compile(r"(?<![\d-])(\d{4}-\d{6})(?![\d-])")
USCC_RE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Z])")

_COMMANDS = {
    "/start": Intent.greeting, "/help": Intent.help, "/ask": Intent.question, "/clause": Intent.clause_lookup,
    "/book": Intent.book, "/mybookings": Intent.booking_status, "/credit": Intent.credit, "/visit": Intent.visit,
}
_FILLER = "吧了啊呀哈嘛呢哦。.!！~～ "
_CONTROL_WORDS: dict[Control, tuple[str, ...]] = {
    Control.cancel: ("取消", "不", "否", "不要", "不是", "不要了", "算了", "不约了", "不办了", "不申请了", "不用了", "放弃",
                     "退出", "结束",
                     "cancel", "/cancel", "取消预约", "取消申请", "取消办理", "不预约了", "先不约了", "算了不约了"),
    Control.restart: ("重新开始", "重来", "从头开始", "重新来", "重新填", "重新填写", "restart", "/restart"),
    Control.confirm: ("确认", "确定", "确认提交", "提交", "是", "是的", "对", "对的", "没问题", "好", "好的",
                      "可以", "行", "嗯", "ok", "yes", "y", "确认无误", "无误"),
    Control.modify: ("修改", "改一下", "要改", "更改", "改", "不对", "有误", "错了", "需要修改", "我要修改"),
}
_CONTROL_LOOKUP = {w: c for c, words in _CONTROL_WORDS.items() for w in words}

_GREETING_RE = re.compile(r"^(你好|您好|hi|hello|hey|在吗|在不在|早上好|早|上午好|中午好|下午好|晚上好|嗨|哈喽|哈罗)"
                          r"[啊呀呢吗!！~～。.,，\s]*$")
_HELP_RE = re.compile(r"^(帮助|help|菜单|功能|说明|使用说明|\?|？)$|你能(做|干)什么|你会(做)?什么|能(帮我)?(做|干)什么|"
                      r"有(哪些|什么)功能|怎么用(你|这个)|使用方法|使用帮助")

_IMPERATIVE = re.compile(r"我要|我想|我们要|我们想|想要|帮我|帮忙|给我|请帮|麻烦|替我|申请一下|预约一下|约一下|"
                         r"办一下|查一下|查查|查询|看一下|看看|想(预约|约|申请|请|查)|要(预约|约|申请|查)|请(专家|服务团)")
# How-to and yes/no question words; "怎么样" (how is it) is not one.
_PROCEDURAL = re.compile(r"(.)不\1|怎么(?!样)|怎样|如何|咋|在哪|去哪|哪里|哪儿|哪天|哪些|能不能|能否|可不可以|可以.{0,8}吗|"
                         r"能.{0,8}吗|要不要|需不需要|是不是|为什么|提前几|多久|几天|什么时候|什么意思|有没有|是否|"
                         r"收费|吗[?？]?$|[?？]$")
_VALUE_Q = re.compile(r"多少|几级|什么等级|怎么样|如何|是啥|什么")

_HOWTO_ACTION = re.compile(r"(怎么|如何|怎样|咋)(才能|样才能)?(申请|预约|约|办|查|弄|操作|提交|取消|撤回)|"
                           r"(去|在)哪(里|儿)?(能)?(约|申请|查|办|预约)")
_BOOK_KW = re.compile(r"(预约|约|报验|安排|预定|订|申请).{0,10}(验收|交底|监督|质监站|监督站)|"
                      r"(验收|交底).{0,6}(预约|约一下|约个|约下)|^(我要|我想)?预约(一下)?$|^预约(验收|监督)$")
_MILESTONE_WORD = re.compile(r"交底|地基|基础验收|主体|竣工|节能")
_CREDIT_KW = re.compile(r"信用(?!代码)|诚信|不良记录|良好记录|不良行为记录")
_ORG_REF = re.compile(r"[\u4e00-\u9fffA-Za-z0-9（）()]{2,}(公司|集团|建工|建设|监理|咨询|设计院|研究院|工程局)|"
                      r"我们公司|我公司|我司|本公司|本单位|我单位|我们单位|我们企业|本企业|我们的")
_VISIT_KW = re.compile(r"帮扶|服务团|上门(指导|服务|看看|帮)|专家.{0,8}(指导|看看|来|上门|帮)|请.{0,4}专家|"
                       r"技术咨询服务|现场指导")
_STATUS_KW = re.compile(r"(我的|我们的|我约的|我们约的|我司的|本单位的)(预约|验收)|预约.{0,6}(进度|状态|情况|记录|列表|到哪)|"
                        r"查(一下|询)?(我的|我们的)?预约|约的.{0,8}(怎么样|排上|进度|安排|到哪)")
_STATUS_OWN = re.compile(r"我的|我们的|我约的|我们约的|我司的|本单位的")
_CANCEL_KW = re.compile(r"(取消|撤销|撤回|退掉|不要了).{0,6}(预约|验收)|预约.{0,6}(取消|撤销|撤回|不要了)")

EXAMPLES: dict[Intent, tuple[str, ...]] = {
    Intent.book: ("预约验收", "我要预约", "约验收", "约个验收", "预约监督", "约监督站", "报验收", "申请验收",
                  "安排验收", "预约到场"),
    Intent.booking_status: ("我的预约", "预约进度", "查预约", "预约状态", "预约记录", "看看预约", "我约的验收"),
    Intent.booking_cancel: ("取消预约", "撤销预约", "撤回预约", "预约取消", "退掉预约"),
    Intent.credit: ("查信用", "信用查询", "信用等级", "查信用等级", "信用分", "企业信用", "诚信评价", "查诚信"),
    Intent.visit: ("申请帮扶", "帮扶申请", "服务团", "申请服务团", "请专家", "专家上门", "上门指导", "技术帮扶"),
    Intent.help: ("帮助", "菜单", "功能", "怎么用", "使用说明", "你是谁"),
    Intent.greeting: ("你好", "您好", "在吗", "早上好", "你好啊"),
}
_EXAMPLE_CHOICES = [(phrase, intent) for intent, phrases in EXAMPLES.items() for phrase in phrases]
_EXAMPLE_MIN_SCORE = 80
_EXAMPLE_MAX_LEN = 10
_ANY_DAY = date(2026, 1, 1)  # any day will do for "does the text name a date at all"


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), trimmed, lower-case Latin."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def control_word(text: str) -> Control | None:
    """The dialogue-steering word ``text`` consists of ('取消', '好的', '修改一下吧' …), if any."""
    raw = normalize(text).strip("。.!！~～ ")
    if raw in _CONTROL_LOOKUP:
        return _CONTROL_LOOKUP[raw]
    t = raw.strip(_FILLER)
    if t in _CONTROL_LOOKUP:
        return _CONTROL_LOOKUP[t]
    for suffix in ("一下", "吧", "了"):
        if t.endswith(suffix) and t[: -len(suffix)] in _CONTROL_LOOKUP:
            return _CONTROL_LOOKUP[t[: -len(suffix)]]
    return None


def feedback_rating(text: str) -> tuple[int, str] | None:
    """'👍' / '👎 引用不对' -> (+1|-1, comment)."""
    t = (text or "").strip()
    for mark, rating in (("👍", 1), ("👎", -1)):
        if t.startswith(mark):
            return rating, t[len(mark):].strip(" ：:，,")
    return None


def is_question(text: str) -> bool:
    """Phrased as a question rather than as a request or a bare value ('要提前几天？' is; '下周三' is not)."""
    t = normalize(text)
    return bool(_PROCEDURAL.search(t) or _VALUE_Q.search(t)) and not _IMPERATIVE.search(t)


def is_clause_reference(text: str) -> bool:
    """'GB55032 3.3.5', '101要点5.1.2写的啥', '第4.2.4条': names a clause by number."""
    code, clause_no = clause_mention(text)
    return bool(clause_no) and (bool(code) or "第" in text or "条" in text)


def _command(t: str) -> tuple[Intent, str] | None:
    if not t.startswith("/"):
        return None
    head, _, rest = t.partition(" ")
    head = head.split("@", 1)[0]  # Telegram: /book@zhijian_bot
    intent = _COMMANDS.get(head)
    return (intent, rest.strip()) if intent else None


def _action(t: str) -> tuple[Intent | None, Intent | None]:
    """(action to take, action merely asked about) from the rules."""
    procedural = bool(_PROCEDURAL.search(t))
    # "想请服务团来指导，怎么申请": asking how, even when phrased as a wish.
    imperative = bool(_IMPERATIVE.search(t)) and not _HOWTO_ACTION.search(t)
    if _CANCEL_KW.search(t):
        return (Intent.booking_cancel, None) if imperative or not procedural else (None, Intent.booking_status)
    if _STATUS_KW.search(t):
        if imperative or not procedural or _STATUS_OWN.search(t):
            return Intent.booking_status, None
        return None, Intent.booking_status
    if _CREDIT_KW.search(t):
        names_firm = bool(_ORG_REF.search(t) or USCC_RE.search(t.upper()))
        if procedural and not imperative and not (names_firm and _VALUE_Q.search(t)):
            return None, Intent.credit  # "企业信用分是怎么算的？"
        if imperative or names_firm or len(_CREDIT_KW.sub("", t)) <= 6:
            return Intent.credit, None
        return None, Intent.credit
    if _VISIT_KW.search(t):
        return (Intent.visit, None) if imperative or not procedural else (None, Intent.visit)
    if _BOOK_KW.search(t) or (_MILESTONE_WORD.search(t) and re.search(r"预约|约", t)):
        dated = bool(find_dates(t, _ANY_DAY))
        return (Intent.book, None) if imperative or dated or not procedural else (None, Intent.book)
    return None, None


def recognize(text: str) -> IntentMatch:
    """Classify one message (outside a dialogue step, or when a step could not use it)."""
    raw = (text or "").strip()
    t = normalize(raw)
    if not t:
        return IntentMatch(Intent.help, 100, "rule", raw)
    cmd = _command(t)
    if cmd is not None:
        return IntentMatch(cmd[0], 100, "command", raw.partition(" ")[2].strip() if cmd[1] else "")
    if feedback_rating(text) is not None:
        return IntentMatch(Intent.feedback, 100, "rule", raw)
    if BOOKING_NO_RE.search(t):
        cancel = re.search(r"取消|撤销|撤回|不要了|退掉", t)
        return IntentMatch(Intent.booking_cancel if cancel else Intent.booking_status, 100, "rule", raw)
    if _GREETING_RE.match(t):
        return IntentMatch(Intent.greeting, 100, "rule", raw)
    if _HELP_RE.search(t):
        return IntentMatch(Intent.help, 95, "rule", raw)
    if is_clause_reference(t):
        return IntentMatch(Intent.clause_lookup, 95, "rule", raw)
    action, about = _action(t)
    if action is not None:
        return IntentMatch(action, 90, "rule", raw)
    if about is None and len(t) <= _EXAMPLE_MAX_LEN:
        best = process.extractOne(t, [p for p, _ in _EXAMPLE_CHOICES], scorer=fuzz.ratio)
        if best is not None and best[1] >= _EXAMPLE_MIN_SCORE:
            return IntentMatch(_EXAMPLE_CHOICES[best[2]][1], round(best[1], 1), "example", raw)
    return IntentMatch(Intent.question, 50, "fallback", raw, suggest=about)



_PHONE_ONLY = re.compile(r"^[\s\d\-+()（）转]{7,}$")
# Asking for the station's own records ("今天有哪些预约"), not for what a standard says.
_RECORDS_ASKED = re.compile(r"([今明昨]天|本周|下周|这周|最近|近期).{0,6}(预约|安排|任务|检查|验收|排期)|有哪些预约|"
                            r"我的(预约|申请|任务|通知)|预约(进度|状态)")
_CONTROL_RUN = re.compile("|".join(sorted((re.escape(w) for w in (*_CONTROL_LOOKUP, "谢谢", "多谢", "感谢", "收到",
                                                                   "明白", "知道了", "辛苦")),
                                          key=len, reverse=True)))
_NO_TOPIC = re.compile(r"^[\s\d\-:/.：年月日号点周]+$")


def is_knowledge_question(text: str) -> bool:
    """Whether ``text`` asks the knowledge base something, as opposed to steering a dialogue.

    Phone numbers, booking numbers, credit codes, dates, control words ("确认取消") and requests to act
    ("今天有哪些预约") are dialogue turns: they never belong in the report of unanswered questions.
    """
    t = normalize(text).strip()
    if len(t) < 2 or control_word(t) is not None or _PHONE_ONLY.match(t) or _NO_TOPIC.match(t):
        return False
    if not _CONTROL_RUN.sub("", t).strip(_FILLER) or _RECORDS_ASKED.search(t):  # "确认取消", "今天有哪些预约"
        return False
    if BOOKING_NO_RE.fullmatch(t) or USCC_RE.fullmatch(t.upper()):
        return False
    return recognize(t).intent in (Intent.question, Intent.clause_lookup)
