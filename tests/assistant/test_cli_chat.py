"""`zhijian chat` driven by scripted stdin, on the demo seed, SQLite and PostgreSQL: a booking with a wrong date
corrected and then cancelled, a dialogue abandoned, a visit request, an unbound user, a conversation resumed."""

from __future__ import annotations

import json
from datetime import date

from assistant.config import get_settings
from assistant.store.booking_views import list_bookings
from assistant.store.db import get_engine
from assistant.store.rules import StoreRules
from assistant.store.visits import list_visits
from tests.plugins.assistant import read, run_cli


def _db():
    return get_engine(get_settings())


def test_booking_dialogue_with_wrong_dates_then_cancellation(cli_db):
    script = "\n".join([
        "预约节能验收",       # the only project of the firm is taken; the date is asked
        "明天",             # Fri 25 Sep: inside the lead time
        "10月1日",          # National Day
        "10月10日",         # an adjusted working Saturday
        "张三",
        "13800001111",
        "确认",
        "我的预约",
        "取消预约",
        "2",                # the new booking is listed after the seeded one of 29 Sep
        "确认",
        "预约竣工验收",
        "取消",
    ]) + "\n"
    out = run_cli("chat", "--as", "jiangong", input=script).stdout
    assert "须至少提前2个工作日预约，2026-09-25 在提前期内，最早可约 2026-09-29" in out
    assert "2026-10-01（国庆节假期）不是工作日" in out
    assert "预约日期：2026年10月10日（周六）" in out and "[1] 确认  [2] 修改  [3] 取消" in out
    assert "预约已提交，预约编号" in out
    assert "已取消本次预约，没有提交任何内容" in out
    # 竣工验收监督 is the 建设单位's to book: the dialogue says so and asks for another milestone.
    assert "竣工验收监督由建设单位组织并向质监站申请" in out

    mine = read(_db(), lambda s: list_bookings(s, project="示例监2026-001", rules=StoreRules()))
    new = [b for b in mine if b.milestone == "节能验收"]
    assert len(new) == 1 and new[0].requested_date == date(2026, 10, 10) and new[0].contact_name == "张三"
    assert new[0].status == "cancelled" and f"预约 {new[0].booking_no} 已取消" in out
    assert [b.status for b in mine if b.milestone == "地基与基础验收"] == ["scheduled"]  # the other one untouched
    assert not [b for b in mine if b.milestone == "竣工验收监督"]


def test_visit_request_through_chat(cli_db):
    script = "\n".join([
        "申请帮扶", "方案优化", "门诊楼大体积混凝土底板浇筑方案想请专家把关", "2", "10月2日", "下周三",
        "示例施工员 0571-88000000", "确认",
    ]) + "\n"
    out = run_cli("chat", "--as", "shizheng", input=script).stdout
    assert "期望日期 2026-10-02（国庆节假期）不是工作日" in out
    assert "服务申请已提交，编号" in out
    mine = read(_db(), lambda s: list_visits(s, enterprise="示例市政建设有限公司"))
    new = [v for v in mine if v.topic == "方案优化"]
    assert len(new) == 1
    assert (new[0].project_name, new[0].preferred_dates, new[0].contact_phone) == (
        "示例县人民医院门诊楼（示例）", [date(2026, 9, 30)], "0571-88000000")


def test_unbound_user_is_told_how_to_bind(cli_db):
    out = run_cli("chat", input="预约主体结构验收\n查信用 示例建工集团有限公司\n").stdout
    assert "未绑定用户" in out and "zhijian chat --as" in out
    assert "信用等级：A" in out and "信用分：" not in out
    assert len(read(_db(), lambda s: list_bookings(s, rules=StoreRules()))) == 4  # the seed's, nothing more


def test_conversation_resumes_in_a_later_run_and_json_lines(cli_db):
    first = run_cli("chat", "--as", "jiangong", "--conversation", "cli-resume", "--json",
                    input="预约节能验收\n").stdout
    [reply] = [json.loads(line) for line in first.splitlines()]
    assert reply["conversation_id"] == "cli-resume" and reply["flow"] == "booking" and reply["step"] == "date"
    second = run_cli("chat", "--as", "jiangong", "--conversation", "cli-resume", "--json",
                     input="10月12日\n张三 13800000000\n确认\n").stdout
    replies = [json.loads(line) for line in second.splitlines()]
    assert [r["kind"] for r in replies] == ["prompt", "confirm", "done"]
    assert replies[-1]["data"]["booking"]["requested_date"] == "2026-10-12"


def test_chat_refuses_an_unmigrated_database(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.delenv("ZHIJIAN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = run_cli("chat", input="你好\n", ok=False)
        assert "zhijian db upgrade" in result.stderr
    finally:
        from assistant.store.db import dispose_engines

        dispose_engines()
        get_settings.cache_clear()
