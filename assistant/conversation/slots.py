"""Pulling slot values out of what people type: milestone, project, visit topic, phone, contact, picks.

Each function is forgiving about wording (aliases, near-misses via rapidfuzz,
"第二个") and strict about nothing: the store's services decide validity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from assistant.conversation.intents import BOOKING_NO_RE, USCC_RE
from assistant.store.schemas import ProjectOut

MILESTONE_ALIASES: dict[str, tuple[str, ...]] = {
    "监督交底": ("质量监督交底", "监督交底会", "首次监督", "交底"),
    "地基与基础验收": ("地基与基础分部验收", "地基与基础", "地基基础分部", "地基基础验收", "地基基础", "地基验收",
                  "基础分部验收", "基础验收", "基础分部", "地基"),
    "主体结构验收": ("主体结构分部验收", "主体结构", "主体分部", "主体验收", "结构验收", "主体"),
    "节能验收": ("建筑节能分部验收", "建筑节能验收", "节能分部验收", "节能"),
    "竣工验收监督": ("竣工验收", "竣工监督", "竣工"),
}
TOPIC_ALIASES: dict[str, tuple[str, ...]] = {
    "技术咨询": ("技术问题", "咨询", "请教"),
    "方案优化": ("施工方案", "方案"),
    "质量体系诊断": ("质量管理体系", "质量体系", "管理体系", "体系", "诊断"),
    "整改帮扶": ("整改指导", "整改"),
    "其他": ("其它", "别的"),
}
_CN_ORDINAL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_PICK_RE = re.compile(r"^(?:选|选择|第)?\s*(?P<n>\d{1,2}|[一二两三四五六七八九十])\s*(?:个|项|号)?$")
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)(?!\d)")
_CONTACT_KW = re.compile(r"(?:联系人|联系人员|对接人|负责人|现场联系人)\s*(?:是|为|叫)?\s*[:：]?\s*"
                         r"(?P<name>[\u4e00-\u9fffA-Za-z·]{1,20}?)(?=[\s,，;；。:：电话手机0-9]|$)")
# Lead-in words around a typed name ('联系人是李为民，电话…'); stripped only where they stand, never inside
# the name itself (李为民 keeps its 为, 示例建工联系人 stays whole when that is the name offered).
_NAME_FILLERS = re.compile(
    r"^(?:(?:现场)?联系人员?|对接人|负责人|姓名|名字|我)?\s*(?:叫|是|为)?\s*[:：]?\s*|"
    r"[,，;；。.!！\s]*(?:联系电话|电话|手机号码|手机号|手机)?[:：,，;；。.!！\s]*$"
)
_OWN_FIRM = re.compile(r"我们公司|我公司|我司|本公司|本单位|我单位|我们单位|我们企业|本企业|我们的|我们")
_CREDIT_NOISE = re.compile(r"请问|帮我|帮忙|麻烦|查询|查一下|查查|看一下|看看|查|一下|的|信用等级|信用分数|信用分|信用评价|"
                           r"信用情况|信用|诚信评价|诚信|等级|评分|分数|情况|是多少|多少|怎么样|如何|是什么|什么|企业|"
                           r"[?？!！。,，:：\s]")
_PROJECT_NOISE = re.compile(r"我要|我想|帮我|预约|约|申请|一下|的|工程|项目|这个|那个|是|[?？!！。,，:：\s]")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _alias_match(text: str, names: Sequence[str], aliases: dict[str, tuple[str, ...]]) -> str | None:
    t = normalize(text)
    for name in sorted(names, key=len, reverse=True):
        if name in t:
            return name
    pairs = [(alias, name) for name in names for alias in aliases.get(name, ())]
    for alias, name in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
        if alias in t:
            return name
    return None


def match_milestone(text: str, milestones: Sequence[str]) -> str | None:
    """'主体验收' / '约个地基验收' -> the configured milestone name; None when none is named."""
    found = _alias_match(text, milestones, MILESTONE_ALIASES)
    if found:
        return found
    t = normalize(text)
    scored = [(fuzz.partial_ratio(name, t), name) for name in milestones if len(t) >= 2]
    best = max(scored, default=(0, None))
    return best[1] if best[0] >= 85 else None


def match_topic(text: str, topics: Sequence[str]) -> str | None:
    return _alias_match(text, topics, TOPIC_ALIASES)


def pick(text: str, options: Sequence[str]) -> str | None:
    """'2', '第二个', '选2' -> options[1] when such an option was offered."""
    m = _PICK_RE.match(normalize(text))
    if not m or not options:
        return None
    raw = m.group("n")
    n = int(raw) if raw.isdecimal() else _CN_ORDINAL[raw]
    return options[n - 1] if 1 <= n <= len(options) else None


def find_phone(text: str) -> str | None:
    m = _PHONE_RE.search(normalize(text))
    return re.sub(r"[\s]", "", m.group(1)) if m else None


def find_contact(text: str, *, bare: bool = False) -> str | None:
    """The contact's name: after '联系人' anywhere, or (``bare``, when the name was asked for) the reply itself."""
    t = normalize(text)
    m = _CONTACT_KW.search(t)
    if m and m.group("name"):
        return m.group("name")
    if not bare:
        return None
    rest = _PHONE_RE.sub(" ", t)
    rest = _NAME_FILLERS.sub("", rest)
    if not rest or re.search(r"\d", rest) or len(rest) > 20:
        return None
    return rest


def find_booking_no(text: str) -> str | None:
    m = BOOKING_NO_RE.search(normalize(text))
    return m.group(1) if m else None


@dataclass(frozen=True)
class CreditQuery:
    """Which enterprise a credit question is about: its own (``own``) or what was typed."""

    own: bool
    query: str


def credit_query(text: str) -> CreditQuery:
    t = normalize(text)
    code = USCC_RE.search(t.upper())
    if code:
        return CreditQuery(False, code.group(0))
    if _OWN_FIRM.search(t):
        return CreditQuery(True, "")
    return CreditQuery(False, _CREDIT_NOISE.sub("", t))


@dataclass(frozen=True)
class ProjectMatch:
    project: ProjectOut | None
    candidates: tuple[ProjectOut, ...] = ()


def match_project(text: str, projects: Sequence[ProjectOut], *, bare: bool = False) -> ProjectMatch:
    """By supervision/permit number, by name, or (``bare``: the reply is the project) by a near-miss name."""
    t = normalize(text)
    for p in projects:
        if (p.supervision_no and p.supervision_no in t) or (p.permit_no and p.permit_no in t):
            return ProjectMatch(p)
    named = [p for p in projects if p.name in t or core_name(p.name) in t]
    if len(named) == 1:
        return ProjectMatch(named[0])
    if len(named) > 1:
        return ProjectMatch(None, tuple(named))
    if not bare:
        return ProjectMatch(None)
    q = _PROJECT_NOISE.sub("", t)
    if len(q) < 2:
        return ProjectMatch(None)
    scored = sorted(((fuzz.partial_ratio(q, core_name(p.name)), p) for p in projects), key=lambda x: -x[0])
    good = [(s, p) for s, p in scored if s >= 80]
    if not good:
        return ProjectMatch(None)
    if len(good) > 1 and good[0][0] - good[1][0] < 5:
        return ProjectMatch(None, tuple(p for s, p in good if good[0][0] - s < 5))
    return ProjectMatch(good[0][1])


def core_name(name: str) -> str:
    """'示例花园小区3号住宅楼（示例）' -> without the bracketed remark, which people don't type."""
    return re.sub(r"[（(][^）)]*[）)]", "", name).strip() or name
