"""Which OCR engine, at which resolution: character accuracy, speed and memory on scan-like pages.

Body pages of the synthetic standard are printed and scanned by ``evals.scangen`` (two styles),
rendered at several resolutions and read by each engine; a page's accuracy is the rapidfuzz ratio
between what is printed on it and what was read (whitespace-free NFKC, reading order). Engines:

- ``rapidocr``: PP-OCRv4 through ``corpus.ocr`` (the product's pipeline), models inside the
  ``rapidocr-onnxruntime`` wheel the project installs;
- ``tesseract``: Debian's ``tesseract-ocr`` + ``tesseract-ocr-chi-sim`` through its CLI, if present.
  The project's own files do not install it, so it is measured for comparison only.

    .venv/bin/python -m evals.ocr_engines            # writes evals/results/ocr_engines.md
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _norm(t: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", t))


def _truth(page) -> str:
    runs = sorted(page.runs, key=lambda r: (-round(r.y), r.x))
    return "".join(r.text for r in runs)


def _measure(engine: str, pdf: str, pages: list[int], truths: list[str], dpi: int) -> dict:
    """In a fresh process: read the pages, return mean/min ratio, wall and CPU seconds, peak RSS."""
    import pypdfium2 as pdfium
    from rapidfuzz import fuzz

    from corpus.ocr.scan import render_grey

    doc = pdfium.PdfDocument(pdf)
    if engine == "rapidocr":
        from corpus.ocr.engine import RapidOcrEngine
        from corpus.ocr.layout import page_rows

        eng = RapidOcrEngine()
    ratios = []
    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for p, truth in zip(pages, truths, strict=True):
        img = render_grey(doc[p - 1], dpi)
        if engine == "rapidocr":
            text = "".join(r.text for r in page_rows(eng.recognize(img)))
        else:
            from PIL import Image

            buf = io.BytesIO()
            Image.fromarray(img).save(buf, "PNG")
            text = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "6"],
                                  input=buf.getvalue(), capture_output=True, check=False).stdout.decode()
        ratios.append(fuzz.ratio(_norm(truth), _norm(text)) / 100)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
           + c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime)
    rss = max(r1.ru_maxrss, c1.ru_maxrss) / 1024
    return {"mean": sum(ratios) / len(ratios), "min": min(ratios), "wall": wall / len(pages),
            "cpu": cpu / len(pages), "rss": rss}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=6, help="body pages per scan style")
    ap.add_argument("--out", type=Path, default=RESULTS)
    a = ap.parse_args(argv)
    from evals.pdfgen import LAYOUTS, synthetic_spec
    from evals.scangen import compose_pages, make_scanned_pdf, missing_fonts

    if missing_fonts():
        print(f"缺少字体：apt-get install {' '.join(missing_fonts())}", file=sys.stderr)
        return 2
    engines = ["rapidocr"] + (["tesseract"] if shutil.which("tesseract") else [])
    configs = [("rapidocr", 150), ("rapidocr", 200), ("rapidocr", 300), ("tesseract", 200), ("tesseract", 300)]
    rows = []
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for style, layout in (("scan_song", "classic"), ("scan_rough", "title_emdash")):
            spec = synthetic_spec()
            scan = make_scanned_pdf(spec, Path(tmp) / f"{style}.pdf", layout, style)
            composed = compose_pages(scan.rendered.spec, LAYOUTS[layout])
            body = [i for i, p in enumerate(composed, 1) if p.kind == "body"][1: a.pages + 1]
            truths = [_truth(composed[i - 1]) for i in body]
            for engine, dpi in configs:
                if engine not in engines:
                    continue
                with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                    m = pool.submit(_measure, engine, str(scan.path), body, truths, dpi).result()
                rows.append((style, engine, dpi, m))
                print(f"{style:<11}{engine:<10}{dpi:>4} dpi  ratio {m['mean']:.3f} (min {m['min']:.3f})  "
                      f"{m['wall']:.1f} s/page wall  {m['cpu']:.1f} CPU s/page  {m['rss']:.0f} MB", flush=True)
    load1 = os.getloadavg()
    md = ["# OCR engines on scan-like pages", "",
          f"Written by `python -m evals.ocr_engines` on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores shared "
          f"with other work: load average {load0[0]:.1f} before, {load1[0]:.1f} after; wall seconds are inflated by "
          "that, CPU seconds much less). Pages: body pages of the synthetic standard, printed and scanned by "
          "`evals.scangen`; ratio = rapidfuzz ratio of printed vs read page text (whitespace-free NFKC).", "",
          "| scan style | engine | render dpi | mean page ratio | worst page | wall s/page | CPU s/page | peak RSS |",
          "|---|---|---|---|---|---|---|---|"]
    for style, engine, dpi, m in rows:
        md.append(f"| {style} | {engine} | {dpi} | {m['mean']:.3f} | {m['min']:.3f} | {m['wall']:.1f} | "
                  f"{m['cpu']:.1f} | {m['rss']:.0f} MB |")
    md += ["", "Tesseract is installed here by hand (`apt-get install tesseract-ocr tesseract-ocr-chi-sim`); the "
           "project's own files do not install it, so it cannot be the product's engine. rapidocr's RSS includes "
           "onnxruntime and the three ONNX models; Tesseract's is the larger of the measuring process (which "
           "renders the pages) and its `tesseract` child."]
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "ocr_engines.md").write_text("\n".join(md) + "\n", "utf-8")
    print(f"结果已写入 {a.out / 'ocr_engines.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
