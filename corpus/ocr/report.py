"""What OCR tells the document and the administrator: per-clause confidence, pages to check by hand."""

from __future__ import annotations

import re
import unicodedata

from corpus.models import Document, OcrPage
from corpus.ocr.scan import ScanResult

_LEAD_NO = re.compile(r"^(?:[A-Z]|\d{1,2})(?:\.\d{1,3}){1,3}\s*")
_MAX_PAGE_LINES = 20  # past this many low pages, one summary line instead of one line each


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def apply_scan(doc: Document, scan: ScanResult, low_confidence: float) -> None:
    """Record OCR'd pages on ``doc``, give each OCR'd clause its confidence, add the Chinese warnings."""
    low: list[OcrPage] = []
    for p in sorted(scan.pages):
        sp = scan.pages[p]
        page = OcrPage(page=p, confidence=sp.confidence, low=sp.chars > 0 and sp.confidence < low_confidence,
                       rotated=sp.rotation)
        doc.ocr_pages.append(page)
        if page.low:
            low.append(page)
    for c in doc.clauses:
        rows = [r for p in c.pages if p in scan.pages for r in scan.pages[p].rows]
        if not rows:
            continue
        text = _norm(c.text)
        mine = [(r.score, len(s)) for r in rows if len(s := _norm(_LEAD_NO.sub("", r.text))) >= 2 and s in text]
        if mine:
            c.ocr_confidence = round(sum(s * n for s, n in mine) / sum(n for _, n in mine), 3)
    for page in low[:_MAX_PAGE_LINES]:
        doc.warnings.append(f"第{page.page}页识别置信度低（{page.confidence:.2f}），请人工核对")
    if len(low) > _MAX_PAGE_LINES:
        rest = "、".join(str(p.page) for p in low[_MAX_PAGE_LINES:])
        doc.warnings.append(f"另有 {len(low) - _MAX_PAGE_LINES} 页识别置信度低，请人工核对：第{rest}页")
    turned = [p.page for p in doc.ocr_pages if p.rotated]
    if turned:
        doc.warnings.append(f"第{'、'.join(map(str, turned))}页为倒置扫描，已自动旋转后识别")
    empty = [p for p in sorted(scan.pages) if not scan.pages[p].rows]
    if empty:
        doc.warnings.append(f"第{'、'.join(map(str, empty))}页未识别出文字（空白页、图片或无法辨认）")
