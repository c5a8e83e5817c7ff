"""Generated PDFs kept between runs: typesetting a standard costs more than parsing it.

An entry is keyed by everything the output depends on: the spec as typeset, the layout, the
generator's own source code, the PDF libraries' versions and the fonts. A change to any of them
generates again, so the cache can only save time, never hide a change in the generator.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from evals.pdfgen.draw import make_standard_pdf
from evals.pdfgen.layout import DEJAVU, DEJAVU_BOLD, DROID, LAYOUTS, Layout, Rendered
from evals.pdfgen.spec import StandardSpec

_HERE = Path(__file__).resolve().parent


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "-"


def _key(spec: StandardSpec, layout: Layout) -> str:
    h = hashlib.sha256()
    for p in sorted(_HERE.glob("*.py")):
        h.update(p.name.encode() + p.read_bytes())
    for f in (DROID, DEJAVU, DEJAVU_BOLD):
        h.update(f"{f}:{f.stat().st_size if f.exists() else -1}".encode())
    h.update(f"reportlab={_version('reportlab')} fpdf2={_version('fpdf2')}".encode())
    h.update(repr(layout).encode() + repr(spec).encode())
    return h.hexdigest()[:32]


def cached_standard_pdf(spec: StandardSpec, path: Path, layout: Layout | str, cache_dir: Path) -> Rendered:
    """``make_standard_pdf``, served from ``cache_dir`` when the same PDF was generated before."""
    L = LAYOUTS[layout] if isinstance(layout, str) else layout
    path = Path(path)
    key = _key(spec, L)
    pdf, meta = cache_dir / f"{key}.pdf", cache_dir / f"{key}.pickle"
    if pdf.exists() and meta.exists():
        shutil.copyfile(pdf, path)
        return replace(pickle.loads(meta.read_bytes()), path=path)
    rendered = make_standard_pdf(spec, path, L)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for dst, write in ((pdf, lambda t: shutil.copyfile(path, t)), (meta, lambda t: t.write_bytes(pickle.dumps(rendered)))):
        tmp = dst.with_name(f"{dst.name}.{os.getpid()}.tmp")
        write(tmp)
        os.replace(tmp, dst)
    return rendered
