"""PDFs laid out like published standards: the ingester must find their clauses.

The judging line this reproduces: "PDFs of real standards that nobody on the project has seen,
laid out as published standards are (cover page, running header, page numbers, wrapped lines):
at least 95% of clauses found with the right number and text, no invented clauses".

Each layout in ``evals.pdfgen.LAYOUTS`` (two PDF producers, five page designs, some breaking
lines right before numbers and cross-references) is applied to a synthetic standard written for
these tests and to the real standards in ../shared/corpora (generated into tmp at test time).
"Right text" = equal after NFKC and removing all whitespace, or rapidfuzz ratio >= 98 on that
form; with or without the item labels, and with or without the clause's table.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evals.pdfgen import (
    CORPORA,
    LAYOUTS,
    Rendered,
    Score,
    fpdf_available,
    make_standard_pdf,
    norm,
    real_specs,
    score_document,
    summarize_failures,
    synthetic_spec,
)
from evals.pdfgen.cache import cached_standard_pdf
from tests.plugins.installation import CACHE_DIR

ingest = pytest.importorskip("corpus.ingest", reason="corpus.ingest 尚未实现（等待主解析器）")

# Long hydraulic standards are cut to whole chapters so the suite stays fast;
# `python -m evals.pdf_accuracy` runs them in full.
MAX_CLAUSES = 150
REAL = ["GB55032-2022", "GB55001-2021", "SL677-2014", "SL757-2017", "SL319-2018", "SL314-2018", "SL274-2001",
        "GB51247-2018"]
STANDARDS = ["synthetic", *REAL]
BAR = 0.95

_cache: dict[tuple[str, str], tuple[Rendered, object, Score]] = {}


def _loader(std: str) -> Callable:
    if std == "synthetic":
        return synthetic_spec
    loaders = real_specs(max_clauses=MAX_CLAUSES)
    if std not in loaders:
        pytest.skip(f"真实规范语料不在 {CORPORA}（../shared/corpora 缺失时跳过）")
    return loaders[std]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> Callable[[str, str], tuple[Rendered, object, Score]]:
    """Generate, parse and score each (layout, standard) once for all the checks below.

    Generated PDFs are kept between runs (keyed by spec, layout and generator code); parsing is always fresh.
    """

    def get(layout: str, std: str) -> tuple[Rendered, object, Score]:
        key = (layout, std)
        if key not in _cache:
            if LAYOUTS[layout].producer == "fpdf2" and fpdf_available():
                pytest.skip(str(fpdf_available()))
            spec = _loader(std)()
            d = tmp_path_factory.mktemp(f"{layout}-{std}")
            # a neutral file name: the parser must read the code and title from the pages
            rendered = cached_standard_pdf(spec, d / "document.pdf", layout, CACHE_DIR / "pdfgen")
            doc = ingest.parse_path(rendered.path)
            _cache[key] = (rendered, doc, score_document(rendered, doc))
        return _cache[key]

    return get


CASES = [pytest.param(layout, std, id=f"{layout}-{std}") for std in STANDARDS for layout in LAYOUTS]


@pytest.mark.parametrize(("layout", "std"), CASES)
def test_code_title_and_date_detected(parsed, layout: str, std: str) -> None:
    _, doc, sc = parsed(layout, std)
    assert doc.code == sc.code[0], f"标准编号：应为 {sc.code[0]}，实为 {doc.code}"
    assert norm(doc.title) == norm(sc.title[0]), f"标准名称：应为「{sc.title[0]}」，实为「{doc.title}」"
    assert sc.effective[1] == sc.effective[0], f"实施日期：应为 {sc.effective[0]}，实为 {sc.effective[1] or '无'}"


@pytest.mark.parametrize(("layout", "std"), CASES)
def test_clauses_found_with_right_number_and_text(parsed, layout: str, std: str) -> None:
    _, _, sc = parsed(layout, std)
    accuracy = sc.accuracy
    assert sc.expected > 0
    assert accuracy >= BAR, summarize_failures(sc)


@pytest.mark.parametrize(("layout", "std"), CASES)
def test_no_invented_or_duplicated_clauses(parsed, layout: str, std: str) -> None:
    _, _, sc = parsed(layout, std)
    invented, duplicates = sc.invented, sc.duplicates
    assert not invented, f"{sc.label} 虚构条文（规范中没有的条号）：{invented[:20]}"
    assert not duplicates, f"{sc.label} 同一条号出现多次：{duplicates[:20]}"


@pytest.mark.parametrize(("layout", "std"), CASES)
def test_items_stay_inside_their_clause(parsed, layout: str, std: str) -> None:
    _, _, sc = parsed(layout, std)
    lost, total = len(sc.items_lost), sc.items_total
    assert lost <= (1 - BAR) * total, (
        f"{sc.label}：{lost}/{sc.items_total} 条的款项没有完整留在本条内：{sc.items_lost[:20]}\n" + summarize_failures(sc)
    )


@pytest.mark.parametrize(("layout", "std"), CASES)
def test_headers_footers_and_page_numbers_removed(parsed, layout: str, std: str) -> None:
    _, _, sc = parsed(layout, std)
    furniture = sc.furniture
    assert not furniture, f"{sc.label} 页眉/页脚/页码混入条文：{furniture[:10]}"


@pytest.mark.parametrize(("layout", "std"), CASES)
def test_mandatory_flags(parsed, layout: str, std: str) -> None:
    """GB 55xxx: every clause; otherwise exactly the clauses the 前言 lists as 强制性条文."""
    rendered, _, sc = parsed(layout, std)
    wrong = sc.mandatory_wrong
    assert not wrong, (
        f"{sc.label} 强制性标记错误 (条号, 应为, 实为)：{sc.mandatory_wrong[:10]}；"
        f"前言所列：{rendered.spec.mandatory if rendered.spec.mandatory is not None else '全文强制'}"
    )


@pytest.mark.parametrize(("layout", "std"), CASES)
def test_commentary_linked_to_its_clause(parsed, layout: str, std: str) -> None:
    rendered, _, sc = parsed(layout, std)
    if not rendered.spec.commentary:
        pytest.skip("该规范没有条文说明")
    invented, as_body = sc.cmt_invented, sc.cmt_as_body
    assert not invented, f"{sc.label} 条文说明指向不存在的条：{invented[:10]}"
    assert not as_body, f"{sc.label} 条文说明被当作正文：{as_body[:10]}"
    accuracy = sc.cmt_accuracy
    assert accuracy >= BAR, (
        f"{sc.label} 条文说明 {sc.cmt_correct}/{sc.cmt_expected} 正确\n" + summarize_failures(sc)
    )


@pytest.mark.parametrize(("layout", "std"), CASES)
def test_pages_recorded(parsed, layout: str, std: str) -> None:
    """Each clause carries the page(s) it is printed on (physical 1-based or printed number)."""
    _, _, sc = parsed(layout, std)
    bad, found = len(sc.pages_bad), max(1, sc.found)
    assert bad <= (1 - BAR) * found, (
        f"{sc.label} 页码不符 (条号, 实为, 应含物理页)：{sc.pages_bad[:10]}"
    )


def test_generator_round_trip_without_parser(tmp_path) -> None:
    """The fixtures themselves: pypdf reads back every clause number and the Chinese text."""
    from pypdf import PdfReader

    spec = synthetic_spec()
    for name in LAYOUTS:
        if LAYOUTS[name].producer == "fpdf2" and fpdf_available():
            continue
        r = make_standard_pdf(spec, tmp_path / f"{name}.pdf", name)
        text = norm("".join(p.extract_text() for p in PdfReader(str(r.path)).pages))
        for c in spec.clauses():
            assert norm(c.no + c.text) in text or norm(c.text)[:20] in text, (name, c.no)
        assert r.clause_pages and all(r.clause_pages[c.no] for c in spec.clauses())
