"""Revised wording through the whole path: ingest, index, show, search, ask and the API clause view.

The station's today comes from the application clock (``assistant.core.default_clock``), fixed here; the
standard and notices are written for the tests (ZJ/T codes are invented).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from assistant.cli import app
from assistant.config import Settings

runner = CliRunner()

STANDARD = """---
code: ZJ/T 961-2020
title: 示例支架工程规范
effective_date: 2020-06-01
---
## 3 安装
3.0.1 支架立杆应支承在坚实的基础上，并设置垫板。
3.0.2 纵向扫地杆距底座上皮不应大于200 mm。
3.0.3 可调托撑螺杆伸出长度不宜超过300 mm。
"""

NOTICE_2024 = """revision:
  code: ZJ/T 961-2020
  notice: 示例部公告2024年第7号
  edition: 2024年版
  effective_date: 2024-05-01
clauses:
  - clause_no: 3.0.2
    text: 纵向扫地杆距底座上皮不应大于150 mm，横向扫地杆应紧靠纵向扫地杆下方。
"""

NOTICE_2027 = """---
kind: revision
code: ZJ/T 961-2020
notice: 示例部公告2027年第3号
effective_date: 2027-07-01
---
3.0.3 可调托撑螺杆伸出长度不应超过250 mm，插入立杆的长度不得小于150 mm。
"""


def _at(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    when = datetime.fromisoformat(day).replace(hour=4, tzinfo=UTC)
    monkeypatch.setattr("assistant.core.default_clock", lambda: when)


def _run(*args: str, code: int = 0):
    r = runner.invoke(app, list(args))
    assert r.exit_code == code, r.output
    return r


@pytest.fixture
def revised(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _at(monkeypatch, "2026-01-10")
    files = []
    for name, text in (("std.md", STANDARD), ("n2024.yaml", NOTICE_2024), ("n2027.md", NOTICE_2027)):
        (tmp_path / name).write_text(text, "utf-8")
        files.append(str(tmp_path / name))
    r = _run("ingest", "-q", *files)
    assert "局部修订公告 示例部公告2024年第7号" in r.output and "自 2027-07-01 起实施" in r.output
    return data_dir


def test_show_search_and_ask_use_the_wording_in_force(revised: Path) -> None:
    one = json.loads(_run("show", "ZJT961", "3.0.2", "--json").output)
    assert one["text"].startswith("纵向扫地杆距底座上皮不应大于150 mm")
    assert one["citation"] == "《示例支架工程规范》ZJ/T 961-2020（2024年版）第3.0.2条"
    assert one["revision"] == "示例部公告2024年第7号"
    assert [v["text"] for v in one["superseded"]] == ["纵向扫地杆距底座上皮不应大于200 mm。"]
    old = json.loads(_run("show", "ZJT961", "3.0.2", "--at", "2020-01-01", "--json").output)
    assert old["text"] == "纵向扫地杆距底座上皮不应大于200 mm。" and old["superseded"] == []
    assert "ZJ/T 961-2020 第3.0.2条" in old["citation"]
    text = _run("show", "ZJT961", "3.0.2").output
    assert "【被替换的文本】" in text and "200 mm" in text and "150 mm" in text

    hits = json.loads(_run("search", "纵向扫地杆距底座上皮", "--mode", "lexical", "--json").output)
    top = hits[0]
    assert (top["clause_no"], top["edition"], top["revision"]) == ("3.0.2", "2024年版", "示例部公告2024年第7号")
    assert "150 mm" in top["text"] and not any("200 mm" in h["text"] for h in hits)

    ans = json.loads(_run("ask", "纵向扫地杆距底座上皮不应大于多少", "--json").output)
    first = ans["citations"][0]
    assert first["clause_no"] == "3.0.2" and "150 mm" in first["text"] and first["edition"] == "2024年版"
    assert "ZJ/T 961-2020（2024年版）第3.0.2条" in ans["answer"]

    # The 2027 notice is announced but not in force: its clause is still searched and shown as published.
    hit = json.loads(_run("search", "可调托撑螺杆伸出长度", "--mode", "lexical", "--json").output)[0]
    assert hit["clause_no"] == "3.0.3" and "300 mm" in hit["text"] and hit["revision"] == ""
    upcoming = json.loads(_run("show", "ZJT961", "3.0.3", "--json").output)["upcoming"]
    assert upcoming[0]["effective_from"] == "2027-07-01" and "250 mm" in upcoming[0]["text"]


def test_a_switch_that_falls_due_is_noticed_and_synced(revised: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run("index", "status")
    _at(monkeypatch, "2027-07-02")
    r = _run("index", "status", "--json", code=1)
    assert json.loads(r.output)["behind_library"]["switch_due"] == "2027-07-01"
    r = _run("index", "sync", "-q")
    assert "第3.0.3条的修订自今日起施行" in r.output
    _run("index", "status")
    hit = json.loads(_run("search", "可调托撑螺杆伸出长度", "--mode", "lexical", "--json").output)[0]
    assert "250 mm" in hit["text"] and hit["revision"] == "示例部公告2027年第3号"
    assert "（2024年版）第3.0.3条" in json.loads(_run("show", "ZJT961", "3.0.3", "--json").output)["citation"]


def test_api_clause_view_shows_superseded_wording(revised: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=revised, database_url=f"sqlite:///{tmp_path / 'api.db'}",
                        api_rate_limit_anonymous="", api_rate_limit_token="", api_rate_limit_auth_failures="")
    with TestClient(create_app(settings)) as client:
        body = client.get("/v1/clauses/ZJT961/3.0.2").json()
        assert body["text"].startswith("纵向扫地杆距底座上皮不应大于150 mm")
        assert body["citation"] == "《示例支架工程规范》ZJ/T 961-2020（2024年版）第3.0.2条"
        assert body["superseded"][0]["text"] == "纵向扫地杆距底座上皮不应大于200 mm。"
        assert body["superseded"][0]["effective_until"] == "2024-05-01"
        old = client.get("/v1/clauses/ZJT961/3.0.2", params={"at": "2023-12-31"}).json()
        assert old["text"] == "纵向扫地杆距底座上皮不应大于200 mm。" and old["at"] == "2023-12-31"
        bad = client.get("/v1/clauses/ZJT961/3.0.2", params={"at": "昨天"})
        assert bad.status_code == 422 and "施行日期" in bad.json()["detail"]


def test_a_running_server_starts_one_sync_when_the_day_comes(revised: Path) -> None:
    from datetime import date

    from assistant.knowledge import Knowledge
    from assistant.usecases.library import LibraryDesk

    class Jobs:
        def __init__(self) -> None:
            self.syncs: list[str] = []

        def submit_sync(self, submitted_by: str) -> None:
            self.syncs.append(submitted_by)

    day = [date(2027, 6, 30)]
    kb = Knowledge(Settings(data_dir=revised), today=lambda: day[0])
    jobs = Jobs()
    LibraryDesk(kb, jobs)  # type: ignore[arg-type]
    kb.searcher()
    assert jobs.syncs == []
    day[0] = date(2027, 7, 1)
    kb.searcher()
    assert jobs.syncs == []  # looked less than a minute ago
    for _ in range(2):
        kb._due_checked = 0.0  # a minute later, twice
        kb.searcher()
    assert jobs.syncs == ["2027-07-01 起实施的修订或新版本"]
