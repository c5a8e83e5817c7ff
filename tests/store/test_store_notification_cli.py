"""zhijian notifications …: a person's notices, mutes, the outbox's state, dead letters and their retry."""

from __future__ import annotations

import json

from sqlalchemy import update

from assistant.config import get_settings
from assistant.store import bindings
from assistant.store.actors import Actor
from assistant.store.db import get_engine, session_scope
from assistant.store.models import Delivery
from tests.store.test_store_seed_cli import cli_env, run  # noqa: F401 - the fixture


def test_notifications_commands(cli_env):  # noqa: F811
    run("db", "upgrade")
    run("seed-demo")
    slots = json.loads(run("bookings", "slots", "--project", "示例监2026-003", "--milestone", "节能验收",
                           "--json").stdout)
    engine = get_engine(get_settings())
    with session_scope(engine) as s:
        code = bindings.issue_code(s, Actor.system("测试"), "shizheng").code
    with session_scope(engine) as s:
        bindings.redeem_code(s, "wecom", "shizheng-wx", code)
    no = json.loads(run("bookings", "create", "--project", "示例监2026-003", "--milestone", "节能验收", "--date",
                        slots["days"][0]["day"], "--contact", "示例", "--phone", "13900000009", "--as", "shizheng",
                        "--json").stdout)["booking_no"]
    run("bookings", "accept", no, "--as", "wang")

    mine = json.loads(run("notifications", "list", "--as", "shizheng", "--unread", "--json").stdout)
    assert mine[0]["title"].startswith("预约已受理：节能验收") and mine[0]["subject_no"] == no
    assert "●" in run("notifications", "list", "--as", "shizheng").stdout

    status = json.loads(run("notifications", "status", "--json").stdout)
    assert status["counts"]["wecom"] == {"pending": 1} and status["dead"] == 0
    assert "企业微信：待发送 1" in run("notifications", "status").stdout

    muted = json.loads(run("notifications", "mute", "booking_moved", "--as", "shizheng", "--json").stdout)
    assert muted["muted"] == ["booking_moved"]
    assert "🔕 booking_moved" in run("notifications", "mute", "--as", "shizheng").stdout
    assert "没有这类提醒：rain" in run("notifications", "mute", "rain", "--as", "shizheng", ok=False).stderr
    assert json.loads(run("notifications", "mute", "--clear", "--as", "shizheng", "--json").stdout)["muted"] == []

    assert "没有发送失败的提醒" in run("notifications", "dead").stdout
    with session_scope(engine) as s:
        s.execute(update(Delivery).where(Delivery.channel == "wecom").values(
            status="dead", attempts=6, last_error="已尝试6次仍失败：企业微信暂时不可用：HTTP 503"))
    dead = json.loads(run("notifications", "dead", "--json").stdout)
    assert [(d["login"], d["channel"], d["external_id"]) for d in dead] == [("shizheng", "wecom", "shizheng-wx")]
    assert "尝试6次：已尝试6次仍失败" in run("notifications", "dead").stdout
    assert "请给出死信编号" in run("notifications", "retry", ok=False).stderr
    assert json.loads(run("notifications", "retry", str(dead[0]["delivery_id"]), "--json").stdout) == {"queued": 1}
    assert json.loads(run("notifications", "status", "--json").stdout)["counts"]["wecom"] == {"pending": 1}
    # nothing configured to push through: the worker says so instead of idling
    assert "没有配置任何聊天渠道" in run("notifications", "run", "--once", ok=False).stderr
