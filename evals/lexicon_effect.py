"""What the site-language lexicon does: the same questions with and without it, on one installation.

    python -m evals.lexicon_effect [--split dev] [--data-dir evals/results/tmp/eval-install]
                                   [--out evals/results/lexicon_effect.json]

Variants: ``none`` (words as typed), ``file`` (index/lexicon.yaml only), ``file+mined`` (plus the
aliases of the 术语 chapters; what the searcher does by default), ``as-is`` (the searcher with no
arguments: run this file with PYTHONPATH pointing at another checkout to measure that code). For each: hybrid R@1/R@5/MRR per
set, ``ask`` wrong refusals of answerable questions and refusal of unanswerable ones. Nothing is
re-indexed: the lexicon only changes the query side. Tune on dev only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evals import installation
from evals.metrics import clause_key, first_rank, refusal_scores, retrieval_scores
from evals.run import SET_NAMES, K, Question, select

VARIANTS = ("none", "file", "file+mined", "as-is")


def measure(data_dir: Path, questions: list[Question], variants=VARIANTS, dense_gloss: bool = False, dense_amounts: bool = False) -> dict:
    from assistant.answering.service import Answerer
    from assistant.config import Settings
    from index import Searcher
    from index.embedders import make_embedder

    settings = Settings(data_dir=data_dir)
    embedder = make_embedder(settings.embedder)

    def searcher_for(v: str) -> Searcher:
        if v == "as-is":
            return Searcher(settings.index_dir, settings.embedder, embedder=embedder)
        from index.sitelang import SiteLexicon, default_lexicon

        base = default_lexicon()
        if dense_gloss or dense_amounts:
            base = SiteLexicon(base.terms, base.quantities, gloss_dense=dense_gloss, amounts_dense=dense_amounts)
        return Searcher(settings.index_dir, settings.embedder, embedder=embedder,
                        lexicon=SiteLexicon.empty() if v == "none" else base, mine_terms=v == "file+mined")

    out: dict = {}
    per_question: dict[str, dict] = {}
    for v in variants:
        searcher = searcher_for(v)
        answerer = Answerer(settings, searcher)
        rankings, refused, firsts = [], [], []
        for q in questions:
            hits = searcher.search(q.text, k=K, mode="hybrid")
            rankings.append([frozenset((clause_key(h.code, h.clause_no),)) for h in hits])
            ans = answerer.answer(q.text)
            refused.append(not ans.grounded)
            firsts.append(clause_key(ans.citations[0].code, ans.citations[0].clause_no) if ans.grounded and ans.citations
                          else None)
            per_question.setdefault(q.id, {"q": q.text, "group": q.group})[v] = {
                "rank": first_rank(rankings[-1], q.gold) if q.gold else None, "refused": refused[-1]}
        res: dict = {}
        for group in dict.fromkeys(q.group for q in questions):
            idx = [i for i, q in enumerate(questions) if q.group == group]
            ans = [i for i in idx if questions[i].answerable]
            entry: dict = {"questions": len(idx)}
            if ans:
                entry["hybrid"] = retrieval_scores([rankings[i] for i in ans], [questions[i].gold for i in ans]).as_dict()
                entry["first_citation_gold"] = round(
                    sum(1 for i in ans if firsts[i] in questions[i].gold) / len(ans), 4)
            entry["refusal"] = refusal_scores([refused[i] for i in idx], [questions[i].answerable for i in idx]).as_dict()
            res[group] = entry
        res["all"] = {"refusal": refusal_scores(refused, [q.answerable for q in questions]).as_dict()}
        out[v] = res
    changed = {qid: r for qid, r in per_question.items() if len({json.dumps(r[v]) for v in variants}) > 1}
    return {"variants": out, "changed": changed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.lexicon_effect", description="对比有无工地用语词表时的检索与拒答。")
    ap.add_argument("--split", default="dev", choices=["dev", "test"], help="题目划分（只在 dev 上调）")
    ap.add_argument("--data-dir", type=Path, default=installation.DEFAULT_DIR, help="已建好的评测安装目录")
    ap.add_argument("--out", type=Path, default=None, help="结果 JSON 写到这里")
    ap.add_argument("--dense-amounts", action="store_true", help="嵌入的文本也把数量说法规范化（“一周”改成“7天”）")
    ap.add_argument("--dense-gloss", action="store_true", help="嵌入的文本也带“工地说法（规范用语）”的括注")
    ap.add_argument("--sets", nargs="+", default=list(SET_NAMES), choices=SET_NAMES)
    ap.add_argument("--only-indexed", action="store_true",
                    help="只评测金标准条文所在规范已入库的可回答题（部分安装时用）")
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS[:3]), choices=VARIANTS)
    args = ap.parse_args(argv)
    qs, _ = select(args.split, args.sets, (), installation.CORPORA.is_dir())
    if args.only_indexed:
        from corpus.library import Library

        codes = {clause_key(d.code, "")[0] for d in Library(args.data_dir / "library").documents()}
        qs = [q for q in qs if not q.answerable or any(code in codes for code, _ in q.gold)]
        print(f"题目 {len(qs)} 道（金标准所在规范已入库的可回答题与全部不可回答题）")
    res = measure(args.data_dir, qs, args.variants, dense_gloss=args.dense_gloss, dense_amounts=args.dense_amounts)
    text = json.dumps(res, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")
    for v, r in res["variants"].items():
        line = [v]
        for g in ("real", "sample"):
            if g in r:
                h = r[g]["hybrid"]
                line.append(f"{g}: R@1 {h['R@1']:.3f} R@5 {h['R@5']:.3f} MRR {h['MRR']:.3f} "
                            f"wrong-refusal {r[g]['refusal']['wrong_refusal']:.3f} cite {r[g]['first_citation_gold']:.3f}")
        if "unanswerable" in r:
            line.append(f"unanswerable refused {r['unanswerable']['refusal']['recall']:.3f}")
        print(" | ".join(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
