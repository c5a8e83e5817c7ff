"""National working-day calendar (weekends, statutory holidays, adjusted working weekends).

Backed by the ``chinesecalendar`` package, which covers only years whose State
Council arrangement it has published. For a later year the station chooses, via
``Settings.calendar_uncovered``:

* ``provisional`` (default): estimate the year from the law itself —
  《全国年节及纪念日放假办法》 fixes the statutory holiday days (元旦, 春节 除夕–初三,
  清明, 劳动节 two days, 端午, 中秋, 国庆 three days; lunar dates via ``lunardate``)
  and a compensatory weekday when one falls on a weekend — but not the yearly
  bridging arrangement (调休), which only the State Council announcement gives.
  Every answer touching such a year is flagged provisional with a Chinese notice,
  until the library (or ``Settings.calendar_supplement``, where an admin types in
  the announcement) covers it. Bookings stay possible in early January, which a
  station needs.
* ``refuse``: reject such dates with ``CalendarUnavailable``.

``calendar_supplement`` maps a year to its official ``holidays`` and adjusted
``workdays``; a year listed there counts as covered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate

from assistant.store.errors import CalendarUnavailable

WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def provisional_notice(year: int) -> str:
    return f"{year}年放假调休安排尚未收录，暂按法定节假日和周末推算，以国务院办公厅公布的安排为准"


@dataclass(frozen=True)
class DayInfo:
    """Whether one date is a working day, and why not."""

    day: date
    is_workday: bool
    holiday: str | None = None  # Chinese holiday name when closed for a holiday
    adjusted_workday: bool = False  # a weekend made a working day (调休上班)
    provisional: bool = False

    @property
    def reason(self) -> str:
        """Chinese explanation of a non-working day, e.g. '国庆节假期' or '星期六'."""
        if self.is_workday:
            return "调休工作日" if self.adjusted_workday else "工作日"
        if self.holiday:
            return f"{self.holiday}假期"
        return WEEKDAY_NAMES[self.day.weekday()]


@dataclass(frozen=True)
class WorkCount:
    """Result of counting working days; ``provisional`` when an uncovered year was involved."""

    day: date
    provisional: bool = False
    notices: tuple[str, ...] = field(default=())


class WorkCalendar:
    """Working-day arithmetic with an explicit policy for years the library does not cover."""

    def __init__(
        self,
        *,
        uncovered: str = "provisional",
        supplement: Mapping[int, Mapping[str, Sequence[date]]] | None = None,
    ) -> None:
        if uncovered not in ("provisional", "refuse"):
            raise ValueError("uncovered must be 'provisional' or 'refuse'")
        self.uncovered = uncovered
        self._extra_holidays: set[date] = set()
        self._extra_workdays: set[date] = set()
        self._supplement_years: set[int] = set()
        for year, spec in (supplement or {}).items():
            self._supplement_years.add(int(year))
            self._extra_holidays.update(spec.get("holidays", ()))
            self._extra_workdays.update(spec.get("workdays", ()))

    @classmethod
    def from_settings(cls, settings: object) -> WorkCalendar:
        return cls(
            uncovered=getattr(settings, "calendar_uncovered", "provisional"),
            supplement=getattr(settings, "calendar_supplement", None),
        )

    def info(self, day: date) -> DayInfo:
        if day.year in self._supplement_years:
            return self._from_supplement(day)
        try:
            is_work = chinese_calendar.is_workday(day)
            _, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            if self.uncovered == "refuse":
                raise CalendarUnavailable(
                    f"{day.year}年的法定节假日安排尚未收录，暂不能办理该日期的预约，请选择其他日期或联系质监站",
                    year=day.year,
                ) from None
            try:
                holiday = _estimated_holidays(day.year).get(day)
            except ValueError:  # beyond the lunar tables (year 2100 and later)
                raise CalendarUnavailable(f"{day.year}年超出了日历的推算范围，请核对日期", year=day.year) from None
            return DayInfo(day, day.weekday() < 5 and holiday is None, holiday=holiday, provisional=True)
        holiday = _chinese_holiday(name) if name else None
        if is_work:
            return DayInfo(day, True, adjusted_workday=day.weekday() >= 5)
        return DayInfo(day, False, holiday=holiday)

    def _from_supplement(self, day: date) -> DayInfo:
        if day in self._extra_workdays:
            return DayInfo(day, True, adjusted_workday=day.weekday() >= 5)
        if day in self._extra_holidays:
            return DayInfo(day, False, holiday="法定节假日")
        return DayInfo(day, day.weekday() < 5)

    def is_workday(self, day: date) -> bool:
        return self.info(day).is_workday

    def add_workdays(self, start: date, n: int) -> WorkCount:
        """The ``n``-th working day after ``start`` (``n`` = 0 gives ``start`` itself)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, provisional_years = start, set()
        remaining = n
        while remaining > 0:
            day += timedelta(days=1)
            info = self.info(day)
            if info.provisional:
                provisional_years.add(day.year)
            if info.is_workday:
                remaining -= 1
        return WorkCount(day, bool(provisional_years), tuple(provisional_notice(y) for y in sorted(provisional_years)))

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how much notice a request made on ``start`` gives for ``end``."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.info(day).is_workday:
                count += 1
        return count

    def next_workday(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first one after it."""
        while not self.info(day).is_workday:
            day += timedelta(days=1)
        return day


_HOLIDAY_ZH = {h.value: h.chinese for h in chinese_calendar.Holiday}


def _chinese_holiday(name: str) -> str:
    return _HOLIDAY_ZH.get(name, name)


@lru_cache(maxsize=8)
def _estimated_holidays(year: int) -> dict[date, str]:
    """Statutory holiday days of ``year`` by the law alone, with compensatory days for weekends."""
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for offset in (-1, 0, 1, 2):
        days[new_year + timedelta(days=offset)] = "春节"
    qingming = [d for d, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10)) if name == "清明"]
    if qingming:
        days[qingming[0]] = "清明"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋"
    for d in (1, 2, 3):
        days[date(year, 10, d)] = "国庆节"
    # A holiday on a weekend is made up on the next free weekday (补假).
    for day, name in sorted(days.items()):
        if day.weekday() >= 5:
            extra = day + timedelta(days=1)
            while extra.weekday() >= 5 or extra in days:
                extra += timedelta(days=1)
            days[extra] = name
    return days
