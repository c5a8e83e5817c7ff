"""PDF via pypdf, page by page: the text layer where there is one, offline OCR where a page is a scan.

Also the damage real files have: encryption, truncation, unreadable pages. A mixed PDF (typed
pages with a few scanned ones, or the reverse) is read page by page; the OCR'd pages, their
confidence and their rows travel in ``RawText.meta['_ocr']`` for the ingest report.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from corpus.errors import IngestError
from corpus.lines import Line, RawText, Role
from corpus.ocr.layout import drop_known_furniture, layout_lines
from corpus.ocr.scan import OcrOptions, read_scanned_pages
from corpus.tables import layout_tables, parse_caption

log = logging.getLogger(__name__)

# A page with fewer CJK/alnum characters than this in its text layer has no usable text layer.
_MIN_PAGE_CHARS = 20
# ... and is a scan when pictures cover this much of it (or its text is drawn as outlines).
_MIN_IMAGE_AREA = 0.25
_MIN_OUTLINE_PATHS = 200
_CID_GARBAGE = re.compile(r"\(cid:\d+\)")
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def load_pdf(path: Path, ocr: OcrOptions | None = None) -> RawText:
    # The file stays open and is read lazily: a 150 MB scan is not held in memory (pypdf copies a path's bytes).
    with open(path, "rb") as fh:
        return _load(path, fh, ocr or OcrOptions())


def _load(path: Path, fh: BinaryIO, ocr: OcrOptions) -> RawText:
    head = fh.read(4096)
    if not head.strip() and len(head) < 4096:
        raise IngestError("文件为空（0 字节）")
    if not head.lstrip()[:5].startswith(b"%PDF"):
        raise IngestError("不是有效的 PDF 文件（缺少 %PDF 文件头）")
    fh.seek(0)
    try:
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # unsupported algorithm etc.
                raise IngestError("PDF 已加密，无法读取；请提供未加密的文件") from exc
            if not ok:
                raise IngestError("PDF 已加密（需要打开密码），请提供未加密的文件")
        pages = reader.pages
        n = len(pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise IngestError("PDF 文件已损坏或不完整，无法读取") from exc
    except Exception as exc:  # pypdf raises a wide variety on malformed input
        raise IngestError("PDF 文件已损坏或不完整，无法读取") from exc
    if n == 0:
        raise IngestError("PDF 文件没有页面（可能已损坏或不完整）")

    page_texts: list[str] = []
    failed: list[int] = []
    for i in range(n):
        try:
            text = pages[i].extract_text() or ""
        except Exception:  # one broken page must not sink the document
            log.warning("%s: page %d unreadable", path, i + 1)
            failed.append(i + 1)
            text = ""
        page_texts.append(_CID_GARBAGE.sub("", text))
    thin = [i + 1 for i, t in enumerate(page_texts) if len(_MEANINGFUL.findall(t)) < _MIN_PAGE_CHARS]
    scanned = _scanned_pages(path, thin, {i + 1: len(_MEANINGFUL.findall(t)) for i, t in enumerate(page_texts)})
    warnings: list[str] = []
    result = None
    if scanned and not ocr.enabled:
        if len(scanned) == n or sum(len(_MEANINGFUL.findall(t)) for t in page_texts) < 200:
            raise IngestError("PDF 没有可提取的文字层（可能是扫描件），且文字识别（OCR）已关闭")
        warnings.append(f"第{_pages(scanned)}页是扫描页，文字识别已关闭，未导入这些页")
        scanned = []
    if scanned:
        fh.seek(0)
        result = read_scanned_pages(path, hashlib.file_digest(fh, "sha256").hexdigest(), scanned, ocr)

    lines: list[Line] = []
    for i, text in enumerate(page_texts, 1):
        if result is not None and i in result.pages:
            rows = result.pages[i].rows
            page_lines = [Line(r.text, page=i) for r in rows]
            if any(parse_caption(ln.text) for ln in page_lines):  # a scanned table: columns from the runs' places
                _attach_tables(layout_tables("\n".join(layout_lines(rows))), page_lines)
            lines.extend(page_lines)
            continue
        page = [s for raw in text.splitlines() if (s := raw.strip().replace("\u3000", " "))]
        if result is not None:  # a typed page among scans: its header and footer are those the scans had
            page = drop_known_furniture(page, result.furniture_shapes())
        page_lines = [Line(s, page=i) for s in page]
        if any(parse_caption(s) for s in page):
            _mark_tables(pages[i - 1], page_lines)
        lines.extend(page_lines)
    unreadable = [p for p in failed if result is None or p not in result.pages]
    if len(unreadable) == n:
        raise IngestError("PDF 文件已损坏，所有页面都无法读取")
    meaningful = sum(len(_MEANINGFUL.findall(ln.text)) for ln in lines)
    if result is not None and meaningful < 50:
        raise IngestError("扫描件中未识别出文字（图像可能过于模糊、不是文字或方向不正），请检查扫描质量后重新导入")
    if meaningful < _MIN_PAGE_CHARS * max(1, n - len(unreadable)) / 4 and meaningful < 200:
        raise IngestError("PDF 中没有可提取的文字（页面为空白或只有图形）")
    first = page_texts[0]
    if result is not None and 1 in result.pages:
        first = "\n".join(r.text for r in result.pages[1].all_rows)
    raw = RawText(lines=lines, fmt="pdf", pages=n, first_page_text=first)
    if unreadable:
        warnings.append(f"{len(unreadable)} 页无法读取，已跳过")
    if warnings:
        raw.meta["_warnings"] = warnings
    if result is not None:
        raw.meta["_ocr"] = result
    return raw


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _mark_tables(page, lines: list[Line]) -> None:
    """Tables under a caption on a typed page: cells from pypdf's layout mode, which keeps column gaps.

    The lines the table spans (a wrapped cell breaks a row over several lines, in line order) are
    replaced by one line per row, cells in order, the first carrying the Table; they are table rows,
    so a number in a cell never starts a clause. When the lines do not add up to the table's cells,
    only the lines that are whole rows are marked, and the text stays as pypdf read it.
    """
    try:
        tables = layout_tables(page.extract_text(extraction_mode="layout") or "")
    except Exception:  # layout mode fails on pages plain mode reads; the text is kept either way
        log.warning("page %s: layout extraction failed", lines[0].page if lines else "?")
        return
    _attach_tables(tables, lines)


def _attach_tables(tables: list, lines: list[Line]) -> None:
    """Tie each table to its caption line among ``lines`` (see ``_mark_tables``)."""
    start = 0
    for t in tables:
        cap = _squash(t.caption)
        j = next((k for k in range(start, len(lines)) if _squash(lines[k].text) == cap), None)
        if j is None:
            continue
        rows = t.header + t.rows
        want = sorted(_squash("".join(cells)) for cells in rows)
        total, k = sum(len(w) for w in want), j + 1
        seen = ""
        while k < len(lines) and len(seen) < total:
            seen += _squash(lines[k].text)
            k += 1
        if len(seen) == total and sorted(seen) == sorted("".join(want)):
            page_no = lines[j].page
            canon = [Line(lines[j].text, page=page_no, role=Role.table, table=t)]
            canon += [Line(" ".join(c for c in cells if c), page=page_no, role=Role.table) for cells in rows]
            lines[j:k] = canon
            start = j + len(canon)
            continue
        lines[j].table, lines[j].role = t, Role.table
        k = j + 1
        for cells in rows:
            if k < len(lines) and _squash(lines[k].text) == _squash("".join(cells)):
                lines[k].role = Role.table
                k += 1
        start = k


def _pages(pages: list[int]) -> str:
    shown = "、".join(str(p) for p in pages[:10])
    return shown + (f"等 {len(pages)} " if len(pages) > 10 else "")


def _scanned_pages(path: Path, thin: list[int], chars: dict[int, int]) -> list[int]:
    """Of the pages without a usable text layer, those that carry a picture of text (or outlines)."""
    if not thin:
        return []
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception:  # pdfium refuses what pypdf half-read: treat as no scanned page
        log.warning("%s: pdfium cannot open the file", path)
        return []
    out = []
    try:
        for p in thin:
            if p > len(pdf):
                break
            page = pdf[p - 1]
            try:
                w, h = page.get_size()
                area, paths = 0.0, 0
                for obj in page.get_objects(max_depth=3):
                    if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                        x0, y0, x1, y1 = obj.get_bounds()
                        area += max(0.0, min(x1, w) - max(x0, 0)) * max(0.0, min(y1, h) - max(y0, 0))
                    elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
                        paths += 1
                if area >= _MIN_IMAGE_AREA * w * h or (chars.get(p, 0) == 0 and paths >= _MIN_OUTLINE_PATHS):
                    out.append(p)
            finally:
                page.close()
    finally:
        pdf.close()
    return out
