"""BM25 over analysed clause text, one bm25s index per segment.

A base segment (full build or compaction) is indexed by bm25s with its own
corpus statistics. A delta segment (documents added since) is scored with the
statistics of the base plus its own, so its scores stay comparable with the
base's and a one-document update does not rescore the whole collection.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import bm25s
import numpy as np

# bm25s sets its own logger to DEBUG on import, which would print English progress lines on every terminal.
logging.getLogger("bm25s").setLevel(logging.WARNING)

K1 = 1.5
B = 0.75


class LexicalIndex:
    """BM25 ('lucene' variant, as bm25s computes it) over one segment's rows."""

    def __init__(self, bm: bm25s.BM25, n_docs: int, avgdl: float) -> None:
        self.bm = bm
        self.n_docs = n_docs
        self.avgdl = avgdl

    # -- building --------------------------------------------------------
    @classmethod
    def build(cls, token_lists: list[list[str]], base: LexicalIndex | None = None) -> LexicalIndex:
        """Index ``token_lists``; with ``base`` given, score against base + own statistics."""
        n = len(token_lists)
        lengths = np.fromiter((len(t) for t in token_lists), dtype=np.float64, count=n)
        own_avgdl = float(lengths.mean()) if n else 0.0
        if base is None:
            bm = bm25s.BM25(k1=K1, b=B, method="lucene")
            bm.index(token_lists, show_progress=False)
            return cls(bm, n, own_avgdl)
        return cls._build_with_stats(token_lists, lengths, base)

    @classmethod
    def _build_with_stats(cls, token_lists: list[list[str]], lengths: np.ndarray, base: LexicalIndex) -> LexicalIndex:
        n = len(token_lists)
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        for i, toks in enumerate(token_lists):
            for t, c in Counter(toks).items():
                cols.append(vocab.setdefault(t, len(vocab)))
                rows.append(i)
                tfs.append(c)
        vocab.setdefault("", len(vocab))  # bm25s keeps an empty token for empty queries
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        tf = np.asarray(tfs, dtype=np.float64)
        n_all = base.n_docs + n
        avgdl = (base.avgdl * base.n_docs + float(lengths.sum())) / max(n_all, 1)
        df = np.bincount(c, minlength=len(vocab)).astype(np.float64)
        df += base.doc_freqs(list(vocab))
        idf = np.log1p((n_all - df + 0.5) / (df + 0.5))
        tfc = tf / (K1 * ((1 - B) + B * lengths[r] / max(avgdl, 1e-9)) + tf)
        # Column-major (term -> postings) layout, as bm25s stores its score matrix.
        order = np.lexsort((r, c))
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(c, minlength=len(vocab)), out=indptr[1:])
        bm = bm25s.BM25(k1=K1, b=B, method="lucene")
        bm.scores = {
            "data": (idf[c] * tfc)[order].astype(np.float32),
            "indices": r[order].astype(np.int32),
            "indptr": indptr.astype(np.int32),
            "num_docs": n,
        }
        bm.vocab_dict = vocab
        bm.unique_token_ids_set = set(vocab.values())
        bm.nonoccurrence_array = None
        return cls(bm, n, float(lengths.mean()) if n else 0.0)

    def doc_freqs(self, terms: list[str]) -> np.ndarray:
        """Document frequency of each term in this segment (0 for unknown terms)."""
        indptr = self.bm.scores["indptr"]
        vd = self.bm.vocab_dict
        out = np.zeros(len(terms), dtype=np.float64)
        for i, t in enumerate(terms):
            j = vd.get(t)
            if j is not None and j + 1 < len(indptr):  # bm25s's empty token has no column
                out[i] = indptr[j + 1] - indptr[j]
        return out

    # -- querying --------------------------------------------------------
    def scores(self, tokens: list[str], weight_mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row for the query tokens (zeros when none is known)."""
        vd = self.bm.vocab_dict
        ids = [vd[t] for t in tokens if t and t in vd]
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        return self.bm.get_scores_from_ids(ids, weight_mask=weight_mask)

    # -- persistence -----------------------------------------------------
    def save(self, path: Path) -> None:
        path = Path(path)
        self.bm.save(str(path), show_progress=False)
        (path / "zhijian.json").write_text(json.dumps({"n_docs": self.n_docs, "avgdl": self.avgdl}), "utf-8")

    @classmethod
    def load(cls, path: Path, mmap: bool = False) -> LexicalIndex:
        path = Path(path)
        meta = json.loads((path / "zhijian.json").read_text("utf-8"))
        bm = bm25s.BM25.load(str(path), mmap=mmap, show_progress=False)
        return cls(bm, int(meta["n_docs"]), float(meta["avgdl"]))

