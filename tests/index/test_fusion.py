"""Reciprocal-rank and score fusion."""

from __future__ import annotations

from index.fusion import FusionParams, fuse


def test_rrf_rewards_agreement() -> None:
    lex = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    dense = [("b", 0.9), ("d", 0.8), ("a", 0.7)]
    order = [k for k, _ in fuse(lex, dense, FusionParams("rrf", 60, 1, 1))]
    assert order[:2] == ["b", "a"] or order[:2] == ["a", "b"]
    assert set(order) == {"a", "b", "c", "d"}


def test_weights_decide_between_the_lists() -> None:
    lex = [("a", 1.0)]
    dense = [("b", 1.0)]
    assert fuse(lex, dense, FusionParams("rrf", 10, 2.0, 1.0))[0][0] == "a"
    assert fuse(lex, dense, FusionParams("rrf", 10, 0.5, 1.0))[0][0] == "b"
    assert fuse(lex, dense, FusionParams("linear", 60, 0.3, 0.7))[0][0] == "b"


def test_one_empty_list_keeps_the_other_order() -> None:
    lex = [("a", 3.0), ("b", 2.0), ("c", 1.0)]
    assert [k for k, _ in fuse(lex, [])] == ["a", "b", "c"]


def test_authority_prior_reorders_near_ties_only() -> None:
    from index.fusion import apply_prior

    kinds = {"guide-clause": "guide", "std-clause": "standard", "case": "case"}
    ranked = [("guide-clause", 1.0), ("std-clause", 0.95), ("case", 0.9)]
    prior = {"guide": 0.08, "case": 0.15}

    def penalty(key: str) -> float:
        return prior.get(kinds[key], 0.0)

    assert [k for k, _ in apply_prior(ranked, penalty)] == ["std-clause", "guide-clause", "case"]
    # A guide clause far ahead stays first: the prior breaks near ties, it does not hide guides.
    far = [("guide-clause", 1.0), ("std-clause", 0.5)]
    assert [k for k, _ in apply_prior(far, penalty)][0] == "guide-clause"
    assert apply_prior(ranked, lambda key: 0.0) == ranked
