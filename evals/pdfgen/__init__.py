"""Generate PDFs laid out like published Chinese standards, plus broken files, for ingestion tests.

Shipped with evals (``python -m evals.pdf_accuracy`` uses it) and imported by tests/corpus; it lives
here, not under tests/, because a shipped package must never import test code. It needs the dev
extras (reportlab, fpdf2).

The judgement reproduced here: PDFs of real standards nobody on the project has seen, with a
cover page, running headers, page numbers and wrapped lines, must give >= 95% of clauses with the
right number and text and no invented clause. A ``StandardSpec`` is the ground truth; a ``Layout``
says how it is typeset; ``make_standard_pdf`` composes pages once (a small layout engine with real
font metrics) and draws them with one of two producers (reportlab with a built-in CID font, or
fpdf2 with embedded TrueType subsets), so the parser is not tuned to one PDF writer.

Specs are built at test time from the real corpora in ../shared/corpora (``real_specs``; their
text is never committed) or from ``synthetic_spec`` (original text, runs anywhere).

Modules: spec (ground truth + synthetic standard), layout (layouts, fonts, wrapping), front and
compose (pages of positioned runs), draw (producers), corpora (real specs), bad (broken inputs),
score (comparing a parsed Document with the spec). The fpdf2 producer needs fonts-droid-fallback
(and DejaVu); without them its layout is skipped.
"""

from evals.pdfgen.bad import (
    spec_as_html,
    spec_as_text,
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
from evals.pdfgen.corpora import CORPORA, load_gb55001, load_gb55032, load_hydraulic, real_specs
from evals.pdfgen.draw import make_standard_pdf, pdf_bytes
from evals.pdfgen.layout import LAYOUTS, Layout, Rendered, fpdf_available
from evals.pdfgen.score import SIMILARITY, Score, norm, score_document, summarize_failures
from evals.pdfgen.spec import (
    Block,
    ChapterSpec,
    ClauseSpec,
    CommentarySpec,
    SectionSpec,
    StandardSpec,
    TableSpec,
    synthetic_spec,
)

__all__ = [
    "CORPORA", "LAYOUTS", "SIMILARITY", "Block", "ChapterSpec", "ClauseSpec", "CommentarySpec", "Layout",
    "Rendered", "Score", "SectionSpec", "StandardSpec", "TableSpec", "fpdf_available", "load_gb55001",
    "load_gb55032", "load_hydraulic", "make_standard_pdf", "norm", "pdf_bytes", "real_specs", "score_document",
    "spec_as_html", "spec_as_text", "summarize_failures", "synthetic_spec", "write_encrypted",
    "write_gb18030_text", "write_no_clauses_pdf", "write_no_clauses_text", "write_random_bytes",
    "write_scanned", "write_script_only_html", "write_truncated", "write_zero_byte",
]
