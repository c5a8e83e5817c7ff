"""The scanned-PDF pipeline around the OCR engine, with a stand-in engine so it runs in seconds.

Each page of the test PDFs is a flat grey picture whose grey level says which page it is; the
stand-in engine answers with the lines of that page (header, clauses, page number) at page
positions, with a chosen confidence. What is tested is everything but the recognition itself:
which pages are OCR'd (mixed PDFs), rows and furniture, clause numbers and confidences, the low
confidence report, resume after an interruption, the page limit, non-standards, OCR switched
off. tests/corpus/test_ocr_scans.py runs the real engine on real-looking scans.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import IngestError
from corpus.ingest import Outcome, ingest_one, parse_path
from corpus.library import Library
from corpus.ocr import OcrOptions, PageResult, TextBox
from corpus.ocr.layout import clean_text, furniture, page_rows

W, H = 420.0, 595.0
COVER = ["中华人民共和国行业标准", "JGJ 995—2025", "示例脚手架工程施工质量检验标准"]
P2 = ["JGJ 995—2025", "3　基本规定", "3.0.1　脚手架搭设前应编制专项施工方案，并经审批后实施。",
      "3.0.2　脚手架的构配件进场时应进行检验，应符合下列规定：", "1　钢管不得有裂缝和严重锈蚀；",
      "2　扣件应有产品质量合格证。", "· 1 ·"]
P3 = ["JGJ 995—2025", "3.0.3　脚手架每搭设一步后应校正步距、纵距、横距及立杆的垂直度。",
      "3.0.4　作业层上的施工荷载应符合设计要求，不得超载。", "· 2 ·"]
NOTICE = ["关于召开质量安全例会的通知", "各施工单位：", "定于本月二十日上午在监督站召开例会，请准时参加。", "示例县建设工程质量监督站"]


def _level(i: int) -> int:
    return 60 + 30 * i  # page i (0-based) is this grey


class StandInEngine:
    """Returns the lines of the page whose grey level the image has; counts calls; can be told to stop."""

    key = "stand-in-1"

    def __init__(self, pages: list[list[str]], scores: dict[int, float] | None = None,
                 interrupt_after: int | None = None) -> None:
        self.pages, self.scores, self.interrupt_after = pages, scores or {}, interrupt_after
        self.calls: list[int] = []

    def recognize(self, image: np.ndarray) -> PageResult:
        page = min(range(len(self.pages)), key=lambda i: abs(_level(i) - float(image.mean())))
        if self.interrupt_after is not None and len(self.calls) >= self.interrupt_after:
            raise KeyboardInterrupt  # the administrator pressed Ctrl-C
        self.calls.append(page + 1)
        h, w = image.shape
        out = PageResult(width=w, height=h)
        lines = self.pages[page]
        for k, text in enumerate(lines):
            if k == 0 and text.startswith("JGJ"):
                y = 0.05 * h  # running header in the top margin
            elif text.startswith("·"):
                y = 0.95 * h
            else:
                y = 0.15 * h + k * 0.05 * h
            x = 0.12 * w
            score = self.scores.get(page + 1, 0.97)
            no, sep, rest = text.partition("　")
            parts = [(no, x), (rest, x + 0.12 * w)] if sep and no[:1].isdigit() else [(text, x)]
            for t, x0 in parts:  # the number and its text as two boxes, as the detector often gives them
                x1 = x0 + 0.02 * w * len(t)
                out.boxes.append(TextBox(t, score, [[x0, y - 12], [x1, y - 12], [x1, y + 12], [x0, y + 12]]))
        return out


def grey_pdf(path: Path, n: int, text_pages: dict[int, list[str]] | None = None) -> Path:
    """An image-only PDF of ``n`` flat grey pages; ``text_pages`` (1-based) get a text layer instead."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for i in range(n):
        if text_pages and i + 1 in text_pages:
            c.setFont("STSong-Light", 10.5)
            for k, line in enumerate(text_pages[i + 1]):
                c.drawString(50, H - 60 - 20 * k, line)
        else:
            buf = io.BytesIO()
            Image.new("L", (300, 425), _level(i)).save(buf, "PNG")
            c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=W, height=H)
        c.showPage()
    c.save()
    return path


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    return grey_pdf(tmp_path / "scan.pdf", 3)


def test_scanned_pages_are_read_into_numbered_clauses(scan: Path, tmp_path: Path) -> None:
    eng = StandInEngine([COVER, P2, P3])
    doc = parse_path(scan, ocr=OcrOptions(engine=eng))
    assert eng.calls == [1, 2, 3]
    assert doc.code == "JGJ 995-2025" and "脚手架" in doc.title
    assert [c.clause_no for c in doc.body()] == ["3.0.1", "3.0.2", "3.0.3", "3.0.4"]
    c2 = doc.find("3.0.2")
    assert c2.pages == [2] and c2.text.splitlines()[1:] == ["1 钢管不得有裂缝和严重锈蚀；", "2 扣件应有产品质量合格证。"]
    # running header and page numbers are not clause text
    assert not any("JGJ" in c.text or "·" in c.text for c in doc.body())
    assert all(c.ocr_confidence == pytest.approx(0.97) for c in doc.body())
    assert [(p.page, p.low) for p in doc.ocr_pages] == [(1, False), (2, False), (3, False)]
    assert not any("置信度" in w for w in doc.warnings)


def test_low_confidence_page_is_listed_in_the_report(scan: Path, tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    eng = StandInEngine([COVER, P2, P3], scores={3: 0.62})
    rep = ingest_one(scan, lib, ocr=OcrOptions(engine=eng))
    assert rep.outcome is Outcome.added, rep.error
    assert rep.ocr_pages == 3
    assert rep.low_confidence_pages == [{"page": 3, "confidence": 0.62}]
    assert "第3页识别置信度低（0.62），请人工核对" in rep.warnings
    stored = lib.get("JGJ 995-2025")
    assert [p.page for p in stored.ocr_pages if p.low] == [3]
    assert stored.find("3.0.4").ocr_confidence == pytest.approx(0.62)
    assert stored.find("3.0.1").ocr_confidence == pytest.approx(0.97)
    # an unchanged re-ingest reports the same pages from what the library holds
    again = ingest_one(scan, lib, ocr=OcrOptions(engine=eng))
    assert again.outcome is Outcome.unchanged and again.low_confidence_pages == rep.low_confidence_pages


def test_interrupted_ocr_resumes_without_reading_finished_pages_again(scan: Path, tmp_path: Path) -> None:
    cache = tmp_path / "ocr_cache"
    first = StandInEngine([COVER, P2, P3], interrupt_after=2)
    with pytest.raises(KeyboardInterrupt):
        parse_path(scan, ocr=OcrOptions(engine=first, cache_dir=cache))
    assert first.calls == [1, 2]
    second = StandInEngine([COVER, P2, P3])
    doc = parse_path(scan, ocr=OcrOptions(engine=second, cache_dir=cache))
    assert second.calls == [3]  # pages 1 and 2 come from the cache
    assert len(doc.body()) == 4
    third = StandInEngine([COVER, P2, P3])
    assert len(parse_path(scan, ocr=OcrOptions(engine=third, cache_dir=cache)).body()) == 4
    assert third.calls == []
    # another engine (or engine version) never reuses these pages
    other = StandInEngine([COVER, P2, P3])
    other.key = "stand-in-2"
    parse_path(scan, ocr=OcrOptions(engine=other, cache_dir=cache))
    assert other.calls == [1, 2, 3]


def test_ingest_keeps_its_page_cache_in_the_library(scan: Path, tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    eng = StandInEngine([COVER, P2, P3])
    assert ingest_one(scan, lib, ocr=OcrOptions(engine=eng)).outcome is Outcome.added
    assert len(list((tmp_path / "lib" / "ocr_cache").rglob("p*.json"))) == 3


def test_damaged_cache_entry_is_read_again(scan: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c"
    parse_path(scan, ocr=OcrOptions(engine=StandInEngine([COVER, P2, P3]), cache_dir=cache))
    entry = sorted(cache.rglob("p00002.json"))[0]
    entry.write_text("{not json", "utf-8")
    eng = StandInEngine([COVER, P2, P3])
    assert len(parse_path(scan, ocr=OcrOptions(engine=eng, cache_dir=cache)).body()) == 4
    assert eng.calls == [2]


def test_mixed_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    typed = ["3.0.3　脚手架每搭设一步后应校正步距、纵距、横距及立杆的垂直度，并应逐步检查扣件拧紧程度。",
             "3.0.4　作业层上的施工荷载应符合设计要求，不得超载；严禁将模板支架、缆风绳固定在脚手架上。"]
    pdf = grey_pdf(tmp_path / "mixed.pdf", 3, text_pages={3: typed})
    eng = StandInEngine([COVER, P2, P3])
    doc = parse_path(pdf, ocr=OcrOptions(engine=eng))
    assert eng.calls == [1, 2]  # the typed page keeps its text layer
    assert [c.clause_no for c in doc.body()] == ["3.0.1", "3.0.2", "3.0.3", "3.0.4"]
    assert doc.find("3.0.4").text.startswith("作业层上的施工荷载") and "严禁" in doc.find("3.0.4").text
    assert doc.find("3.0.1").ocr_confidence is not None and doc.find("3.0.4").ocr_confidence is None
    assert [p.page for p in doc.ocr_pages] == [1, 2]


def test_page_limit_refuses_with_chinese_reason_and_keeps_the_library(scan: Path, tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    eng = StandInEngine([COVER, P2, P3])
    assert ingest_one(scan, lib, ocr=OcrOptions(engine=eng)).outcome is Outcome.added
    big = grey_pdf(tmp_path / "big.pdf", 3)
    big.write_bytes(big.read_bytes() + b"\n%changed\n")  # another file (other hash), same code
    eng = StandInEngine([COVER, P2, P3])
    rep = ingest_one(big, lib, ocr=OcrOptions(engine=eng, max_pages=2))
    assert rep.outcome is Outcome.failed
    assert "扫描页共 3 页" in rep.error and "上限（2 页）" in rep.error and "拆分" in rep.error
    assert eng.calls == []  # refused before any page is read
    assert len(lib.get("JGJ 995-2025").body()) == 4


def test_scan_of_something_that_is_not_a_standard(tmp_path: Path) -> None:
    pdf = grey_pdf(tmp_path / "notice.pdf", 1)
    with pytest.raises(IngestError) as info:
        parse_path(pdf, ocr=OcrOptions(engine=StandInEngine([NOTICE])))
    assert "扫描件" in info.value.reason and "不是规范或标准" in info.value.reason


def test_ocr_switched_off_says_so(scan: Path) -> None:
    with pytest.raises(IngestError) as info:
        parse_path(scan, ocr=OcrOptions(enabled=False))
    assert "扫描件" in info.value.reason and "OCR" in info.value.reason


def test_missing_engine_is_a_chinese_reason(scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus.ocr.scan as scan_mod

    monkeypatch.setattr(scan_mod, "engine_unavailable", lambda: "未安装文字识别引擎 rapidocr-onnxruntime")
    with pytest.raises(IngestError) as info:
        parse_path(scan)
    assert "文字识别引擎" in info.value.reason


def test_blank_image_pages_give_a_clear_reason(tmp_path: Path) -> None:
    pdf = grey_pdf(tmp_path / "blank.pdf", 2)
    with pytest.raises(IngestError) as info:
        parse_path(pdf, ocr=OcrOptions(engine=StandInEngine([[], []])))
    assert "扫描件中未识别出文字" in info.value.reason


# ---------------------------------------------------------------------------
# rows and furniture
# ---------------------------------------------------------------------------

def _box(text: str, x0: float, y: float, width: float, angle_deg: float = 0.0, h: float = 30.0,
         score: float = 0.98) -> TextBox:
    t = math.tan(math.radians(angle_deg))
    quad = [[x0, y - h / 2 + x0 * t], [x0 + width, y - h / 2 + (x0 + width) * t],
            [x0 + width, y + h / 2 + (x0 + width) * t], [x0, y + h / 2 + x0 * t]]
    return TextBox(text, score, quad)


def test_rows_follow_a_skewed_page() -> None:
    """At 1° a line's right end sits a line-height lower than its left: rows must still pair up."""
    a = 1.0
    boxes = [
        _box("模板及其支架应根据工程结构形式进行设计并应满足承载力的要求。", 220, 300, 1500, a),
        _box("3.0.1", 100, 300, 100, a),
        _box("3.0.2", 100, 350, 100, a),
        _box("模板安装应符合下列规定，接缝不应漏浆且接触面应清理干净。", 220, 350, 1500, a),
        _box("后面的一行文字较长并且跨越整个版心宽度以便测量倾斜角度。", 100, 400, 1620, a),
    ]
    rows = page_rows(PageResult(width=1800, height=2400, boxes=boxes))
    assert [r.text[:8] for r in rows] == ["3.0.1 模板", "3.0.2 模板", "后面的一行文字较"]


def test_low_score_boxes_are_not_text() -> None:
    rows = page_rows(PageResult(width=1000, height=1400, boxes=[
        _box("3.0.1　正文内容", 100, 300, 600), _box("示例监督站", 600, 500, 200, score=0.3)]))
    assert [r.text for r in rows] == ["3.0.1　正文内容"]


@pytest.mark.parametrize(("raw", "clean"), [
    ("3. 1.2混凝土", "3.1.2混凝土"),
    ("3．1．2 混凝土", "3.1.2 混凝土"),
    ("3.1,2混凝土", "3.1.2混凝土"),
    ("A. 0.1 附录条文", "A.0.1 附录条文"),
    ("4.1 原材料", "4.1 原材料"),
    ("温度不低于5°℃时", "温度不低于5℃时"),
    ("混凝土,应符合(表3)的规定:", "混凝土，应符合（表3）的规定："),
    ("按GB 50204(2015)执行", "按GB 50204(2015)执行"),
    ("3.0.1条规定的", "3.0.1条规定的"),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_furniture_is_repeated_margin_rows_and_page_numbers() -> None:
    def page(header: str, body: str, foot: str) -> list:
        return page_rows(PageResult(width=1000, height=1400, boxes=[
            _box(header, 600, 60, 300), _box(body, 100, 500, 700), _box(foot, 480, 1340, 60)]))

    pages = {2: page("GB 55032-2022", "3.0.1　第一条正文", "·1·"),
             3: page("GB55032—2022", "3.0.2　第二条正文", "- 2 -"),
             4: page("GB 55032-2022", "3.0.3　第三条正文", "3")}
    drop = furniture(pages)
    assert drop == {2: {0, 2}, 3: {0, 2}, 4: {0, 2}}
    # a body line near the top that appears once is kept
    solo = {2: page_rows(PageResult(width=1000, height=1400, boxes=[_box("3.0.9　仅此一页的条文", 100, 100, 700)]))}
    assert furniture(solo) == {}


def test_typed_page_among_scans_loses_the_scans_header_and_footer() -> None:
    from corpus.ocr.layout import drop_known_furniture, shape

    lines = ["JGJ 999—2024", "3.2.2　现浇结构的位置和尺寸偏差应符合表3.2.2的规定。", "第 3 页 共 11 页"]
    assert drop_known_furniture(lines, {shape("JGJ999-2024")}) == [lines[1]]
    # without that header among the scans' furniture, only the page number goes
    assert drop_known_furniture(lines, set()) == lines[:2]
