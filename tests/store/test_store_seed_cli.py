"""The demo seed gives a working credit lookup and booking flow; the CLI drives the same services."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import get_settings
from assistant.store import bookings, credit, rectifications, visits
from assistant.store.actors import Actor
from assistant.store.booking_views import booking_window, get_booking
from assistant.store.db import dispose_engines
from assistant.store.errors import OpenRectification
from assistant.store.seed import seed_demo
from tests.plugins.store import BACKENDS, CST, NOW, PG_URL, drop_schema, unique_schema


def test_seed_then_credit_lookup_and_booking_flow(session, rules):
    summary = seed_demo(session, rules=rules, now=NOW)
    session.commit()
    assert summary.created and len(summary.bookings) == 4 and all("示例" in n for n in summary.enterprises)
    assert not seed_demo(session, rules=rules, now=NOW).created  # idempotent

    today = NOW.date()
    public = credit.credit_public(session, "示例建工", as_of=today, rules=rules)
    assert (public.enterprise_name, public.grade, public.mode) == ("示例建工集团有限公司", "A", "无事不扰")
    full = credit.credit_full(session, "示例市政建设有限公司", actor=Actor.system(), as_of=today, rules=rules)
    assert full.grade == "D" and full.score == 47 and len(full.records) == 2

    admin = Actor.system("测试")
    win = booking_window(session, "示例监2026-003", "主体结构验收", rules=rules, now=NOW)
    b = bookings.create_booking(session, admin, project="示例监2026-003", milestone="主体结构验收",
                                requested_date=win.days[0].day, contact_name="示例", contact_phone="13900000009",
                                rules=rules, now=NOW)
    bookings.accept_booking(session, admin, b.booking_no, rules=rules, now=NOW)
    bookings.schedule_booking(session, admin, b.booking_no, inspectors=["wang", "zhang"], at_time=time(14, 30),
                              rules=rules, now=NOW)  # 张 is at the school at 9:00 that day
    on_day = datetime.combine(b.inspection_date, time(16), CST)
    done = bookings.complete_booking(session, admin, b.booking_no, "主体结构验收合格", rules=rules, now=on_day)
    session.commit()
    assert done.status == "completed" and len(get_booking(session, b.booking_no, rules=rules).history) == 4

    # the seeded open notice blocks the housing project's main-structure booking until closed
    with pytest.raises(OpenRectification):
        bookings.create_booking(session, admin, project="示例监2026-002", milestone="主体结构验收",
                                requested_date=win.days[0].day, contact_name="示例", contact_phone="13900000009",
                                rules=rules, now=NOW)
    session.rollback()
    notice = summary.notices[0]
    rectifications.reply_notice(session, admin, notice, "已整改", rules=rules, now=NOW)
    rectifications.reinspect_notice(session, admin, notice, passed=True, rules=rules, now=NOW)
    ok = bookings.create_booking(session, admin, project="示例监2026-002", milestone="主体结构验收",
                                 requested_date=win.days[0].day, contact_name="示例", contact_phone="13900000009",
                                 rules=rules, now=NOW)
    assert ok.status == "submitted"
    queue = visits.visit_queue(session, rules=rules, now=NOW + timedelta(days=1))
    assert queue[0].enterprise_name == "示例市政建设有限公司"


@pytest.fixture(params=BACKENDS)
def cli_env(request, tmp_path, monkeypatch):
    """A fresh installation (its own data dir, or its own PostgreSQL schema) for CLI runs."""
    monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)  # no alembic.ini anywhere near
    schema = None
    if request.param == "postgresql":
        schema = unique_schema()
        monkeypatch.setenv("ZHIJIAN_DATABASE_URL", PG_URL)
        monkeypatch.setenv("ZHIJIAN_DB_SCHEMA", schema)
    else:
        monkeypatch.delenv("ZHIJIAN_DATABASE_URL", raising=False)
        monkeypatch.delenv("ZHIJIAN_DB_SCHEMA", raising=False)
    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()
    if schema:
        drop_schema(PG_URL, schema)


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, (args, result.output, result.exception)
    else:
        assert result.exit_code == 1, (args, result.output)
    return result


def test_cli_end_to_end(cli_env):
    assert json.loads(run("db", "current", "--json").stdout)["current"] is None
    assert "数据库尚未初始化" in run("credit", "示例建工", ok=False).stderr
    run("db", "upgrade")
    assert json.loads(run("db", "current", "--json").stdout)["up_to_date"] is True
    seeded = json.loads(run("seed-demo", "--json").stdout)
    assert seeded["created"] and len(seeded["bookings"]) == 4
    assert "已存在" in run("seed-demo").stdout

    c = json.loads(run("credit", "示例建工", "--json").stdout)
    assert (c["grade"], c["mode"], c["view"]) == ("A", "无事不扰", "public") and "score" not in c
    full = json.loads(run("credit", "示例市政建设有限公司", "--full", "--as", "shizheng", "--json").stdout)
    assert full["view"] == "full" and full["grade"] == "D" and len(full["records"]) == 2
    denied = run("credit", "示例市政建设有限公司", "--full", "--as", "jiangong", ok=False)
    assert "信用明细仅向本企业和质监站工作人员开放" in denied.stderr
    assert "校验位不正确" in run("credit", "91999999MA00000010", ok=False).stderr

    # The installation's rules follow practice: 主体结构 only after 地基与基础 is done, 竣工 only by the 建设单位.
    refused = json.loads(run("bookings", "create", "--project", "示例监2026-003", "--milestone", "主体结构验收",
                             "--date", "2026-12-31", "--contact", "示例", "--phone", "13900000009", "--as",
                             "shizheng", "--json", ok=False).stdout)
    assert refused["error"]["code"] == "milestone_order" and "地基与基础验收（尚未预约）尚未办结" in refused["error"]["title"]
    slots = json.loads(run("bookings", "slots", "--project", "示例监2026-003", "--milestone", "地基与基础验收",
                           "--json").stdout)
    day = slots["days"][0]["day"]
    made = json.loads(run("bookings", "create", "--project", "示例监2026-003", "--milestone", "地基与基础验收",
                          "--date", day, "--contact", "示例", "--phone", "13900000009", "--as", "shizheng",
                          "--json").stdout)
    no = made["booking_no"]
    run("bookings", "accept", no, "--as", "wang")
    clash = run("bookings", "schedule", no, "--inspector", "wang", "--inspector", "张监督（示例）", "--time", "9:30",
                "--as", "wang", ok=False)
    assert "监督员时间冲突" in clash.stderr or "监督员时间冲突" in clash.stdout  # 张 is at the school at 9:00
    run("bookings", "schedule", no, "--inspector", "wang", "--inspector", "张监督（示例）", "--time", "9:30",
        "--allow-conflict", "--as", "wang")
    shown = json.loads(run("bookings", "show", no, "--json").stdout)
    assert shown["status"] == "scheduled" and [h["action"] for h in shown["history"]] == ["submit", "accept",
                                                                                        "schedule"]
    assert shown["history"][0]["actor_name"] == "示例市政联系人"
    assert "不能受理" in run("bookings", "accept", no, ok=False).stderr
    problem = json.loads(run("bookings", "create", "--project", "示例监2026-003", "--milestone", "监督交底",
                             "--date", "2020-01-01", "--contact", "示例", "--phone", "13900000009", "--json",
                             ok=False).stdout)
    assert problem["error"]["code"] == "invalid_date" and "已经过去" in problem["error"]["title"]
    listed = json.loads(run("bookings", "list", "--json").stdout)
    assert len(listed) == 5
    assert len(json.loads(run("visits", "queue", "--json").stdout)) == 2
    assert len(json.loads(run("notices", "list", "--open", "--json").stdout)) == 1

    run("db", "downgrade", "base", "--yes")
    assert json.loads(run("db", "current", "--json").stdout)["current"] is None
