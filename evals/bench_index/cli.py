"""``python -m evals.bench_index quality|scale|all [--sizes 1000,10000,50000]``."""

from __future__ import annotations

import argparse
import json
import sys

from evals.bench_index import RESULTS, TMP
from evals.corpora import CORPORA, complete


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_index")
    ap.add_argument("what", choices=["quality", "scale", "all", "_probe"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--sizes", default="1000,10000,50000")
    a = ap.parse_args(argv)
    if a.what == "_probe":  # the child process of evals.bench_index.serve.probe
        from evals.bench_index.documents import all_questions
        from evals.bench_index.serve import serve_probe

        print(json.dumps(serve_probe(a.args[0], all_questions(), 200)))
        return
    if not complete(CORPORA):
        sys.exit(f"real corpora not found under {CORPORA}")
    from evals.bench_index.quality import quality
    from evals.bench_index.report import write_results
    from evals.bench_index.scale import scale

    TMP.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "index_bench.json"
    out: dict = json.loads(path.read_text("utf-8")) if path.exists() else {}
    if a.what in ("quality", "all"):
        quality(out)
        write_results({"quality": out["quality"]})
    if a.what in ("scale", "all"):
        scale(out, [int(s) for s in a.sizes.split(",")])
        write_results({"scale": out["scale"]})
