"""The OCR engine: PP-OCRv4 Chinese text detection and recognition, run by onnxruntime on the CPU.

The models ship inside the ``rapidocr-onnxruntime`` wheel (a project dependency), so nothing is
fetched at run time. Chosen by measurement on scan-like pages (evals/results/scan_accuracy.md):
higher accuracy than Tesseract ``chi_sim`` on the same pages, and installed by ``pip install``.

The pipeline is driven step by step (detect, crop, orient, recognise) rather than through
``RapidOCR.__call__`` so that an upside-down page is turned once as a whole, and every box keeps
its score even when it is low.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

# Bumped when rendering, preprocessing or orientation changes what the engine returns for a page;
# part of the cache key, so cached pages of an older pipeline are recognised again.
PIPELINE_VERSION = 1
# Crops the orientation check classifies, widest first (long lines are the reliable ones).
_ORIENT_SAMPLE = 16


@dataclass
class TextBox:
    """One detected line of text: what was read, how sure the engine is, and where (page pixels)."""

    text: str
    score: float
    quad: list[list[float]]  # four corners (x, y), clockwise from top-left

    @property
    def x0(self) -> float:
        return min(p[0] for p in self.quad)

    @property
    def x1(self) -> float:
        return max(p[0] for p in self.quad)

    @property
    def y0(self) -> float:
        return min(p[1] for p in self.quad)

    @property
    def y1(self) -> float:
        return max(p[1] for p in self.quad)


@dataclass
class PageResult:
    """What the engine read on one page image (cached as JSON, so ingestion can resume)."""

    width: int
    height: int
    rotation: int = 0  # 180 when the page was scanned upside down and turned before reading
    boxes: list[TextBox] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "rotation": self.rotation,
                "boxes": [[b.text, round(b.score, 4), [[round(x, 1), round(y, 1)] for x, y in b.quad]]
                          for b in self.boxes]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PageResult:
        return cls(int(d["width"]), int(d["height"]), int(d.get("rotation", 0)),
                   [TextBox(str(t), float(s), [[float(x), float(y)] for x, y in q]) for t, s, q in d["boxes"]])


class OcrEngine(Protocol):
    """Anything that reads a page image; ``key`` names it in the page cache."""

    key: str

    def recognize(self, image: np.ndarray) -> PageResult:
        """``image``: greyscale page, uint8, shape (height, width)."""
        ...


def engine_unavailable() -> str | None:
    """None when the bundled engine can run, else a Chinese reason for the user."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return "未安装文字识别引擎 rapidocr-onnxruntime（随本项目安装，需要 Python 3.11 或 3.12），无法识别扫描页"
    except Exception as exc:  # a broken native library (onnxruntime, opencv)
        return f"文字识别引擎无法加载（{exc.__class__.__name__}），无法识别扫描页"
    return None


def engine_version() -> str:
    from importlib.metadata import version

    return version("rapidocr-onnxruntime")


class RapidOcrEngine:
    """PP-OCRv4 det + rec (and the direction classifier) from the packaged ONNX models."""

    def __init__(self, threads: int | None = None) -> None:
        from rapidocr_onnxruntime import RapidOCR

        kw: dict[str, Any] = {}
        if threads:
            kw = {"intra_op_num_threads": threads}
        self._ocr = RapidOCR(**kw)
        self.key = f"rapidocr-onnxruntime-{engine_version()}-p{PIPELINE_VERSION}"

    def recognize(self, image: np.ndarray) -> PageResult:
        o = self._ocr
        h, w = image.shape[:2]
        bgr = np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2)) if image.ndim == 2 else image
        small, ratio_h, ratio_w = o.preprocess(bgr)  # at most max_side_len (2000 px) on the long side
        rotation = 0
        boxes, crops = self._detect(small)
        if crops and self._upside_down(crops):
            small = np.ascontiguousarray(small[::-1, ::-1])
            rotation = 180
            boxes, crops = self._detect(small)
        out = PageResult(width=w, height=h, rotation=rotation)
        if not crops:
            return out
        extra = _lone_labels(small, boxes)
        boxes = list(boxes) + [q for q, _ in extra]
        crops = list(crops) + [c for _, c in extra]
        rec, _ = o.text_rec(crops)
        n_det = len(boxes) - len(extra)
        keep = [i < n_det or _LABEL.fullmatch(str(rec[i][0]).strip()) and float(rec[i][1]) >= 0.8
                for i in range(len(boxes))]
        boxes = [b for b, k in zip(boxes, keep, strict=True) if k]
        rec = [r for r, k in zip(rec, keep, strict=True) if k]
        for quad, (text, score, *_rest) in zip(boxes, rec, strict=True):
            # positions on the page as it is meant to be read (turned, when it was upside down)
            pts = [[float(x) * ratio_w, float(y) * ratio_h] for x, y in quad]
            out.boxes.append(TextBox(str(text), float(score), pts))
        return out

    def _detect(self, img: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        o = self._ocr
        boxes, _ = o.text_det(img)
        if boxes is None or len(boxes) == 0:
            return [], []
        boxes = o.sorted_boxes(boxes)
        return boxes, o.get_crop_img_list(img, boxes)

    def _upside_down(self, crops: list[np.ndarray]) -> bool:
        """Most of the widest lines read as turned 180° by the direction classifier."""
        wide = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1] / max(1, crops[i].shape[0]))
        sample = [crops[i] for i in wide[:_ORIENT_SAMPLE] if crops[i].shape[1] >= 2 * crops[i].shape[0]]
        if len(sample) < 2:
            return False
        _, res, _ = self._ocr.text_cls(sample)
        flipped = sum(1 for label, score in res if "180" in str(label) and float(score) >= 0.8)
        return flipped > len(sample) / 2


# What a lone mark left of a line may be: an item number (1, 12, 1）, (3)), a clause or section number.
_LABEL = re.compile(r"[（(]?\d{1,2}[)）、.]?|(?:[A-Z]|\d{1,2})(?:\.\d{1,3}){1,2}")


def _lone_labels(img: np.ndarray, boxes: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Crops of ink just left of a detected line that no box covers.

    The detector tends to leave out a narrow item number set an em away from its text ('1　模板的…'),
    and an item without its number runs into the item before it. Such marks are read separately and
    kept only when they read as a number.
    """
    grey = img.min(axis=2) if img.ndim == 3 else img
    H, W = grey.shape[:2]
    rects = [(float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 0].max()), float(b[:, 1].max())) for b in boxes]
    paper = float(np.median(grey[:: max(1, H // 64), :: max(1, W // 64)]))
    out = []
    for x0, y0, x1, y1 in rects:
        h = y1 - y0
        if h < 8 or x1 - x0 < 2 * h:
            continue
        lx0, lx1 = max(0.0, x0 - 2.6 * h), x0 - 0.08 * h
        if lx1 - lx0 < 0.3 * h:
            continue
        ty0, ty1 = y0 + 0.15 * h, y1 - 0.15 * h
        if any(a < lx1 and c > lx0 and b < ty1 and d > ty0 for a, b, c, d in rects if (a, b, c, d) != (x0, y0, x1, y1)):
            continue
        region = grey[int(ty0):int(ty1), int(lx0):int(lx1)]
        ink = region < paper - 0.3 * max(paper - float(grey[int(y0):int(y1), int(x0):int(x1)].min()), 40.0)
        if ink.sum() < 0.012 * h * h:
            continue
        cols = np.where(ink.sum(axis=0) >= 2)[0]
        if cols.size == 0:
            continue
        cx0 = max(0, int(lx0) + int(cols[0]) - int(0.25 * h))
        cx1 = min(W, int(lx0) + int(cols[-1]) + 1 + int(0.25 * h))
        if cx1 - cx0 > 2.4 * h:  # a wide mark is not a lone number (and would have been detected)
            continue
        quad = np.array([[cx0, y0], [cx1, y0], [cx1, y1], [cx0, y1]], dtype=np.float32)
        out.append((quad, np.ascontiguousarray(img[int(y0):int(y1), cx0:cx1])))
    return out


@cache
def default_engine() -> RapidOcrEngine:
    """One engine per process: loading the models takes about a second and some 100 MB."""
    return RapidOcrEngine()
