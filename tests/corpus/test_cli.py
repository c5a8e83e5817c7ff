"""zhijian ingest / docs / show through the real CLI, each test its own data directory."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()

DOC = """---
code: ZJ/T 902-2025
title: 命令行测试示例
---
## 3 施工
3.0.1 示例第一条。
3.0.2 示例第二条，应符合下列规定：
1 第一款；
2 第二款。
"""


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_ingest_docs_show_roundtrip(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text(DOC, "utf-8")
    r = _run("ingest", "--no-index", "-q", str(src))
    assert r.exit_code == 0, r.output
    assert "新增 ZJ/T 902-2025" in r.output and "正文 2 条" in r.output
    assert (data_dir / "library" / "docs").is_dir()

    r = _run("ingest", "--no-index", "-q", str(src))
    assert r.exit_code == 0 and "未变化" in r.output

    docs = json.loads(_run("docs", "--json").output)
    assert [(d["code"], d["clauses"]) for d in docs] == [("ZJ/T 902-2025", 2)]

    one = json.loads(_run("show", "ZJT902", "3.0.2", "--json").output)
    assert one["code"] == "ZJ/T 902-2025" and one["clause_no"] == "3.0.2"
    assert one["text"].endswith("2 第二款。")
    whole = json.loads(_run("show", "902-2025", "--json").output)
    assert [c["clause_no"] for c in whole["clauses"]] == ["3.0.1", "3.0.2"]
    assert set(whole["clauses"][0]) >= {"clause_no", "text", "kind", "mandatory"}

    r = _run("show", "ZJ/T 902-2025 第9.9.9条")
    assert r.exit_code == 1 and "没有第9.9.9条" in r.output


def test_changed_file_replaces_previous_version(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text(DOC, "utf-8")
    assert _run("ingest", "--no-index", "-q", str(src)).exit_code == 0
    src.write_text(DOC + "3.0.3 新增的第三条。\n", "utf-8")
    r = _run("ingest", "--no-index", "-q", str(src))
    assert r.exit_code == 0 and "更新" in r.output
    docs = json.loads(_run("docs", "--json").output)
    assert len(docs) == 1 and docs[0]["clauses"] == 3


def test_bad_file_reported_batch_continues_nothing_lost(data_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text(DOC, "utf-8")
    assert _run("ingest", "--no-index", "-q", str(good)).exit_code == 0
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    other = tmp_path / "other.md"
    other.write_text(DOC.replace("902", "903"), "utf-8")
    r = _run("ingest", "--no-index", "-q", str(empty), str(truncated), str(other))
    assert r.exit_code == 1
    errors = [ln for ln in r.output.splitlines() if ln.startswith("✘")]
    assert len(errors) == 2
    assert any("empty.pdf" in e and "空" in e for e in errors)
    assert any("cut.pdf" in e and ("损坏" in e or "不完整" in e) for e in errors)
    codes = {d["code"] for d in json.loads(_run("docs", "--json").output)}
    assert codes == {"ZJ/T 902-2025", "ZJ/T 903-2025"}


def test_two_data_dirs_are_independent(tmp_path: Path, monkeypatch) -> None:
    from assistant.config import get_settings

    src = tmp_path / "a.md"
    src.write_text(DOC, "utf-8")
    for name, ingest_it in (("one", True), ("two", False)):
        monkeypatch.setenv("ZHIJIAN_DATA_DIR", str(tmp_path / name))
        get_settings.cache_clear()
        if ingest_it:
            assert _run("ingest", "--no-index", "-q", str(src)).exit_code == 0
        docs = json.loads(_run("docs", "--json").output)
        assert len(docs) == (1 if ingest_it else 0)
    get_settings.cache_clear()


def test_a_library_ahead_of_the_index_is_reported_and_the_next_ingest_repairs_it(data_dir: Path, tmp_path: Path) -> None:
    """The state a kill -9 between writing the library and the index leaves behind, and what fixes it."""
    src = tmp_path / "a.md"
    src.write_text(DOC, "utf-8")
    assert _run("ingest", "-q", str(tmp_path / "a.md")).exit_code == 0  # an index exists
    other = tmp_path / "b.md"
    other.write_text(DOC.replace("ZJ/T 902-2025", "ZJ/T 903-2025").replace("示例第一条", "混凝土找平层示例条文"), "utf-8")
    assert _run("ingest", "--no-index", "-q", str(other)).exit_code == 0  # library written, index not

    r = _run("index", "status")
    assert r.exit_code == 1
    assert "尚未进入索引" in r.output and "ZJ/T 903-2025" in r.output and "zhijian index sync" in r.output
    status = json.loads(_run("index", "status", "--json").stdout)
    assert status["behind_library"]["missing"] == ["ZJ/T 903-2025"]

    # Re-running the same ingest finds the file unchanged and still completes the index.
    r = _run("ingest", "-q", str(other))
    assert r.exit_code == 0 and "未变化" in r.output
    assert _run("index", "status").exit_code == 0
    hits = json.loads(_run("search", "ZJ/T 903-2025 3.0.1", "--json").output)
    assert (hits[0]["code"], hits[0]["clause_no"]) == ("ZJ/T 903-2025", "3.0.1")
