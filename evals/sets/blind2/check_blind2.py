"""Self-check for the blind2 question files (written without opening the other sets).

Run from the repository root:  .venv/bin/python evals/sets/blind2/check_blind2.py

It checks, for ``real_blind2.jsonl`` and ``unanswerable_blind2.jsonl`` only:
- every line parses, has the schema's fields, ids are unique and well formed,
  ``answerable`` agrees with ``gold``, role and style are known values;
- every gold (code, clause_no) is a body clause of the standard as parsed by the
  project's own parser (``corpus.ingest.parse_path``) AND is printed in the raw
  source (JSONL clause_no, ``<span id="idX.Y.Z">`` in the Sphinx files (a trailing space allowed), or an
  ``X.Y.Z`` line in the SL Markdown texts); GB 55032 4.2.3 (commentary) is refused;
- no question shares 12 or more consecutive characters with a gold clause
  (punctuation and spaces ignored);
- for unanswerable questions, the key terms listed below occur in neither
  ``../shared/corpora`` nor ``corpus/sample``, and the three clause numbers said
  not to exist are absent from the parsed standards.

Prints a short report and exits 1 on any problem. It never runs search or ask.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CORPORA = ROOT.parent / "shared" / "corpora"
SAMPLE = ROOT / "corpus" / "sample"
STYLES = {"colloquial", "abbreviation", "typo", "clause_number", "paraphrase", "case",
          "out_of_domain", "in_domain_uncovered"}
ROLES = {"contractor", "inspector"}

# Unanswerable id -> terms that must occur nowhere in either corpus.
ABSENT_TERMS = {
    13: ["四性", "抗风压"], 14: ["钢化", "自爆"], 15: ["限速器", "垂直度偏差"], 16: ["喷淋头", "溅水盘"],
    17: ["初压", "碾压温度"], 18: ["探伤"], 19: ["高强螺栓", "终拧"], 20: ["锚栓"], 21: ["甲醛"],
    22: ["热熔", "PPR"], 23: ["漏风量"], 24: ["地质雷达", "二衬"], 25: ["水稳"], 26: ["防火门"],
    27: ["腻子", "耐碱"], 28: ["自流平"], 29: ["扶手高度", "栏杆高度"], 30: ["化粪池"], 31: ["报警值"],
    32: ["检查井", "井盖"], 33: ["竖龙骨"], 34: ["塔吊"],
    38: ["JGJ 130", "JGJ130"], 39: ["GB 50205", "GB50205"], 40: ["GB 50411", "GB50411"],
}
# Unanswerable id -> (code, clause_no) that must not exist.
MISSING_CLAUSES = {35: ("GB 55001-2021", "4.2.20"), 36: ("GB 55032-2022", "3.5.2"), 37: ("SL 677-2014", "11.6.3")}
SOURCES = {
    "GB 55032-2022": CORPORA / "GB55032-2022" / "clauses.jsonl",
    "GB 55001-2021": CORPORA / "GB55001-2021",
    "GB 50009-2012": CORPORA / "GB50009-2012",
}
PUNCT = re.compile(r"[\s，。、；：？！,.;:?!（）()“”\"'《》·\-—～~/]")


def load(name: str) -> list[dict]:
    rows = []
    for n, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{name}:{n}: not JSON: {exc}") from exc
    return rows


def parsed_clauses() -> dict[tuple[str, str], str]:
    from corpus.ingest import parse_path

    paths = list(SOURCES.values()) + sorted((CORPORA / "hydraulic-SL").glob("*.md"))
    body: dict[tuple[str, str], str] = {}
    for path in paths:
        doc = parse_path(path)
        for c in doc.clauses:
            if c.kind.value == "body":
                body.setdefault((doc.code, c.clause_no), c.text)
    return body


def printed_in_source(code: str, no: str) -> bool:
    if code == "GB 55032-2022":
        return any(json.loads(x)["clause_no"] == no for x in SOURCES[code].read_text(encoding="utf-8").splitlines())
    if code in SOURCES:
        anchor = re.compile(rf'id="id{re.escape(no)}\s*"')
        return any(anchor.search(p.read_text(encoding="utf-8")) for p in SOURCES[code].glob("*.rst"))
    digits = re.sub(r"\D", "", code.split("-")[0])
    files = [p for p in (CORPORA / "hydraulic-SL").glob("*.md") if digits in re.sub(r"\D", "", p.name.split("-")[0])]
    pattern = re.compile(rf"^{re.escape(no)}[\t ]", re.M)
    return any(pattern.search(p.read_text(encoding="utf-8", errors="replace")) for p in files)


def longest_common_run(a: str, b: str) -> int:
    a, b = PUNCT.sub("", a), PUNCT.sub("", b)
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def corpus_text() -> str:
    files = [p for p in list(CORPORA.rglob("*")) + list(SAMPLE.rglob("*")) if p.is_file()]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def main() -> int:
    problems: list[str] = []
    real, unans = load("real_blind2.jsonl"), load("unanswerable_blind2.jsonl")
    ids: set[str] = set()
    for rows, prefix, answerable in ((real, "real-blind2-", True), (unans, "unans-blind2-", False)):
        for r in rows:
            if set(r) != {"id", "question", "gold", "answerable", "role", "style", "notes"}:
                problems.append(f"{r.get('id')}: fields {sorted(r)}")
            if not re.fullmatch(re.escape(prefix) + r"\d{3}", r["id"]) or r["id"] in ids:
                problems.append(f"{r['id']}: bad or duplicate id")
            ids.add(r["id"])
            if r["answerable"] is not answerable or bool(r["gold"]) is not answerable:
                problems.append(f"{r['id']}: answerable/gold disagree")
            if r["role"] not in ROLES or r["style"] not in STYLES:
                problems.append(f"{r['id']}: role/style {r['role']}/{r['style']}")
    body = parsed_clauses()
    checked = 0
    for r in real:
        for g in r["gold"]:
            key = (g["code"], g["clause_no"])
            checked += 1
            if key == ("GB 55032-2022", "4.2.3"):
                problems.append(f"{r['id']}: GB 55032 4.2.3 is commentary")
            if key not in body:
                problems.append(f"{r['id']}: {key} not a body clause of the parsed standard")
                continue
            if not printed_in_source(*key):
                problems.append(f"{r['id']}: {key} not printed in the raw source")
            run = longest_common_run(r["question"], body[key])
            if run >= 12:
                problems.append(f"{r['id']}: shares {run} characters with {key}")
    text = corpus_text()
    for n, terms in ABSENT_TERMS.items():
        for t in terms:
            if t in text:
                problems.append(f"unans-blind2-{n:03d}: '{t}' occurs in a corpus")
    for n, key in MISSING_CLAUSES.items():
        if key in body:
            problems.append(f"unans-blind2-{n:03d}: {key} exists")
    print(f"real {len(real)}, unanswerable {len(unans)}, gold entries checked {checked}, "
          f"absent terms checked {sum(map(len, ABSENT_TERMS.values()))}, problems {len(problems)}")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
