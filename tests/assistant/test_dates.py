"""Chinese dates relative to a fixed station today (Thursday 24 Sep 2026), year and week edges included."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.conversation.dates import cn_number, describe, find_dates, label, parse_date, strip_dates

TODAY = date(2026, 9, 24)  # a Thursday


@pytest.mark.parametrize(("text", "expected"), [
    ("今天", date(2026, 9, 24)),
    ("明天", date(2026, 9, 25)),
    ("后天", date(2026, 9, 26)),
    ("大后天", date(2026, 9, 27)),
    ("下周三", date(2026, 9, 30)),
    ("下星期三", date(2026, 9, 30)),
    ("下个礼拜一", date(2026, 9, 28)),
    ("本周五", date(2026, 9, 25)),
    ("这周五", date(2026, 9, 25)),
    ("这周日", date(2026, 9, 27)),
    ("周五", date(2026, 9, 25)),
    ("星期四", date(2026, 9, 24)),  # the bare weekday is the next one, today included
    ("周三", date(2026, 9, 30)),
    ("下下周一", date(2026, 10, 5)),
    ("12月5日", date(2026, 12, 5)),
    ("12月5号", date(2026, 12, 5)),
    ("十二月五日", date(2026, 12, 5)),
    ("10月二十一号", date(2026, 10, 21)),
    ("2026-12-05", date(2026, 12, 5)),
    ("2026/12/5", date(2026, 12, 5)),
    ("2026年12月5日", date(2026, 12, 5)),
    ("２０２６年１２月５日", date(2026, 12, 5)),  # full-width digits
    ("12.5", date(2026, 12, 5)),  # month.day, not the year 2112 dateparser would give
    ("3天后", date(2026, 9, 27)),
    ("三天以后", date(2026, 9, 27)),
    ("过两天", date(2026, 9, 26)),
    ("两周后", date(2026, 10, 8)),
    ("28号", date(2026, 9, 28)),
    ("5号", date(2026, 10, 5)),  # already past this month: next month
    ("下个月3号", date(2026, 10, 3)),
    ("1月5日", date(2027, 1, 5)),  # months past: next year
    ("9月20日", date(2026, 9, 20)),  # days past: kept, so the booking rules can say it has passed
    ("tomorrow", date(2026, 9, 25)),  # what the patterns do not know, dateparser may
])
def test_parse_date(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2026年2月30日", "13月5日", "下周", "尽快", "主体验收", "3.3.5", ""])
def test_no_date(text):
    assert parse_date(text, TODAY) is None


def test_dates_inside_sentences_in_reading_order():
    found = find_dates("我想约下周三或者周五的主体验收，不行就10月9日", TODAY)
    assert [f.day for f in found] == [date(2026, 9, 30), date(2026, 10, 2), date(2026, 10, 9)]
    assert [f.text for f in found] == ["下周三", "周五", "10月9日"]  # "周五" stays in the week named first
    assert strip_dates("下周三约主体验收", TODAY).strip() == "约主体验收"


def test_loose_forms_only_when_a_date_is_expected():
    assert find_dates("强度达到1.2 MPa", TODAY) == []
    assert parse_date("12/5", TODAY, loose=False) is None
    assert parse_date("12/5", TODAY) == date(2026, 12, 5)


def test_year_end_and_week_edges():
    new_year_eve = date(2026, 12, 31)  # a Thursday
    assert parse_date("明天", new_year_eve) == date(2027, 1, 1)
    assert parse_date("1月4日", new_year_eve) == date(2027, 1, 4)
    assert parse_date("下周一", new_year_eve) == date(2027, 1, 4)
    sunday = date(2026, 9, 27)
    assert parse_date("本周五", sunday) == date(2026, 9, 25)  # this (Monday-based) week: already past
    assert parse_date("周五", sunday) == date(2026, 10, 2)
    assert parse_date("下周五", sunday) == date(2026, 10, 2)


def test_numbers_and_labels():
    assert [cn_number(x) for x in ("十", "十二", "二十五", "三十一", "两", "7", "x")] == [10, 12, 25, 31, 2, 7, None]
    assert label(date(2026, 10, 10)) == "10月10日（周六）"
    assert describe(date(2026, 10, 10)) == "2026年10月10日（周六）"
