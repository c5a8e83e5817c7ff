"""How sure an answer is: ``clear``, ``likely`` or ``none`` — calibrated tiers, not one yes/no.

The grounding model (``grounding.py``) decides whether the library has a basis at all; below its
threshold the answer is ``none`` (a refusal). Above it a second logistic model, fitted on the
development split by ``python -m evals.calibrate``, estimates whether the *top clause* is the one
that answers. Only when that estimate clears its own threshold is the answer ``clear`` (one clause,
stated as the norm); otherwise it is ``likely``: the two or three nearest clauses side by side for
the reader to check. Its features:

- ``grounding_logit``: the grounding model's log-odds (how close the library is to the question);
- ``rival_gap``: the top clause's fused score minus the best clause of *another* section or
  standard — the usual failure is a clause of a different section scoring about as well;
- ``rival_dense_gap``: the same gap in meaning alone (cosine);
- ``next_gap``: the top score minus the second, whatever its section;
- ``neighbour``: the second clause is in the same section as the first (a near tie between
  neighbours is a question of which sentence, not of which rule);
- ``lexical_top``: the top clause is also the best keyword match.

The weights and thresholds, and the development numbers they achieved, are in ``grounding.json``
under ``"tiers"``; without that entry every grounded answer is ``clear`` (the behaviour before tiers).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.answering.grounding import CALIBRATION_FILE
from assistant.answering.models import Certainty
from index import Hit

TIER_FEATURES = ("grounding_logit", "rival_gap", "rival_dense_gap", "next_gap", "neighbour", "lexical_top")
CANDIDATE_KINDS = ("body", "commentary", "faq", "tolerance")  # what a likely answer may put side by side


def section_key(hit: Hit) -> tuple[str, str]:
    """(standard, section) a clause belongs to: its printed section heading, else its number without the last part."""
    section = hit.section or (hit.clause_no.rsplit(".", 1)[0] if "." in hit.clause_no else hit.clause_no)
    return hit.code, section


def same_section(a: Hit, b: Hit) -> bool:
    return section_key(a) == section_key(b)


def clause_order(clause_no: str) -> tuple:
    """'4.3.10' after '4.3.9': numbers compared as numbers, letters (appendix 'A.0.1') as text."""
    return tuple((0, int(p), "") if p.isdecimal() else (1, 0, p) for p in re.split(r"[.．]", clause_no))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def tier_features(hits: list[Hit], grounding_p: float) -> tuple[float, ...]:
    """The features of ``TIER_FEATURES`` for a ranked hit list (best first) and its grounding probability."""
    top = hits[0]
    rivals = [h for h in hits[1:] if not same_section(top, h)]
    rival_gap = top.score - rivals[0].score if rivals else top.score
    td = top.dense_score if top.dense_score is not None else 0.0
    rd = max((h.dense_score for h in rivals if h.dense_score is not None), default=None)
    rival_dense_gap = td - rd if rd is not None else td
    next_gap = top.score - hits[1].score if len(hits) > 1 else top.score
    neighbour = 1.0 if len(hits) > 1 and same_section(top, hits[1]) else 0.0
    lex = [h for h in hits if h.lexical_score is not None]
    lexical_top = 1.0 if lex and max(lex, key=lambda h: h.lexical_score or 0.0) is top else 0.0
    return (_logit(grounding_p), rival_gap, rival_dense_gap, next_gap, neighbour, lexical_top)


@dataclass(frozen=True)
class Tiers:
    """The fitted model of 'the top clause is the answer', and the probability a clear answer needs."""

    weights: tuple[float, ...]
    bias: float
    clear_threshold: float

    def probability(self, features: tuple[float, ...]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))

    def certainty(self, hits: list[Hit], grounding_p: float) -> tuple[Certainty, float]:
        """('clear' | 'likely', probability the top clause answers) for a question already judged grounded."""
        p = self.probability(tier_features(hits, grounding_p))
        return ("clear" if p >= self.clear_threshold else "likely"), p


ALWAYS_CLEAR = Tiers(weights=(0.0,) * len(TIER_FEATURES), bias=60.0, clear_threshold=0.5)


@lru_cache(maxsize=1)
def load_tiers(path: Path = CALIBRATION_FILE) -> Tiers:
    """The committed tier model; every grounded answer is clear when the file has none."""
    data = json.loads(path.read_text("utf-8")).get("tiers")
    if not data:
        return ALWAYS_CLEAR
    return Tiers(
        weights=tuple(float(data["weights"][f]) for f in TIER_FEATURES),
        bias=float(data["bias"]),
        clear_threshold=float(data["clear_threshold"]),
    )


def candidates(hits: list[Hit], n: int = 3) -> list[Hit]:
    """The ``n`` nearest citable clauses for a likely answer, neighbours of one section kept together.

    The nearest clause comes first, then the other clauses of its section in their printed order,
    then the other sections' clauses grouped the same way (so 4.3.2 and 4.3.3 stand together).
    Cases are not candidates: they illustrate a rule rather than state it.
    """
    chosen: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for h in hits:
        if h.kind not in CANDIDATE_KINDS or (h.code, h.clause_no) in seen:
            continue
        seen.add((h.code, h.clause_no))
        chosen.append(h)
        if len(chosen) == n:
            break
    groups: dict[tuple[str, str], list[Hit]] = {}
    for h in chosen:  # dicts keep insertion order: groups in the rank of their best clause
        groups.setdefault(section_key(h), []).append(h)
    ordered = [h for g in groups.values() for h in sorted(g, key=lambda h: clause_order(h.clause_no))]
    return chosen[:1] + [h for h in ordered if h is not chosen[0]] if chosen else []
