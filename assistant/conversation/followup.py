"""Follow-up questions: "那梁的呢？" after "楼板拆模强度要多少" -> "梁拆模强度要多少".

A follow-up names a new subject and leans on the previous question for the
rest. We find the subject, find the term of the same kind (a component, a
season, a material, a milestone) in the previous question and swap it; with no
such term the subject is put in front ("冬天" + "混凝土养护几天"). The result is a
standalone question the answering service can retrieve for by itself.
"""

from __future__ import annotations

import re
import unicodedata

CATEGORIES: dict[str, tuple[str, ...]] = {
    "component": ("楼板", "现浇板", "屋面板", "悬挑板", "叠合板", "框架梁", "悬挑梁", "连梁", "圈梁", "过梁", "梁",
                  "框架柱", "构造柱", "柱子", "柱", "剪力墙", "填充墙", "外墙", "墙体", "墙", "板", "楼梯", "承台",
                  "独立基础", "筏板", "基础", "桩基", "桩", "底板", "阳台", "屋面", "地下室", "卫生间", "楼地面"),
    "season": ("冬期", "冬季", "冬天", "夏季", "夏天", "高温", "雨季", "雨天", "低温", "大风"),
    "material": ("混凝土", "砼", "钢筋", "砂浆", "砌块", "砖", "水泥", "防水卷材", "卷材", "防水涂料", "涂料",
                 "模板", "支架", "脚手架", "保温板", "外加剂"),
    "milestone": ("监督交底", "地基与基础验收", "主体结构验收", "竣工验收", "节能验收", "验槽", "隐蔽验收",
                  "分项验收", "检验批"),
}
_TERMS = sorted(((t, c) for c, ts in CATEGORIES.items() for t in ts), key=lambda tc: -len(tc[0]))
_LEAD = r"(?:那么|那如果是|那如果|那要是|那|如果是|如果|要是|换成|改成|还有|再问一下)"
_FOLLOWUP = re.compile(
    rf"^(?P<lead>{_LEAD})?\s*(?P<x>.{{1,12}}?)\s*(?:的话)?(?:的)?\s*"
    r"(?P<tail>呢|怎么办|怎么样|又如何|如何|要求呢|有什么要求|又是多少|是多少呢|也一样吗|一样吗)?[?？。!！\s]*$"
)
_QUESTION_WORDS = re.compile(r"多少|什么|怎么|如何|哪|几|吗|是否|要求|规定|可以|能否|应该|需要")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def terms(text: str) -> list[tuple[int, int, str, str]]:
    """Domain terms in ``text``, longest first without overlap: (start, end, term, category)."""
    taken: list[tuple[int, int, str, str]] = []
    for term, cat in _TERMS:
        for m in re.finditer(re.escape(term), text):
            if all(m.end() <= a or m.start() >= b for a, b, _, _ in taken):
                taken.append((m.start(), m.end(), term, cat))
    return sorted(taken)


def subject(text: str) -> str | None:
    """The new subject of a follow-up ('那梁的呢？' -> '梁'), or None when ``text`` is not one."""
    t = _norm(text)
    m = _FOLLOWUP.match(t)
    if not m:
        return None
    if not (m.group("lead") or m.group("tail")):
        return None
    x = m.group("x").strip(" ,，")
    if not x or len(x) > 10 or _QUESTION_WORDS.search(x):
        return None
    # A subject is a term, perhaps with a word around it ("柱子", "悬挑的梁"); more is a question of its own.
    found = terms(x)
    rest = len(x) - sum(end - start for start, end, _, _ in found)
    if rest > (3 if found else 5):
        return None
    return x


def resolve(text: str, previous: str | None) -> str | None:
    """A standalone question from a follow-up and the previous question; None when ``text`` is not a follow-up."""
    if not previous:
        return None
    x = subject(text)
    if x is None:
        return None
    prev = _norm(previous)
    x_terms = terms(x)
    x_cat = x_terms[0][3] if x_terms else None
    prev_terms = terms(prev)
    same = [t for t in prev_terms if t[3] == x_cat] if x_cat else []
    if not same and x_cat is None and len(prev_terms) == 1:
        same = prev_terms
    if same:
        start, end, _, _ = same[0]
        return prev[:start] + x + prev[end:]
    return x + prev
