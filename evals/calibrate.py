"""Fit the refusal decision on the development split and write assistant/answering/grounding.json.

    python -m evals.calibrate [--max-false-refusal 0.08]

Features come from the live retrieval (``Grounding.features``); the model is a
logistic regression on standardised features (stored as weights on the raw
ones). The threshold is the one that refuses the most unanswerable development
questions while wrongly refusing at most the given share of answerable ones,
judged on out-of-fold probabilities (5-fold, repeated) so that it holds for
questions the model was not fitted on. Questions a rule decides (a clause named
by number) are left out. Only dev files are read: the test split stays unseen.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np

from assistant.answering.grounding import CALIBRATION_FILE, FEATURES, Grounding
from evals import installation
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


def feature_matrix(searcher, rows: list[dict]) -> tuple[np.ndarray, np.ndarray, int, list[str]]:
    """Features of the questions the model decides; those a rule decides (a clause named by
    number, found or missing) are left out, as the Answerer never asks the model about them."""
    from assistant.answering.service import Answerer
    from assistant.config import Settings

    probe = Grounding(weights=(0.0,) * len(FEATURES), bias=0.0, threshold=0.5)
    answerer = Answerer(settings=Settings(), searcher=searcher, grounding=probe)
    X, y, ruled = [], [], 0
    ids = []
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
    return np.asarray(X, dtype=float), np.asarray(y), ruled, ids


def fit(X: np.ndarray, y: np.ndarray, C: float = 1.0):
    """Logistic regression on standardised features, returned as (weights, bias) on the raw features."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    model = LogisticRegression(class_weight="balanced", C=C, max_iter=5000).fit((X - mu) / sd, y)
    w = model.coef_[0] / sd
    return w, float(model.intercept_[0] - np.sum(model.coef_[0] * mu / sd))


def probabilities(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(X @ w + b)))


def out_of_fold(X: np.ndarray, y: np.ndarray, C: float = 1.0, repeats: int = 5, groups: np.ndarray | None = None) -> np.ndarray:
    """Each dev question's probability from models that did not see it (5-fold, averaged over repeats).

    ``groups`` keeps the rows of one question (asked of both installations) in the same fold.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    groups = np.arange(len(y)) if groups is None else groups
    p = np.zeros(len(y))
    for rep in range(repeats):
        for train, held in StratifiedGroupKFold(5, shuffle=True, random_state=rep).split(X, y, groups):
            w, b = fit(X[train], y[train], C)
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


def main(argv: list[str] | None = None) -> int:
    from index import Searcher

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max-false-refusal", type=float, default=0.08)
    ap.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
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
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
