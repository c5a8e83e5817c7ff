"""Scoring rules of the evaluation, as pure functions over rankings and decisions.

A ranking is a list of *items*, best first; an item is the set of clause keys it
stands for: one key for a retrieved clause, every clause a fixed-size chunk
covers for the chunk baseline. A key is ``(code, clause_no)`` with the code
canonicalised, so ``GB55032-2022`` and ``GB 55032-2022`` are the same clause.

Gold entries of one question are alternatives (every clause that answers it):

- Recall@k — share of questions with at least one gold clause among the first k items.
- MRR — mean of 1 / rank of the first item holding a gold clause (0 when none in the list).
- nDCG@10 — binary gain, each gold clause counted once, at the first item that holds it;
  the ideal puts one gold clause per rank for min(#gold, 10) ranks. The ratio is capped at
  1 (a chunk holding two gold clauses gains 2 at one rank).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.models import canonical_code

Key = tuple[str, str]
Item = frozenset[Key]
KS = (1, 5, 10)


def clause_key(code: str, clause_no: str) -> Key:
    """Canonical key; collection codes (ZJ-CASE-2025, ZJ-FAQ-2025) have no canonical form and stay as given."""
    code = code.strip()
    return (canonical_code(code) or code, clause_no.strip())


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def item(*keys: Key) -> Item:
    return frozenset(keys)


def first_rank(ranking: Sequence[Item], gold: set[Key]) -> int | None:
    """1-based rank of the first item holding a gold clause."""
    for i, it in enumerate(ranking):
        if it & gold:
            return i + 1
    return None


def ndcg_at(ranking: Sequence[Item], gold: set[Key], k: int = 10) -> float:
    if not gold:
        return 0.0
    seen: set[Key] = set()
    dcg = 0.0
    for i, it in enumerate(ranking[:k]):
        new = (it & gold) - seen
        if new:
            dcg += len(new) / math.log2(i + 2)
            seen |= new
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), k)))
    return min(1.0, dcg / ideal)


@dataclass(frozen=True)
class RetrievalScores:
    n: int
    recall: dict[int, float]
    mrr: float
    ndcg10: float

    def as_dict(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {f"R@{k}": round(v, 4) for k, v in self.recall.items()}
        out.update({"MRR": round(self.mrr, 4), "nDCG@10": round(self.ndcg10, 4), "n": self.n})
        return out


def retrieval_scores(rankings: Sequence[Sequence[Item]], golds: Sequence[set[Key]], ks: Iterable[int] = KS) -> RetrievalScores:
    """Recall@k, MRR and nDCG@10 over questions that have gold clauses."""
    ks = tuple(ks)
    pairs = [(r, g) for r, g in zip(rankings, golds, strict=True) if g]
    n = len(pairs)
    if n == 0:
        return RetrievalScores(0, {k: 0.0 for k in ks}, 0.0, 0.0)
    ranks = [first_rank(r, g) for r, g in pairs]
    recall = {k: sum(1 for x in ranks if x is not None and x <= k) / n for k in ks}
    mrr = sum(1.0 / x for x in ranks if x is not None) / n
    ndcg = sum(ndcg_at(r, g, 10) for r, g in pairs) / n
    return RetrievalScores(n, recall, mrr, ndcg)


@dataclass(frozen=True)
class RefusalScores:
    """Refusal treated as the positive class: a refusal of an unanswerable question is a true positive."""

    answerable: int
    unanswerable: int
    refused: int
    precision: float | None  # refused and unanswerable / refused
    recall: float | None  # refused and unanswerable / unanswerable
    wrong_refusal: float | None  # refused and answerable / answerable

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "refused": self.refused,
            "precision": _r(self.precision),
            "recall": _r(self.recall),
            "wrong_refusal": _r(self.wrong_refusal),
        }


def refusal_scores(refused: Sequence[bool], answerable: Sequence[bool]) -> RefusalScores:
    pairs = list(zip(refused, answerable, strict=True))
    n_ans = sum(1 for _, a in pairs if a)
    n_un = len(pairs) - n_ans
    n_ref = sum(1 for r, _ in pairs if r)
    tp = sum(1 for r, a in pairs if r and not a)
    fp = sum(1 for r, a in pairs if r and a)
    return RefusalScores(
        answerable=n_ans,
        unanswerable=n_un,
        refused=n_ref,
        precision=tp / n_ref if n_ref else None,
        recall=tp / n_un if n_un else None,
        wrong_refusal=fp / n_ans if n_ans else None,
    )


@dataclass(frozen=True)
class CitationScores:
    """The first citation of a grounded answer against the gold alternatives of answerable questions."""

    n: int
    answered: int
    correct: int
    cited_anywhere: int

    @property
    def accuracy_answered(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def accuracy_all(self) -> float | None:
        return self.correct / self.n if self.n else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "n": self.n,
            "answered": self.answered,
            "correct": self.correct,
            "accuracy_answered": _r(self.accuracy_answered),
            "accuracy_all": _r(self.accuracy_all),
            "cited_anywhere": _r(self.cited_anywhere / self.n if self.n else None),
        }


def citation_scores(cited: Sequence[Sequence[Key]], grounded: Sequence[bool], golds: Sequence[set[Key]]) -> CitationScores:
    """``cited``: the citations of each answer in order (empty when refused)."""
    n = answered = correct = anywhere = 0
    for cites, ok, gold in zip(cited, grounded, golds, strict=True):
        if not gold:
            continue
        n += 1
        if ok and cites:
            answered += 1
            correct += cites[0] in gold
            anywhere += any(c in gold for c in cites)
    return CitationScores(n, answered, correct, anywhere)


def percentiles(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50/p95 in milliseconds (nearest-rank on the sorted sample)."""
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "n": 0}
    ms = sorted(s * 1000.0 for s in seconds)

    def pick(q: float) -> float:
        return ms[min(len(ms) - 1, max(0, math.ceil(q * len(ms)) - 1))]

    return {"p50_ms": round(pick(0.50), 2), "p95_ms": round(pick(0.95), 2), "n": len(ms)}


@dataclass(frozen=True)
class TierScores:
    """The certainty tiers (clear / likely / none) against the gold, over one set of questions.

    ``clear_precision``: of the clear answers, the share whose first citation is gold (a clear answer to an
    unanswerable question is wrong). ``gold_shown``: of the answerable questions answered clear or likely,
    the share with a gold clause among the clauses shown (every citation of the answer).
    """

    answerable: int
    unanswerable: int
    clear: int  # clear answers, to any question
    clear_correct: int
    clear_answerable: int
    likely_answerable: int
    none_answerable: int
    shown_gold: int  # answerable, clear or likely, gold among the citations
    none_unanswerable: int
    clear_unanswerable: int

    @property
    def clear_precision(self) -> float | None:
        return self.clear_correct / self.clear if self.clear else None

    @property
    def clear_coverage(self) -> float | None:
        return self.clear_answerable / self.answerable if self.answerable else None

    @property
    def gold_shown(self) -> float | None:
        answered = self.clear_answerable + self.likely_answerable
        return self.shown_gold / answered if answered else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "clear": self.clear,
            "clear_answerable": self.clear_answerable,
            "likely_answerable": self.likely_answerable,
            "none_answerable": self.none_answerable,
            "clear_precision": _r(self.clear_precision),
            "clear_coverage": _r(self.clear_coverage),
            "likely_share": _r(self.likely_answerable / self.answerable if self.answerable else None),
            "gold_shown": _r(self.gold_shown),
            "none_answerable_rate": _r(self.none_answerable / self.answerable if self.answerable else None),
            "none_unanswerable_rate": _r(self.none_unanswerable / self.unanswerable if self.unanswerable else None),
            "clear_unanswerable_rate": _r(self.clear_unanswerable / self.unanswerable if self.unanswerable else None),
        }


def tier_scores(certainty: Sequence[str], cited: Sequence[Sequence[Key]], golds: Sequence[set[Key]],
                answerable: Sequence[bool]) -> TierScores:
    """``certainty`` per question: clear | likely | none; ``cited``: the answer's citations in order."""
    counts = dict.fromkeys(("clear", "clear_correct", "clear_answerable", "likely_answerable", "none_answerable",
                            "shown_gold", "none_unanswerable", "clear_unanswerable"), 0)
    n_ans = n_un = 0
    for tier, cites, gold, ans in zip(certainty, cited, golds, answerable, strict=True):
        if tier == "clear":
            counts["clear"] += 1
            counts["clear_correct"] += bool(ans and cites and cites[0] in gold)
        if not ans:
            n_un += 1
            counts["none_unanswerable"] += tier == "none"
            counts["clear_unanswerable"] += tier == "clear"
            continue
        n_ans += 1
        counts[f"{tier}_answerable"] += 1
        if tier != "none":
            counts["shown_gold"] += any(c in gold for c in cites)
    return TierScores(answerable=n_ans, unanswerable=n_un, **counts)


def risk_coverage(scores: Sequence[float], answered: Sequence[bool], correct: Sequence[bool]) -> list[dict[str, float]]:
    """Selective answering: answer only when ``score`` reaches a threshold, for every threshold.

    Questions the system refuses anyway (``answered`` false) are never answered. Each point: coverage (share of
    all questions answered) and precision (share of those whose first citation is right), most confident first.
    """
    order = sorted((s, c) for s, a, c in zip(scores, answered, correct, strict=True) if a)
    order.reverse()
    n = len(scores)
    points: list[dict[str, float]] = []
    right = 0
    for i, (s, c) in enumerate(order, start=1):
        right += bool(c)
        if i == len(order) or order[i][0] != s:  # one point per distinct threshold
            points.append({"threshold": round(float(s), 4), "coverage": round(i / n, 4), "precision": round(right / i, 4)})
    return points
