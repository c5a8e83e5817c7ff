"""The national working-day calendar and the policy for years it does not cover yet."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from assistant.store.errors import CalendarUnavailable
from assistant.store.workdays import WorkCalendar, _estimated_holidays

D = date


def test_holidays_weekends_and_adjusted_working_days():
    cal = WorkCalendar()
    national = cal.info(D(2026, 10, 1))
    assert not national.is_workday and national.reason == "国庆节假期" and not national.provisional
    assert cal.info(D(2026, 9, 25)).reason == "中秋假期"
    assert cal.info(D(2026, 10, 10)).is_workday and cal.info(D(2026, 10, 10)).reason == "调休工作日"
    assert cal.info(D(2026, 10, 11)).reason == "星期日"
    assert cal.info(D(2026, 9, 24)).reason == "工作日"


def test_adding_working_days_skips_the_golden_week():
    cal = WorkCalendar()
    assert cal.add_workdays(D(2026, 9, 24), 2).day == D(2026, 9, 29)
    seven = cal.add_workdays(D(2026, 9, 24), 7)
    assert seven.day == D(2026, 10, 12) and not seven.provisional
    assert cal.add_workdays(D(2026, 9, 24), 0).day == D(2026, 9, 24)
    assert cal.workdays_between(D(2026, 9, 24), D(2026, 10, 12)) == 7
    assert cal.next_workday(D(2026, 10, 1)) == D(2026, 10, 8)


def test_uncovered_year_is_estimated_from_the_law_and_flagged():
    cal = WorkCalendar()
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))  # the library really lacks 2027
    new_year = cal.info(D(2027, 1, 1))
    assert new_year.provisional and not new_year.is_workday and new_year.holiday == "元旦"
    spring = [d for d, name in _estimated_holidays(2027).items() if name == "春节"]
    assert D(2027, 2, 6) in spring  # 正月初一
    assert cal.info(D(2027, 1, 4)).is_workday and cal.info(D(2027, 1, 4)).provisional
    result = cal.add_workdays(D(2026, 12, 28), 7)
    assert result.provisional and result.day == D(2027, 1, 7)
    assert "2027年放假调休安排尚未收录" in result.notices[0]


@pytest.mark.parametrize("year", [2025, 2026])
def test_law_based_estimate_agrees_with_published_years(year):
    """Every day the estimate closes was really a holiday (the 2024 revision of the law applies)."""
    estimate = _estimated_holidays(year)
    assert len(estimate) >= 13
    for day in estimate:
        assert not chinese_calendar.is_workday(day), day


def test_refuse_policy_and_supplement():
    strict = WorkCalendar(uncovered="refuse")
    with pytest.raises(CalendarUnavailable, match="2027年的法定节假日安排尚未收录"):
        strict.info(D(2027, 1, 5))
    announced = WorkCalendar(
        uncovered="refuse",
        supplement={2027: {"holidays": [D(2027, 1, 1), D(2027, 1, 4)], "workdays": [D(2027, 1, 9)]}},
    )
    assert not announced.info(D(2027, 1, 4)).is_workday
    assert announced.info(D(2027, 1, 9)).is_workday and announced.info(D(2027, 1, 9)).adjusted_workday
    assert not announced.info(D(2027, 1, 5)).provisional
