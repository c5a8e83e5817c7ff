"""Producers: pages drawn with reportlab (built-in CID font) or fpdf2 (embedded TrueType subsets)."""

from __future__ import annotations

import re
from pathlib import Path

from evals.pdfgen.compose import Composer
from evals.pdfgen.layout import (
    DEJAVU,
    DEJAVU_BOLD,
    DROID,
    FOOTERS,
    LAYOUTS,
    RL_FONTS,
    Layout,
    Page,
    Rendered,
    Run,
    _font_segments,
    _fpdf_clean,
    _register_rl,
    fpdf_available,
)
from evals.pdfgen.spec import StandardSpec

# ---------------------------------------------------------------------------
# Producers
# ---------------------------------------------------------------------------


def _ordered(p: Page, order: str) -> list[Run]:
    return [r for role in order for r in p.runs if r.role == role]


def _draw_reportlab(pages: list[Page], layout: Layout, path: Path) -> None:
    from reportlab.pdfgen import canvas

    _register_rl()
    c = canvas.Canvas(str(path), pagesize=layout.page, pageCompression=1)
    c.setTitle("")  # a real file's metadata is rarely useful; don't give the parser a free answer
    c.setLineWidth(0.5)
    for p in pages:
        for x1, y1, x2, y2, _role in p.rules:
            c.line(x1, y1, x2, y2)
        for r in _ordered(p, layout.draw_order):
            t = c.beginText(r.x, r.y)
            t.setFont(RL_FONTS[r.font], r.size)
            if r.char_space:
                t.setCharSpace(r.char_space)
            if r.fake_bold:
                t.setTextRenderMode(2)  # fill + stroke: how a typesetter fakes 黑体 weight
            t.textOut(r.text)
            c.drawText(t)
        c.showPage()
    c.save()


def _draw_fpdf(pages: list[Page], layout: Layout, path: Path) -> None:
    import logging

    from fpdf import FPDF

    logging.getLogger("fpdf").setLevel(logging.ERROR)
    W, H = layout.page
    pdf = FPDF(unit="pt", format=(W, H))
    pdf.set_auto_page_break(False)
    pdf.add_font("droid", "", str(DROID))
    pdf.add_font("dejavu", "", str(DEJAVU))
    pdf.add_font("dejavu", "B", str(DEJAVU_BOLD))
    pdf.set_line_width(0.5)
    for p in pages:
        pdf.add_page()
        for x1, y1, x2, y2, _role in p.rules:
            pdf.line(x1, H - y1, x2, H - y2)
        for r in _ordered(p, layout.draw_order):
            x = r.x
            for font, seg in _font_segments(r.text):
                pdf.set_font(font, "B" if r.font == "bold" and font == "dejavu" else "", r.size)
                pdf.set_char_spacing(r.char_space)
                pdf.text(x, H - r.y, seg)
                x += pdf.get_string_width(seg)
    pdf.output(str(path))


def make_standard_pdf(spec: StandardSpec, path: Path, layout: Layout | str) -> Rendered:
    """Typeset ``spec`` as a published standard into ``path``; return the ground truth as printed."""
    L = LAYOUTS[layout] if isinstance(layout, str) else layout
    path = Path(path)
    if L.producer == "fpdf2":
        why = fpdf_available()
        if why:
            raise RuntimeError(why)
        spec = spec.map_text(_fpdf_clean)
    first = Composer(spec, L)
    first.compose()
    comp = Composer(spec, L, toc_pages=first.toc_out)
    pages = comp.compose()
    (_draw_fpdf if L.producer == "fpdf2" else _draw_reportlab)(pages, L, path)
    labels = [p.label or "" for p in pages]
    footer_re = (re.escape(FOOTERS[L.footer]).replace(re.escape("{n}"), r"\s*\d+\s*")
                 .replace(re.escape("{total}"), r"\s*\d+\s*").replace(r"\ ", r"\s*"))
    return Rendered(
        spec=spec,
        layout=L,
        path=path,
        pages=len(pages),
        clause_pages=comp.cpages,
        clause_printed={k: [labels[i - 1] for i in v] for k, v in comp.cpages.items()},
        commentary_pages=comp.cmt_pages,
        header_texts=comp.header_texts,
        footer_re=footer_re,
    )



def pdf_bytes(spec: StandardSpec, layout: str = "classic") -> bytes:
    """Convenience for fuzzing: the PDF of ``spec`` as bytes."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.pdf"
        make_standard_pdf(spec, p, layout)
        return p.read_bytes()
