"""Benchmarks and tuning of the retrieval index (issue 3). Numbers, not tests.

    python -m evals.bench_index quality   # analysers, recipes, fusion tuned on dev, checked on test
    python -m evals.bench_index scale     # build/query/RSS/incremental at 1k, 10k, 50k clauses
    python -m evals.bench_index all

Results go to evals/results/index_bench.{json,md}; working files to
evals/results/tmp/ (git-ignored). The real standards are read from
../shared/corpora and never copied into results (only scores and timings are).
At 10k and 50k the collection is the real corpora plus synthetic variants of
them; their vectors are perturbed copies of real embeddings (the default
engine would need hours to embed 50k clauses on 2 cores), while every query is
embedded for real and every changed clause of an incremental update too.

One module per job:
    documents   the real standards (through the product's parser) and the question sets
    quality     retrieval quality: analysers, passage recipes, fusion grid (scored by evals.metrics)
    synthetic   collections grown from the real standards, with perturbed real vectors
    throughput  embedding throughput, raw engine against our batched and cached path
    scale       build, incremental update and compaction at each size
    serve       query latency by mode and peak RSS, in a fresh process per index
    ann         approximate against exact vector search
    report      index_bench.json and its Markdown summary
    cli         the command line (``python -m evals.bench_index``)
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "evals" / "results"
TMP = RESULTS / "tmp"
# Real clause vectors, shared by the quality and scale runs (the first run embeds, later ones reuse).
EMBEDDING_CACHE = TMP / "embcache.sqlite"
