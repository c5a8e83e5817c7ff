"""FAISS segments: approximate search keeps recall on a synthetic set; filters are exact."""

from __future__ import annotations

import numpy as np
import pytest

from index.dense import DenseIndex, recall_at_k


def _clustered(n: int, d: int = 48, centers: int = 60, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centers, d))
    x = c[rng.integers(0, centers, n)] + 0.35 * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("ann", ["hnsw", "ivf"])
def test_approximate_index_recall_against_exact(ann: str) -> None:
    x = _clustered(6000)
    q = _clustered(100, seed=1)
    exact = DenseIndex.build(x, ann_threshold=10**9)
    approx = DenseIndex.build(x, ann_threshold=1000, ann=ann)
    assert exact.kind == "flat" and approx.kind == ann
    e = np.stack([exact.search(v, 10)[1] for v in q])
    a = np.stack([approx.search(v, 10)[1] for v in q])
    assert recall_at_k(a, e, 10) >= 0.9


@pytest.mark.parametrize("ann", ["flat", "hnsw", "ivf"])
@pytest.mark.parametrize("share", [0.5, 0.02])
def test_filtered_search_returns_only_allowed_rows(ann: str, share: float) -> None:
    x = _clustered(4000)
    idx = DenseIndex.build(x, ann_threshold=0 if ann != "flat" else 10**9, ann="hnsw" if ann == "flat" else ann)
    rng = np.random.default_rng(2)
    allowed = rng.random(len(x)) < share
    for v in _clustered(20, seed=3):
        scores, ids = idx.search(v, 10, allowed)
        assert len(ids) == 10 and allowed[ids].all()
        best = np.flatnonzero(allowed)[np.argmax(x[allowed] @ v)]
        if share < 0.1:  # a selective filter is answered exactly
            assert ids[0] == best
        assert list(scores) == sorted(scores, reverse=True)


def test_vectors_round_trip(tmp_path) -> None:
    x = _clustered(300)
    idx = DenseIndex.build(x, ann_threshold=100)
    idx.save(tmp_path / "d.faiss")
    again = DenseIndex.load(tmp_path / "d.faiss", idx.kind)
    np.testing.assert_allclose(again.vectors(), x, atol=1e-6)
    assert again.search(x[7], 1)[1][0] == 7
