"""Scoring a parse against the spec it was rendered from (duck-typed on corpus.models.Document)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from evals.pdfgen.layout import Rendered
from evals.pdfgen.spec import ClauseSpec

# ---------------------------------------------------------------------------
# Scoring a parse against the ground truth (duck-typed on corpus.models.Document)
# ---------------------------------------------------------------------------

SIMILARITY = 98.0  # rapidfuzz ratio (0-100) on whitespace-free NFKC text that counts as "the right text"


def norm(text: str) -> str:
    """Compare texts after NFKC and with all whitespace removed (line wrapping is not content)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def expected_variants(c: ClauseSpec) -> list[str]:
    """Acceptable texts for a clause: with or without item labels, with or without its table."""
    with_labels = norm(c.text + "".join(b.label + b.text for b in c.blocks))
    without = norm(c.text + "".join(b.text for b in c.blocks))
    out = [with_labels, without]
    if c.table:
        cap, cells, notes = (norm(x) for x in c.table.flat())
        out += [with_labels + cap + cells + notes, with_labels + cap + cells, with_labels + cells + notes,
                with_labels + cells]
    return out


def similarity(variants: list[str], got: str) -> float:
    from rapidfuzz import fuzz

    g = norm(got)
    return max((100.0 if v == g else fuzz.ratio(v, g)) for v in variants)


def _prose_similarity(c: ClauseSpec, got: str) -> float:
    """A clause with a table, compared without the table body: its rows are scored cell by cell (row
    recall), and a cell wrapped over lines legitimately reorders the table's text in the clause."""
    if c.table is None:
        return 0.0
    g, cap = norm(got), norm(c.table.caption)
    if cap not in g:
        return 0.0
    head = g[: g.index(cap)]
    notes = norm("".join(c.table.notes))
    if notes and not g.endswith(notes):
        return 0.0
    with_labels = norm(c.text + "".join(b.label + b.text for b in c.blocks))
    return max(similarity([with_labels + cap], head + cap), 0.0)


def _diff(a: str, b: str, ctx: int = 12) -> tuple[str, str]:
    """The first differing stretch of two texts, with a little context."""
    import difflib

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            return a[max(0, i1 - ctx): i2 + ctx], b[max(0, j1 - ctx): j2 + ctx]
    return "", ""


@dataclass
class Score:
    """How one parsed PDF compares with its spec; lists say which clause and how."""

    label: str
    expected: int = 0
    found: int = 0  # clause number present as a body clause
    correct: int = 0  # present with the right text
    missing: list[str] = field(default_factory=list)
    mismatches: list[tuple[str, float, str, str]] = field(default_factory=list)  # no, ratio, expected, got
    invented: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    items_lost: list[str] = field(default_factory=list)
    items_total: int = 0
    mandatory_wrong: list[tuple[str, bool, bool]] = field(default_factory=list)  # no, expected, got
    furniture: list[tuple[str, str]] = field(default_factory=list)  # no, the header/footer text found
    pages_bad: list[tuple[str, list, list[int]]] = field(default_factory=list)
    cmt_expected: int = 0
    cmt_correct: int = 0
    cmt_missing: list[str] = field(default_factory=list)
    cmt_mismatches: list[tuple[str, float, str, str]] = field(default_factory=list)
    cmt_invented: list[str] = field(default_factory=list)
    cmt_as_body: list[str] = field(default_factory=list)
    rows_expected: int = 0  # body rows of the spec's tables
    rows_found: int = 0  # ... found, cell by cell, in a Table of the right clause
    rows_lost: list[tuple[str, str]] = field(default_factory=list)  # clause, the row's cells
    code: tuple[str, str] = ("", "")
    title: tuple[str, str] = ("", "")
    effective: tuple[str, str] = ("", "")
    error: str = ""

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def row_recall(self) -> float:
        return self.rows_found / self.rows_expected if self.rows_expected else 1.0

    @property
    def cmt_accuracy(self) -> float:
        return self.cmt_correct / self.cmt_expected if self.cmt_expected else 1.0


def _score_rows(sc: Score, no: str, want, clause, doc) -> None:
    """Table row recall: each body row of the spec's table, cell for cell, in a table kept on the clause
    (or on the clause its caption names: '表4.2.2' printed after 4.2.3 belongs to 4.2.2)."""
    m = re.search(r"表\s*([A-Z0-9]+(?:\.\d+)+(?:-\d+)?)", norm(want.caption))
    named = [t for c in doc.clauses for t in getattr(c, "tables", []) if m and t.number == m.group(1)]
    def cells(row: list[str]) -> tuple[str, ...]:
        return tuple(c for x in row if (c := norm(x)))  # empty cells (a merged cell's other columns) do not count

    got = {cells(row) for t in [*getattr(clause, "tables", []), *named] for row in t.rows}
    for row in want.rows[1:]:
        sc.rows_expected += 1
        if cells(row) in got:
            sc.rows_found += 1
        else:
            sc.rows_lost.append((no, " | ".join(row)))


def score_document(r: Rendered, doc) -> Score:  # doc: corpus.models.Document
    spec = r.spec
    sc = Score(label=f"{r.layout.name}/{spec.source}")
    sc.code = (spec.code, doc.code)
    sc.title = (spec.title, doc.title)
    sc.effective = (spec.effective_date.isoformat(), doc.effective_date.isoformat() if doc.effective_date else "")
    kind = lambda c: getattr(c.kind, "value", c.kind)  # noqa: E731
    body = [c for c in doc.clauses if kind(c) == "body"]
    cmts = [c for c in doc.clauses if kind(c) == "commentary"]
    want = {c.no: c for c in spec.clauses()}
    got: dict[str, object] = {}
    for c in body:
        if c.clause_no in got:
            sc.duplicates.append(c.clause_no)
        elif c.clause_no not in want:
            sc.invented.append(c.clause_no)
        else:
            got[c.clause_no] = c
    mand = spec.mandatory_set()
    furn_res = [re.compile(r.footer_re.replace(r"\s*", ""))] if r.layout.footer != "plain" else []
    heads = [norm(h) for h in r.header_texts]
    sc.expected = len(want)
    for no, ec in want.items():
        g = got.get(no)
        if g is None:
            sc.missing.append(no)
            continue
        sc.found += 1
        variants = expected_variants(ec)
        ratio = max(similarity(variants, g.text), _prose_similarity(ec, g.text))
        if ratio >= SIMILARITY:
            sc.correct += 1
        else:
            e, gg = _diff(variants[0], norm(g.text))
            sc.mismatches.append((no, round(ratio, 1), e, gg))
        gt = norm(g.text)
        if ec.blocks:
            sc.items_total += 1
            if not all(norm(b.text) in gt for b in ec.blocks):
                sc.items_lost.append(no)
        if bool(g.mandatory) != (no in mand):
            sc.mandatory_wrong.append((no, no in mand, bool(g.mandatory)))
        for h in heads:
            if h in gt and h not in variants[0]:
                sc.furniture.append((no, h))
        for rx in furn_res:
            m = rx.search(gt)
            if m and not rx.search(variants[0] + "".join(variants[2:3])):
                sc.furniture.append((no, m.group(0)))
        if ec.table is not None:
            _score_rows(sc, no, ec.table, g, doc)
        phys, printed = r.clause_pages.get(no, []), r.clause_printed.get(no, [])
        gp = list(g.pages or [])
        if not (set(gp) & set(phys) or {str(p) for p in gp} & set(printed)):
            sc.pages_bad.append((no, gp, phys))
    # commentary
    sc.cmt_expected = len(spec.commentary)
    by_ref: dict[str, list] = {}
    for c in cmts:
        by_ref.setdefault(c.refers_to or "", []).append(c)
    all_refs = {x for e in spec.commentary for x in e.refers_to}
    for c in cmts:
        if (c.refers_to or "") not in all_refs:
            sc.cmt_invented.append(f"{c.clause_no}->{c.refers_to}")
    body_texts = {norm(c.text) for c in body}
    for e in spec.commentary:
        cands = [c for ref in e.refers_to for c in by_ref.get(ref, [])]
        et = norm(e.text())
        if et and et in body_texts:
            sc.cmt_as_body.append(e.label)
        if not cands:
            sc.cmt_missing.append(e.label)
            continue
        tail = norm(e.label[len(e.refers_to[0]):])
        variants = [et, tail + et]
        best = max(cands, key=lambda c: similarity(variants, c.text))
        ratio = similarity(variants, best.text)
        if ratio >= SIMILARITY:
            sc.cmt_correct += 1
        else:
            a, b = _diff(et, norm(best.text))
            sc.cmt_mismatches.append((e.label, round(ratio, 1), a, b))
        for h in heads:
            if h in norm(best.text) and h not in et:
                sc.furniture.append((f"条文说明{e.label}", h))
    return sc


def summarize_failures(sc: Score, limit: int = 8) -> str:
    """A readable account of what went wrong, for assertion messages and the eval report."""
    out = [f"{sc.label}: 召回 {sc.found}/{sc.expected}，文本正确 {sc.correct}/{sc.expected}"]
    if sc.missing:
        out.append(f"  缺失条文 {len(sc.missing)}: {sc.missing[:limit]}")
    for no, ratio, e, g in sc.mismatches[:limit]:
        out.append(f"  文本不符 {no} ({ratio}): 应为「{e}」 实为「{g}」")
    if sc.invented:
        out.append(f"  虚构条文 {sc.invented[:limit]}")
    if sc.duplicates:
        out.append(f"  重复条文 {sc.duplicates[:limit]}")
    if sc.items_lost:
        out.append(f"  款项不在本条内 {sc.items_lost[:limit]}")
    if sc.mandatory_wrong:
        out.append(f"  强制性标记错误 (条, 应为, 实为) {sc.mandatory_wrong[:limit]}")
    if sc.furniture:
        out.append(f"  页眉页脚混入 {sc.furniture[:limit]}")
    if sc.pages_bad:
        out.append(f"  页码不符 (条, 实为, 应含物理页) {sc.pages_bad[:limit]}")
    if sc.rows_lost:
        out.append(f"  表格行未按单元格识别 {len(sc.rows_lost)}/{sc.rows_expected}: {sc.rows_lost[:limit]}")
    if sc.cmt_missing:
        out.append(f"  条文说明缺失 {len(sc.cmt_missing)}: {sc.cmt_missing[:limit]}")
    for lab, ratio, e, g in sc.cmt_mismatches[:limit]:
        out.append(f"  条文说明不符 {lab} ({ratio}): 应为「{e}」 实为「{g}」")
    if sc.cmt_invented:
        out.append(f"  虚构条文说明 {sc.cmt_invented[:limit]}")
    if sc.cmt_as_body:
        out.append(f"  条文说明被当作正文 {sc.cmt_as_body[:limit]}")
    return "\n".join(out)
