"""Page furniture removal for paginated sources (PDF).

Running headers and footers repeat on most pages (the standard's code or
title, page numbers in styles like ``· 12 ·`` or ``— 12 —``); left in, they
split clauses and pollute clause text.
"""

from __future__ import annotations

import re
from collections import Counter

from corpus.lines import Line

PAGE_NO = re.compile(
    r"^[\s·•・\-—–－_~〜.]*"
    r"(?:第\s*)?(?:\d{1,4}|[IVXLivxlⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ]{1,6})(?:\s*页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?"
    r"[\s·•・\-—–－_~〜.]*$"
)
_EDGE = 3  # lines at the top and bottom of a page considered for running headers/footers


_EDGE_NUMBER = re.compile(r"^[\s·•・\-—–－_~〜.第]*\d+[\s·•・\-—–－_~〜.页]*|[\s·•・\-—–－_~〜.第]*\d+[\s·•・\-—–－_~〜.页]*$")


def _shape(text: str) -> str:
    """A header with its page number varies only in that number: compare without it."""
    return _EDGE_NUMBER.sub("#", re.sub(r"\s+", "", text))


def strip_page_furniture(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """Remove page numbers and lines repeated at page edges on many pages."""
    pages: dict[int, list[int]] = {}
    for idx, ln in enumerate(lines):
        if ln.page is not None:
            pages.setdefault(ln.page, []).append(idx)
    n_pages = len(pages)
    drop: set[int] = {i for i, ln in enumerate(lines) if PAGE_NO.match(ln.text)}
    removed: list[str] = []
    if n_pages >= 3:
        counts: Counter[str] = Counter()
        for idxs in pages.values():
            edge = [i for i in idxs if i not in drop]
            seen = {_shape(lines[i].text) for i in edge[:_EDGE] + edge[-_EDGE:]}
            counts.update(seen)
        threshold = max(3, int(0.3 * n_pages))
        furniture = {s for s, c in counts.items() if c >= threshold and len(s) <= 60}
        for idxs in pages.values():
            edge = [i for i in idxs if i not in drop]
            for i in edge[:_EDGE] + edge[-_EDGE:]:
                if _shape(lines[i].text) in furniture:
                    drop.add(i)
        removed = sorted(furniture)
    return [ln for i, ln in enumerate(lines) if i not in drop], removed
