"""The refusal model's inputs and its fitting: what the calibrated decision rests on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answering.grounding import (
    FEATURES,
    Grounding,
    QuestionStats,
    load_grounding,
    missing_share,
    question_terms,
)
from index import QuestionFacts, Searcher


@pytest.fixture(scope="module")
def searcher(sample_installation: Path) -> Searcher:
    return Searcher(sample_installation / "index")


def _facts(searcher: Searcher, question: str) -> QuestionFacts:
    facts = searcher.query(question, k=1, question=question, terms=lambda w: question_terms(question, w)).facts
    assert facts is not None
    return facts


def test_dense_profile_is_the_nearest_clauses_best_first(searcher: Searcher) -> None:
    prof = _facts(searcher, "混凝土浇筑后多久开始养护").profile
    assert prof.shape == (10,)
    assert np.all(np.diff(prof) <= 1e-6) and 0.5 < prof[0] <= 1.0
    # The nearest cosine is the best dense candidate's of the same search.
    best = searcher.search("混凝土浇筑后多久开始养护", k=10, mode="dense")[0]
    assert best.dense_score == pytest.approx(float(prof[0]), abs=1e-6)
    assert _facts(searcher, "   ").profile.size == 0


def test_question_facts_count_terms_in_the_index(searcher: Searcher) -> None:
    facts = _facts(searcher, "混凝土养护红烧肉")
    df = dict(zip(facts.terms, facts.doc_freqs, strict=True))
    assert df["混凝"] > 0 and df["烧肉"] == 0
    # IDF counts every live index row: clauses and the table rows indexed on their own.
    assert facts.live_clauses == sum(d.index_rows for d in searcher.manifest.docs.values())
    assert facts.live_clauses > searcher.manifest.live_rows  # the sample corpus has a table


def test_features_separate_a_site_question_from_an_off_topic_one(searcher: Searcher) -> None:
    probe = Grounding(weights=(0.0,) * len(FEATURES), bias=0.0, threshold=0.5)

    def features(q: str) -> dict[str, float]:
        r = searcher.query(q, k=8, question=q, terms=lambda w: question_terms(q, w))
        assert r.facts is not None
        return dict(zip(FEATURES, probe.features(q, r.hits[0], probe.question_stats(r.facts)), strict=True))

    on, off = features("楼板砼浇完要浇水养护几天"), features("红烧肉怎么做才不腻")
    assert on["dense_top5"] > off["dense_top5"]
    assert on["known_terms"] > off["known_terms"]
    assert on["missing"] < off["missing"]


def test_facts_carry_the_standard_wording_and_its_terms(searcher: Searcher) -> None:
    q = "砼浇完多久能拆模"
    facts = _facts(searcher, q)
    assert "混凝土" in facts.wording and "模板拆除" in facts.wording  # site language in the standards' words
    assert "混凝" in facts.terms and "砼浇" in facts.terms  # the wording's terms and the question's own
    stats = load_grounding().question_stats(facts)
    assert "砼浇" in stats.terms and "混凝" not in stats.terms  # known_terms: the question as typed
    assert "混凝" in stats.worded and "砼浇" not in stats.worded  # missing: the wording, terms the library holds


def test_missing_weighs_the_rare_words_the_clause_lacks() -> None:
    stats = QuestionStats(terms=(), idf=np.zeros(0), known=1.0, top5=None, peak=0.0,
                          worded=("电梯", "导轨", "垂直", "偏差"), worded_idf=np.array([5.0, 6.0, 2.0, 1.0]))
    # A formwork tolerance clause shares the generic words, not the specific ones.
    assert missing_share(stats, {"垂直", "偏差", "模板"}) == pytest.approx(11.0 / 14.0)
    assert missing_share(stats, {"电梯", "导轨", "垂直", "偏差"}) == 0.0
    none_known = QuestionStats(terms=(), idf=np.zeros(0), known=0.0, top5=None, peak=0.0)
    assert missing_share(none_known, {"电梯"}) == 1.0
