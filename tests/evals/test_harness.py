"""The evaluation harness: scoring rules on hand-made rankings, the baselines' hit rule, and a tiny end-to-end run.

The documents below are written for this test (not taken from any standard).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from corpus.models import Clause, ClauseKind, DocKind, Document
from evals.baselines import BM25sBaseline, covered, document_text, make_chunks
from evals.metrics import (
    citation_scores,
    clause_key,
    item,
    ndcg_at,
    percentiles,
    refusal_scores,
    retrieval_scores,
    risk_coverage,
    tier_scores,
)

A, B, C, D = (("GB 55032-2022", "3.3.5"), ("GB 55032-2022", "4.3.2"), ("SL 677-2014", "4.1.2"), ("ZJ-CASE-2025", "AL-003"))


def _r(*keys):
    return [item(k) for k in keys]


# ---------------------------------------------------------------- metrics
def test_recall_mrr_on_hand_made_rankings() -> None:
    rankings = [
        _r(A, B, C),  # gold at 1
        _r(C, D, B),  # gold at 3
        _r(C, D) + [item(("X", str(i))) for i in range(10)],  # gold never
        [item(("X", str(i))) for i in range(5)] + _r(B),  # gold at 6
    ]
    golds = [{A}, {B}, {A}, {B}]
    s = retrieval_scores(rankings, golds)
    assert s.n == 4
    assert s.recall == {1: 0.25, 5: 0.5, 10: 0.75}
    assert s.mrr == pytest.approx((1 + 1 / 3 + 0 + 1 / 6) / 4)


def test_alternative_gold_counts_at_first_gold_found() -> None:
    s = retrieval_scores([_r(C, B, A)], [{A, B}])
    assert s.recall[1] == 0.0 and s.recall[5] == 1.0
    assert s.mrr == pytest.approx(0.5)


def test_ndcg_with_several_gold_clauses() -> None:
    # Two gold clauses at ranks 2 and 4: DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3).
    got = ndcg_at(_r(C, A, D, B), {A, B})
    assert got == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3)))
    assert ndcg_at(_r(A, B, C), {A, B}) == pytest.approx(1.0)
    assert ndcg_at(_r(B, A), {A, B}) == pytest.approx(1.0)  # order among gold does not matter
    assert ndcg_at(_r(C, D), {A, B}) == 0.0
    # One gold found of three: ideal has three ranks.
    assert ndcg_at(_r(A), {A, B, C}) == pytest.approx(1 / (1 + 1 / math.log2(3) + 1 / math.log2(4)))
    # A gold clause repeated further down (e.g. by overlapping chunks) gains nothing the second time.
    assert ndcg_at([item(A), item(A), item(B)], {A, B}) == pytest.approx(
        (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    )


def test_ndcg_with_chunk_items_is_capped_at_one() -> None:
    assert ndcg_at([item(A, B)], {A, B}) == pytest.approx(1.0)
    s = retrieval_scores([[item(C, D), item(A, C)]], [{A}])
    assert s.recall[1] == 0.0 and s.recall[5] == 1.0 and s.mrr == pytest.approx(0.5)


def test_questions_without_gold_are_not_scored_for_retrieval() -> None:
    s = retrieval_scores([_r(A), _r(B)], [{A}, set()])
    assert s.n == 1 and s.recall[1] == 1.0


def test_refusal_precision_recall_and_wrong_refusals() -> None:
    # 4 answerable (1 refused), 3 unanswerable (2 refused).
    refused = [False, True, False, False, True, True, False]
    answerable = [True, True, True, True, False, False, False]
    s = refusal_scores(refused, answerable)
    assert (s.answerable, s.unanswerable, s.refused) == (4, 3, 3)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 3)
    assert s.wrong_refusal == pytest.approx(1 / 4)
    none = refusal_scores([False, False], [True, True])
    assert none.precision is None and none.recall is None and none.wrong_refusal == 0.0


def test_citation_accuracy_counts_the_first_citation_only() -> None:
    cited = [[A, B], [C, A], [], [B]]
    grounded = [True, True, False, True]
    golds = [{A}, {A}, {A}, {A, B}]
    s = citation_scores(cited, grounded, golds)
    assert (s.n, s.answered, s.correct, s.cited_anywhere) == (4, 3, 2, 3)
    assert s.accuracy_answered == pytest.approx(2 / 3)
    assert s.accuracy_all == pytest.approx(2 / 4)


def test_tier_scores_judge_each_tier_by_what_it_shows() -> None:
    # answerable: clear right, clear wrong, likely with gold second, likely without gold, none;
    # unanswerable: none, likely, clear
    tiers = ["clear", "clear", "likely", "likely", "none", "none", "likely", "clear"]
    cited = [[A, B], [B, A], [C, A], [C, B], [], [], [C], [B]]
    golds = [{A}, {A}, {A}, {A}, {A}, set(), set(), set()]
    answerable = [True] * 5 + [False] * 3
    t = tier_scores(tiers, cited, golds, answerable)
    s = t.as_dict()
    assert (s["clear"], s["clear_answerable"], s["likely_answerable"], s["none_answerable"]) == (3, 2, 2, 1)
    # the unanswerable question answered clear counts as a wrong clear answer
    assert t.clear_precision == pytest.approx(1 / 3) and s["clear_precision"] == 0.3333
    assert t.clear_coverage == pytest.approx(2 / 5)
    assert t.gold_shown == pytest.approx(3 / 4)  # of the 4 answered clear or likely, gold shown in 3
    assert s["none_answerable_rate"] == pytest.approx(1 / 5, abs=1e-4)
    assert s["none_unanswerable_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert s["clear_unanswerable_rate"] == pytest.approx(1 / 3, abs=1e-4)


def test_risk_coverage_answers_the_most_confident_first() -> None:
    pts = risk_coverage([0.9, 0.8, 0.8, 0.3, 0.0], [True, True, True, True, False], [True, True, False, False, False])
    assert pts == [
        {"threshold": 0.9, "coverage": 0.2, "precision": 1.0},
        {"threshold": 0.8, "coverage": 0.6, "precision": 0.6667},  # tied scores enter together
        {"threshold": 0.3, "coverage": 0.8, "precision": 0.5},
    ]  # the refused question is never answered
    assert risk_coverage([], [], []) == []


def test_keys_compare_codes_canonically_and_collections_as_given() -> None:
    assert clause_key("GB55032—2022", " 3.3.5") == clause_key("GB 55032-2022", "3.3.5")
    assert clause_key("ZJ-CASE-2025", "AL-003") == D


def test_percentiles_nearest_rank() -> None:
    p = percentiles([i / 1000 for i in range(1, 101)])
    assert p == {"p50_ms": 50.0, "p95_ms": 95.0, "n": 100}


# ---------------------------------------------------------------- baselines
def _docs() -> list[Document]:
    concrete = Document(
        code="ZJ/T 9201-2024",
        title="示例混凝土养护规程",
        sha256="t1",
        clauses=[
            Clause(clause_no="3.1.1", text="混凝土浇筑完成后十二小时以内应覆盖并保湿养护。", chapter="3 养护", section="3.1 一般规定"),
            Clause(clause_no="3.1.2", text="普通硅酸盐水泥拌制的混凝土，保湿养护不得少于七天。", chapter="3 养护", section="3.1 一般规定"),
            Clause(clause_no="3.2.1", text="冬期施工时不得向混凝土表面洒水，应覆盖保温材料。", chapter="3 养护", section="3.2 冬期"),
            Clause(clause_no="4.1.1", text="钢筋进场时应抽取试件做屈服强度和伸长率检验。", chapter="4 钢筋", section="4.1 进场"),
            Clause(clause_no="3.1.2", text="养护时间不足会使表面起砂开裂，故规定最短天数。", kind=ClauseKind.commentary, refers_to="3.1.2"),
        ],
    )
    cases = Document(
        code="ZJ-CASE-2099",
        title="示例案例",
        kind=DocKind.case,
        sha256="t2",
        clauses=[Clause(clause_no="AL-001", title="楼板拆模过早", text="楼板混凝土强度未达要求即拆除底模，板面出现下挠。", kind=ClauseKind.case)],
    )
    return [concrete, cases]


def test_document_text_spans_point_at_their_clause_lines() -> None:
    dt = document_text(_docs()[0])
    for a, b, key in dt.spans:
        assert dt.text[a:b].startswith(key[1] + " ")
    assert "条文说明" in dt.text
    # The commentary line stands for the clause it explains.
    assert [k for *_, k in dt.spans].count(("ZJ/T 9201-2024", "3.1.2")) == 2


def test_chunk_hit_rule_needs_half_of_the_shorter_span() -> None:
    spans = [(0, 100, A), (101, 141, B), (142, 1142, C)]  # clauses of 100, 40 and 1000 characters
    assert covered(spans, 0, 60) == {A}  # 60 of A (needs 30: half the 60-character chunk)
    assert covered(spans, 60, 120) == {A}  # 40 of A (needs 30); 19 of B (needs 20)
    assert covered(spans, 70, 125) == {A, B}  # 30 of A (needs 27.5); 24 of B (needs 20)
    assert covered(spans, 0, 250) == {A, B}  # all of A and B; 108 of C (needs 125)
    assert covered(spans, 130, 400) == {C}  # 11 of B (needs 20); 258 of C (needs 135)
    assert covered(spans, 1120, 1500) == set()  # 22 of C (needs 190)


def test_make_chunks_respect_size_and_locate_clauses() -> None:
    chunks = make_chunks(_docs(), size=60, overlap=10)
    assert all(len(c.text) <= 60 for c in chunks)
    every = {k for c in chunks for k in c.keys}
    assert ("ZJ/T 9201-2024", "3.1.1") in every and ("ZJ-CASE-2099", "AL-001") in every
    for c in chunks:
        doc = next(d for d in _docs() if d.code == c.code)
        assert document_text(doc).text[c.start : c.start + len(c.text)] == c.text


def test_bm25s_default_tokenizer_finds_nothing_in_unspaced_chinese() -> None:
    b = BM25sBaseline(_docs())
    assert b.search("混凝土保湿养护不得少于几天") == []
    assert len(b.keys) == 6


# ---------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def tiny_installation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from corpus.library import Library
    from index import sync_index

    d = tmp_path_factory.mktemp("tiny-install")
    lib = Library(d / "library")
    for doc in _docs():
        lib.put(doc)
    sync_index(lib, d / "index", progress=False)
    return d


QUESTIONS = [
    {"question": "ZJ/T 9201-2024 第3.1.2条", "gold": [{"code": "ZJ/T9201-2024", "clause_no": "3.1.2"}]},
    {"question": "砼保湿养护最少几天", "gold": [{"code": "ZJ/T 9201-2024", "clause_no": "3.1.2"}], "answerable": True},
    {"question": "钢筋进场要做哪些检验", "gold": [{"code": "ZJ/T 9201-2024", "clause_no": "4.1.1"}]},
    {"question": "拆模太早楼板往下挠", "gold": [{"code": "ZJ-CASE-2099", "clause_no": "AL-001"}]},
    {"question": "今晚国足几点开踢", "gold": [], "answerable": False},
    {"question": "个税房贷利息怎么填"},
]


def test_harness_on_an_unseen_question_file(tiny_installation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from evals import run

    monkeypatch.setattr(run, "BASELINE_CACHE", tmp_path / "baseline-cache.sqlite")

    qfile = tmp_path / "holdout.jsonl"
    qfile.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n", "utf-8")
    out = tmp_path / "results"
    res = CliRunner().invoke(
        app, ["eval", "--questions", str(qfile), "--data-dir", str(tiny_installation), "--out", str(out), "--json"]
    )
    assert res.exit_code == 0, res.output
    results = json.loads(res.output)
    assert set(results["pools"]) == {"custom"}
    pool = results["pools"]["custom"]
    group = pool["groups"]["holdout"]
    assert (group["questions"], group["answerable"]) == (6, 4)
    assert set(group["retrieval"]) == {"hybrid", "lexical", "dense", "chunk500", "bm25s"}

    rows = [json.loads(line) for line in (out / "eval_details.jsonl").read_text("utf-8").splitlines()]
    assert [r["question"] for r in rows] == [q["question"] for q in QUESTIONS]
    # A question naming the clause puts it first in every mode of ours.
    assert all(rows[0]["rank"][m] == 1 for m in ("hybrid", "lexical", "dense"))
    # The published numbers are the ones the per-question ranks give.
    answerable = [r for r in rows if r["answerable"]]
    for system, m in group["retrieval"].items():
        ranks = [r["rank"][system] for r in answerable]
        for k in (1, 5, 10):
            assert m[f"R@{k}"] == pytest.approx(sum(1 for x in ranks if x and x <= k) / 4, abs=1e-4)
        assert m["MRR"] == pytest.approx(sum(1 / x for x in ranks if x) / 4, abs=1e-4)
    assert group["retrieval"]["bm25s"]["R@10"] == 0.0  # the default tokenizer finds nothing in Chinese
    refused = [not r["grounded"] for r in rows]
    assert pool["refusal"]["refused"] == sum(refused)
    assert pool["refusal"]["wrong_refusal"] == pytest.approx(sum(refused[:4]) / 4, abs=1e-4)
    assert pool["refusal"]["recall"] == pytest.approx(sum(refused[4:]) / 2, abs=1e-4)
    assert set(pool["latency"]) == {"hybrid", "lexical", "dense", "chunk500", "bm25s", "ask"}
    assert {r["certainty"] for r in rows} <= {"clear", "likely", "none"}
    assert [r["certainty"] == "none" for r in rows] == refused
    assert pool["tiers"]["clear"] == sum(r["certainty"] == "clear" for r in rows)
    assert rows[0]["certainty"] == "clear" and rows[0]["top_probability"] == 1.0  # named by number
    assert len(pool["risk_coverage"]["all"]) >= 1

    md = (out / "eval_results.md").read_text("utf-8")
    assert "### holdout / custom (4 answerable questions)" in md
    assert (out / "eval_chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "## ask: certainty tiers" in md and "| custom / holdout | 4 |" in md
    assert (out / "eval_risk_coverage.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "baseline-cache.sqlite").exists()


def test_harness_without_the_chunk_baseline(tiny_installation: Path, tmp_path: Path) -> None:
    from evals import run

    qfile = tmp_path / "holdout.jsonl"
    qfile.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n", "utf-8")
    out = tmp_path / "results"
    results = run.run(questions=[qfile], out=out, data_dir=tiny_installation, progress=False, chunk_baseline=False,
                      baseline_cache=tmp_path / "never.sqlite")
    pool = results["pools"]["custom"]
    assert set(pool["groups"]["holdout"]["retrieval"]) == {"hybrid", "lexical", "dense", "bm25s"}
    assert "chunk500" not in results["installation"] and not (tmp_path / "never.sqlite").exists()
    assert "chunk baseline not run" in (out / "eval_results.md").read_text("utf-8")
    assert pool["tiers"]["answerable"] == 4


def test_bad_question_file_is_reported_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from evals.run import QuestionFileError, load_questions, main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "混凝土养护几天", "gold": []}\n{"gold": []}\n', "utf-8")
    with pytest.raises(QuestionFileError, match="第 2 行"):
        load_questions(bad, pool="custom")
    claimed = tmp_path / "claimed.jsonl"
    claimed.write_text('{"question": "混凝土养护几天", "answerable": true}\n', "utf-8")
    with pytest.raises(QuestionFileError, match="没有给出 gold"):
        load_questions(claimed, pool="custom")
    assert main(["--questions", str(tmp_path / "missing.jsonl"), "--data-dir", str(tmp_path), "--quiet"]) == 1
    assert "题目文件不存在" in capsys.readouterr().err
