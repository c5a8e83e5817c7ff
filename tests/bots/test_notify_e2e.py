"""Notifications end to end: the outbox worker pushing through the real Telegram and WeCom clients.

The senders are the ones ``zhijian serve`` would load (entry points, from the
settings); they talk HTTP to the loopback Bot API and WeCom API servers. A
booking's whole life arrives once per message for each bound person; a WeCom
token expiring mid-run, a 5xx then success, repeated failure into a dead letter
an admin can retry, a blocked bot, a muted kind, two workers racing, the daily
digest, and a worker process killed (between commit and delivery, and in the
middle of a send) then restarted.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from assistant.config import Settings
from assistant.core import Assistant
from assistant.outbox import Outbox, OutboxPolicy, configured_senders
from assistant.store import deliveries
from assistant.store.actors import Actor
from assistant.store.db import engine_schema, session_scope
from assistant.store.deliveries import RetryPolicy
from assistant.store.models import Delivery
from tests.plugins.assistant import NoAnswerer
from tests.plugins.botapi import TOKEN, FakeBotAPI
from tests.plugins.store import CST, NOW, World
from tests.plugins.wecomapi import AES_KEY, AGENT_ID, CORP_ID, SECRET
from tests.plugins.wecomapi import TOKEN as WX_TOKEN

D = date
BOSS_TG, BOSS_WX, LI_WX = 7001, "wangjingli", "lijiandu"  # the builder's contact; inspector 李监督 (insp2)
# No digests or reminders in these tests (nothing before "morning"), except the digest's own test.
FAST = OutboxPolicy(retry=RetryPolicy(max_attempts=3, base_seconds=0.05, max_seconds=0.2, lease_seconds=30),
                    batch=20, poll_seconds=0.05, scan_seconds=3600, send_timeout=10, morning=time(23, 59, 59))


@dataclass
class Rig:
    assistant: Assistant
    settings: Settings
    tg: FakeBotAPI
    wx: object  # FakeWeComAPI
    engine: Engine
    world: World

    def outbox(self, policy: OutboxPolicy = FAST, clock_: Callable[[], datetime] | None = None) -> Outbox:
        """A worker with the configured senders; its time runs from the test's NOW (so backoffs elapse)."""
        start = clock.monotonic()
        return self.assistant.outbox(configured_senders(self.settings), policy=policy,
                                     clock=clock_ or (lambda: NOW + timedelta(seconds=clock.monotonic() - start)))

    def bind(self, login: str, channel: str, external_id: str | int) -> None:
        code = self.assistant.accounts.issue_binding_code(Actor.system("测试管理员"), login).code
        self.assistant.bindings.redeem(channel, external_id, code)

    def tg_texts(self, chat: int = BOSS_TG) -> list[str]:
        return [c.text for c in self.tg.sent(chat)]

    def wx_texts(self, user: str) -> list[str]:
        return [c.content for c in self.wx.delivered(user)]  # type: ignore[attr-defined]

    def statuses(self) -> list[str]:
        with session_scope(self.engine) as s:
            return sorted(s.scalars(select(Delivery.status)))


@pytest.fixture
def rig(api, wecom_api, engine, rules, w, tmp_path) -> Iterator[Rig]:
    settings = Settings(
        data_dir=tmp_path / "data", telegram_token=TOKEN, telegram_base_url=api.base_url, wecom_corp_id=CORP_ID,
        wecom_agent_id=AGENT_ID, wecom_secret=SECRET, wecom_token=WX_TOKEN, wecom_aes_key=AES_KEY,
        wecom_api_base=wecom_api.base_url,
    )
    assistant = Assistant(settings, answerer=NoAnswerer(), db=engine, rules=rules, clock=lambda: NOW)
    r = Rig(assistant, settings, api, wecom_api, engine, w)
    r.bind("boss", "wecom", BOSS_WX)
    r.bind("boss", "telegram", BOSS_TG)
    r.bind("insp2", "wecom", LI_WX)
    yield r
    assistant.close()


def _book(a: Assistant, w: World, day: date = D(2026, 9, 29)) -> str:
    return a.bookings.create(w.contractor, project=w.project_id, milestone="地基与基础验收", requested_date=day,
                             contact_name="王经理", contact_phone="13912345678").booking_no


def _settle(rig: Rig, outbox: Outbox) -> None:
    """Run the worker until nothing is left waiting (retries included) or half-sent."""
    deadline = clock.monotonic() + 60
    while {"pending", "sending"} & set(rig.statuses()):
        assert clock.monotonic() < deadline, rig.statuses()
        asyncio.run(outbox.drain())
        clock.sleep(0.02)


def test_a_bookings_whole_life_arrives_once_each_on_wecom_and_telegram(rig):
    a, w = rig.assistant, rig.world
    rig.wx.expire_after(2)  # the WeCom token expires after two messages: refreshed, the message not lost
    with rig.outbox().in_thread():
        no = _book(a, w)
        rig.wx.wait_for(lambda: len(rig.wx_texts(LI_WX)) == 1)
        a.bookings.accept(w.inspector, no)
        a.bookings.schedule(w.inspector, no, inspectors=["insp1", "insp2"], at_time=time(9, 30))
        a.bookings.schedule(w.inspector, no, inspectors=["insp1", "insp2"], at_time=time(14, 0), on_date=D(2026, 9, 30))
        a.bookings.cancel(w.contractor, no, "现场桩基检测推迟")
        rig.wx.wait_for(lambda: len(rig.wx_texts(BOSS_WX)) == 3 and len(rig.wx_texts(LI_WX)) == 4)
        rig.tg.wait_for(lambda: len(rig.tg_texts()) == 3)
    _settle(rig, rig.outbox())

    boss = [
        "预约已受理：地基与基础验收 2026-09-29（周二）",
        "预约已排期：地基与基础验收 2026-09-29（周二） 09:30",
        "预约已改期：地基与基础验收 改至 2026-09-30（周三） 14:00",
    ]
    assert [t.split("\n")[0] for t in rig.wx_texts(BOSS_WX)] == [f"【{t}】" for t in boss]
    assert [t.split("\n")[0] for t in rig.tg_texts()] == [f"🔔 {t}" for t in boss]
    li = rig.wx_texts(LI_WX)
    assert [t.split("\n")[0] for t in li] == [
        "【新预约待受理：示例中学教学楼 地基与基础验收】", f"【{boss[1]}】", f"【{boss[2]}】",
        "【预约已取消：地基与基础验收 2026-09-30（周三）】"]
    assert f"预约编号：{no}" in li[3] and "取消原因：现场桩基检测推迟" in li[3] and "原定时间：2026-09-30（周三） 14:00" in li[3]
    assert "原定时间：2026-09-29（周二） 09:30" in rig.tg_texts()[2] and "监督人员：张监督、李监督" in rig.tg_texts()[2]
    assert len(rig.wx.of("gettoken")) >= 2  # the expired token was replaced
    # 张监督 is bound nowhere: told in the page only, and the skip is recorded with the reason
    mine = a.notifications.mine(w.inspector)
    assert [n.kind for n in mine] == ["booking_cancelled", "booking_submitted"]
    with session_scope(rig.engine) as s:
        skipped = s.scalars(select(Delivery).where(Delivery.channel == "none")).all()
        assert len(skipped) == 2 and {d.last_error for d in skipped} == {"未绑定 Telegram 或企业微信，仅在网页中提示"}


def test_a_5xx_then_success_is_retried_and_delivered_once(rig):
    a, w = rig.assistant, rig.world
    no = _book(a, w)
    _settle(rig, rig.outbox())
    rig.wx.fail_next("message/send", 502)
    rig.tg.fail_next("sendMessage", 502)
    a.bookings.accept(w.inspector, no)
    _settle(rig, rig.outbox())
    assert [t.split("\n")[0] for t in rig.wx_texts(BOSS_WX)] == ["【预约已受理：地基与基础验收 2026-09-29（周二）】"]
    assert [t.split("\n")[0] for t in rig.tg_texts()] == ["🔔 预约已受理：地基与基础验收 2026-09-29（周二）"]
    assert [c.status for c in rig.wx.of("message/send") if c.body["touser"] == BOSS_WX] == [502, 200]
    with session_scope(rig.engine) as s:
        accepted = s.scalars(select(Delivery).where(Delivery.channel != "none", Delivery.attempts == 2)).all()
        assert sorted(d.channel for d in accepted) == ["telegram", "wecom"]
        assert all(d.status == "sent" for d in accepted)


def test_repeated_failure_is_a_dead_letter_an_admin_sees_and_retries(rig, admin):
    a, w = rig.assistant, rig.world
    no = _book(a, w)
    _settle(rig, rig.outbox())
    rig.wx.fail_next("message/send", 503, 503, 503)
    rig.tg.fail_next("sendMessage", 403)  # the user blocked the bot: refused for good, not retried
    a.bookings.accept(w.inspector, no)
    _settle(rig, rig.outbox())
    dead = {d.channel: d for d in a.notifications.dead_letters(admin)}
    assert set(dead) == {"wecom", "telegram"}
    assert dead["wecom"].attempts == 3 and dead["wecom"].last_error.startswith("已尝试3次仍失败：企业微信暂时不可用")
    assert dead["telegram"].attempts == 1
    assert dead["telegram"].last_error == "Telegram 拒绝：Forbidden: bot was blocked by the user"
    assert (dead["wecom"].login, dead["wecom"].external_id, dead["wecom"].kind) == ("boss", BOSS_WX, "booking_accepted")
    assert rig.wx_texts(BOSS_WX) == [] and rig.tg_texts() == []
    # the admin fixes what was wrong and sends them again: each arrives once
    assert a.notifications.retry(admin) == 2
    _settle(rig, rig.outbox())
    assert len(rig.wx_texts(BOSS_WX)) == 1 and len(rig.tg_texts()) == 1
    assert a.notifications.dead_letters(admin) == []


def test_muted_kinds_are_not_pushed_but_stay_in_the_page(rig):
    a, w = rig.assistant, rig.world
    a.notifications.set_muted(w.contractor, ["booking_scheduled"])
    no = _book(a, w)
    a.bookings.accept(w.inspector, no)
    a.bookings.schedule(w.inspector, no, inspectors=["insp1", "insp2"], at_time=time(9, 30))
    _settle(rig, rig.outbox())
    assert [t.split("\n")[0] for t in rig.tg_texts()] == ["🔔 预约已受理：地基与基础验收 2026-09-29（周二）"]
    assert len(rig.wx_texts(BOSS_WX)) == 1
    assert len(rig.wx_texts(LI_WX)) == 2  # 李监督 did not mute anything: submitted, scheduled
    assert [n.kind for n in a.notifications.mine(w.contractor)] == ["booking_scheduled", "booking_accepted"]


def test_two_workers_racing_deliver_each_message_once(rig):
    a, w = rig.assistant, rig.world
    nos = [_book(a, w, D(2026, 9, 29)), a.bookings.create(
        w.contractor, project=w.project2_id, milestone="地基与基础验收", requested_date=D(2026, 9, 29),
        contact_name="王经理", contact_phone="13912345678").booking_no]
    race = OutboxPolicy(retry=FAST.retry, batch=2, poll_seconds=0.01, scan_seconds=3600, send_timeout=10,
                        morning=FAST.morning)
    with rig.outbox(race).in_thread(), rig.outbox(race).in_thread():
        # the same inspectors, so the two inspections are kept more than the conflict window apart
        for no, first, moved in zip(nos, (time(9, 0), time(8, 0)), (time(15, 0), time(11, 30)), strict=True):
            a.bookings.accept(w.inspector, no)
            a.bookings.schedule(w.inspector, no, inspectors=["insp1", "insp2"], at_time=first)
            a.bookings.schedule(w.inspector, no, inspectors=["insp1", "insp2"], at_time=moved)
        rig.tg.wait_for(lambda: len(rig.tg_texts()) == 6)
        rig.wx.wait_for(lambda: len(rig.wx_texts(BOSS_WX)) == 6 and len(rig.wx_texts(LI_WX)) == 6)
    _settle(rig, rig.outbox())
    for texts in (rig.tg_texts(), rig.wx_texts(BOSS_WX), rig.wx_texts(LI_WX)):
        assert len(texts) == 6 and len(set(texts)) == 6  # six different messages, none twice


def test_the_daily_digest_reaches_an_inspector_once_a_day(rig):
    a, w = rig.assistant, rig.world
    no = _book(a, w)
    a.bookings.accept(w.inspector, no)
    a.bookings.schedule(w.inspector, no, inspectors=["insp1", "insp2"], at_time=time(9, 30))
    _settle(rig, rig.outbox())
    before = len(rig.wx_texts(LI_WX))
    scan_always = OutboxPolicy(retry=FAST.retry, scan_seconds=0, poll_seconds=0.05, morning=time(7, 30))
    morning = datetime(2026, 9, 29, 8, 0, tzinfo=CST)
    for minutes in (0, 5, 60):  # scanned again and again that day
        asyncio.run(rig.outbox(scan_always, lambda m=minutes: morning + timedelta(minutes=m)).drain())
    digests = rig.wx_texts(LI_WX)[before:]
    assert len(digests) == 1
    assert digests[0].startswith("【今日待办 2026-09-29（周二）：今日监督 1 项】")
    assert "09:30 示例中学教学楼 地基与基础验收" in digests[0]


# -- a worker process killed and restarted ---------------------------------------------------------------------

def _worker_env(rig: Rig, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_") and "proxy" not in k.lower()}
    env.update({
        "ZHIJIAN_DATA_DIR": str(tmp_path / "worker"),
        "ZHIJIAN_DATABASE_URL": rig.engine.url.render_as_string(hide_password=False), "ZHIJIAN_TELEGRAM_TOKEN": TOKEN,
        "ZHIJIAN_TELEGRAM_BASE_URL": rig.tg.base_url, "ZHIJIAN_NOTIFY_POLL_SECONDS": "0.1",
        "ZHIJIAN_NOTIFY_MORNING": "23:59:59", **extra,
    })
    schema = engine_schema(rig.engine)
    if schema:
        env["ZHIJIAN_DB_SCHEMA"] = schema
    return env


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    zhijian = Path(sys.executable).with_name("zhijian")
    return subprocess.Popen([str(zhijian), "notifications", "run", "--log-level", "warning"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _kill(proc: subprocess.Popen) -> None:
    proc.kill()  # SIGKILL: no clean-up of any kind
    proc.wait(30)


def test_a_killed_worker_process_loses_nothing_and_repeats_nothing(rig, tmp_path):
    """Only Telegram is configured for the worker process; WeCom rows wait for a worker that has it."""
    a, w = rig.assistant, rig.world
    log = tmp_path / "worker.log"
    env = _worker_env(rig, tmp_path, ZHIJIAN_NOTIFY_LEASE_SECONDS="1")
    no = _book(a, w)
    a.bookings.accept(w.inspector, no)  # committed while no worker runs

    first = _start_worker(env, log)
    try:
        rig.tg.wait_for(lambda: len(rig.tg_texts()) == 1, timeout=60)
        # killed while a send is in flight: Telegram took the message, the worker never heard back
        rig.tg.hold_seconds = 30
        a.bookings.schedule(w.inspector, no, inspectors=["insp1", "insp2"], at_time=time(9, 30))
        rig.tg.wait_for(lambda: len(rig.tg_texts()) == 2, timeout=60)
    finally:
        _kill(first)
    rig.tg.hold_seconds = 0
    # more changes committed while the worker is dead
    a.bookings.schedule(w.inspector, no, inspectors=["insp1", "insp2"], at_time=time(14, 0), on_date=D(2026, 9, 30))
    a.bookings.cancel(w.inspector, no, "建设单位申请延期")

    def telegram_rows() -> list[tuple[str, str]]:
        with session_scope(rig.engine) as s:  # a short transaction each time: SQLite has one writer
            return [(d.status, d.last_error) for d in s.scalars(select(Delivery).where(Delivery.channel == "telegram"))]

    second = _start_worker(env, log)
    try:
        rig.tg.wait_for(lambda: len(rig.tg_texts()) == 4, timeout=60)
        deadline = clock.monotonic() + 60  # until every Telegram row is settled, the orphan included
        while {"pending", "sending"} & {state for state, _ in telegram_rows()}:
            assert clock.monotonic() < deadline, (telegram_rows(), log.read_text("utf-8", "replace"))
            clock.sleep(0.1)
    finally:
        _kill(second)
    assert sorted(telegram_rows()) == [("dead", deliveries.LEASE_LOST)] + [("sent", "")] * 3
    heads = [t.split("\n")[0] for t in rig.tg_texts()]
    assert heads == ["🔔 预约已受理：地基与基础验收 2026-09-29（周二）",
                     "🔔 预约已排期：地基与基础验收 2026-09-29（周二） 09:30",
                     "🔔 预约已改期：地基与基础验收 改至 2026-09-30（周三） 14:00",
                     "🔔 预约已取消：地基与基础验收 2026-09-30（周三）"], log.read_text("utf-8", "replace")
    # the message caught in the crash went out once and is a dead letter saying its fate is unknown, not resent
    dead = a.notifications.dead_letters(Actor.system())
    assert [(d.channel, d.kind) for d in dead] == [("telegram", "booking_scheduled")]
    # WeCom deliveries were never touched by a worker without WeCom: a worker with it sends them, once
    _settle(rig, rig.outbox())
    assert len(rig.wx_texts(BOSS_WX)) == 4 and len(rig.tg_texts()) == 4


def test_zhijian_serve_runs_the_worker_in_its_lifespan(rig):
    """The API app built as `zhijian serve` builds it: the same senders, the worker started and stopped with it."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    settings = rig.settings.model_copy(update={
        "database_url": rig.engine.url.render_as_string(hide_password=False),
        "db_schema": engine_schema(rig.engine), "notify_poll_seconds": 0.05, "notify_morning": time(23, 59, 59)})
    senders = configured_senders(settings)
    assert sorted(s.channel for s in senders) == ["telegram", "wecom"]
    a, w = rig.assistant, rig.world
    no = _book(a, w)
    with TestClient(create_app(settings, senders=senders)):
        a.bookings.accept(w.inspector, no)  # another process (here: another Assistant) changes the booking
        rig.tg.wait_for(lambda: len(rig.tg_texts()) == 1)
        rig.wx.wait_for(lambda: len(rig.wx_texts(BOSS_WX)) == 1 and len(rig.wx_texts(LI_WX)) == 1)
    assert rig.tg_texts()[0].startswith("🔔 预约已受理：地基与基础验收")
    assert "sending" not in rig.statuses()  # stopped cleanly with the app
