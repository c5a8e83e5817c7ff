"""Fusion of the lexical and dense candidate lists.

Two methods: weighted reciprocal-rank fusion, and a convex combination of
per-query min-max normalised scores. Tuned on the development split of the
real-standard questions (python -m evals.bench_index quality): the convex
combination with 0.5-0.7 on BM25 forms a plateau (dev R@1 0.85) well above
plain RRF k=60 (0.78); the default sits in the middle of that plateau.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionParams:
    method: str = "rrf"  # "rrf" | "linear"
    rrf_k: float = 60.0
    w_lexical: float = 1.0
    w_dense: float = 1.0
    # Subtracted from a hybrid score by the kind of document the row belongs to (standard = 0).
    kind_prior: tuple[tuple[str, float], ...] = ()
    # Subtracted from a clause that an indexed code abolishes: the code that replaced it leads when
    # it matches about as well. 0.2 since table rows joined the candidate lists (they shift the min-max
    # bounds; at 0.15 GB 50009 3.2.4 led GB 55001 3.1.13 again); dev outcomes are the same at both.
    repeal_penalty: float = 0.2


# Authority prior: when a standard and a guide, case or FAQ entry match about equally, the
# standard is what an inspector cites; a case illustrates a rule rather than stating it. Fitted
# on the development split of the evaluation installation (python -m evals.tune_ranking).
# A tolerance table row restates the clause it cites, so it yields to that clause as a case does.
AUTHORITY_PRIOR: tuple[tuple[str, float], ...] = (("guide", 0.08), ("case", 0.15), ("faq", 0.05), ("tolerance", 0.15))
DEFAULT_FUSION = FusionParams(method="linear", w_lexical=0.6, w_dense=0.4, kind_prior=AUTHORITY_PRIOR)

Ranked = Sequence[tuple[Hashable, float]]


def rrf(lists: Sequence[Ranked], weights: Sequence[float], k: float) -> dict[Hashable, float]:
    """Weighted reciprocal-rank fusion: sum of w / (k + rank), rank from 1."""
    out: dict[Hashable, float] = {}
    for lst, w in zip(lists, weights, strict=True):
        for rank, (key, _score) in enumerate(lst, start=1):
            out[key] = out.get(key, 0.0) + w / (k + rank)
    return out


def _minmax(lst: Ranked) -> dict[Hashable, float]:
    if not lst:
        return {}
    s = np.array([v for _, v in lst], dtype=np.float64)
    lo, hi = float(s.min()), float(s.max())
    span = hi - lo
    if span <= 1e-12:
        return {key: 1.0 for key, _ in lst}
    return {key: (v - lo) / span for key, v in lst}


def linear(lists: Sequence[Ranked], weights: Sequence[float]) -> dict[Hashable, float]:
    """Convex combination of min-max normalised scores (absent = 0)."""
    out: dict[Hashable, float] = {}
    for lst, w in zip(lists, weights, strict=True):
        for key, v in _minmax(lst).items():
            out[key] = out.get(key, 0.0) + w * v
    return out


def fuse(lexical: Ranked, dense: Ranked, params: FusionParams = DEFAULT_FUSION) -> list[tuple[Hashable, float]]:
    """Fused ranking, best first; ties broken by the lexical then dense order."""
    lists = [lexical, dense]
    weights = [params.w_lexical, params.w_dense]
    scores = rrf(lists, weights, params.rrf_k) if params.method == "rrf" else linear(lists, weights)
    order: dict[Hashable, int] = {}
    for lst in lists:
        for i, (key, _) in enumerate(lst):
            order[key] = min(order.get(key, i), i)
    return sorted(scores.items(), key=lambda kv: (-kv[1], order.get(kv[0], 0)))


def apply_prior(ranked: Ranked, penalty: Callable[[Hashable], float]) -> list[tuple[Hashable, float]]:
    """Lower each score by its penalty (document kind, abolished clause) and re-sort (stable, so ties keep
    the fused order)."""
    out = [(key, score - penalty(key)) for key, score in ranked]
    return sorted(out, key=lambda kv: -kv[1])
