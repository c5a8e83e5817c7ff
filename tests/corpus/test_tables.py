"""Tables keep their caption, header and rows as cells, tied to their clause, in every format.

The texts are written for these tests (illustrative values, not quoted from a standard).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.ingest import parse_path
from corpus.library import Library
from corpus.models import Document, Table
from corpus.tables import html_table, layout_tables, parse_caption

FRONT = """---
code: ZJ/T 931-2025
title: 表格解析测试示例
kind: guide
illustrative: true
---
本文件为测试用示例。
"""
HEADER = ["项目", "允许偏差（mm）", "检验方法"]
ROWS = [["轴线位置", "5", "尺量"], ["截面尺寸", "+4，-5", "尺量"], ["表面平整度", "8", "2m靠尺和塞尺"]]


def _only_table(doc: Document, clause_no: str) -> Table:
    clause = doc.find(clause_no)
    assert clause is not None and len(clause.tables) == 1, [c.clause_no for c in doc.clauses if c.tables]
    return clause.tables[0]


def _assert_table(t: Table, clause_no: str = "3.0.2") -> None:
    assert (t.caption, t.number, t.clause_no) == ("表3.0.2 模板安装允许偏差示例", "3.0.2", clause_no)
    assert t.header == [HEADER] and t.rows == ROWS
    assert t.row_text(0) == "表3.0.2 模板安装允许偏差示例 | 项目：轴线位置 | 允许偏差（mm）：5 | 检验方法：尺量"


def test_markdown_pipe_table(tmp_path: Path) -> None:
    rows = "\n".join(f"| {' | '.join(r)} |" for r in ROWS)
    p = tmp_path / "t.md"
    p.write_text(FRONT + f"""
## 3 安装
3.0.1 模板应安装牢固。
3.0.2 模板安装的允许偏差应符合表3.0.2的规定。

表3.0.2 模板安装允许偏差示例

| {' | '.join(HEADER)} |
|---|:---:|---|
{rows}

3.0.3 模板拆除应按方案进行。
""", "utf-8")
    doc = parse_path(p)
    _assert_table(_only_table(doc, "3.0.2"))
    assert [c.clause_no for c in doc.clauses] == ["3.0.1", "3.0.2", "3.0.3"]
    assert "轴线位置 | 5 | 尺量" in doc.find("3.0.2").text  # the clause text keeps the rows too
    assert not doc.find("3.0.3").tables


def test_raw_html_table_in_markdown_with_spans(tmp_path: Path) -> None:
    """Real Markdown conversions carry tables as one line of HTML; rowspan/colspan fill every column."""
    p = tmp_path / "t.md"
    p.write_text(FRONT + """
## 4 验收
4.0.1 表面平整度应按表4.0.1检查。
表 4.0.1 平整度允许偏差示例
<table><tr><td rowspan="2">部位</td><td colspan="2">允许偏差（mm）</td></tr><tr><td>清水</td><td>混水</td></tr><tr><td>墙</td><td>5</td><td>8</td></tr><tr><td>柱</td><td>5</td><td>8</td></tr></table>
4.0.2 验收应形成记录。
""", "utf-8")
    doc = parse_path(p)
    t = _only_table(doc, "4.0.1")
    assert (t.caption, t.number) == ("表 4.0.1 平整度允许偏差示例", "4.0.1")
    assert t.header == [["部位", "允许偏差（mm）", "允许偏差（mm）"], ["部位", "清水", "混水"]]
    assert t.rows == [["墙", "5", "8"], ["柱", "5", "8"]]
    assert t.columns() == ["部位", "允许偏差（mm） 清水", "允许偏差（mm） 混水"]
    assert [c.clause_no for c in doc.clauses] == ["4.0.1", "4.0.2"]
    assert "<table" not in doc.find("4.0.1").text


def test_html_table_with_caption_belongs_to_the_clause_it_names(tmp_path: Path) -> None:
    cells = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in r)}</tr>" for r in ROWS)
    p = tmp_path / "t.html"
    p.write_text(f"""<html><head><title>x</title></head><body>
<p>ZJ/T 931-2025 表格解析测试示例</p>
<h2>3 安装</h2>
<p>3.0.1 模板应安装牢固。</p>
<p>3.0.2 模板安装的允许偏差应符合表3.0.2的规定。</p>
<p>3.0.3 模板拆除应按方案进行。</p>
<table><caption>表3.0.2 模板安装允许偏差示例</caption>
<thead><tr>{''.join(f'<th>{h}</th>' for h in HEADER)}</tr></thead><tbody>{cells}</tbody></table>
<p>3.0.4 验收应形成记录。</p>
</body></html>""", "utf-8")
    doc = parse_path(p)
    _assert_table(_only_table(doc, "3.0.2"))  # printed after 3.0.3, but its number names 3.0.2
    assert not doc.find("3.0.3").tables


def test_docx_table_built_with_python_docx(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("ZJ/T 931-2025 表格解析测试示例")
    d.add_heading("3 安装", level=1)
    d.add_paragraph("3.0.1 模板应安装牢固。")
    d.add_paragraph("3.0.2 模板安装的允许偏差应符合表3.0.2的规定。")
    d.add_paragraph("表3.0.2　模板安装允许偏差示例")
    table = d.add_table(rows=1 + len(ROWS), cols=3)
    for i, row in enumerate([HEADER, *ROWS]):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    d.add_paragraph("3.0.3 模板拆除应按方案进行。")
    p = tmp_path / "t.docx"
    d.save(str(p))
    doc = parse_path(p)
    _assert_table(_only_table(doc, "3.0.2"))
    assert [c.clause_no for c in doc.clauses] == ["3.0.1", "3.0.2", "3.0.3"]


def test_docx_merged_cells_fill_their_columns(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("ZJ/T 931-2025 表格解析测试示例")
    d.add_paragraph("4.0.1 平整度应按表4.0.1检查。")
    d.add_paragraph("表4.0.1 平整度允许偏差示例")
    t = d.add_table(rows=3, cols=3)
    for i, row in enumerate([["部位", "允许偏差（mm）", ""], ["墙", "5", "2m靠尺"], ["", "8", "混水墙"]]):
        for j, text in enumerate(row):
            if text:
                t.cell(i, j).text = text
    t.cell(0, 1).merge(t.cell(0, 2))
    t.cell(1, 0).merge(t.cell(2, 0))
    p = tmp_path / "t.docx"
    d.save(str(p))
    table = _only_table(parse_path(p), "4.0.1")
    assert table.header == [["部位", "允许偏差（mm）", "允许偏差（mm）"]]
    assert table.rows == [["墙", "5", "2m靠尺"], ["墙", "8", "混水墙"]]


@pytest.mark.parametrize("layout", ["classic", "fpdf_cn", "both_hyphen"])
def test_generated_pdf_table(tmp_path: Path, layout: str) -> None:
    from evals.pdfgen import LAYOUTS, fpdf_available, make_standard_pdf, synthetic_spec

    if LAYOUTS[layout].producer == "fpdf2" and (why := fpdf_available()):
        pytest.skip(why)
    spec = synthetic_spec()
    want = next(c.table for c in spec.clauses() if c.no == "3.2.2")
    doc = parse_path(make_standard_pdf(spec, tmp_path / "s.pdf", layout).path)
    t = _only_table(doc, "3.2.2")
    assert t.caption.replace("\u3000", " ") == want.caption.replace("\u3000", " ") and t.number == "3.2.2"
    assert t.header == [want.rows[0]] and t.rows == want.rows[1:]
    assert t.notes and t.notes[0].startswith("注")
    # A number in a cell never starts a clause, and no other clause grew a table.
    assert [c.clause_no for c in doc.body() if c.tables] == ["3.2.2"]


def test_layout_text_stops_at_prose_and_notes() -> None:
    page = """
          表5.1.2　养护时间示例

     水泥品种          养护时间（d）

     普通硅酸盐水泥         7

     掺缓凝剂              14

 注：养护时间自浇筑完毕起算。
5.1.3 养护用水应与拌合用水相同。
"""
    [t] = layout_tables(page)
    assert (t.number, t.header, t.rows) == ("5.1.2", [["水泥品种", "养护时间（d）"]],
                                            [["普通硅酸盐水泥", "7"], ["掺缓凝剂", "14"]])
    assert t.notes == ["注：养护时间自浇筑完毕起算。"]


@pytest.mark.parametrize(("text", "number"), [
    ("表4.2.2 民用建筑楼面均布活荷载标准值", "4.2.2"),
    ("表 11.1.6-1 附加质量分布系数", "11.1.6-1"),
    ("表A.0.1 材料性能示例", "A.0.1"),
    ("表 2 国内工程实例", "2"),
])
def test_captions(text: str, number: str) -> None:
    assert parse_caption(text) == (text, number)


@pytest.mark.parametrize("text", ["表4.2.2中第1项的规定", "表3.0.1规定的数值。", "表4.2.2的规定采用；"])
def test_references_are_not_captions(text: str) -> None:
    assert parse_caption(text) is None


def test_broken_caption_markup_does_not_swallow_the_rows() -> None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup('<table><caption><b><div>表4.0.1 示例</b></caption><tr><td>甲</td><td>1</td></tr>'
                         '<tr><td>乙</td><td>2</td></tr></table>', "lxml")
    t = html_table(soup.find("table"))
    assert t is not None and (t.caption, t.rows) == ("表4.0.1 示例", [["乙", "2"]])


def test_library_documents_without_tables_still_load(tmp_path: Path) -> None:
    """A library written before tables existed (no 'tables' key) loads; a new one round-trips its tables."""
    lib = Library(tmp_path / "lib")
    old = {"code": "ZJ/T 931-2025", "title": "旧库示例", "parser_version": 2,
           "clauses": [{"clause_no": "1.0.1", "text": "旧条文。", "kind": "body"}]}
    lib.docs_dir.mkdir(parents=True)
    (lib.docs_dir / "ZJT931-2025.json").write_text(json.dumps(old, ensure_ascii=False), "utf-8")
    doc = lib.get("ZJ/T 931-2025")
    assert doc is not None and doc.clauses[0].tables == []
    doc.clauses[0].tables.append(Table(caption="表1.0.1 示例", number="1.0.1", header=[["甲", "乙"]],
                                       rows=[["1", "2"]], clause_no="1.0.1"))
    lib.put(doc)
    assert lib.get("ZJ/T 931-2025").clauses[0].tables[0].rows == [["1", "2"]]


def test_ocr_rows_keep_their_columns() -> None:
    """Runs the OCR engine found on one printed line keep their gaps, so the table finder sees columns."""
    from corpus.ocr.layout import Row, layout_lines

    def row(y: float, *runs: tuple[float, str]) -> Row:
        boxes = [(x, x + 20.0 * len(t), t) for x, t in runs]
        return Row(" ".join(t for _, t in runs), 0.99, 10, y, y + 20.0, runs[0][0], 1000.0, boxes)

    rows = [row(0, (200, "表3.0.2"), (350, "模板安装允许偏差示例")), row(40, (100, "项目"), (400, "允许偏差（mm）")),
            row(80, (100, "轴线位置"), (460, "5")), row(120, (100, "表面"), (145, "平整度"), (460, "8"))]
    [t] = layout_tables("\n".join(layout_lines(rows)))
    assert (t.number, t.header, t.rows) == ("3.0.2", [["项目", "允许偏差（mm）"]], [["轴线位置", "5"], ["表面平整度", "8"]])


@pytest.mark.slow
def test_scanned_table_rows(tmp_path: Path) -> None:
    """A scanned page is read by OCR; its tables come out as rows of cells too (most rows, OCR permitting)."""
    from evals.pdfgen import score_document
    from evals.pdfgen.tables import tables_spec
    from evals.scangen import make_scanned_pdf, missing_fonts

    if missing_fonts():
        pytest.skip(f"缺少字体：{missing_fonts()}")
    scan = make_scanned_pdf(tables_spec(), tmp_path / "t.pdf", "three_line_tables", style="scan_rough")
    sc = score_document(scan.rendered, parse_path(scan.path))
    assert sc.correct == sc.expected and sc.rows_expected == 17
    assert sc.rows_found >= 13, sc.rows_lost
