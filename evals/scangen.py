"""Scan-like PDFs of generated standards: what a county station's scanner gives, with known ground truth.

A spec is typeset by ``evals.pdfgen`` (same composer, same layouts, same ground truth as the text-PDF
benchmark); each page is then drawn with Pillow at scanner resolution in a real CJK TrueType font,
and damaged the way paper and scanners damage it: rotated up to ±1°, grey paper, uneven light,
blur, grain, speckle, a red stamp on some pages, JPEG compression. The pages go into an image-only
PDF (the JPEG bytes embedded as they are). ``text_pages`` keeps some pages as the original text
layer (a mixed PDF); ``upside_down`` turns pages 180°.

Fonts come from Debian packages (``fonts-droid-fallback``, which .ci/run installs, and optionally
``fonts-arphic-gbsn00lp`` for a 宋体 face); ``missing_fonts`` says what is absent.
"""


from __future__ import annotations

import io
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from evals.pdfgen import LAYOUTS, Layout, Rendered, StandardSpec, make_standard_pdf
from evals.pdfgen.compose import Composer
from evals.pdfgen.layout import Page
from evals.scanprint import (
    DROID,
    STYLES,
    ScanStyle,
    _chain,
    _font,
    _segments,
    degrade,
    draw_page,
    missing_fonts,
)

__all__ = ["DROID", "STYLES", "ScanStyle", "ScannedPdf", "compose_pages", "degrade", "draw_page",
           "make_scanned_pdf", "missing_fonts", "simple_pages", "write_page_scan", "write_scanned_notice"]

# ---------------------------------------------------------------------------
# a scanned standard
# ---------------------------------------------------------------------------

@dataclass
class ScannedPdf:
    """The image-only (or mixed) PDF, the ground truth it was made from, and where pages came from."""

    rendered: Rendered
    path: Path
    style: ScanStyle
    pages: int
    scanned_pages: list[int] = field(default_factory=list)
    text_pages: list[int] = field(default_factory=list)
    upside_down: list[int] = field(default_factory=list)
    stamped: list[int] = field(default_factory=list)


def compose_pages(spec: StandardSpec, layout: Layout) -> list[Page]:
    """The same two-pass composition ``make_standard_pdf`` draws (deterministic)."""
    first = Composer(spec, layout)
    first.compose()
    return Composer(spec, layout, toc_pages=first.toc_out).compose()


def make_scanned_pdf(spec: StandardSpec, path: Path, layout: Layout | str = "classic",
                     style: ScanStyle | str = "scan_song", seed: int = 0, text_pages: set[int] | None = None,
                     upside_down: set[int] | None = None, max_pages: int | None = None) -> ScannedPdf:
    """Typeset ``spec``, then print and scan it into ``path``; pages are 1-based physical numbers."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    L = LAYOUTS[layout] if isinstance(layout, str) else layout
    st = STYLES[style] if isinstance(style, str) else style
    path = Path(path)
    text_pages, upside_down = set(text_pages or ()), set(upside_down or ())
    rng = random.Random(f"{spec.source}/{L.name}/{st.name}/{seed}")
    out = ScannedPdf(rendered=None, path=path, style=st, pages=0)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        text_pdf = Path(tmp) / "text.pdf"
        rendered = make_standard_pdf(spec, text_pdf, L)
        pages = compose_pages(rendered.spec, L)
        n = min(len(pages), max_pages or len(pages))
        W, H = L.page
        scan_pdf = Path(tmp) / "scan.pdf"
        c = canvas.Canvas(str(scan_pdf), pagesize=(W, H))
        c.setTitle("")
        body_no = 0
        for i, page in enumerate(pages[:n], 1):
            stamp = False
            if page.kind == "body":
                body_no += 1
                stamp = bool(st.stamp_every) and body_no % st.stamp_every == 0
            if i in text_pages:
                c.showPage()  # placeholder, replaced by the text page below
                continue
            img = degrade(draw_page(page, L, st), st, rng, stamp=stamp, upside_down=i in upside_down)
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=st.jpeg_quality, dpi=(st.dpi, st.dpi))
            from reportlab.lib.utils import ImageReader

            c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=W, height=H)
            c.showPage()
            out.scanned_pages.append(i)
            if stamp:
                out.stamped.append(i)
        c.save()
        if text_pages:
            w = PdfWriter()
            scanned, text = PdfReader(scan_pdf), PdfReader(text_pdf)
            for i in range(1, n + 1):
                w.add_page(text.pages[i - 1] if i in text_pages else scanned.pages[i - 1])
            with open(path, "wb") as f:
                w.write(f)
        else:
            path.write_bytes(scan_pdf.read_bytes())
    rendered.path = path
    out.rendered = rendered
    out.pages = n
    out.text_pages = sorted(p for p in text_pages if p <= n)
    out.upside_down = sorted(p for p in upside_down if p <= n)
    return out


def write_scanned_notice(path: Path, style: ScanStyle | str = "scan_rough", seed: int = 0) -> Path:
    """A scan of something that is not a standard: a meeting notice, readable but without clauses."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    st = STYLES[style] if isinstance(style, str) else style
    W, H = LAYOUTS["classic"].page
    k = st.dpi / 72.0
    img = Image.new("L", (round(W * k), round(H * k)), 255)
    d = ImageDraw.Draw(img)
    y = 90 * k
    lines = ["关于召开质量安全例会的通知", "", "各施工单位、监理单位：", "　　定于本月二十日上午九时在监督站三楼",
             "会议室召开质量安全例会，请各项目负责人", "准时参加，并带好近期自查资料。", "", "　　特此通知。", "",
             "　　　　　　　　示例县建设工程质量监督站"]
    for text in lines:
        x = 60 * k
        for path_, seg in _segments(text, _chain(st, "song")):
            font = _font(path_, round(12 * k))
            d.text((x, y), seg, font=font, fill=0, anchor="ls")
            x += font.getlength(seg)
        y += 26 * k
    out = degrade(img, st, random.Random(seed))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=st.jpeg_quality)
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=W, height=H)
    c.showPage()
    c.save()
    return Path(path)


# ---------------------------------------------------------------------------
# small hand-made scans (tests): given lines per page, a running header and page numbers
# ---------------------------------------------------------------------------

def simple_pages(pages: list[list[str]], header: str = "", layout: str = "classic",
                 first_number: int = 1) -> list[Page]:
    """Lay out lines (wrapped to the measure) on pages; body pages get ``header`` and '· n ·'."""
    from evals.pdfgen.layout import Run, _width, wrap

    L = LAYOUTS[layout]
    W, H = L.page
    ml, mr, mt, _mb = L.margins
    size, lh = L.size, L.size * 1.75
    out = []
    for k, lines in enumerate(pages):
        page = Page("body" if k else "cover")
        y = H - mt
        for text in lines:
            if not text:
                y -= lh
                continue
            indent = 0.0 if text[:1].isdigit() or text[:1].isupper() else 2 * size
            for i, part in enumerate(wrap(text, W - ml - mr - indent, W - ml - mr, lambda t: _width(t, "song", size),
                                          False)):
                y -= lh
                page.runs.append(Run(ml + (indent if i == 0 else 0.0), y, part, "song", size))
        if k and header:
            page.runs.append(Run(W - mr - _width(header, "song", 9), H - mt + 26, header, "song", 9, role="h"))
            page.rules.append((ml, H - mt + 21, W - mr, H - mt + 21, "h"))
        if k:
            label = f"· {first_number + k - 1} ·"
            page.runs.append(Run((W - _width(label, "song", 9)) / 2, 30, label, "song", 9, role="f"))
        out.append(page)
    return out


def write_page_scan(path: Path, pages: list[Page], style: ScanStyle | str = "scan_song", seed: int = 0,
                    layout: str = "classic", text_pages: set[int] | None = None,
                    upside_down: set[int] | None = None, styles: dict[int, ScanStyle] | None = None) -> Path:
    """Scan composed pages into an image-only PDF; ``text_pages`` are typed instead (a mixed PDF),
    ``styles`` damages single pages differently (1-based page numbers throughout)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from evals.pdfgen.layout import RL_FONTS, _register_rl

    L = LAYOUTS[layout]
    st = STYLES[style] if isinstance(style, str) else style
    rng = random.Random(seed)
    W, H = L.page
    _register_rl()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.setTitle("")
    for i, page in enumerate(pages, 1):
        if i in (text_pages or set()):
            for x1, y1, x2, y2, _role in page.rules:
                c.line(x1, y1, x2, y2)
            for r in page.runs:
                c.setFont(RL_FONTS[r.font], r.size)
                c.drawString(r.x, r.y, r.text)
        else:
            ps = (styles or {}).get(i, st)
            img = degrade(draw_page(page, L, ps), ps, rng, upside_down=i in (upside_down or set()))
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=ps.jpeg_quality, dpi=(ps.dpi, ps.dpi))
            c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=W, height=H)
        c.showPage()
    c.save()
    return Path(path)
