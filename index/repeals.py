"""Provisions that an indexed code abolishes (废止的现行工程建设标准相关强制性条文).

A general code (通用规范) lists in its front matter the mandatory clauses of older
standards it abolishes, e.g. GB 55001-2021 abolishes GB 50009-2012 第3.2.4条 (the
old partial factors). Such a clause stays searchable, because users still quote it,
but it no longer states a requirement: it must not lead an answer when the code
that replaced it matches about as well, and it is no longer a 强制性条文.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.models import DocStatus
from index.manifest import Manifest


@dataclass(frozen=True)
class RepealNote:
    """Who abolished a clause, and which of its items (empty: the whole clause)."""

    by: str
    by_title: str
    items: str = ""

    @property
    def whole(self) -> bool:
        return not self.items


def repeals_in_force(manifest: Manifest) -> dict[tuple[str, str], RepealNote]:
    """(code, clause_no) -> note, for the repeals declared by indexed codes that are in force.

    A code not yet in force (即将实施) or itself withdrawn abolishes nothing yet.
    """
    out: dict[tuple[str, str], RepealNote] = {}
    for code, entry in sorted(manifest.docs.items()):
        if entry.status != DocStatus.current.value:
            continue
        for r in entry.repeals:
            note = out.get((r.code, r.clause_no))
            if note is None or (note.items and not r.items):  # a whole-clause repeal outweighs an item-level one
                out[(r.code, r.clause_no)] = RepealNote(code, entry.title, r.items)
    return out
