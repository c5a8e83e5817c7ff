"""Reading the scanned pages of a PDF: render, recognise, cache, one page at a time.

Pages are rendered with pdfium (pypdfium2) at a fixed resolution whatever the scan's own (any
image codec, page rotation and crop box handled), reduced to grey by the brightest channel so a
red seal or a highlighter mark fades while black print stays, and read by the OCR engine. Only
one page image is alive at a time, so memory stays flat on a long scan.
"""

from __future__ import annotations

import ctypes
import logging
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from corpus.errors import IngestError
from corpus.ocr.cache import PageCache
from corpus.ocr.engine import OcrEngine, PageResult, default_engine, engine_unavailable
from corpus.ocr.layout import Row, furniture, page_rows, shape

log = logging.getLogger(__name__)

_MAX_PIXELS = 16_000_000  # an A0 drawing at 200 dpi would be 190 MB of pixels; render it smaller
_LONG_SCAN = 50  # scanned pages from which the administrator is told up front that reading takes a while


@dataclass
class OcrOptions:
    """How scanned pages are read; ``ingest`` fills ``cache_dir`` from the library."""

    enabled: bool = True
    dpi: int = 200  # measured: as accurate as 300 dpi and faster (evals/results/scan_accuracy.md)
    max_pages: int = 500  # scanned pages one file may have; more is refused with a Chinese reason
    low_confidence: float = 0.9  # pages read with less confidence are listed for a person to check
    cache_dir: Path | None = None
    progress: bool = False
    engine: OcrEngine | None = None


@dataclass
class ScannedPage:
    page: int  # 1-based
    rows: list[Row]  # body rows in reading order (furniture removed)
    all_rows: list[Row]  # as read, furniture included (the cover keeps everything)
    confidence: float  # character-weighted mean score of every box read on the page (1.0 when empty)
    chars: int
    rotation: int = 0
    boxes: int = 0


@dataclass
class ScanResult:
    pages: dict[int, ScannedPage] = field(default_factory=dict)
    engine: str = ""
    from_cache: int = 0

    def furniture_shapes(self) -> set[str]:
        """What the running headers and footers of the scanned pages looked like (digits removed)."""
        return {shape(r.text) for p in self.pages.values() for r in p.all_rows if r not in p.rows and len(shape(r.text)) >= 2}


def render_grey(page, dpi: int) -> np.ndarray:
    """One page as a greyscale uint8 image; colour is reduced by its brightest channel."""
    w, h = page.get_size()
    scale = dpi / 72.0
    if w * h * scale * scale > _MAX_PIXELS:
        scale = math.sqrt(_MAX_PIXELS / (w * h))
    bitmap = page.render(scale=scale)
    try:
        arr = bitmap.to_numpy()
        grey = arr.max(axis=2) if arr.ndim == 3 else arr.copy()
    finally:
        bitmap.close()
    return np.ascontiguousarray(grey, dtype=np.uint8)


def _confidence(res: PageResult) -> tuple[float, int]:
    chars = sum(len(b.text.strip()) for b in res.boxes)
    if not chars:
        return 1.0, 0
    return sum(b.score * len(b.text.strip()) for b in res.boxes) / chars, chars


def read_scanned_pages(path: Path, sha256: str, pages: list[int], options: OcrOptions) -> ScanResult:
    """OCR the given 1-based pages of ``path``; cached pages are not read again."""
    why = engine_unavailable() if options.engine is None else None
    if why:
        raise IngestError(why)
    if len(pages) > options.max_pages:
        raise IngestError(
            f"扫描页共 {len(pages)} 页，超过单个文件的识别上限（{options.max_pages} 页）；请拆分成较小的文件后分别导入"
        )
    import pypdfium2 as pdfium

    engine = options.engine or default_engine()
    cache = PageCache(options.cache_dir, sha256, f"{engine.key}-{options.dpi}dpi") if options.cache_dir else None
    out = ScanResult(engine=engine.key)
    raw: dict[int, PageResult] = {}
    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:
        raise IngestError("PDF 文件已损坏，扫描页无法读取") from exc
    try:
        bar = _progress(pages, path, options.progress)
        for p in bar:
            res = cache.get(p) if cache else None
            if res is not None:
                out.from_cache += 1
            else:
                page = pdf[p - 1]
                try:
                    image = render_grey(page, options.dpi)
                finally:
                    page.close()
                res = engine.recognize(image)
                del image
                _release_memory()
                if cache:
                    cache.put(p, res)
            raw[p] = res
    finally:
        pdf.close()
    rows = {p: page_rows(r) for p, r in raw.items()}
    drop = furniture(rows)
    for p, r in raw.items():
        conf, chars = _confidence(r)
        out.pages[p] = ScannedPage(
            page=p,
            rows=[row for i, row in enumerate(rows[p]) if i not in drop.get(p, set())],
            all_rows=rows[p],
            confidence=round(conf, 3),
            chars=chars,
            rotation=r.rotation,
            boxes=len(r.boxes),
        )
    return out


@cache
def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to trim
        return None


def _release_memory() -> None:
    """Hand the engine's freed buffers back to the OS after each page.

    onnxruntime's threads allocate and free a few hundred MB per page; glibc keeps freed memory in
    per-thread arenas, so without this the process grows page after page on a long scan (measured:
    1.0 -> 1.1 GB over three A4 pages, flat at 0.93 GB with it).
    """
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _progress(pages: list[int], path: Path, show: bool):
    if not show or len(pages) < 2:
        return pages
    from tqdm import tqdm

    # disable=None: a bar on a terminal, nothing in logs, pipes and tests
    bar = tqdm(pages, desc=f"识别 {path.name}", unit="页", leave=False, disable=None)
    if len(pages) >= _LONG_SCAN and not bar.disable:
        bar.write(f"{path.name}：{len(pages)} 页扫描页需要逐页文字识别，可能需要较长时间；"
                  "中途中断后再次导入会从中断处继续，已识别的页不再重复识别")
    return bar
