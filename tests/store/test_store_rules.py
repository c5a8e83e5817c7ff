"""Rules read from settings (JSON in env vars), the station's 'today', and small input checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from assistant.config import Settings
from assistant.store import checks
from assistant.store.errors import InvalidInput
from assistant.store.rules import StoreRules


def test_rules_from_environment(monkeypatch):
    monkeypatch.setenv("ZHIJIAN_LEAD_DAYS", '{"竣工验收监督": 10, "主体结构验收": 3}')
    monkeypatch.setenv("ZHIJIAN_MILESTONES", '["监督交底", "主体结构验收", "竣工验收监督", "幕墙验收"]')
    monkeypatch.setenv("ZHIJIAN_TEAM_DAILY_CAPACITY", "6")
    monkeypatch.setenv("ZHIJIAN_CALENDAR_UNCOVERED", "refuse")
    monkeypatch.setenv("ZHIJIAN_CALENDAR_SUPPLEMENT", '{"2027": {"holidays": ["2027-01-01"], "workdays": []}}')
    rules = StoreRules.from_settings(Settings())
    assert (rules.lead_for("竣工验收监督"), rules.lead_for("主体结构验收"), rules.lead_for("幕墙验收")) == (10, 3, 2)
    assert rules.check_milestone("幕墙验收") == "幕墙验收" and rules.team_daily_capacity == 6
    with pytest.raises(InvalidInput, match="可选：监督交底、主体结构验收、竣工验收监督、幕墙验收"):
        rules.check_milestone("节能验收")
    assert not rules.calendar.info(date(2027, 1, 1)).is_workday
    assert rules.calendar.uncovered == "refuse"


def test_defaults_match_the_design():
    s = Settings()
    rules = StoreRules.from_settings(s)
    assert rules.lead_for("竣工验收监督") == 7 and rules.lead_for("地基与基础验收") == 2
    assert rules.rectification_blocked == ("主体结构验收", "竣工验收监督")
    assert (s.credit_base, s.credit_good_cap) == (70, 30)
    assert s.credit_grade_modes["A"]["mode"] == "无事不扰" and s.credit_grade_modes["D"]["mode"] == "重点监管"


def test_today_is_the_station_date():
    rules = StoreRules()
    late_utc = datetime(2026, 9, 23, 17, 0, tzinfo=UTC)  # already 01:00 on the 24th in Beijing
    assert rules.today(late_utc) == date(2026, 9, 24)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("13912345678", "13912345678"), ("+86 139 1234 5678", "13912345678"), ("0571-87654321", "0571-87654321"),
     ("057187654321", "057187654321"), ("(0571)87654321", "057187654321"), ("010-12345678-802", "010-12345678-802")],
)
def test_phone_numbers_accepted(raw, clean):
    assert checks.phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "1391234567", "23912345678", "abc", "0571-123"])
def test_phone_numbers_refused(raw):
    with pytest.raises(InvalidInput, match="格式不正确"):
        checks.phone(raw)


def test_text_limits():
    assert checks.text("  王经理 ", "联系人", max_len=10) == "王经理"
    with pytest.raises(InvalidInput, match="请填写联系人"):
        checks.text(" ", "联系人", max_len=10)
    with pytest.raises(InvalidInput, match="联系人过长（最多3个字，您输入了4个字）"):
        checks.text("欧阳某某", "联系人", max_len=3)
