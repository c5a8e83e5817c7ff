"""zhijian measure / spotchecks / notices overdue / credit-drafts: the same desks as the API, from a terminal."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from assistant.cli import app
from assistant.store.db import dispose_engines

runner = CliRunner()


def _json(args: list[str]):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_measure_prints_the_verdict_and_names_a_bad_field(sample_env):
    out = _json(["measure", "CV-02", "33", "20", "37.1", "--design", "25", "--json"])
    assert [p["deviation"] for p in out["points"]] == [8, -5, 12.1]
    assert [p["ok"] for p in out["points"]] == [True, True, False] and out["alert"] is True
    text = runner.invoke(app, ["measure", "CV-02", "33", "abc", "--design", "25"])
    assert text.exit_code == 1 and "第2个实测值“abc”不是数字" in text.output
    human = runner.invoke(app, ["measure", "MS-04", "8", "9"])
    assert human.exit_code == 0 and "第1点  8 mm  偏差 +8  合格" in human.output and "合格点率 50%" in human.output


def test_draw_show_and_the_empty_queues_from_the_command_line(data_dir):
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        assert runner.invoke(app, ["seed-demo"]).exit_code == 0
        draw = _json(["spotchecks", "draw", "--from", "2026-10-01", "--to", "2026-12-31", "--seed", "cli-1",
                      "--ratio", "D=70", "--json"])
        assert draw["seed"] == "cli-1" and draw["ratios"]["D"] == 70 and draw["replay_ok"]
        shown = _json(["spotchecks", "show", draw["draw_no"], "--json"])
        assert shown["picks"] == draw["picks"] and shown["replay_ok"]
        bad = runner.invoke(app, ["spotchecks", "draw", "--from", "2026-10-01", "--to", "2026-12-31", "--ratio", "A=9"])
        assert bad.exit_code == 1 and "A级抽查比例 9% 超出规定范围" in bad.output
        assert _json(["notices", "overdue", "--json"]) == []
        assert _json(["credit-drafts", "list", "--json"]) == []
        assert "没有监督检查记录" in runner.invoke(app, ["inspections", "list"]).output
    finally:
        dispose_engines()
