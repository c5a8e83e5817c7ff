"""Chinese dates as people type them, resolved against the station's today.

``dateparser`` computes the forms it gets right (今天/明天/后天/大后天, N天后,
2026-12-05, 2026年12月5日) and is the fallback for whole replies in other forms
(e.g. English). It cannot *find* a date inside a sentence, does not know
下周三 / 本周五 / 12月5号 / 十二月五日, and reads "12.5" as the year 2112, so a small
layer of patterns finds every date-like span and handles those forms itself.

Year inference prefers the future: a month and day more than a month past this
year's means next year (typing 1月5日 in December), a nearer one stays past, so
the booking rules can say "已经过去" instead of silently jumping a year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import dateparser

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_WEEKDAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
                  "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_PAST_TOLERANCE_DAYS = 31
_DATEPARSER_SETTINGS = {"PREFER_DATES_FROM": "future", "DATE_ORDER": "YMD", "RETURN_AS_TIMEZONE_AWARE": False}

_NUM = r"[0-9零〇一二两三四五六七八九十]{1,3}"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("full", re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?")),
    ("month_day", re.compile(rf"(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]?")),
    ("next_month_day", re.compile(rf"下个?月\s*(?P<d>{_NUM})\s*[日号]")),
    ("relative_day", re.compile(r"大后天|后天|明天|明日|今天|今日")),
    ("in_days", re.compile(rf"(?:过\s*(?P<n1>{_NUM})\s*天)|(?:(?P<n2>{_NUM})\s*(?P<unit>天|日|个?星期|周)\s*(?:以后|之后|后))")),
    ("weekday", re.compile(r"(?P<rel>下下个?|下个?|本|这个?|上个?)?\s*(?P<word>周|星期|礼拜)\s*(?P<wd>[一二三四五六日天末1-7])")),
    ("day_only", re.compile(rf"(?<![月\d年.\-/])(?P<d>{_NUM})\s*号")),
]
_VAGUE = re.compile(r"^(下下|下|本|这|上)?个?(周|星期|礼拜|月)(内|里|中)?$")  # no day named: ask, don't guess
_LOOSE = re.compile(r"(?<![\d.\-])(?P<m>\d{1,2})\s*[./\-]\s*(?P<d>\d{1,2})(?![\d.\-])")


@dataclass(frozen=True)
class FoundDate:
    """One date found in a text, with the words that named it."""

    day: date
    text: str
    start: int
    end: int


def cn_number(text: str) -> int | None:
    """'12', '十二', '二十五', '三十一', '两' -> int (up to 99); None if not a number."""
    s = text.strip()
    if not s:
        return None
    if s.isdecimal():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        o = _CN_DIGITS.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 else t * 10 + o
    if all(ch in _CN_DIGITS for ch in s):
        value = 0
        for ch in s:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    return None


def normalize(text: str) -> str:
    """Full-width digits and punctuation to half-width, so one set of patterns serves both."""
    return unicodedata.normalize("NFKC", text)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _infer_year(m: int, d: int, today: date) -> date | None:
    this_year = _safe_date(today.year, m, d)
    if this_year is not None and this_year >= today - timedelta(days=_PAST_TOLERANCE_DAYS):
        return this_year
    return _safe_date(today.year + 1, m, d) or this_year


def _month_day(m: int, d: int, today: date, next_month: bool = False) -> date | None:
    if next_month:
        y, mo = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return _safe_date(y, mo, d)
    return _infer_year(m, d, today)


def _via_dateparser(text: str, today: date) -> date | None:
    base = datetime(today.year, today.month, today.day, 9, 0)
    parsed = dateparser.parse(text, languages=["zh", "en"], settings={**_DATEPARSER_SETTINGS, "RELATIVE_BASE": base})
    if parsed is None:
        return None
    day = parsed.date()
    # dateparser reads "12.5" as 2112-05-12; anything this far off is not what was meant.
    return day if abs((day - today).days) <= 400 else None


_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}


def _weekday(m: re.Match[str], today: date, inherited: str = "") -> date:
    rel = (m.group("rel") or inherited).rstrip("个")
    wd = _WEEKDAY_CHARS[m.group("wd")]
    monday = today - timedelta(days=today.weekday())
    if rel in ("本", "这"):
        return monday + timedelta(days=wd)
    if rel == "下":
        return monday + timedelta(days=7 + wd)
    if rel == "下下":
        return monday + timedelta(days=14 + wd)
    if rel == "上":
        return monday - timedelta(days=7 - wd)
    return today + timedelta(days=(wd - today.weekday()) % 7)


def _resolve(kind: str, m: re.Match[str], today: date, week_rel: str = "") -> date | None:
    if kind == "full":
        return _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if kind == "month_day":
        mo, d = cn_number(m["m"]), cn_number(m["d"])
        if mo is None or d is None:
            return None
        return _month_day(mo, d, today)
    if kind == "next_month_day":
        d = cn_number(m["d"])
        return None if d is None else _month_day(0, d, today, next_month=True)
    if kind == "relative_day":
        return _via_dateparser(m.group(0), today) or today + timedelta(days=_RELATIVE[m.group(0)])
    if kind == "in_days":
        n = cn_number(m["n1"] or m["n2"] or "")
        if n is None:
            return None
        unit = m["unit"] or "天"
        days = n * 7 if ("星期" in unit or unit == "周") else n
        return today + timedelta(days=days)
    if kind == "weekday":
        return _weekday(m, today, week_rel)
    if kind == "day_only":
        d = cn_number(m["d"])
        if d is None or not 1 <= d <= 31:
            return None
        found = _safe_date(today.year, today.month, d)
        if found is not None and found >= today:
            return found
        return _month_day(0, d, today, next_month=True)
    return None


def find_dates(text: str, today: date, *, loose: bool = False) -> list[FoundDate]:
    """Every date named in ``text``, in reading order.

    ``loose`` (used when the user is answering "which date?") also accepts
    "12.5" / "12/5" as month.day and lets dateparser try the whole reply.
    """
    s = normalize(text)
    taken: list[tuple[int, int]] = []
    found: list[FoundDate] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    patterns = list(_PATTERNS) + ([("loose", _LOOSE)] if loose else [])
    week_rel = ""  # "下周三或周五": the second weekday is in the same week as the first
    for kind, pattern in patterns:
        for m in pattern.finditer(s):
            if not free(m.start(), m.end()):
                continue
            if kind == "loose":
                day = _month_day(int(m["m"]), int(m["d"]), today) if 1 <= int(m["m"]) <= 12 else None
            else:
                day = _resolve(kind, m, today, week_rel)
                if kind == "weekday" and m.group("rel"):
                    week_rel = m.group("rel")
            if day is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(FoundDate(day, m.group(0), m.start(), m.end()))
    rest = s.strip(" 。.!！?？")
    if not found and loose and rest and not _VAGUE.match(rest):
        day = _via_dateparser(rest, today)
        if day is not None:
            found.append(FoundDate(day, s.strip(), 0, len(s)))
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str, today: date, *, loose: bool = True) -> date | None:
    """The first date named in ``text``, or None."""
    found = find_dates(text, today, loose=loose)
    return found[0].day if found else None


def strip_dates(text: str, today: date) -> str:
    """``text`` without its date words (what is left may name a project or a contact)."""
    s = normalize(text)
    for f in sorted(find_dates(s, today), key=lambda f: -f.start):
        s = s[: f.start] + " " + s[f.end:]
    return s


def label(day: date) -> str:
    """'10月9日（周五）' — short, for buttons."""
    return f"{day.month}月{day.day}日（{WEEKDAYS_ZH[day.weekday()]}）"


def describe(day: date) -> str:
    """'2026年10月9日（周五）' — for summaries a user confirms."""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS_ZH[day.weekday()]}）"
