"""The evaluation sets are well formed and their gold citations point at clauses that exist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.sets import validate as v

SETS = v.SETS_DIR
REAL_FILES = ("real_dev.jsonl", "real_test.jsonl")
UNANSWERABLE_FILES = ("unanswerable_dev.jsonl", "unanswerable_test.jsonl")
SAMPLE_FILES = ("sample_dev.jsonl", "sample_test.jsonl")
BLIND_FILES = ("blind/real_blind.jsonl", "blind/unanswerable_blind.jsonl",
               "blind2/real_blind2.jsonl", "blind2/unanswerable_blind2.jsonl")
# Every set the repository ships, listed here rather than taken from the validator, so a file that
# goes missing (or drops out of the validator's list) fails instead of being skipped.
EXPECTED_FILES = REAL_FILES + UNANSWERABLE_FILES + SAMPLE_FILES + BLIND_FILES

# The real standards are beside the checkout only on CI and developer machines; the sample corpus ships.
needs_corpora = pytest.mark.skipif(
    not v.DEFAULT_CORPORA.is_dir(), reason=f"真实规范目录不存在：{v.DEFAULT_CORPORA}（仅 CI 与开发机有）"
)


def _rows(names: tuple[str, ...]) -> list[dict]:
    rows: list[dict] = []
    for name in names:
        got, problems = v.load_set(SETS / name)
        assert not problems, problems
        rows += got
    return rows


def _problems(report: v.Report, names: tuple[str, ...]) -> list[v.Problem]:
    return [p for p in report.problems if p.file in names]


@pytest.fixture(scope="module")
def report() -> v.Report:
    return v.validate()


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_expected_set_file_exists_and_has_questions(name: str) -> None:
    assert (SETS / name).is_file(), f"评测集文件缺失：{name}"
    assert _rows((name,)), f"评测集文件为空：{name}"


def test_validator_checks_every_expected_file(report: v.Report) -> None:
    assert sorted(v.SET_FILES) == sorted(EXPECTED_FILES)
    assert not [s for s in report.skipped if "文件不存在" in s], report.skipped
    assert set(report.counts["per_file"]) == set(EXPECTED_FILES)


def test_schema_and_ids_without_sources(tmp_path: Path) -> None:
    """Shape and id checks must pass even where neither source is present."""
    rep = v.validate(corpora=tmp_path / "none", sample_root=tmp_path / "none")
    assert rep.ok, rep.problems[:5]
    assert any("真实规范目录不存在" in s for s in rep.skipped)


def test_minimum_sizes_and_splits() -> None:
    real, unans = _rows(REAL_FILES), _rows(UNANSWERABLE_FILES)
    assert len(real) >= 60
    assert len(unans) >= 30
    assert all(r["answerable"] and r["gold"] for r in real)
    assert all(not r["answerable"] and r["gold"] == [] for r in unans)
    for dev, test in (REAL_FILES, UNANSWERABLE_FILES):
        n_dev, n_test = len(_rows((dev,))), len(_rows((test,)))
        # Both splits stay substantial: dev grew when the refusal model needed more negatives to fit on.
        assert 0.3 <= n_dev / (n_dev + n_test) <= 0.7
    styles = {r["style"] for r in unans}
    assert styles == {"out_of_domain", "in_domain_uncovered"}


def test_dev_and_test_do_not_share_questions() -> None:
    for files in (REAL_FILES, UNANSWERABLE_FILES, SAMPLE_FILES):
        dev, test = ({r["question"] for r in _rows((f,))} for f in files)
        assert not dev & test


@needs_corpora
def test_real_gold_clauses_exist(report: v.Report) -> None:
    assert not _problems(report, REAL_FILES), _problems(report, REAL_FILES)[:5]
    codes = {g["code"] for r in _rows(REAL_FILES) for g in r["gold"]}
    assert {"GB 55032-2022", "GB 55001-2021", "SL 677-2014"} <= codes


def test_sample_gold_clauses_exist(report: v.Report) -> None:
    assert (v.DEFAULT_SAMPLE / "README.md").exists(), "示例语料缺失（corpus/sample/README.md 不存在）"
    rows = _rows(SAMPLE_FILES)
    assert len(rows) >= 80
    assert not _problems(report, SAMPLE_FILES), _problems(report, SAMPLE_FILES)[:5]
    codes = {g["code"] for r in rows for g in r["gold"]}
    assert {"ZJ-CASE-2025", "ZJ-FAQ-2025"} <= codes


def _write(path: Path, rows: list[dict | str]) -> None:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
        encoding="utf-8",
    )


def _row(i: str, gold: list[dict], **kw) -> dict:
    base = {"id": i, "question": "拆模要等多久", "gold": gold, "answerable": bool(gold),
            "role": "contractor", "style": "colloquial", "notes": ""}
    return base | kw


def test_validator_catches_bad_rows(tmp_path: Path) -> None:
    """Each kind of mistake is reported with its line, so the checks are not vacuous."""
    _write(tmp_path / "real_dev.jsonl", [
        _row("real-dev-001", [{"code": "GB 55032-2022", "clause_no": "3.3.5"}]),
        _row("real-dev-001", [{"code": "GB 55032-2022", "clause_no": "3.3.5"}]),  # duplicate id
        "{not json",
        _row("real-dev-003", [], answerable=True),  # answerable without gold
        _row("real-dev-004", [{"code": "GB 55032-2022", "clause_no": "3.3.5"}], role="boss"),
        {"id": "real-dev-005", "question": "缺字段"},
        _row("real-dev-006", [{"code": "GB 55032-2022", "clause_no": "第3.3.5条"}]),
    ])
    rep = v.validate(sets_dir=tmp_path, corpora=tmp_path / "none", sample_root=tmp_path / "none",
                     files=("real_dev.jsonl",))
    lines = {p.line: p.message for p in rep.problems}
    assert "id 重复" in lines[2]
    assert "JSON" in lines[3]
    assert "answerable" in lines[4]
    assert "role" in lines[5]
    assert "缺少字段" in lines[6]
    assert "条号格式" in lines[7]


@needs_corpora
def test_validator_catches_missing_and_copied_clauses(tmp_path: Path) -> None:
    clause = v.RealCorpora(v.DEFAULT_CORPORA).clauses("GB 55032-2022")["3.3.5"]
    _write(tmp_path / "real_dev.jsonl", [
        _row("real-dev-001", [{"code": "GB 55032-2022", "clause_no": "9.9.9"}]),
        _row("real-dev-002", [{"code": "GB 55032-2022", "clause_no": "4.2.3"}]),  # commentary record
        _row("real-dev-003", [{"code": "GB 55032-2022", "clause_no": "3.3.5"}], question=clause),
        _row("real-dev-004", [{"code": "GB 99999-2099", "clause_no": "1.0.1"}]),
        _row("real-dev-005", [{"code": "SL 677-2014", "clause_no": "7.3.6"}]),  # space after number: valid
    ])
    rep = v.validate(sets_dir=tmp_path, files=("real_dev.jsonl",))
    lines = {p.line: p.message for p in rep.problems}
    assert "没有第 9.9.9 条" in lines[1]
    assert "条文说明" in lines[2]
    assert "照抄" in lines[3]
    assert "来源文件" in lines[4]
    assert 5 not in lines


def test_longest_shared_run() -> None:
    assert v.longest_shared_run("基槽挖完了验槽", "基坑、基槽开挖后验槽") == 2
    assert v.longest_shared_run("abc，def", "xabcdefy") == 6


@pytest.mark.parametrize("files", [BLIND_FILES[:2], BLIND_FILES[2:]], ids=["blind", "blind2"])
def test_blind_set_shares_no_question_with_the_tuned_sets(files: tuple[str, ...]) -> None:
    blind = {r["question"] for r in _rows(files)}
    others = {r["question"] for r in _rows(tuple(f for f in EXPECTED_FILES if f not in files))}
    assert len(blind) >= 80
    assert not blind & others
