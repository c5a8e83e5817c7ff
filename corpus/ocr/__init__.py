"""Offline OCR of scanned PDF pages (PP-OCRv4 Chinese, ONNX models shipped in rapidocr-onnxruntime)."""

from corpus.ocr.engine import OcrEngine, PageResult, RapidOcrEngine, TextBox, engine_unavailable
from corpus.ocr.scan import OcrOptions, ScannedPage, ScanResult, read_scanned_pages

__all__ = [
    "OcrEngine", "OcrOptions", "PageResult", "RapidOcrEngine", "ScanResult", "ScannedPage", "TextBox",
    "engine_unavailable", "read_scanned_pages",
]
