"""The evaluation harness: every retrieval mode, the two baselines and ``ask``, on the same questions.

    python -m evals.run [--split dev|test|all] [--sets real sample unanswerable]
                        [--questions FILE.jsonl ...] [--data-dir DIR] [--out evals/results]

Questions come from ``evals/sets/<set>_<split>.jsonl`` or from any JSONL file in the same
schema (``--questions``; only ``question`` is required, ``gold`` defaults to [] and
``answerable`` to whether there is gold). By default the evaluation installation (sample
corpus + the real standards, ``evals.installation``) is built or refreshed and used; with
``--data-dir`` an existing installation is used as it is.

Writes ``eval_results.json`` (every number), ``eval_details.jsonl`` (per question: ranks and
the ask outcome, no clause text), ``eval_results.md`` and ``eval_chart.png`` under ``--out``.
The scoring rules are in ``evals.metrics`` and ``evals.baselines``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError
from tqdm.auto import tqdm

from evals import installation
from evals.metrics import (
    Item,
    Key,
    citation_scores,
    clause_key,
    first_rank,
    percentiles,
    refusal_scores,
    retrieval_scores,
    risk_coverage,
    tier_scores,
)
from evals.sets.validate import SETS_DIR

RESULTS = installation.REPO / "evals" / "results"
SET_NAMES = ("real", "sample", "unanswerable")
SPLITS = ("dev", "test")
MODES = ("hybrid", "lexical", "dense")
BASELINES = ("chunk500", "bm25s")
K = 10
# Chunk vectors, keyed by model and text (git-ignored): only the first run embeds the ~1.5k chunks.
BASELINE_CACHE = RESULTS / "tmp" / "baseline-embcache.sqlite"


class GoldRef(BaseModel):
    code: str
    clause_no: str


class QuestionRow(BaseModel):
    """One line of a question file; the extra fields of the project's sets are optional here."""

    question: str = Field(min_length=1)
    gold: list[GoldRef] = Field(default_factory=list)
    answerable: bool | None = None
    id: str | None = None
    role: str = ""
    style: str = ""


@dataclass
class Question:
    id: str
    text: str
    gold: set[Key]
    answerable: bool
    pool: str  # dev | test | the custom pool: refusal precision is computed within a pool
    group: str  # real | sample | unanswerable | a custom file's stem
    style: str = ""


class QuestionFileError(ValueError):
    """A question file that cannot be read; the message is Chinese, for the user."""


def load_questions(path: Path, pool: str, group: str | None = None) -> list[Question]:
    """Read one JSONL file of questions; ``group`` defaults to the file's stem."""
    group = group or path.stem
    if not path.is_file():
        raise QuestionFileError(f"题目文件不存在：{path}")
    out: list[Question] = []
    for lineno, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = QuestionRow.model_validate_json(line)
        except ValidationError as exc:
            raise QuestionFileError(f"{path.name} 第 {lineno} 行格式不对：{exc.errors()[0]['msg']}") from exc
        gold = {clause_key(g.code, g.clause_no) for g in row.gold}
        answerable = bool(gold) if row.answerable is None else row.answerable
        if answerable and not gold:
            raise QuestionFileError(f"{path.name} 第 {lineno} 行标为可回答，但没有给出 gold 条文")
        out.append(Question(row.id or f"{path.stem}-{lineno}", row.question.strip(), gold, answerable, pool, group, row.style))
    return out


def select(split: str, sets: Sequence[str], questions: Sequence[Path], real_available: bool) -> tuple[list[Question], list[str]]:
    """The questions of this run, and notes on what was skipped."""
    notes: list[str] = []
    chosen: list[Question] = []
    splits = SPLITS if split == "all" else (split,)
    for s in splits:
        for name in sets:
            if name == "real" and not real_available:
                notes.append(f"真实规范目录不存在（{installation.CORPORA}），跳过 real_{s}.jsonl")
                continue
            chosen += load_questions(SETS_DIR / f"{name}_{s}.jsonl", pool=s, group=name)
    for p in questions:
        chosen += load_questions(Path(p), pool="custom")
    if not chosen:
        raise QuestionFileError("没有要评测的题目")
    return chosen, notes


@dataclass
class Outcome:
    """Everything measured for one question."""

    rankings: dict[str, list[Item]] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)
    grounded: bool = False
    certainty: str = "none"
    cited: list[Key] = field(default_factory=list)
    confidence: float = 0.0
    top_probability: float = 0.0


def _timed(fn: Callable[[], list[Item]]) -> tuple[list[Item], float]:
    t = time.perf_counter()
    r = fn()
    return r, time.perf_counter() - t


def evaluate(data_dir: Path, questions: list[Question], progress: bool = True,
             baseline_cache: Path | None = None, chunk_baseline: bool = True) -> tuple[list[Outcome], dict]:
    """Run every system on every question in this process; returns outcomes and setup facts.

    ``chunk_baseline`` False leaves out the chunk baseline, whose first run embeds ~1.5k chunks.
    """
    from assistant.answering.service import Answerer
    from assistant.config import Settings
    from corpus.library import Library
    from evals.baselines import BM25sBaseline, ChunkBaseline
    from index import Searcher
    from index.embedders import make_embedder

    settings = Settings(data_dir=data_dir)
    embedder = make_embedder(settings.embedder)
    docs = Library(data_dir / "library").documents()
    searchers = {m: Searcher(settings.index_dir, settings.embedder, embedder=embedder) for m in MODES}
    answerer = Answerer(settings, Searcher(settings.index_dir, settings.embedder, embedder=embedder))
    chunk = ChunkBaseline(docs, embedder, baseline_cache, progress=progress) if chunk_baseline else None
    bm25 = BM25sBaseline(docs)
    systems: dict[str, Callable[[str], list[Item]]] = {
        m: (lambda q, s=s, m=m: [frozenset((clause_key(h.code, h.clause_no),)) for h in s.search(q, k=K, mode=m)])
        for m, s in searchers.items()
    }
    if chunk is not None:
        systems["chunk500"] = lambda q: chunk.search(q, K)
    systems["bm25s"] = lambda q: bm25.search(q, K)
    for fn in systems.values():  # load models and indexes outside the timings
        fn("混凝土养护时间")
    answerer.answer("混凝土养护时间")

    outcomes = [Outcome() for _ in questions]
    names = [*systems, "ask"]
    # Every system takes a question before the next question, in a rotating order, so that other
    # load on the machine falls on all systems alike and the latencies stay comparable.
    for n, (q, o) in enumerate(zip(questions, tqdm(outcomes, desc="评测", disable=not progress, leave=False), strict=True)):
        for name in names[n % len(names) :] + names[: n % len(names)]:
            if name != "ask":
                o.rankings[name], o.latency[name] = _timed(lambda fn=systems[name], q=q: fn(q.text))
                continue
            t = time.perf_counter()
            ans = answerer.answer(q.text)
            o.latency["ask"] = time.perf_counter() - t
            o.grounded, o.certainty = ans.grounded, ans.certainty
            o.cited = [clause_key(c.code, c.clause_no) for c in ans.citations]
            o.confidence, o.top_probability = ans.confidence, ans.top_probability
    setup = {
        "documents": len(docs),
        "clauses": sum(len(d.clauses) for d in docs),
        "index_version": searchers["hybrid"].version_id,
        "embedder": embedder.model_id,
        "bm25s": {"rows": len(bm25.keys)},
    }
    if chunk is not None:
        setup["chunk500"] = {"chunks": len(chunk.chunks), "size": 500, "overlap": 100, "embedded_now": chunk.embedded}
    return outcomes, setup


def _tiers(questions: list[Question], outcomes: list[Outcome], idx: list[int]) -> dict:
    return tier_scores([outcomes[i].certainty for i in idx], [outcomes[i].cited for i in idx],
                       [questions[i].gold for i in idx], [questions[i].answerable for i in idx]).as_dict()


def _risk_coverage(questions: list[Question], outcomes: list[Outcome], idx: list[int]) -> list[dict]:
    """First-citation precision against the share answered, thresholding the tier model's probability."""
    return risk_coverage([outcomes[i].top_probability for i in idx], [outcomes[i].grounded for i in idx],
                         [bool(outcomes[i].cited) and outcomes[i].cited[0] in questions[i].gold for i in idx])


def score(questions: list[Question], outcomes: list[Outcome]) -> dict:
    """Metrics per pool and group; latency and refusal per pool."""
    ran = set(outcomes[0].rankings) if outcomes else set()
    systems = tuple(s for s in (*MODES, *BASELINES) if s in ran)
    pools: dict[str, dict] = {}
    for pool in dict.fromkeys(q.pool for q in questions):
        idx = [i for i, q in enumerate(questions) if q.pool == pool]
        groups: dict[str, dict] = {}
        for group in dict.fromkeys(questions[i].group for i in idx):
            gi = [i for i in idx if questions[i].group == group]
            ans = [i for i in gi if questions[i].answerable]
            entry: dict = {"questions": len(gi), "answerable": len(ans)}
            if ans:
                golds = [questions[i].gold for i in ans]
                entry["retrieval"] = {s: retrieval_scores([outcomes[i].rankings[s] for i in ans], golds).as_dict() for s in systems}
                entry["citation"] = citation_scores([outcomes[i].cited for i in ans], [outcomes[i].grounded for i in ans], golds).as_dict()
            entry["refusal"] = refusal_scores([not outcomes[i].grounded for i in gi], [questions[i].answerable for i in gi]).as_dict()
            entry["tiers"] = _tiers(questions, outcomes, gi)
            groups[group] = entry
        ans = [i for i in idx if questions[i].answerable]
        pools[pool] = {
            "groups": groups,
            "refusal": refusal_scores([not outcomes[i].grounded for i in idx], [questions[i].answerable for i in idx]).as_dict(),
            "citation": citation_scores([outcomes[i].cited for i in ans], [outcomes[i].grounded for i in ans],
                                        [questions[i].gold for i in ans]).as_dict(),
            "latency": {s: percentiles([outcomes[i].latency[s] for i in idx]) for s in (*systems, "ask")},
            "tiers": _tiers(questions, outcomes, idx),
            "tiers_by_style": {st: _tiers(questions, outcomes, [i for i in idx if questions[i].style == st])
                               for st in ("out_of_domain", "in_domain_uncovered")
                               if any(questions[i].style == st for i in idx)},
            "risk_coverage": {
                "real": _risk_coverage(questions, outcomes, [i for i in idx if questions[i].group == "real"]),
                "all": _risk_coverage(questions, outcomes, idx),
            },
        }
    return pools


def details(questions: list[Question], outcomes: list[Outcome]) -> list[dict]:
    """Per-question record for error analysis: keys and ranks only (no clause text)."""
    rows = []
    for q, o in zip(questions, outcomes, strict=True):
        rows.append({
            "id": q.id,
            "pool": q.pool,
            "group": q.group,
            "style": q.style,
            "question": q.text,
            "gold": sorted(q.gold),
            "answerable": q.answerable,
            "rank": {s: first_rank(r, q.gold) if q.gold else None for s, r in o.rankings.items()},
            "hybrid_top3": [sorted(it) for it in o.rankings.get("hybrid", [])[:3]],
            "grounded": o.grounded,
            "certainty": o.certainty,
            "first_citation": list(o.cited[0]) if o.grounded and o.cited else None,
            "shown": [list(c) for c in o.cited],
            "confidence": round(o.confidence, 4),
            "top_probability": round(o.top_probability, 4),
        })
    return rows


def run(split: str = "all", sets: Sequence[str] | None = None, questions: Sequence[Path] = (),
        out: Path = RESULTS, data_dir: Path | None = None, progress: bool = True, command: str | None = None,
        baseline_cache: Path | None = None, chunk_baseline: bool = True) -> dict:
    """Build or reuse the installation, evaluate, write the results files; returns the results.

    ``sets`` None means every set, or none when question files are given.
    """
    from evals import report

    real_available = installation.CORPORA.is_dir()
    if sets is None:
        sets = () if questions else SET_NAMES
    qs, notes = select(split, sets, questions, real_available)
    if data_dir is None:
        data_dir = installation.build(installation.DEFAULT_DIR, include_real=real_available, progress=progress)
    started = time.perf_counter()
    outcomes, setup = evaluate(Path(data_dir), qs, progress, baseline_cache or BASELINE_CACHE, chunk_baseline)
    results = {
        "generated": datetime.now().isoformat(timespec="seconds"),
        "command": command,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "installation": {"data_dir": _rel(Path(data_dir)), "real_corpora": real_available, **setup},
        "files": sorted({f"{q.group}/{q.pool}" for q in qs}),
        "notes": notes,
        "seconds": round(time.perf_counter() - started, 1),
        "pools": score(qs, outcomes),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval_results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
    with open(out / "eval_details.jsonl", "w", encoding="utf-8") as f:
        for row in details(qs, outcomes):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    report.write(results, out)
    return results


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(installation.REPO))
    except ValueError:
        return str(p)


def main(argv: list[str] | None = None) -> int:
    from evals import report

    ap = argparse.ArgumentParser(prog="python -m evals.run", description="评测检索、引用与拒答，并与通用 RAG 基线对比。")
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all", help="评测哪一部分（默认 all）")
    ap.add_argument("--sets", nargs="+", choices=SET_NAMES, default=None, help="题集（默认全部；给了 --questions 时默认不评）")
    ap.add_argument("--questions", nargs="+", type=Path, default=[], help="任意同格式的 JSONL 题目文件；只给它时只评这些")
    ap.add_argument("--data-dir", type=Path, default=None, help="使用已有的安装目录（默认构建评测安装）")
    ap.add_argument("--out", type=Path, default=RESULTS, help="结果目录（默认 evals/results）")
    ap.add_argument("--quiet", action="store_true", help="不显示进度")
    ap.add_argument("--no-chunk-baseline", action="store_true",
                    help="不评分块基线（首次运行要向量化约 1500 个分块；只看问答与确定性分级时可省去）")
    a = ap.parse_args(argv)
    try:
        results = run(a.split, a.sets, a.questions, a.out, a.data_dir, progress=not a.quiet,
                      command=" ".join(["python -m evals.run", *(argv if argv is not None else sys.argv[1:])]),
                      chunk_baseline=not a.no_chunk_baseline)
    except (QuestionFileError, FileNotFoundError) as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 1
    print(report.console_summary(results))
    print(f"结果已写入 {a.out}/eval_results.md、eval_results.json、eval_details.jsonl、eval_chart.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
