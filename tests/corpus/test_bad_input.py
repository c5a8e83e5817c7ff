"""Bad input: a one-line Chinese error naming the file, the batch goes on, nothing stored is lost.

Files: zero-byte, truncated, encrypted (user password) and image-only PDFs, random bytes named
.txt and .pdf, a notice that names a standard but has no clause (text and PDF), an HTML page with
only script/CSS, a broken .docx. Also the near misses that must *work*: GB18030 text and a PDF with
only an owner password. Then a fuzz test: mutated PDF/Markdown/HTML bytes either parse or raise
IngestError, never anything else.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evals.pdfgen import (
    make_standard_pdf,
    spec_as_html,
    spec_as_text,
    synthetic_spec,
    write_encrypted,
    write_gb18030_text,
    write_no_clauses_pdf,
    write_no_clauses_text,
    write_random_bytes,
    write_scanned,
    write_script_only_html,
    write_truncated,
    write_zero_byte,
)

ingest = pytest.importorskip("corpus.ingest", reason="corpus.ingest 尚未实现（等待主解析器）")
from corpus.errors import IngestError  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
PY_EXC = re.compile(r"Traceback|[A-Z][A-Za-z]+(Error|Exception)\b")

# file name -> (how to make it from a good PDF, words one of which the reason must contain)
BAD: dict[str, tuple] = {
    "empty.pdf": (lambda d, good: write_zero_byte(d / "empty.pdf"), ("空", "0 字节", "没有内容")),
    "truncated.pdf": (lambda d, good: write_truncated(good, d / "truncated.pdf"),
                      ("损坏", "不完整", "截断", "无法读取", "无法打开")),
    "encrypted.pdf": (lambda d, good: write_encrypted(good, d / "encrypted.pdf"), ("加密", "密码")),
    "scanned.pdf": (lambda d, good: write_scanned(d / "scanned.pdf"), ("扫描", "文字层", "图片", "图像", "OCR")),
    "random.txt": (lambda d, good: write_random_bytes(d / "random.txt"), ("编码", "不是文本", "乱码", "二进制")),
    "fake.pdf": (lambda d, good: write_random_bytes(d / "fake.pdf", seed=5),
                 ("不是有效", "损坏", "无法读取", "无法打开")),
    "notice.txt": (lambda d, good: write_no_clauses_text(d / "notice.txt"), ("条文", "条款")),
    "notice.pdf": (lambda d, good: write_no_clauses_pdf(d / "notice.pdf"), ("条文", "条款")),
    "script_only.html": (lambda d, good: write_script_only_html(d / "script_only.html"), ("条文", "条款", "正文")),
    "broken.docx": (lambda d, good: _broken_docx(d / "broken.docx"), ("损坏", "无法读取", "无法打开", "不是有效")),
}


def _broken_docx(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04" + bytes(300))  # a zip signature and nothing behind it
    return path


def _variant(code: str, title: str):
    return replace(synthetic_spec(), code=code, title=title)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    good = make_standard_pdf(synthetic_spec(), d / "good_a.pdf", "classic").path
    out = {name: make(d, good) for name, (make, _) in BAD.items()}
    out["good_a.pdf"] = good
    good_b = d / "good_b.txt"
    good_b.write_text(spec_as_text(_variant("JGJ 998-2023", "砌体工程施工质量检验示例标准")), "utf-8")
    out["good_b.txt"] = good_b
    out["good_c.pdf"] = make_standard_pdf(_variant("JGJ 997-2022", "防水工程施工质量检验示例标准"),
                                          d / "good_c.pdf", "both_hyphen").path
    return out


@pytest.mark.parametrize("name", list(BAD))
def test_bad_file_gives_ingest_error_with_chinese_reason(files: dict[str, Path], name: str) -> None:
    with pytest.raises(IngestError) as info:
        ingest.parse_path(files[name])
    reason = info.value.reason
    assert CJK.search(reason), f"{name}: 原因不是中文：{reason!r}"
    assert "\n" not in reason.strip() and len(reason) < 200, f"{name}: 原因应为一行：{reason!r}"
    assert not PY_EXC.search(reason), f"{name}: 原因里不应出现 Python 异常：{reason!r}"
    words = BAD[name][1]
    assert any(w in reason for w in words), f"{name}: 原因「{reason}」没有说明问题（应提到 {'/'.join(words)} 之一）"


def test_gb18030_text_is_read(tmp_path: Path) -> None:
    """GB18030 is a legitimate Chinese encoding, not an unreadable one."""
    p = write_gb18030_text(synthetic_spec(), tmp_path / "gbk_standard.txt")
    doc = ingest.parse_path(p)
    assert doc.code == "JGJ 999-2024"
    got = {c.clause_no for c in doc.body()}
    assert {c.no for c in synthetic_spec().clauses()} <= got


def test_owner_password_only_pdf_is_read(tmp_path: Path) -> None:
    """Many published PDFs carry only an owner password (printing restrictions): they open without one."""
    from pypdf import PdfReader, PdfWriter

    src = make_standard_pdf(synthetic_spec(), tmp_path / "plain.pdf", "classic").path
    w = PdfWriter(clone_from=PdfReader(str(src)))
    w.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    p = tmp_path / "restricted.pdf"
    with open(p, "wb") as f:
        w.write(f)
    doc = ingest.parse_path(p)
    assert doc.code == "JGJ 999-2024" and len(doc.body()) >= 30


@pytest.mark.parametrize("damage", ["one_bad_byte", "cut_mid_character"])
def test_text_with_a_damaged_byte_is_still_read(tmp_path: Path, damage: str) -> None:
    """One bad byte (a disk error, a download cut inside a character) is not an unreadable encoding."""
    spec = synthetic_spec()
    data = spec_as_text(spec).encode("utf-8")
    if damage == "one_bad_byte":
        i = data.index("检验批的划分".encode()) + 1
        data = data[:i] + b"\xff" + data[i + 1:]
    else:
        data = data.rstrip()[:-1]  # the last character loses its final byte
    p = tmp_path / f"{damage}.txt"
    p.write_bytes(data)
    doc = ingest.parse_path(p)
    assert len(doc.body()) >= len(spec.clauses()) - 1


# ---------------------------------------------------------------------------
# Through the CLI: errors reported, batch continues, library intact
# ---------------------------------------------------------------------------


def _cli(*args: str):
    from typer.testing import CliRunner

    from assistant.cli import app

    res = CliRunner().invoke(app, list(args))
    out = res.output if res.output is not None else ""
    with contextlib.suppress(ValueError, AttributeError):  # Click 8.2+ keeps stderr apart too
        out = out + ("" if res.stderr in out else res.stderr)
    return res, out


def _library_files(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.rglob("*.json"))}


def test_cli_batch_with_bad_files(files: dict[str, Path], data_dir: Path) -> None:
    res, out = _cli("ingest", "--no-index", "-q", str(files["good_a.pdf"]), str(files["good_b.txt"]))
    assert res.exit_code == 0, out
    res, out = _cli("docs", "--json")
    before = {d["code"]: d for d in json.loads(res.output)}
    assert set(before) == {"JGJ 999-2024", "JGJ 998-2023"}, out
    stored = _library_files(data_dir)
    assert stored

    bad = [files[n] for n in BAD]
    batch = [bad[0], *bad[1:5], files["good_c.pdf"], *bad[5:]]
    res, out = _cli("ingest", "--no-index", "-q", *map(str, batch))
    assert res.exit_code != 0, f"有文件失败时退出码应非零\n{out}"
    assert res.exception is None or isinstance(res.exception, SystemExit), f"命令崩溃：{res.exception!r}\n{out}"
    assert "Traceback" not in out
    lines = out.splitlines()
    for p in bad:
        mine = [ln for ln in lines if p.name in ln]
        assert mine, f"没有一行报告 {p.name} 的错误：\n{out}"
        assert any(CJK.search(ln.replace(p.name, "")) for ln in mine), f"{p.name} 的错误不是中文：{mine}"
        assert not any(PY_EXC.search(ln) for ln in mine), f"{p.name} 的错误里出现 Python 异常：{mine}"

    res, out = _cli("docs", "--json")
    after = {d["code"]: d for d in json.loads(res.output)}
    assert set(after) == {"JGJ 999-2024", "JGJ 998-2023", "JGJ 997-2022"}, f"坏文件之后的好文件应照常导入：{out}"
    for code, d in before.items():
        assert after[code]["clauses"] == d["clauses"] and after[code]["sha256"] == d["sha256"]
    now = _library_files(data_dir)
    for name, data in stored.items():
        assert now.get(name) == data, f"已导入的 {name} 被改动或丢失"
    assert not list(data_dir.rglob(".tmp-*")), "失败的导入留下了临时文件"


# ---------------------------------------------------------------------------
# Fuzzing: mutated bytes parse or raise IngestError, nothing else
# ---------------------------------------------------------------------------


@cache
def _seed(kind: str) -> bytes:
    spec = synthetic_spec()
    if kind == "pdf":
        with tempfile.TemporaryDirectory() as d:
            return make_standard_pdf(spec, Path(d) / "s.pdf", "classic").path.read_bytes()
    if kind == "md":
        return spec_as_text(spec).encode("utf-8")
    return spec_as_html(spec).encode("utf-8")


# An edit is (operation, position as a fraction of the length, size, byte value): small to print
# and replay, unlike the mutated file itself.
EDIT = st.tuples(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat"]),
                 st.floats(0, 1, allow_nan=False), st.integers(1, 512), st.integers(0, 255))


def _mutate(data: bytes, edits: list[tuple[str, float, int, int]]) -> bytes:
    b = bytearray(data)
    for op, where, size, value in edits:
        if not b:
            break
        i = min(int(where * len(b)), len(b) - 1)
        if op == "truncate":
            del b[i:]
        elif op == "flip":
            b[i] ^= value or 0xFF
        elif op == "insert":
            b[i:i] = bytes((value + k * 37) % 256 for k in range(size))
        elif op == "delete":
            del b[i:i + size]
        else:
            b[i:i] = b[i:i + size]
    return bytes(b)


@pytest.mark.parametrize(("kind", "suffix"), [("pdf", ".pdf"), ("md", ".md"), ("html", ".html")])
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(EDIT, min_size=1, max_size=4))
def test_fuzzed_files_never_crash_the_parser(kind: str, suffix: str, edits: list) -> None:
    data = _mutate(_seed(kind), edits)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"fuzz{suffix}"
        p.write_bytes(data)
        try:
            doc = ingest.parse_path(p)
        except IngestError as exc:
            assert CJK.search(exc.reason), f"原因不是中文：{exc.reason!r}"
            return
        assert doc.code and all(c.clause_no and c.text for c in doc.clauses)
