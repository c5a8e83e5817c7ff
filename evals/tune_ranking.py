"""Fit the authority prior of hybrid search (index.fusion.AUTHORITY_PRIOR) on the development split.

    python -m evals.tune_ranking

Runs every answerable dev question (real standards and sample corpus) through the
Searcher of the evaluation installation once, then re-ranks the same candidates under
each prior of a small grid and prints the share of questions whose first hit is gold,
per set. The prior is what a station would want: a standard before a guide, a rule
before the case that illustrates it. Only dev files are read.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import replace
from pathlib import Path

from evals import installation
from evals.metrics import clause_key
from evals.sets.validate import SETS_DIR

GROUPS = ("real", "sample")
GUIDE = (0.0, 0.03, 0.05, 0.08, 0.1, 0.15)
CASE = (0.0, 0.05, 0.1, 0.15, 0.2)
FAQ = (0.0, 0.05, 0.1)


def candidates(searcher, k: int = 20) -> list[tuple[str, set, list[tuple[tuple[str, str], str, float, bool]]]]:
    """(group, gold, [(key, doc kind, fused score before the prior, named by number)]) per dev question."""
    kinds = {c: d.kind for c, d in searcher.manifest.docs.items()}
    out = []
    for group in GROUPS:
        for line in (SETS_DIR / f"{group}_dev.jsonl").read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            gold = {clause_key(g["code"], g["clause_no"]) for g in row["gold"]}
            hits = searcher.search(row["question"], k=k)
            out.append((group, gold, [(clause_key(h.code, h.clause_no), kinds[h.code], h.score, "clause_no" in h.matched_by) for h in hits]))
    return out


def first_gold(data, prior: dict[str, float]) -> dict[str, float]:
    res = {}
    for group in GROUPS:
        rows = [d for d in data if d[0] == group]
        ok = sum(1 for _, gold, hits in rows if hits and max(hits, key=lambda h: (h[3], h[2] - prior.get(h[1], 0.0)))[0] in gold)
        res[group] = round(ok / len(rows), 3) if rows else 0.0
    return res


def main(argv: list[str] | None = None) -> int:
    from index import Searcher
    from index.fusion import DEFAULT_FUSION

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=installation.DEFAULT_DIR)
    args = ap.parse_args(argv)
    installation.build(args.data_dir, progress=False)
    # Candidates are collected without a prior, so each grid point re-ranks the same fused scores.
    searcher = Searcher(args.data_dir / "index", fusion=replace(DEFAULT_FUSION, kind_prior=()))
    data = candidates(searcher)
    table = []
    for g, c, f in itertools.product(GUIDE, CASE, FAQ):
        r = first_gold(data, {"guide": g, "case": c, "faq": f})
        table.append(((r["real"] + r["sample"]) / 2, r["real"], g, c, f, r))
    table.sort(key=lambda t: (t[0], t[1]), reverse=True)
    print(f"no prior: {first_gold(data, {})}")
    print(f"current:  {first_gold(data, dict(DEFAULT_FUSION.kind_prior))} {DEFAULT_FUSION.kind_prior}")
    print("best 15 (guide, case, faq): first hit gold per set, dev")
    for mean, _real, g, c, f, r in table[:15]:
        print(f"  {g:.2f} {c:.2f} {f:.2f}  mean {mean:.3f}  {r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
