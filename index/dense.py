"""Vector search with FAISS: exact inner product for small segments, HNSW (or IVF) above a threshold.

Vectors are L2-normalised, so inner product is cosine similarity. Filters
(kind, code, status, deleted rows) are applied inside FAISS through an
IDSelectorBitmap; when a filter leaves only a small part of a large segment,
the search switches to an exact scan of the allowed rows, where a graph search
would lose recall.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96
IVF_NPROBE = 16
# Below this share of allowed rows an approximate segment is scanned exactly.
EXACT_BELOW_FRACTION = 0.15


def build_dense(vectors: np.ndarray, ann_threshold: int, ann: str = "hnsw") -> tuple[faiss.Index, str]:
    """Flat IP up to ``ann_threshold`` rows, else an approximate index; returns (index, kind)."""
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n, d = x.shape
    if n <= ann_threshold or ann == "flat":
        index: faiss.Index = faiss.IndexFlatIP(d)
        kind = "flat"
    elif ann == "hnsw":
        index = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        kind = "hnsw"
    elif ann == "ivf":
        nlist = max(16, int(4 * np.sqrt(n)))
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = x[rng.choice(n, size=min(n, nlist * 64), replace=False)]
        index.train(sample)
        index.nprobe = IVF_NPROBE
        index.make_direct_map()
        kind = "ivf"
    else:
        raise ValueError(f"unknown ann kind {ann!r}")
    if n:
        index.add(x)
    return index, kind


class DenseIndex:
    """One segment's FAISS index with filtered top-k search."""

    def __init__(self, index: faiss.Index, kind: str) -> None:
        self.index = index
        self.kind = kind
        self.n = int(index.ntotal)
        if kind == "hnsw":
            self.index.hnsw.efSearch = max(self.index.hnsw.efSearch, HNSW_EF_SEARCH)
        if kind == "ivf":
            self.index.nprobe = IVF_NPROBE

    @classmethod
    def build(cls, vectors: np.ndarray, ann_threshold: int, ann: str = "hnsw") -> DenseIndex:
        index, kind = build_dense(vectors, ann_threshold, ann)
        return cls(index, kind)

    def vectors(self) -> np.ndarray:
        """All stored vectors (used by compaction and by clause-number lookups)."""
        if self.n == 0:
            return np.zeros((0, self.index.d), dtype=np.float32)
        return self.index.reconstruct_n(0, self.n)

    def vector(self, i: int) -> np.ndarray:
        return self.index.reconstruct(int(i))

    def _exact_index(self) -> faiss.Index | None:
        if self.kind == "flat":
            return self.index
        if self.kind == "hnsw":
            return faiss.downcast_index(self.index.storage)
        return None

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, row ids) among ``allowed`` rows (a bool mask), best first."""
        if self.n == 0 or k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        q2 = np.ascontiguousarray(q, dtype=np.float32).reshape(1, -1)
        k = min(k, self.n)
        params = None
        target = self.index
        bits = None
        if allowed is not None and not allowed.all():
            n_ok = int(allowed.sum())
            if n_ok == 0:
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            k = min(k, n_ok)
            bits = np.packbits(allowed, bitorder="little")
            sel = faiss.IDSelectorBitmap(self.n, faiss.swig_ptr(bits))
            exact = self._exact_index()
            if self.kind == "flat" or (exact is not None and n_ok < EXACT_BELOW_FRACTION * self.n):
                target = exact
                params = faiss.SearchParameters(sel=sel)
            elif self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(HNSW_EF_SEARCH, 2 * k))
            else:
                nprobe = self.index.nlist if n_ok < EXACT_BELOW_FRACTION * self.n else IVF_NPROBE
                params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        elif self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, 2 * k))
        scores, ids = target.search(q2, k, params=params)
        del bits  # kept alive until the search has run
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep].astype(np.int64)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, kind: str) -> DenseIndex:
        return cls(faiss.read_index(str(path)), kind)


def recall_at_k(approx_ids: np.ndarray, exact_ids: np.ndarray, k: int) -> float:
    """Share of the exact top-k that the approximate search also returned (averaged over queries)."""
    hits = [len(set(a[:k].tolist()) & set(e[:k].tolist())) / k for a, e in zip(approx_ids, exact_ids, strict=True)]
    return float(np.mean(hits)) if hits else 1.0
