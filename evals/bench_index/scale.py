"""Scale: build, incremental re-ingest and compaction at each collection size, then serving each index.

At sizes above the real ~2.5k clauses the collection is grown by evals.bench_index.synthetic; every
query and every changed clause of an incremental update is embedded by the real engine.
"""

from __future__ import annotations

import json
import shutil
import time

from corpus.library import Library
from evals.bench_index import EMBEDDING_CACHE, TMP
from evals.bench_index.ann import ann_recall
from evals.bench_index.documents import all_questions, real_documents
from evals.bench_index.serve import probe
from evals.bench_index.synthetic import PerturbedEmbedder, perturbed_vectors, synthetic_documents
from evals.bench_index.throughput import embedding_throughput


def scale(out: dict, sizes: list[int]) -> None:
    """Fill ``out["scale"]``: parse and embedding rates, then one row per size."""
    from index import sync_index
    from index.embedders import EmbeddingCache

    a = time.perf_counter()
    real = real_documents()
    parse_s = time.perf_counter() - a
    cache = EmbeddingCache(EMBEDDING_CACHE)
    questions = all_questions()
    n_real = sum(len(d.clauses) for d in real)
    res: dict = {
        "parse": {"clauses": n_real, "s": round(parse_s, 2), "clauses_per_s": round(n_real / parse_s)},
        "embedding_throughput": embedding_throughput(real),
    }
    print("embedding throughput", res["embedding_throughput"])
    for size in sizes:
        docs = synthetic_documents(real, size)
        known = perturbed_vectors(real, docs, cache)
        emb = PerturbedEmbedder(known)
        root = TMP / f"scale-{size}"
        shutil.rmtree(root, ignore_errors=True)
        lib = Library(root / "library")
        a = time.perf_counter()
        for d in docs:
            lib.put(d)
        lib_write = time.perf_counter() - a
        a = time.perf_counter()
        rep = sync_index(lib, root / "index", progress=False, embedder=emb)
        build = time.perf_counter() - a
        n = rep.clauses
        row: dict = {
            "clauses": n,
            "documents": len(docs),
            "library_write_s": round(lib_write, 2),
            "build_s": round(build, 2),
            "build_stages_s": rep.timings,
            "dense": rep.dense,
            "rows_per_s": {k: round(n / v) for k, v in rep.timings.items() if k in ("analyse", "bm25", "faiss", "write") and v > 0},
        }
        # Incremental: replace one synthetic document of ~100 clauses with edited text.
        target = next((d for d in docs if d.sha256.startswith("syn") and len(d.clauses) >= 100), docs[-1])
        edited = target.model_copy(
            update={"clauses": [c.model_copy(update={"text": c.text + "（修订）"}) for c in target.clauses[:100]], "sha256": "edited"}
        )
        lib.put(edited)
        a = time.perf_counter()
        inc = sync_index(lib, root / "index", progress=False, embedder=emb)
        row["incremental_100"] = {"s": round(time.perf_counter() - a, 2), "stages_s": inc.timings, "embedded": inc.clauses_embedded, "compacted": inc.compacted}
        # Then the same document again with 10 clauses re-worded (and the rest unchanged).
        again = edited.model_copy(
            update={"clauses": [c.model_copy(update={"text": c.text + "（再次修订）"}) if i < 10 else c for i, c in enumerate(edited.clauses)]}
        )
        lib.put(again)
        a = time.perf_counter()
        inc = sync_index(lib, root / "index", progress=False, embedder=emb)
        row["incremental_10"] = {"s": round(time.perf_counter() - a, 2), "stages_s": inc.timings, "embedded": inc.clauses_embedded, "compacted": inc.compacted}
        a = time.perf_counter()
        full = sync_index(lib, root / "index", progress=False, embedder=emb, rebuild=True)
        row["compaction_s"] = round(time.perf_counter() - a, 2)
        row["compaction_stages_s"] = full.timings
        if size >= 20000:
            row["ann"] = ann_recall(root, questions, emb)
        res[str(size)] = row
        print(json.dumps({size: row}, ensure_ascii=False))
        shutil.rmtree(root / "library", ignore_errors=True)
    # Serving is measured after all builds, one fresh process per size, with nothing else running here.
    for size in sizes:
        res[str(size)]["serve"] = probe(TMP / f"scale-{size}" / "index")
        print(size, res[str(size)]["serve"])
    out["scale"] = res

