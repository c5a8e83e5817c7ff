"""Each loader on a small file written by the test (original sample text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.errors import IngestError
from corpus.ingest import parse_path
from corpus.models import ClauseKind, DocKind, DocStatus

MD = """---
code: ZJ/T 901-2025
title: 测试用示例规程
kind: guide
status: 现行
effective_date: 2025-01-01
illustrative: true
mandatory: ["2.0.2"]
---
本文件为测试用示例。

## 1 总则
1.0.1 为测试解析，编写本示例。
## 2 基本规定
2.0.1 示例应符合下列规定：
1 第一款；
2 第二款。
2.0.2 严禁示例违规。
"""


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    p = tmp_path / "demo.md"
    p.write_text(MD, "utf-8")
    doc = parse_path(p)
    assert (doc.code, doc.title, doc.kind, doc.illustrative) == ("ZJ/T 901-2025", "测试用示例规程", DocKind.guide, True)
    assert [c.clause_no for c in doc.clauses] == ["1.0.1", "2.0.1", "2.0.2"]
    assert doc.find("2.0.1").text == "示例应符合下列规定：\n1 第一款；\n2 第二款。"
    assert [c.clause_no for c in doc.clauses if c.mandatory] == ["2.0.2"]
    assert len(doc.sha256) == 64 and doc.source_path == str(p)


def test_gb18030_text_with_code_in_file_name(tmp_path: Path) -> None:
    p = tmp_path / "DB99 123-2099 示例地方标准.txt"
    p.write_bytes("1.0.1 示例地方标准第一条。\n1.0.2 第二条。\n".encode("gb18030"))
    doc = parse_path(p)
    assert doc.code == "DB99 123-2099"
    assert doc.title == "示例地方标准"
    assert doc.status is DocStatus.current  # no effective date printed: 现行 unless told otherwise
    assert len(doc.clauses) == 2


def test_html_drops_script_style_comments_and_hidden(tmp_path: Path) -> None:
    p = tmp_path / "GB 59999-2099.html"
    p.write_text(
        """<html><head><title>x</title><style>p{color:red}</style></head><body>
        <h1>示例通用规范</h1><script>var a = 1; function f(){}</script>
        <!-- 页面评论 -->
        <h2>3 基本规定</h2>
        <p>3.0.1 <span>示例条文应符合下列规定：</span></p>
        <ol><li>第一款；</li><li>第二款。</li></ol>
        <div style="display:none">隐藏的专家点评</div>
        <button>收起</button>
        <table><tr><td>3.0.9</td><td>5</td></tr></table>
        <p>3.0.2 第二条。</p></body></html>""",
        "utf-8",
    )
    doc = parse_path(p)
    assert doc.code == "GB 59999-2099"
    assert [c.clause_no for c in doc.clauses] == ["3.0.1", "3.0.2"]
    first = doc.find("3.0.1").text
    assert first.startswith("示例条文应符合下列规定：\n1 第一款；\n2 第二款。")
    for junk in ("color", "function", "评论", "隐藏", "收起"):
        assert junk not in first
    assert not any(c.mandatory for c in doc.clauses)  # only GB 55xxx codes are mandatory in full


def test_general_code_rule_only_for_gb55(tmp_path: Path) -> None:
    p = tmp_path / "GB 50999-2099.md"
    p.write_text("1.0.1 示例。\n", "utf-8")
    assert not parse_path(p).clauses[0].mandatory
    q = tmp_path / "GB 55999-2099.md"
    q.write_text("1.0.1 示例。\n", "utf-8")
    assert parse_path(q).clauses[0].mandatory


def test_docx_with_numbered_items_and_table(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("JGJ 999-2099")
    d.add_paragraph("示例技术规程")
    d.add_heading("4 施工", level=1)
    d.add_paragraph("4.0.1 示例应符合下列规定：")
    d.add_paragraph("第一款内容；", style="List Number")
    d.add_paragraph("第二款内容。", style="List Number")
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = "4.0.9", "10"
    d.add_paragraph("4.0.2 第二条。")
    p = tmp_path / "x.docx"
    d.save(p)
    doc = parse_path(p)
    assert doc.code == "JGJ 999-2099" and doc.title == "示例技术规程"
    assert [c.clause_no for c in doc.clauses] == ["4.0.1", "4.0.2"]
    assert doc.clauses[0].text.splitlines()[1:3] == ["1 第一款内容；", "2 第二款内容。"]
    assert doc.clauses[0].chapter == "4 施工"


def test_jsonl_with_meta_sidecar(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"code": "GB 59998-2099", "name": "示例", "status": "废止",
                                                    "superseded_by": "GB 59999-2100"}), "utf-8")
    rows = [{"clause_no": "1.0.1", "text": "示例第一条。"}, {"clause_no": "1.0.2", "text": "示例第二条。"}]
    p = tmp_path / "clauses.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    doc = parse_path(p)
    assert doc.status is DocStatus.withdrawn and doc.superseded_by == "GB 59999-2100"
    assert len(doc.clauses) == 2


def test_yaml_cases_and_faq(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        """collection: {code: ZJ-CASE-2099, title: 测试案例, kind: case, illustrative: true}
entries:
  - id: AL-001
    title: 示例裂缝
    problem: 楼板出现裂缝。
    cause: 养护不足。
    treatment: 封闭处理。
    basis: 示例依据。
    tags: [混凝土]
""",
        "utf-8",
    )
    doc = parse_path(cases)
    c = doc.clauses[0]
    assert doc.kind is DocKind.case and c.kind is ClauseKind.case and c.clause_no == "AL-001"
    assert c.text.startswith("问题：楼板出现裂缝。\n原因：养护不足。") and c.title == "示例裂缝"
    faq = tmp_path / "faq.yaml"
    faq.write_text(
        "collection: {code: ZJ-FAQ-2099, title: 测试问答, kind: faq}\nentries:\n"
        "  - {id: FAQ-001, question: 怎么预约？, answer: 提前申请。}\n",
        "utf-8",
    )
    f = parse_path(faq).clauses[0]
    assert f.kind is ClauseKind.faq and f.text == "问：怎么预约？\n答：提前申请。"
    bad = tmp_path / "bad.yaml"
    bad.write_text("collection: {code: X-1-2099, kind: faq}\nentries:\n  - {id: F1, question: 只有问题}\n", "utf-8")
    with pytest.raises(IngestError, match="answer"):
        parse_path(bad)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.pdf", b"", "空"),
        ("notpdf.pdf", b"hello world, not a pdf", "不是有效的 PDF"),
        ("binary.txt", bytes(range(256)) * 20, "编码"),
        ("noclause.md", "这是一段没有任何条文编号的说明文字。\n".encode(), "未识别出任何条文|未能识别标准编号"),
        ("x.xls", b"abc", "不支持的文件类型"),
    ],
)
def test_bad_files_raise_chinese_reasons(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(IngestError, match=reason) as exc:
        parse_path(p)
    assert str(p) in exc.value.message


def test_a_parser_upgrade_reads_an_unchanged_file_again(tmp_path: Path) -> None:
    from corpus.ingest import Outcome, ingest_one
    from corpus.library import Library
    from corpus.models import PARSER_VERSION

    p = tmp_path / "demo.md"
    p.write_text(MD, "utf-8")
    lib = Library(tmp_path / "library")
    assert ingest_one(p, lib).outcome is Outcome.added
    assert ingest_one(p, lib).outcome is Outcome.unchanged
    # A document stored by an older parser lacks what the new one reads (e.g. repeal lists).
    lib.put(lib.get("ZJ/T 901-2025").model_copy(update={"parser_version": PARSER_VERSION - 1}))
    assert ingest_one(p, lib).outcome is Outcome.replaced
    assert lib.get("ZJ/T 901-2025").parser_version == PARSER_VERSION
    assert ingest_one(p, lib).outcome is Outcome.unchanged
