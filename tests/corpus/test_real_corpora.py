"""Ingestion of the real standards in ../shared/corpora, exactly as they come."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.ingest import parse_path
from corpus.models import ClauseKind, Document

_FURNITURE = re.compile(
    r"background-color|text-align|font-family|display\s*:|<\s*/?\s*(?:p|span|div|script|style|li|a)\b|"
    r"function\s*\(|document\.|\.\.\s*raw::|收起|专家点评|已转发|评论|&emsp;|&nbsp;"
)


@pytest.fixture(scope="module")
def gb55032(corpora: Path) -> Document:
    return parse_path(corpora / "GB55032-2022" / "clauses.jsonl")


@pytest.fixture(scope="module")
def gb55001(corpora: Path) -> Document:
    return parse_path(corpora / "GB55001-2021")


def test_gb55032_gives_65_normative_clauses_and_one_commentary(gb55032: Document) -> None:
    assert gb55032.code == "GB 55032-2022"
    assert gb55032.title == "建筑与市政工程施工质量控制通用规范"
    body = gb55032.body()
    assert len(body) == 65
    assert len({c.clause_no for c in body}) == 65
    commentary = gb55032.commentary()
    assert [c.clause_no for c in commentary] == ["4.2.3"]
    assert commentary[0].refers_to == "4.2.3"
    # A general code (GB 55xxx) is mandatory in full; commentary never is.
    assert all(c.mandatory for c in body)
    assert not commentary[0].mandatory
    assert gb55032.find("3.3.5").text.startswith("基坑、基槽、沟槽开挖后")


def test_gb55001_gives_all_123_body_clauses_in_order(gb55001: Document) -> None:
    assert gb55001.code == "GB 55001-2021"
    assert gb55001.title == "工程结构通用规范"
    assert str(gb55001.effective_date) == "2022-01-01"
    nos = [c.clause_no for c in gb55001.body()]
    assert len(nos) == 123
    assert nos[0] == "1.0.1" and nos[-1] == "4.10.11"
    assert len(set(nos)) == 123
    assert all(c.mandatory for c in gb55001.body())


def test_gb55001_lists_the_load_code_provisions_it_abolishes(gb55001: Document, corpora: Path) -> None:
    abolished = {r.clause_no for r in gb55001.repeals if r.code == "GB 50009-2012"}
    # The load code's own announcement lists the same clauses as its 强制性条文.
    gb50009 = parse_path(corpora / "GB50009-2012")
    assert abolished and abolished == {c.clause_no for c in gb50009.body() if c.mandatory}
    assert {"3.2.4", "8.1.2"} <= abolished
    assert {r.code for r in gb55001.repeals} >= {"GB 50153-2008", "GB 50068-2018", "JGJ 165-2010"}
    assert [(r.clause_no, r.items) for r in gb55001.repeals if r.code == "GB 50959-2013" and r.items] == [("4.3.1", "1、2")]
    assert gb50009.repeals == []


def test_gb55001_clause_text_is_clean(gb55001: Document) -> None:
    for c in gb55001.clauses:
        assert not _FURNITURE.search(c.text), (c.clause_no, c.kind, _FURNITURE.search(c.text).group(0))
    c217 = gb55001.find("2.1.7", ClauseKind.body)
    assert c217 is not None
    # Items stay inside their clause, numbered, one a line.
    lines = c217.text.splitlines()
    assert lines[0].startswith("结构应按设计规定的用途使用")
    assert [ln.split(" ")[0] for ln in lines[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert c217.chapter == "2 基本规定" and c217.section == "2.1 基本要求"


def test_gb55001_commentary_attached_to_clauses(gb55001: Document) -> None:
    body = {c.clause_no for c in gb55001.body()}
    commentary = gb55001.commentary()
    assert len(commentary) >= 60
    assert all(c.refers_to in body for c in commentary)
    # Several paragraphs printed under one number are one commentary entry.
    assert len({c.clause_no for c in commentary}) == len(commentary)
    note = next(c for c in commentary if c.clause_no == "2.1.7")
    assert "禁止" in note.text
    # The drafting notes (起草说明: 基本情况, 编制人员, 术语) are neither body nor commentary.
    assert not any("中国建筑科学研究院" in c.text for c in gb55001.clauses)


@pytest.mark.parametrize(
    ("name", "code", "title", "expected_min"),
    [
        ("SL677-2014_水工混凝土施工规范_clean_text.md", "SL 677-2014", "水工混凝土施工规范", 351),
        ("SL757-2017_水工混凝土施工组织设计规范_clean_text.md", "SL 757-2017", "水工混凝土施工组织设计规范", 173),
        ("SL319-2018混凝土重力坝设计规范_clean_text.md", "SL 319-2018", "混凝土重力坝设计规范", 314),
        ("SL314-2018碾压混凝土坝设计规范_clean_text.md", "SL 314-2018", "碾压混凝土坝设计规范", 62),
        ("SL274-2001_碾压式土石坝设计规范_clean_text.md", "SL 274-2001", "碾压式土石坝设计规范", 307),
        ("GB 51247-2018_水工建筑物抗震设计标准_clean_text.md", "GB 51247-2018", "水工建筑物抗震设计标准", 273),
    ],
)
def test_hydraulic_clause_per_line(corpora: Path, name: str, code: str, title: str, expected_min: int) -> None:
    path = corpora / "hydraulic-SL" / name
    doc = parse_path(path)
    assert doc.code == code
    assert doc.title == title
    body = doc.body()
    # Every distinct clause-per-line number before the commentary restart is a body clause.
    text = path.read_text("utf-8")
    printed = re.findall(r"^((?:[A-Z]|\d{1,2})\.\d{1,2}\.\d{1,3})(?![\d.])", text, flags=re.M)
    assert len(body) >= expected_min
    assert {c.clause_no for c in body} <= set(printed)
    assert len({c.clause_no for c in body}) == len(body)
    # Numbering is monotonic: no cross-reference or table number taken for a clause.
    from corpus.models import clause_sort_key

    keys = [clause_sort_key(c.clause_no) for c in body]
    assert keys == sorted(keys)


def test_sl677_clause_text_and_items(corpora: Path) -> None:
    doc = parse_path(corpora / "hydraulic-SL" / "SL677-2014_水工混凝土施工规范_clean_text.md")
    c = doc.find("1.0.1", ClauseKind.body)
    assert c is not None and c.text.startswith("为规范水利水电工程混凝土施工")
    # Clauses whose text begins with a digit ('28d 龄期…') or '中'/'与' are still clauses.
    assert doc.find("8.4.1", ClauseKind.body) is not None
    assert doc.find("7.7.4", ClauseKind.body) is not None
    # The 条文说明 appended without a title is recognised by the numbering restart.
    assert doc.commentary(), "commentary part not detected"
    assert all(n.refers_to for n in doc.commentary())


def test_gb50009_sphinx_with_nested_commentary_toctree(corpora: Path) -> None:
    doc = parse_path(corpora / "GB50009-2012")
    assert doc.code == "GB 50009-2012"
    assert doc.title == "建筑结构荷载规范"
    body = doc.body()
    assert body[0].clause_no == "1.0.1"
    assert len(body) > 150
    assert any(c.clause_no.startswith("B.") for c in body)
    assert len(doc.commentary()) > 40
    # Not a GB 55 code: only the clauses its announcement lists are mandatory.
    mandatory = {c.clause_no for c in body if c.mandatory}
    assert 0 < len(mandatory) < len(body)
    assert "3.1.2" in mandatory
