"""The raw sources, read straight from their files: the real standards under ../shared/corpora and the
bundled sample corpus.

This is the one module of evals/ and tests/ that knows where each real standard's source lives and
how its files are laid out. Its readers are deliberately independent of corpus/ (the product's
parser): the evaluation sets' gold labels (evals.sets.validate) and the PDF generator's ground truth
(evals.pdfgen.corpora) are oracles for the parser, and an oracle that shared the parser's code would
hide the parser's bugs. Code that only needs documents to index (the benchmarks, the index test
fixtures) uses the parser itself, ``corpus.ingest.parse_path``, on the paths named here.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
SAMPLE = REPO / "corpus" / "sample"

GB55032_RECORDS = Path("GB55032-2022") / "clauses.jsonl"
# Records of GB 55032 clauses.jsonl that are not body clauses (the source mixed commentary in).
GB55032_NOT_BODY = {"4.2.3": "该记录是条文说明混入的，不是正文条文"}
# Sphinx standards: folder, title, and the files holding the body clauses (appendices included).
RST = {
    "GB 55001-2021": ("GB55001-2021", "工程结构通用规范", ["1.rst", "2.rst", "3.rst", "4.rst", "FLA.rst"]),
    "GB 50009-2012": (
        "GB50009-2012",
        "建筑结构荷载规范",
        [f"{i}.rst" for i in range(1, 11)] + [f"{c}.rst" for c in "ABCDEFGHJ"],
    ),
}
# Clause-per-line texts under hydraulic-SL/: code -> (file, title). The order is the benchmarks' order.
HYDRAULIC = {
    "SL 677-2014": ("SL677-2014_水工混凝土施工规范_clean_text.md", "水工混凝土施工规范"),
    "SL 319-2018": ("SL319-2018混凝土重力坝设计规范_clean_text.md", "混凝土重力坝设计规范"),
    "SL 757-2017": ("SL757-2017_水工混凝土施工组织设计规范_clean_text.md", "水工混凝土施工组织设计规范"),
    "SL 274-2001": ("SL274-2001_碾压式土石坝设计规范_clean_text.md", "碾压式土石坝设计规范"),
    "SL 314-2018": ("SL314-2018碾压混凝土坝设计规范_clean_text.md", "碾压混凝土坝设计规范"),
    "GB 51247-2018": ("GB 51247-2018_水工建筑物抗震设计标准_clean_text.md", "水工建筑物抗震设计标准"),
}

# Clause numbers as printed at the start of a line: 3.3.5, 1.0.2, A.0.1.
_LINE_CLAUSE = re.compile(r"^([0-9]+|[A-Z])\.([0-9]+)\.([0-9]+)[\t ]")
_SPAN = re.compile(r'<span id="id([0-9A-Z]+(?:\.[0-9]+)+)\s*">')  # some anchors end in a space: id="id8.3.1 "


def complete(root: Path = CORPORA) -> bool:
    """Whether ``root`` holds the JSONL standard and the hydraulic texts (what the benchmarks need)."""
    return (root / GB55032_RECORDS).is_file() and (root / "hydraulic-SL").is_dir()


def gb55032_records(root: Path = CORPORA) -> list[dict]:
    """The records of GB 55032-2022 clauses.jsonl as the source gives them (4.2.3 is commentary)."""
    lines = (root / GB55032_RECORDS).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def hydraulic_sources(root: Path = CORPORA) -> dict[str, Path]:
    """The hydraulic texts present under ``root``, by code."""
    return {code: p for code, (name, _) in HYDRAULIC.items() if (p := root / "hydraulic-SL" / name).is_file()}


def real_sources(root: Path = CORPORA) -> list[Path]:
    """Every real standard's source (a file or a Sphinx folder) present under ``root``, in a fixed order."""
    out = [root / GB55032_RECORDS.parent] + [root / folder for folder, _, _ in RST.values()]
    return [p for p in out if p.exists()] + list(hydraulic_sources(root).values())


class RealCorpora:
    """Clause number -> text of each real standard's body, read directly from its files."""

    def __init__(self, root: Path = CORPORA) -> None:
        self.root = root
        self._cache: dict[str, dict[str, str] | None] = {}

    @property
    def available(self) -> bool:
        return self.root.is_dir()

    def clauses(self, code: str) -> dict[str, str] | None:
        """Clause number -> text for one standard, or None when its source is not there."""
        if code not in self._cache:
            self._cache[code] = self._load(code)
        return self._cache[code]

    def _load(self, code: str) -> dict[str, str] | None:
        if code == "GB 55032-2022":
            if not (self.root / GB55032_RECORDS).exists():
                return None
            return {r["clause_no"]: r["text"] for r in gb55032_records(self.root) if r["clause_no"] not in GB55032_NOT_BODY}
        if code in RST:
            folder, _, files = RST[code]
            return _rst_clauses(self.root / folder, files) if (self.root / folder).is_dir() else None
        path = hydraulic_sources(self.root).get(code)
        return _line_clauses(path) if path else None


class SampleCorpus:
    """The bundled sample corpus: Markdown standards with front matter, plus cases and FAQ in YAML."""

    def __init__(self, root: Path = SAMPLE) -> None:
        self.root = root
        self._docs: dict[str, dict[str, str]] | None = None

    @property
    def available(self) -> bool:
        return (self.root / "README.md").exists()

    def clauses(self, code: str) -> dict[str, str] | None:
        if self._docs is None:
            self._docs = self._load()
        return self._docs.get(code)

    def _load(self) -> dict[str, dict[str, str]]:
        docs: dict[str, dict[str, str]] = {}
        for path in sorted(self.root.glob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            meta, body = _front_matter(path.read_text(encoding="utf-8"))
            code = str(meta.get("code", "")).strip()
            if code:
                docs[code] = _markdown_clauses(body)
        for path in sorted(self.root.glob("*.y*ml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            head = data.get("collection") if isinstance(data.get("collection"), dict) else data
            code = str(head.get("code", "")).strip()
            entries = data.get("entries") or []
            if code:
                docs[code] = {
                    str(e["id"]): " ".join(str(v) for k, v in e.items() if k != "id" and isinstance(v, str))
                    for e in entries
                    if isinstance(e, dict) and "id" in e
                }
        return docs


def _strip_html(fragment: str) -> str:
    text = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _rst_clauses(folder: Path, files: list[str]) -> dict[str, str]:
    clauses: dict[str, str] = {}
    for name in files:
        path = folder / name
        if not path.exists():
            continue
        text = re.sub(r"<style>.*?</style>", "", path.read_text(encoding="utf-8"), flags=re.S)
        parts = _SPAN.split(text)
        for i in range(1, len(parts), 2):
            clauses.setdefault(parts[i], _strip_html(parts[i + 1].split('<a href="#id')[0]))
    return clauses


def _line_clauses(path: Path) -> dict[str, str]:
    """Clauses of a one-clause-a-line text; the first occurrence wins (later ones are commentary)."""
    clauses: dict[str, str] = {}
    current: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _LINE_CLAUSE.match(line)
        if m:
            number = ".".join(m.groups())
            if number in clauses:  # the commentary repeats the numbers: stop collecting text
                current = None
                continue
            current = number
            clauses[number] = line[m.end():].strip()
        elif current and line.strip():
            clauses[current] += " " + line.strip()
    return clauses


def _front_matter(text: str) -> tuple[dict, str]:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end > 0:
            return yaml.safe_load(text[3:end]) or {}, text[end + 4:]
    return {}, text


def _markdown_clauses(body: str) -> dict[str, str]:
    clauses: dict[str, str] = {}
    current: str | None = None
    for line in body.splitlines():
        if line.startswith("## 条文说明"):  # commentary repeats the numbers of body clauses
            break
        m = _LINE_CLAUSE.match(line.strip())
        if m:
            current = ".".join(m.groups())
            clauses.setdefault(current, line.strip()[m.end():].strip())
        elif current and line.strip() and not line.startswith("#"):
            clauses[current] += " " + line.strip()
        elif line.startswith("#"):
            current = None
    return clauses
