"""Answers over GB 55001-2021 and GB 50009-2012, whose mandatory load clauses GB 55001 abolished.

Both are read from ../shared/corpora (the tests skip without it); of GB 50009 only chapter 3
(combinations, partial factors) and section 8.1 (wind pressure) are indexed, to keep embedding short.
The tests that search them embed real standards and are marked ``slow``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering.compose import compose
from assistant.answering.models import Citation
from assistant.answering.service import Answerer
from assistant.config import Settings
from index import Searcher
from tests.plugins.installation import persistent_embeddings


@pytest.fixture(scope="module")
def searcher(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    from corpus.ingest import parse_path
    from corpus.library import Library
    from index import sync_index

    d = tmp_path_factory.mktemp("loads")
    lib = Library(d / "library")
    lib.put(parse_path(corpora / "GB55001-2021"))
    loads = parse_path(corpora / "GB50009-2012")
    part = [c for c in loads.clauses if (c.refers_to or c.clause_no).startswith(("3.", "8.1."))]
    lib.put(loads.model_copy(update={"clauses": part}))
    with persistent_embeddings(d / "index"):
        sync_index(lib, d / "index", progress=False)
    return Searcher(d / "index")


@pytest.mark.slow
def test_looking_up_an_abolished_clause_says_who_abolished_it(searcher: Searcher) -> None:
    a = Answerer(settings=Settings(), searcher=searcher).answer("GB50009第3.2.4条")
    top = a.citations[0]
    assert (top.code, top.clause_no, top.repealed_by, top.mandatory) == ("GB 50009-2012", "3.2.4", "GB 55001-2021", False)
    assert a.answer.startswith("该条文已被废止")
    assert "已被《工程结构通用规范》GB 55001-2021 废止" in a.answer
    assert "《建筑结构荷载规范》GB 50009-2012 第3.2.4条【强制性条文】" not in a.answer


@pytest.mark.slow
@pytest.mark.parametrize(("question", "new", "old"), [
    ("基本风压最小不能小于多少", "4.6.2", "8.1.2"),  # 0.30 kN/m2 in both
    ("永久荷载的分项系数现在取多少", "3.1.13", "3.2.4"),  # 1.3 now, 1.2/1.35 before
])
def test_the_code_in_force_answers_before_the_clause_it_abolished(searcher: Searcher, question: str, new: str,
                                                                 old: str) -> None:
    # Without the repeal the old clause ranks first for both questions (it words them more closely).
    a = Answerer(settings=Settings(), searcher=searcher).answer(question)
    assert a.grounded
    # The code in force leads. Which of its clauses comes first may be a table row of a neighbour
    # (永久荷载 1.2 in 表3.1.15, for harbour structures), so the gold clause must be among the clauses
    # shown before the abolished one.
    assert a.citations[0].code == "GB 55001-2021"
    shown = [(c.code, c.clause_no) for c in a.citations]
    assert shown.index(("GB 55001-2021", new)) < shown.index(("GB 50009-2012", old))
    replaced = next(c for c in a.citations if (c.code, c.clause_no) == ("GB 50009-2012", old))
    assert replaced.repealed_by == "GB 55001-2021" and not replaced.mandatory
    assert f"第{old}条：" in a.answer and "废止，现行规定以该规范为准" in a.answer


def test_an_item_level_repeal_names_the_items() -> None:
    c = Citation(code="GB 59996-2012", title="示例规范", clause_no="4.3.1", text="……", score=1.0, kind="body",
                 status="现行", mandatory=True, repealed_by="GB 59999-2021", repealed_by_title="示例通用规范",
                 repealed_items="1、2")
    text = compose([c], [], [])
    assert "此条第1、2款已被《示例通用规范》GB 59999-2021 废止" in text
    assert text.startswith("这个问题有强制性条文的明确规定")  # the other items still bind
