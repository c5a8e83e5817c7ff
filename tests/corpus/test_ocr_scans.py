"""Real scans through the real OCR engine: generated standard pages, printed and scanned (evals.scangen).

Each scan is a few A5 pages drawn in a CJK TrueType font at scanner resolution, tilted up to 1°,
on grey paper with grain, blur, speckle and JPEG compression. Marked slow: the engine reads a page
in a few CPU seconds. Needs the Debian fonts .ci/run installs (skips with the apt command otherwise).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from rapidfuzz import fuzz
from typer.testing import CliRunner

from corpus.errors import IngestError
from corpus.ingest import Outcome, ingest_one, parse_path
from corpus.library import Library
from corpus.ocr import OcrOptions, PageResult, engine_unavailable
from evals.scangen import STYLES, missing_fonts, simple_pages, write_page_scan, write_scanned_notice

# Droid Sans Fallback (fonts-droid-fallback, which .ci/run installs) for every page drawn here
CLEAN = replace(STYLES["scan_song"], name="scan_clean", font="droid")
_why = engine_unavailable() or (f"缺少字体：apt-get install {' '.join(missing_fonts(CLEAN))}"
                                if missing_fonts(CLEAN) else None)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(_why is not None, reason=_why or "")]

COVER = ["中华人民共和国行业标准", "", "JGJ 996—2025", "", "示例模板工程施工质量检验标准", "", "",
         "2025-01-01 发布　2025-06-01 实施"]
CLAUSES = {
    "3.0.1": "模板及其支架应根据工程结构形式、荷载大小、地基土类别、施工设备和材料供应等条件进行设计。",
    "3.0.2": "模板及其支架应具有足够的承载能力、刚度和稳定性，能可靠地承受浇筑混凝土的重量、侧压力以及施工荷载。",
    "3.0.3": "模板安装应符合下列规定：\n1　模板的接缝不应漏浆；\n2　模板与混凝土的接触面应清理干净并涂刷隔离剂；",
    "3.0.4": "固定在模板上的预埋件、预留孔和预留洞均不得遗漏，且应安装牢固。",
    "4.0.1": "底模及其支架拆除时的混凝土强度应符合设计要求。",
    "4.0.2": "后张法预应力混凝土结构构件，侧模宜在预应力张拉前拆除。",
    "4.0.3": "模板拆除时，不应对楼层形成冲击荷载。拆除的模板和支架宜分散堆放并及时清运。",
}
PAGE_OF = {no: 2 if no.startswith("3") else 3 for no in CLAUSES}


def _page(nos: list[str], heading: str) -> list[str]:
    out = [heading]
    for no in nos:
        first, *items = CLAUSES[no].split("\n")
        out += [f"{no}　{first}", *items]
    return out


PAGES = [COVER, _page(["3.0.1", "3.0.2", "3.0.3", "3.0.4"], "3　基本规定"), _page(["4.0.1", "4.0.2", "4.0.3"], "4　拆除")]


def norm(t: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", t))


class Counting:
    """The real engine, counting the pages it is asked to read."""

    def __init__(self) -> None:
        from corpus.ocr.engine import default_engine

        self.inner = default_engine()
        self.key = self.inner.key
        self.calls = 0

    def recognize(self, image) -> PageResult:
        self.calls += 1
        return self.inner.recognize(image)


@pytest.fixture(scope="module")
def pages():
    return simple_pages(PAGES, header="JGJ 996—2025")


def _check_clauses(doc, pages_of: dict[str, int] | None = PAGE_OF) -> None:
    got = {c.clause_no: c for c in doc.body()}
    assert set(got) == set(CLAUSES), f"clauses found: {sorted(got)}"  # every number, nothing invented
    for no, text in CLAUSES.items():
        ratio = fuzz.ratio(norm(text), norm(got[no].text))
        assert ratio >= 90, f"{no}: {ratio:.0f} «{got[no].text}»"
        assert "JGJ" not in got[no].text and "·" not in got[no].text, f"page furniture in {no}: {got[no].text}"
        if pages_of:
            assert got[no].pages == [pages_of[no]], (no, got[no].pages)


def test_small_scan_is_ingested_with_clause_numbers_and_resumes_from_cache(pages, tmp_path: Path) -> None:
    pdf = write_page_scan(tmp_path / "scan.pdf", pages, CLEAN, seed=1)
    lib = Library(tmp_path / "lib")
    eng = Counting()
    rep = ingest_one(pdf, lib, ocr=OcrOptions(engine=eng))
    assert rep.outcome is Outcome.added, rep.error
    assert rep.code == "JGJ 996-2025" and rep.title == "示例模板工程施工质量检验标准"
    assert rep.ocr_pages == 3 and eng.calls == 3
    doc = lib.get("JGJ 996-2025")
    _check_clauses(doc)
    items = doc.find("3.0.3").text.splitlines()[1:]  # items stay lines of their clause, numbers included
    assert [i[:1] for i in items] == ["1", "2"], items
    assert all(0.8 < (c.ocr_confidence or 0) <= 1 for c in doc.body())
    assert not rep.low_confidence_pages
    # the pages are in the library's OCR cache: parsing again reads none of them
    again = Counting()
    parse_path(pdf, ocr=OcrOptions(engine=again, cache_dir=lib.root / "ocr_cache"))
    assert again.calls == 0


def test_upside_down_page_is_turned_and_read(pages, tmp_path: Path) -> None:
    pdf = write_page_scan(tmp_path / "flipped.pdf", pages, "scan_rough", seed=2, upside_down={2})
    doc = parse_path(pdf)
    _check_clauses(doc)
    assert [p.page for p in doc.ocr_pages if p.rotated == 180] == [2]
    assert "第2页为倒置扫描，已自动旋转后识别" in doc.warnings


def test_mixed_pdf_reads_typed_pages_and_ocrs_scanned_ones(pages, tmp_path: Path) -> None:
    pdf = write_page_scan(tmp_path / "mixed.pdf", pages, "scan_rough", seed=3, text_pages={2})
    eng = Counting()
    doc = parse_path(pdf, ocr=OcrOptions(engine=eng))
    assert eng.calls == 2
    _check_clauses(doc)
    assert [p.page for p in doc.ocr_pages] == [1, 3]
    assert doc.find("3.0.1").ocr_confidence is None and doc.find("4.0.1").ocr_confidence is not None


def test_unreadable_page_is_reported_to_the_admin(pages, tmp_path: Path, data_dir: Path) -> None:
    from assistant.cli import app

    ruined = replace(STYLES["scan_rough"], name="ruined", dpi=150, blur=2.6, grain=30.0, speckle=0.01, jpeg_quality=20)
    pdf = write_page_scan(tmp_path / "ruined.pdf", pages, CLEAN, seed=4, styles={3: ruined})
    r = CliRunner().invoke(app, ["ingest", "--no-index", "-q", str(pdf)])
    assert r.exit_code == 0, r.output
    assert "其中 3 页为扫描件经文字识别导入" in r.output
    assert re.search(r"⚠ 第3页识别置信度低（0\.\d\d），请人工核对", r.output), r.output
    assert "第2页" not in r.output


def test_scan_of_a_notice_is_not_taken_for_a_standard(tmp_path: Path) -> None:
    pdf = write_scanned_notice(tmp_path / "notice.pdf")
    with pytest.raises(IngestError) as info:
        parse_path(pdf)
    assert "扫描件" in info.value.reason and "不是规范或标准" in info.value.reason
