"""Approximate (HNSW, IVF) against exact vector search on a built index, with real query embeddings."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from evals.metrics import percentiles


def ann_recall(root: Path, questions: list[str], emb) -> dict:
    """recall@10 of each approximate index against the exact one, its build time and query latency."""
    from index.dense import DenseIndex, recall_at_k
    from index.store import IndexStore

    store = IndexStore(root / "index")
    m = store.read_manifest()
    seg = store.load_segment(m.segments[0].id, m.segments[0].dense)
    x = seg.dense.vectors()
    q = np.stack([emb.embed_query(t) for t in questions])
    exact = DenseIndex.build(x, 10**9)
    _, e_ids = exact.index.search(q, 10)
    out = {}
    for kind in ("hnsw", "ivf"):
        a = time.perf_counter()
        ann = DenseIndex.build(x, 0, kind)
        build = time.perf_counter() - a
        ids, lat = [], []
        for v in q:
            a = time.perf_counter()
            ids.append(ann.search(v, 10)[1])
            lat.append(time.perf_counter() - a)
        ids_arr = [np.pad(i, (0, 10 - len(i)), constant_values=-1) for i in ids]
        out[kind] = {"recall@10": round(recall_at_k(np.stack(ids_arr), e_ids, 10), 4), "build_s": round(build, 2), **percentiles(lat)}
    lat = []
    for v in q:
        a = time.perf_counter()
        exact.search(v, 10)
        lat.append(time.perf_counter() - a)
    out["flat"] = {"recall@10": 1.0, **percentiles(lat)}
    return out
