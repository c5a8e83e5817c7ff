"""What the index stores and embeds for one clause.

The recipe (which fields go into the embedded passage and the BM25 text) was
chosen by measurement on the development set; changing it must bump
``manifest.RECIPE_VERSION`` so old indexes are rebuilt rather than mixed.
"""

from __future__ import annotations

import re

from corpus.models import Clause, ClauseKind, Document

_HEADING_NO = re.compile(r"^\s*(?:第?[0-9A-Z]+(?:\.[0-9]+)*[章节]?|附录\s*[A-Z])\s*")


def heading(clause: Clause) -> str:
    """The nearest heading without its number: '3.3 工艺质量控制' -> '工艺质量控制'."""
    h = clause.section or clause.chapter
    return _HEADING_NO.sub("", h).strip()


def passage_text(doc: Document, clause: Clause, with_heading: bool = False) -> str:
    """Text given to the embedder: a case's or FAQ's title, then the text.

    Prefixing the section heading was measured on the development set and made
    dense retrieval worse (R@1 0.72 vs 0.78), so it is off.
    """
    parts = []
    if with_heading and (h := heading(clause)):
        parts.append(h)
    if clause.title:
        parts.append(clause.title)
    parts.append(clause.text)
    return "：".join(parts[:-1]) + ("：" if len(parts) > 1 else "") + parts[-1]


def lexical_text(doc: Document, clause: Clause, with_heading: bool = False) -> str:
    """Text given to BM25 (headings made no measurable difference to char n-grams)."""
    return passage_text(doc, clause, with_heading)


def clause_record(doc: Document, clause: Clause, fingerprint: str) -> dict:
    """One row of a segment; doc-level fields (title, status) stay in the manifest."""
    return {
        "code": doc.code,
        "fp": fingerprint[:16],
        "clause_no": clause.clause_no,
        "kind": str(clause.kind),
        "chapter": clause.chapter,
        "section": clause.section,
        "title": clause.title,
        "mandatory": clause.mandatory,
        "pages": list(clause.pages),
        "refers_to": clause.refers_to,
        "text": clause.text,
        "revision": clause.revision,  # the notice whose wording this is ('' = as published)
    }


def table_rows(clause: Clause) -> list[tuple[str, dict]]:
    """(search text, row fields) for each body row of a body clause's tables.

    A row is indexed on its own so a numeric question that one row answers (允许偏差是多少) finds
    that row; its record carries the clause's number, so it is cited as the clause. Only captioned
    tables: a table without a caption is mostly a formula's symbol list or notes set out as a grid
    (58 and 28 of GB 50009's 86 uncaptioned tables), whose rows would only add noise.
    """
    if clause.kind is not ClauseKind.body:
        return []
    out = []
    for ti, t in enumerate(clause.tables):
        if not t.caption:
            continue
        cols = t.columns()
        for ri, cells in enumerate(t.rows):
            text = t.row_text(ri)
            if len(text) <= len(t.caption) + 3:
                continue  # an empty row
            out.append((text, {"table": ti, "row": ri, "caption": t.caption, "number": t.number,
                               "columns": cols, "cells": list(cells)}))
    return out


def index_rows(doc: Document) -> int:
    """How many index rows a document takes: its clauses and their table rows."""
    return len(doc.clauses) + sum(len(table_rows(c)) for c in doc.clauses if c.tables)


def doc_records(doc: Document, fingerprint: str) -> list[tuple[dict, str, str]]:
    """(record, passage to embed, text for BM25) per index row: each clause, then its table rows."""
    out = []
    for c in doc.clauses:
        rec = clause_record(doc, c, fingerprint)
        out.append((rec, passage_text(doc, c), lexical_text(doc, c)))
        for text, row in table_rows(c) if c.tables else ():
            out.append((rec | {"text": text, "table_row": row}, text, text))
    return out
