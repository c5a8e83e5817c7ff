"""PDF via pypdf, with the damage real files have: encryption, scans, truncation."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from corpus.errors import IngestError
from corpus.lines import Line, RawText

log = logging.getLogger(__name__)

# Below this many CJK/alnum characters per page on average, the PDF is a scan without a text layer.
_MIN_CHARS_PER_PAGE = 20
_CID_GARBAGE = re.compile(r"\(cid:\d+\)")


def load_pdf(path: Path) -> RawText:
    data = path.read_bytes()
    if not data.strip():
        raise IngestError("文件为空（0 字节）")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise IngestError("不是有效的 PDF 文件（缺少 %PDF 文件头）")
    try:
        reader = PdfReader(path, strict=False)
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

    lines: list[Line] = []
    page_texts: list[str] = []
    failed = 0
    for i in range(n):
        try:
            text = pages[i].extract_text() or ""
        except Exception:  # one broken page must not sink the document
            log.warning("%s: page %d unreadable", path, i + 1)
            failed += 1
            text = ""
        text = _CID_GARBAGE.sub("", text)
        page_texts.append(text)
        for raw in text.splitlines():
            s = raw.strip().replace("\u3000", " ")
            if s:
                lines.append(Line(s, page=i + 1))
    if failed == n:
        raise IngestError("PDF 文件已损坏，所有页面都无法读取")
    meaningful = sum(len(re.findall(r"[\u4e00-\u9fffA-Za-z0-9]", t)) for t in page_texts)
    if meaningful < _MIN_CHARS_PER_PAGE * max(1, n - failed) / 4 and meaningful < 200:
        raise IngestError("PDF 没有可提取的文字层（可能是扫描件），请先进行文字识别（OCR）后再导入")
    raw = RawText(lines=lines, fmt="pdf", pages=n, first_page_text=page_texts[0] if page_texts else "")
    if failed:
        raw.meta["_warnings"] = [f"{failed} 页无法读取，已跳过"]
    return raw
