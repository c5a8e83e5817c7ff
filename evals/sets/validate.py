"""Check the evaluation sets: every line parses, ids are unique, fields are complete, and every
gold citation names a clause that really exists in the source it cites.

Run: ``python -m evals.sets.validate [--corpora ../shared/corpora] [--sample corpus/sample] [--json]``.
The real standards are read straight from their files (no ingestion, no index) by evals.corpora, so
that a bug in the parser cannot hide a wrong gold label; the bundled sample corpus is read the same way.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The readers of the sources are deliberately not the product's parser (see evals.corpora).
from evals.corpora import CORPORA as DEFAULT_CORPORA
from evals.corpora import GB55032_NOT_BODY, RealCorpora, SampleCorpus
from evals.corpora import SAMPLE as DEFAULT_SAMPLE

__all__ = ["DEFAULT_CORPORA", "DEFAULT_SAMPLE", "SET_FILES", "Problem", "RealCorpora", "Report", "SampleCorpus",
           "load_set", "longest_shared_run", "validate"]

SETS_DIR = Path(__file__).resolve().parent

SET_FILES = (
    "real_dev.jsonl",
    "real_test.jsonl",
    "unanswerable_dev.jsonl",
    "unanswerable_test.jsonl",
    "sample_dev.jsonl",
    "sample_test.jsonl",
    # Written blind (by a writer who saw neither the other sets nor any result) and never tuned on.
    "blind/real_blind.jsonl",
    "blind/unanswerable_blind.jsonl",
    # A second blind set, written the same way after the first had been run (once) on the final tree.
    "blind2/real_blind2.jsonl",
    "blind2/unanswerable_blind2.jsonl",
)
ROLES = {"contractor", "inspector"}
STYLES = {
    "colloquial",
    "abbreviation",
    "typo",
    "clause_number",
    "paraphrase",
    "case",
    "faq",
    "out_of_domain",
    "in_domain_uncovered",
}
REQUIRED = {"id": str, "question": str, "gold": list, "answerable": bool, "role": str, "style": str, "notes": str}
# A question may share a technical term with its clause, never a whole phrase: this many
# consecutive characters in common (punctuation and spaces ignored) counts as copying.
MAX_SHARED_RUN = 12

# Clause numbers as printed: 3.3.5, 1.0.2, A.0.1 (case and FAQ ids are checked by lookup only).
CLAUSE_NO = re.compile(r"^([0-9]+|[A-Z])\.[0-9]+\.[0-9]+$")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass
class Problem:
    """One thing wrong with a set file."""

    file: str
    line: int
    message: str


@dataclass
class Report:
    """What validation found: problems, checks skipped (with the reason) and the counts."""

    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def longest_shared_run(a: str, b: str) -> int:
    """Length of the longest run of characters common to both texts, punctuation ignored."""
    a, b = _PUNCT.sub("", a), _PUNCT.sub("", b)
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def load_set(path: Path) -> tuple[list[dict], list[Problem]]:
    """Parse one JSONL set and check each row's shape."""
    rows: list[dict] = []
    problems: list[Problem] = []
    prefix = path.stem.replace("unanswerable", "unans").replace("_", "-") + "-"
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(path.name, lineno, f"不是合法的 JSON：{exc.msg}"))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(path.name, lineno, "每行应是一个 JSON 对象"))
            continue
        row["_line"] = lineno
        rows.append(row)
        for key, typ in REQUIRED.items():
            if not isinstance(row.get(key), typ):
                problems.append(Problem(path.name, lineno, f"缺少字段或类型不对：{key}"))
        if problems and problems[-1].line == lineno:
            continue
        if not row["id"].startswith(prefix):
            problems.append(Problem(path.name, lineno, f"id 应以 {prefix} 开头：{row['id']}"))
        if not row["question"].strip():
            problems.append(Problem(path.name, lineno, "问题为空"))
        if row["role"] not in ROLES:
            problems.append(Problem(path.name, lineno, f"role 不认识：{row['role']}"))
        if row["style"] not in STYLES:
            problems.append(Problem(path.name, lineno, f"style 不认识：{row['style']}"))
        if row["answerable"] != bool(row["gold"]):
            problems.append(Problem(path.name, lineno, "answerable 与 gold 不一致（不可回答的题 gold 应为空）"))
        if path.name.startswith("unanswerable") and row["answerable"]:
            problems.append(Problem(path.name, lineno, "不可回答集中出现了 answerable=true"))
        for g in row["gold"]:
            if not (isinstance(g, dict) and isinstance(g.get("code"), str) and isinstance(g.get("clause_no"), str)):
                problems.append(Problem(path.name, lineno, "gold 每项须有 code 与 clause_no 字符串"))
            elif not g["code"].startswith("ZJ-") and not CLAUSE_NO.match(g["clause_no"]):
                problems.append(Problem(path.name, lineno, f"条号格式不对（应为 章.节.条）：{g['clause_no']}"))
    return rows, problems


def _gold_source(code: str, real: RealCorpora, sample: SampleCorpus) -> tuple[str, dict[str, str] | None]:
    if code.startswith("ZJ"):
        return "sample", sample.clauses(code) if sample.available else None
    return "real", real.clauses(code) if real.available else None


def validate(
    sets_dir: Path = SETS_DIR,
    corpora: Path = DEFAULT_CORPORA,
    sample_root: Path = DEFAULT_SAMPLE,
    files: tuple[str, ...] = SET_FILES,
) -> Report:
    """Validate the named set files; gold clauses are checked against the sources that are present."""
    report = Report()
    real, sample = RealCorpora(corpora), SampleCorpus(sample_root)
    seen: dict[str, str] = {}
    skipped: set[str] = set()
    all_rows: dict[str, list[dict]] = {}
    for name in files:
        path = sets_dir / name
        if not path.exists():
            report.skipped.append(f"{name}：文件不存在")
            continue
        rows, problems = load_set(path)
        report.problems += problems
        all_rows[name] = rows
        for row in rows:
            rid, line = row.get("id"), row["_line"]
            if isinstance(rid, str):
                if rid in seen:
                    report.problems.append(Problem(name, line, f"id 重复：{rid}（已在 {seen[rid]}）"))
                seen.setdefault(rid, name)
            for g in row.get("gold") or []:
                if not isinstance(g, dict):
                    continue
                code, number = g.get("code"), g.get("clause_no")
                if not isinstance(code, str) or not isinstance(number, str):
                    continue
                kind, clauses = _gold_source(code, real, sample)
                if clauses is None:
                    reason = (
                        f"真实规范目录不存在（{corpora}），未核对 {code}"
                        if kind == "real" and not real.available
                        else f"示例语料未就绪（{sample_root}/README.md 不存在），未核对 {code}"
                        if kind == "sample" and not sample.available
                        else None
                    )
                    if reason:
                        skipped.add(reason)
                    else:
                        report.problems.append(Problem(name, line, f"找不到标准 {code} 的来源文件"))
                    continue
                if number not in clauses:
                    hint = GB55032_NOT_BODY.get(number, "") if code == "GB 55032-2022" else ""
                    report.problems.append(
                        Problem(name, line, f"{code} 中没有第 {number} 条{('：' + hint) if hint else ''}")
                    )
                    continue
                run = longest_shared_run(row["question"], clauses[number])
                if run >= MAX_SHARED_RUN:
                    report.problems.append(
                        Problem(name, line, f"问题与 {code} 第 {number} 条连续 {run} 个字相同，像是照抄条文")
                    )
    report.skipped += sorted(skipped)
    report.counts = count(all_rows)
    return report


def count(all_rows: dict[str, list[dict]]) -> dict:
    """Counts per file, per standard (first gold code; 'none' when unanswerable) and per style."""
    per_file = {name: len(rows) for name, rows in all_rows.items()}
    per_standard: Counter = Counter()
    per_style: Counter = Counter()
    per_file_style: dict[str, dict[str, int]] = {}
    for name, rows in all_rows.items():
        styles = Counter(r.get("style", "?") for r in rows)
        per_file_style[name] = dict(sorted(styles.items()))
        per_style.update(styles)
        for r in rows:
            gold = r.get("gold") or []
            per_standard[gold[0]["code"] if gold and isinstance(gold[0], dict) else "none"] += 1
    return {
        "per_file": per_file,
        "total": sum(per_file.values()),
        "per_standard": dict(sorted(per_standard.items())),
        "per_style": dict(sorted(per_style.items())),
        "per_file_style": per_file_style,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="校验评测集：格式、id 唯一、gold 条文真实存在")
    parser.add_argument("--sets", type=Path, default=SETS_DIR, help="评测集目录")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="真实规范目录")
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE, help="示例语料目录")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    args = parser.parse_args(argv)
    report = validate(args.sets, args.corpora, args.sample)
    if args.json:
        print(json.dumps({"ok": report.ok, **asdict(report)}, ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            print(f"错误 {p.file}:{p.line} {p.message}")
        for s in report.skipped:
            print(f"跳过 {s}")
        c = report.counts
        print(f"共 {c['total']} 题")
        for title, key in (("按文件", "per_file"), ("按标准", "per_standard"), ("按风格", "per_style")):
            print(title + "：" + "，".join(f"{k} {v}" for k, v in c[key].items()))
        print("通过" if report.ok else f"发现 {len(report.problems)} 个问题")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
