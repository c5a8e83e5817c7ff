"""Credit records, the computed score/grade/mode, and lookup by code or near-miss name."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from assistant.store import credit, enterprises
from assistant.store.errors import (
    AlreadyExists,
    AmbiguousMatch,
    IllegalTransition,
    InvalidCreditCode,
    InvalidDate,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from assistant.store.rules import StoreRules
from assistant.store.schemas import CreditFull, CreditPublic
from assistant.store.scheme import CreditScheme, GradeMode
from assistant.store.seed import demo_code
from tests.plugins.store import CST, count_rows

NOW = datetime(2026, 9, 24, 9, 0, tzinfo=CST)
TODAY = date(2026, 9, 24)


def add(session, admin, ent, kind, points, recorded, expires=None, reason="事由"):
    return credit.add_record(session, admin, enterprise=ent, kind=kind, points=points, recorded_on=recorded,
                             expires_on=expires, reason=reason, document_no="示例〔2026〕1号", rules=StoreRules(),
                             now=NOW)


@pytest.fixture
def firm(session, admin):
    e = enterprises.create_enterprise(session, admin, uscc_code=demo_code(11), name="示例建工集团有限公司",
                                      role="施工")
    session.commit()
    return e


def test_score_caps_good_records_and_has_no_floor(rules, session, admin, firm):
    add(session, admin, firm.id, "good", 20, date(2026, 1, 5))
    add(session, admin, firm.id, "good", 15, date(2025, 6, 1))
    c = credit.credit_full(session, firm.uscc, actor=admin, as_of=TODAY, rules=rules)
    assert (c.score, c.good_points, c.good_points_counted, c.grade, c.mode) == (100, 35, 30, "A", "无事不扰")
    for _ in range(4):
        add(session, admin, firm.id, "bad", 30, date(2026, 9, 1), date(2027, 9, 1))
    c = credit.credit_full(session, firm.uscc, actor=admin, as_of=TODAY, rules=rules)
    assert c.score == 70 + 30 - 120 == -20 and c.grade == "D" and c.mode == "重点监管"
    assert (c.check_ratio_min, c.check_ratio_max) == (61, 100)


def test_expired_future_and_revoked_records_do_not_count(rules, session, admin, firm):
    old_bad = add(session, admin, firm.id, "bad", 10, date(2025, 1, 1), date(2025, 7, 1))
    good = add(session, admin, firm.id, "good", 12, date(2026, 3, 1))
    bad = add(session, admin, firm.id, "不良", 5, date(2026, 8, 1), date(2027, 2, 1))
    c = credit.credit_full(session, firm.name, actor=admin, as_of=TODAY, rules=rules)
    assert c.score == 77 and c.grade == "C"
    status = {r.id: r.status_label for r in c.records}
    assert status == {old_bad.id: "已过期", good.id: "有效", bad.id: "有效"}
    assert c.next_expiry == date(2027, 2, 1)
    # the same records seen on other days
    assert credit.credit_full(session, firm.name, actor=admin, as_of=date(2025, 3, 1), rules=rules).score == 60
    assert credit.credit_full(session, firm.name, actor=admin, as_of=date(2027, 2, 1), rules=rules).score == 77  # inclusive
    assert credit.credit_full(session, firm.name, actor=admin, as_of=date(2027, 2, 2), rules=rules).score == 82
    credit.revoke_record(session, admin, bad.id, "复核撤销", rules=rules, now=NOW)
    c = credit.credit_full(session, firm.name, actor=admin, as_of=TODAY, rules=rules)
    assert c.score == 82 and c.grade == "B"
    assert {r.id: r.status_label for r in c.records}[bad.id] == "已撤销"
    with pytest.raises(IllegalTransition):
        credit.revoke_record(session, admin, bad.id, "再撤一次", rules=rules, now=NOW)


@pytest.mark.parametrize(("score", "grade"), [(90, "A"), (89.5, "B"), (80, "B"), (79.99, "C"), (60, "C"), (59.5, "D")])
def test_default_thresholds(score, grade):
    assert CreditScheme().grade(score) == grade


def test_scheme_is_configurable(rules, session, admin, firm):
    scheme = CreditScheme(
        base=60, good_cap=10, thresholds=(("优", 85), ("良", 65)), lowest_grade="差",
        modes={"优": GradeMode("优", "无事不扰", 0, 3), "良": GradeMode("良", "常规监管", 5, 20),
               "差": GradeMode("差", "重点监管", 70, 100)},
    )
    add(session, admin, firm.id, "good", 20, date(2026, 1, 5))
    c = credit.credit_full(session, firm.uscc, actor=admin, as_of=TODAY, rules=replace(rules, credit=scheme))
    assert (c.score, c.grade, c.mode, c.check_ratio_max) == (70, "良", "常规监管", 20)


def test_scheme_from_settings():
    from assistant.config import Settings

    s = Settings(credit_grade_thresholds={"A": 95, "B": 85, "C": 70})
    scheme = CreditScheme.from_settings(s)
    assert scheme.grade(94) == "B" and scheme.grade(69) == "D" and scheme.modes["A"].mode == "无事不扰"
    with pytest.raises(ValueError, match="配置错误"):
        CreditScheme.from_settings(Settings(credit_grade_thresholds={"A": 90, "B": 80, "C": 60, "D": 40}))


def test_public_and_full_views(rules, session, admin, firm):
    from assistant.store import accounts

    other = enterprises.create_enterprise(session, admin, uscc_code=demo_code(12), name="示例市政建设有限公司",
                                          role="施工")
    accounts.create_account(session, admin, login="own", name="本企业", role="contractor", enterprise=firm.id)
    accounts.create_account(session, admin, login="rival", name="别家", role="contractor", enterprise=other.id)
    add(session, admin, firm.id, "good", 10, date(2026, 1, 5))
    own = accounts.actor_for(session, "own")
    rival = accounts.actor_for(session, "rival")
    public = credit.credit_public(session, firm.uscc, as_of=TODAY, rules=rules)
    assert type(public) is CreditPublic and public.view == "public"
    assert "score" not in public.model_dump() and "records" not in public.model_dump()
    assert (public.grade, public.mode, public.check_ratio_max) == ("B", "常规监管", 20)
    assert isinstance(credit.credit_lookup(session, firm.uscc, actor=own, as_of=TODAY, rules=rules), CreditFull)
    assert type(credit.credit_lookup(session, firm.uscc, actor=rival, as_of=TODAY, rules=rules)) is CreditPublic
    assert type(credit.credit_lookup(session, firm.uscc, as_of=TODAY, rules=rules)) is CreditPublic
    with pytest.raises(PermissionDenied, match="仅向本企业和质监站工作人员开放"):
        credit.credit_full(session, firm.uscc, actor=rival, as_of=TODAY, rules=rules)


def test_lookup_by_code_exact_and_near_miss_names(rules, session, admin, firm):
    enterprises.create_enterprise(session, admin, uscc_code=demo_code(13), name="示例建设监理咨询有限公司",
                                  role="监理")
    session.commit()
    assert credit.credit_public(session, firm.uscc.lower(), as_of=TODAY, rules=rules).matched_by == "code"
    assert credit.credit_public(session, "示例建工集团有限公司", as_of=TODAY, rules=rules).matched_by == "name"
    for typed in ("示列建工集团有限公司", "示例建工集团", "示例建工有限公司", "示例建工集团(有限公司)", " 示例建工 集团有限公司"):
        found = credit.credit_public(session, typed, as_of=TODAY, rules=rules)
        assert found.enterprise_name == "示例建工集团有限公司", typed
    fuzzy = credit.credit_public(session, "示列建工集团有限公司", as_of=TODAY, rules=rules)
    assert fuzzy.matched_by == "fuzzy" and 80 <= fuzzy.match_score < 100
    with pytest.raises(NotFound, match="未找到名称为“完全无关的公司”的企业"):
        credit.credit_public(session, "完全无关的公司", as_of=TODAY, rules=rules)
    with pytest.raises(NotFound, match="您是不是要找：示例建工集团有限公司"):
        credit.credit_public(session, "示列建工", as_of=TODAY, rules=rules)
    with pytest.raises(InvalidCreditCode, match="校验位不正确"):
        credit.credit_public(session, firm.uscc[:17] + ("0" if firm.uscc[17] != "0" else "1"), as_of=TODAY, rules=rules)
    with pytest.raises(NotFound, match="未在本站登记"):
        credit.credit_public(session, "91440300708461136T", as_of=TODAY, rules=rules)


def test_ambiguous_names(rules, session, admin):
    enterprises.create_enterprise(session, admin, uscc_code=demo_code(21), name="示例第一建筑工程有限公司", role="施工")
    enterprises.create_enterprise(session, admin, uscc_code=demo_code(22), name="示例第二建筑工程有限公司", role="施工")
    with pytest.raises(AmbiguousMatch) as info:
        credit.credit_public(session, "示例第三建筑工程有限公司", as_of=TODAY, rules=rules)
    assert set(info.value.detail["candidates"]) == {"示例第一建筑工程有限公司", "示例第二建筑工程有限公司"}


def test_bad_records_are_refused_and_nothing_written(session, admin, firm):
    tables = ("credit_records", "audit_events")
    before = count_rows(session, *tables)
    cases = [
        (InvalidInput, "请填写不良记录的有效期截止日期", dict(kind="bad", points=5, recorded=date(2026, 9, 1))),
        (InvalidDate, "不良记录的有效期应为6至36个月",
         dict(kind="bad", points=5, recorded=date(2026, 9, 1), expires=date(2026, 10, 1))),
        (InvalidDate, "不良记录的有效期应为6至36个月",
         dict(kind="bad", points=5, recorded=date(2026, 9, 1), expires=date(2030, 1, 1))),
        (InvalidDate, "晚于今天", dict(kind="good", points=5, recorded=date(2026, 9, 30))),
        (InvalidDate, "良好记录的有效期不超过36个月",
         dict(kind="good", points=5, recorded=date(2026, 9, 1), expires=date(2030, 1, 1))),
        (InvalidInput, "分值应大于0", dict(kind="good", points=0, recorded=date(2026, 9, 1))),
        (InvalidInput, "记录类别“表扬”无效", dict(kind="表扬", points=1, recorded=date(2026, 9, 1))),
    ]
    for exc, fragment, kw in cases:
        with pytest.raises(exc) as info:
            add(session, admin, firm.id, kw["kind"], kw["points"], kw["recorded"], kw.get("expires"))
        assert fragment in info.value.message
        session.rollback()
    assert count_rows(session, *tables) == before
    with pytest.raises(PermissionDenied):
        from assistant.store.actors import Actor
        from assistant.store.enums import AccountRole

        add(session, Actor("某企业", AccountRole.contractor, enterprise_id=firm.id), firm.id, "good", 5,
            date(2026, 9, 1))


def test_enterprise_registration_rules(session, admin, firm):
    with pytest.raises(AlreadyExists, match="已登记为“示例建工集团有限公司”"):
        enterprises.create_enterprise(session, admin, uscc_code=firm.uscc, name="另一家", role="施工")
    with pytest.raises(AlreadyExists, match="已登记"):
        enterprises.create_enterprise(session, admin, uscc_code=demo_code(99), name="示例建工集团有限公司",
                                      role="施工")
    with pytest.raises(InvalidCreditCode):
        enterprises.create_enterprise(session, admin, uscc_code="91999999MA00000990", name="坏代码", role="施工")
    with pytest.raises(InvalidInput, match="企业类别“包工头”无效"):
        enterprises.create_enterprise(session, admin, uscc_code=demo_code(98), name="类别错", role="包工头")
    session.rollback()
    assert [e.name for e in enterprises.list_enterprises(session)] == ["示例建工集团有限公司"]
