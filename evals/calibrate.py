"""Fit the refusal decision and the certainty tiers on the development split; write assistant/answering/grounding.json.

    python -m evals.calibrate [--max-false-refusal 0.08] [--clear-precision 0.96]

Features come from the live retrieval (``Grounding.features``); the model is a
logistic regression on standardised features (stored as weights on the raw
ones). The threshold is the one that refuses the most unanswerable development
questions while wrongly refusing at most the given share of answerable ones,
judged on out-of-fold probabilities (5-fold, repeated) so that it holds for
questions the model was not fitted on. Questions a rule decides (a clause named
by number) are left out. Only dev files are read: the test split stays unseen.

The tiers (``assistant/answering/certainty.py``): among the questions the refusal
model answers, a second logistic model estimates whether the top clause is a gold
one (an unanswerable question's top clause never is). Its threshold is the lowest
out-of-fold probability at which the clear answers are right at least
``--clear-precision`` of the time and at most ``--max-clear-unanswerable`` of the
unanswerable questions get a clear answer; everything grounded below it is likely.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np

from assistant.answering.certainty import TIER_FEATURES, candidates, tier_features
from assistant.answering.grounding import CALIBRATION_FILE, FEATURES, Grounding
from evals import installation
from evals.metrics import clause_key
from evals.sets.validate import SETS_DIR

DEV_FILES = ("real_dev.jsonl", "sample_dev.jsonl", "unanswerable_dev.jsonl")
SAMPLE_ONLY_FILES = ("sample_dev.jsonl", "unanswerable_dev.jsonl")


def load(names: tuple[str, ...] = DEV_FILES) -> list[dict]:
    rows = []
    for name in names:
        for line in (SETS_DIR / name).read_text("utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def feature_matrix(searcher, rows: list[dict]) -> tuple[np.ndarray, np.ndarray, int, list[str], list[dict]]:
    """Features of the questions the model decides; those a rule decides (a clause named by
    number, found or missing) are left out, as the Answerer never asks the model about them.

    The last item holds, per kept row, what the tiers need: the hits, whether the top one is gold,
    and whether a gold clause is among a likely answer's candidates.
    """
    from assistant.answering.service import Answerer
    from assistant.config import Settings

    probe = Grounding(weights=(0.0,) * len(FEATURES), bias=0.0, threshold=0.5)
    answerer = Answerer(settings=Settings(), searcher=searcher, grounding=probe)
    X, y, ruled = [], [], 0
    ids: list[str] = []
    extra: list[dict] = []
    for r in rows:
        result = answerer.retrieve(r["question"])  # the one search an answer makes
        hits = result.hits
        if result.pinned is not None or answerer.missing_reference(r["question"], result):
            ruled += 1
            continue
        assert result.facts is not None
        stats = probe.question_stats(result.facts)
        X.append(probe.features(r["question"], hits[0], stats) if hits else (0.0,) * len(FEATURES))
        y.append(1 if r["answerable"] else 0)
        ids.append(r["id"])
        gold = {clause_key(g["code"], g["clause_no"]) for g in r.get("gold", [])}
        shown = {clause_key(h.code, h.clause_no) for h in candidates(hits)} if hits else set()
        extra.append({"hits": hits, "group": r["id"].split("-")[0],
                      "top_gold": bool(hits) and clause_key(hits[0].code, hits[0].clause_no) in gold,
                      "candidates_gold": bool(shown & gold)})
    return np.asarray(X, dtype=float), np.asarray(y), ruled, ids, extra


def fit(X: np.ndarray, y: np.ndarray, C: float = 1.0, balanced: bool = True):
    """Logistic regression on standardised features, returned as (weights, bias) on the raw features."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    weight = "balanced" if balanced else None
    model = LogisticRegression(class_weight=weight, C=C, max_iter=5000).fit((X - mu) / sd, y)
    w = model.coef_[0] / sd
    return w, float(model.intercept_[0] - np.sum(model.coef_[0] * mu / sd))


def probabilities(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(X @ w + b)))


def out_of_fold(X: np.ndarray, y: np.ndarray, C: float = 1.0, repeats: int = 5, groups: np.ndarray | None = None,
                balanced: bool = True) -> np.ndarray:
    """Each dev question's probability from models that did not see it (5-fold, averaged over repeats).

    ``groups`` keeps the rows of one question (asked of both installations) in the same fold.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    groups = np.arange(len(y)) if groups is None else groups
    p = np.zeros(len(y))
    for rep in range(repeats):
        for train, held in StratifiedGroupKFold(5, shuffle=True, random_state=rep).split(X, y, groups):
            w, b = fit(X[train], y[train], C, balanced)
            p[held] += probabilities(X[held], w, b)
    return p / repeats


def choose_threshold(p: np.ndarray, y: np.ndarray, max_false_refusal: float) -> tuple[float, dict]:
    best_t, best = 0.5, None
    for t in np.unique(np.concatenate([p, [0.0, 1.0]])):
        grounded = p >= t
        false_refusal = float(np.mean(~grounded[y == 1])) if (y == 1).any() else 0.0
        refusal_recall = float(np.mean(~grounded[y == 0])) if (y == 0).any() else 0.0
        if false_refusal <= max_false_refusal and (best is None or refusal_recall > best["refusal_recall"]):
            best_t = float(t)
            best = {"refusal_recall": round(refusal_recall, 4), "false_refusal": round(false_refusal, 4)}
    return best_t, best or {}


def choose_clear_threshold(q: np.ndarray, top_gold: np.ndarray, answerable: np.ndarray, min_precision: float,
                           max_clear_unanswerable: float, n_unanswerable: int | None = None,
                           n_answerable: int | None = None) -> tuple[float, dict]:
    """The threshold on P(top clause is gold) that answers the most answerable questions clearly while the
    clear answers stay right ``min_precision`` of the time and few unanswerable ones get one.

    Rows are the grounded questions; an unanswerable row's top clause is never gold. ``n_unanswerable`` and
    ``n_answerable``: all such questions, refused ones included (default: those among the rows).
    """
    best_t, best = 1.0, None
    n_un = int((~answerable).sum()) if n_unanswerable is None else n_unanswerable
    n_ans = int(answerable.sum()) if n_answerable is None else n_answerable
    for t in np.unique(q):
        clear = q >= t
        precision = float(top_gold[clear].mean())
        un_clear = float(clear[~answerable].sum() / n_un) if n_un else 0.0
        coverage = float(clear[answerable].sum() / n_ans) if n_ans else 0.0
        if precision >= min_precision and un_clear <= max_clear_unanswerable and (best is None or coverage > best["coverage"]):
            best_t = float(t)
            best = {"precision": round(precision, 4), "coverage": round(coverage, 4), "clear": int(clear.sum())}
    return best_t, best or {}


def fit_tiers(rows_x: np.ndarray, extras: list[dict], p_ground: np.ndarray, y: np.ndarray, groups: np.ndarray,
              threshold: float, C: float, min_precision: float, max_clear_unanswerable: float) -> dict:
    """The tier model on the questions the refusal model answers (judged on its out-of-fold probabilities)."""
    grounded = (p_ground >= threshold) & np.array([bool(e["hits"]) for e in extras])
    idx = np.flatnonzero(grounded)
    T = np.array([tier_features(extras[i]["hits"], float(p_ground[i])) for i in idx], dtype=float)
    top_gold = np.array([extras[i]["top_gold"] for i in idx], dtype=bool)
    answerable = y[idx] == 1
    w, b = fit(T, top_gold.astype(int), C, balanced=False)
    q_oof = out_of_fold(T, top_gold.astype(int), C, groups=groups[idx], balanced=False)
    t, chosen = choose_clear_threshold(q_oof, top_gold, answerable, min_precision, max_clear_unanswerable,
                                       int((y == 0).sum()), int((y == 1).sum()))
    below = q_oof[q_oof < t]
    if below.size:
        t = float((t + below.max()) / 2)
    clear = q_oof >= t
    real = np.array([extras[i]["group"] == "real" for i in idx])
    n_real_answerable = int(sum(1 for e, yy in zip(extras, y, strict=True) if e["group"] == "real" and yy == 1))
    shown = np.array([extras[i]["top_gold"] if c else extras[i]["candidates_gold"] for i, c in zip(idx, clear, strict=True)])
    dev = {
        "grounded": int(len(idx)),
        "top_clause_gold": round(float(top_gold.mean()), 4),
        "out_of_fold": {
            **chosen,
            "clear_precision_real": round(float(top_gold[clear & real].mean()), 4) if (clear & real).any() else None,
            "clear_coverage_real": round(float((clear & real & answerable).sum() / n_real_answerable), 4)
            if n_real_answerable else None,
            "clear_unanswerable": round(float((clear & ~answerable).sum() / max(1, int((y == 0).sum()))), 4),
            "gold_shown_answered": round(float(shown[answerable].mean()), 4) if answerable.any() else None,
        },
    }
    return {
        "features": list(TIER_FEATURES),
        "weights": {f: round(float(v), 6) for f, v in zip(TIER_FEATURES, w, strict=True)},
        "bias": round(b, 6),
        "clear_threshold": round(t, 6),
        "min_precision": min_precision,
        "max_clear_unanswerable": max_clear_unanswerable,
        "dev": dev,
    }


def main(argv: list[str] | None = None) -> int:
    from index import Searcher

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max-false-refusal", type=float, default=0.08)
    ap.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    ap.add_argument("--clear-precision", type=float, default=0.96,
                    help="share of clear answers whose top clause must be gold (out of fold, dev)")
    ap.add_argument("--max-clear-unanswerable", type=float, default=0.01,
                    help="largest share of unanswerable dev questions allowed a clear answer")
    ap.add_argument("--data-dir", type=Path, default=installation.DEFAULT_DIR)
    ap.add_argument("--sample-dir", type=Path, default=installation.REPO / "evals" / "results" / "tmp" / "sample-install")
    ap.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = ap.parse_args(argv)

    # Two libraries: the evaluation installation (sample corpus + real standards) and the sample corpus
    # alone, which is what `make run` serves. Cosines and term statistics shift with the library's size,
    # so the model is fitted on both. In the sample-only library the real-standard questions have no
    # gold and are left out rather than called unanswerable (the guides cover some of their topics).
    installation.build(args.data_dir)
    installation.build(args.sample_dir, include_real=False, progress=False)
    searcher = Searcher(args.data_dir / "index")
    parts = [feature_matrix(searcher, load()), feature_matrix(Searcher(args.sample_dir / "index"), load(SAMPLE_ONLY_FILES))]
    X = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    ruled = sum(p[2] for p in parts)
    groups = np.unique(np.array([i for p in parts for i in p[3]]), return_inverse=True)[1]
    w, b = fit(X, y, args.C)
    # The threshold is chosen on out-of-fold probabilities, so it reflects questions the model has
    # not seen (choosing it on the fitted model's own training data refused too little on test).
    p_oof = out_of_fold(X, y, args.C, groups=groups)
    t, metrics = choose_threshold(p_oof, y, args.max_false_refusal)
    below = p_oof[p_oof < t]
    if below.size:
        t = float((t + below.max()) / 2)
    p_fit = probabilities(X, w, b)
    fitted = {"refusal_recall": round(float(np.mean(p_fit[y == 0] < t)), 4),
              "false_refusal": round(float(np.mean(p_fit[y == 1] < t)), 4)}
    extras = [e for p in parts for e in p[4]]
    tiers = fit_tiers(X, extras, p_oof, y, groups, t, args.C, args.clear_precision, args.max_clear_unanswerable)
    out = {
        "features": list(FEATURES),
        "weights": {f: round(float(v), 6) for f, v in zip(FEATURES, w, strict=True)},
        "bias": round(b, 6),
        "threshold": round(t, 6),
        "related_margin": 0.06,
        "fitted_on": {"evaluation installation": list(DEV_FILES), "sample corpus only": list(SAMPLE_ONLY_FILES)},
        "fitted": date.today().isoformat(),
        "embedder": searcher.manifest.embedder,
        "C": args.C,
        "dev": {"n": int(len(y)), "answerable": int(y.sum()), "unanswerable": int((y == 0).sum()),
                "decided_by_rule": ruled, "out_of_fold": metrics, "fitted": fitted},
        "tiers": tiers,
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
