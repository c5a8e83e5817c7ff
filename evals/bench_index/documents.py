"""What the benchmarks run on: the real standards as the product ingests them, and the question sets.

The benchmarks measure the product's index, so the documents come from the product's parser
(``corpus.ingest.parse_path``); which files those are is evals.corpora's business.
"""

from __future__ import annotations

from pathlib import Path

from corpus.models import Document
from evals.corpora import CORPORA, real_sources
from evals.metrics import Key, clause_key
from evals.sets.validate import SETS_DIR, load_set


def real_documents(corpora: Path = CORPORA) -> list[Document]:
    """Every real standard the shared corpora hold, parsed by corpus.ingest (a failure stops the benchmark)."""
    from corpus.ingest import parse_path

    return [d for d in (parse_path(p) for p in real_sources(corpora)) if d.clauses]


def questions(split: str) -> tuple[list[str], list[set[Key]]]:
    """Answerable questions of ``real_{split}.jsonl`` and their gold clause keys (alternatives)."""
    path = SETS_DIR / f"real_{split}.jsonl"
    rows = load_set(path)[0] if path.exists() else []
    rows = [r for r in rows if r.get("answerable", True) and r.get("gold")]
    return [r["question"] for r in rows], [{clause_key(g["code"], g["clause_no"]) for g in r["gold"]} for r in rows]


def all_questions() -> list[str]:
    """Dev then test questions: the query load of the scale and serving benchmarks."""
    return questions("dev")[0] + questions("test")[0]
