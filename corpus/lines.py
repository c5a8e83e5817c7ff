"""The intermediate form every loader produces: a flat list of lines.

Loaders know the file format; the clause parser knows Chinese standards. A
``Line`` carries just enough layout from the loader (page, a role the format
makes explicit, a paragraph break) for the parser to decide structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from corpus.models import Table


class Role(StrEnum):
    text = "text"
    heading = "heading"  # the format says so (Markdown '#', HTML <h2>, docx Heading style)
    item = "item"  # list item whose number the format supplies (<li>, docx numbering)
    table = "table"  # a table row: never starts a clause


@dataclass(slots=True)
class Line:
    text: str
    page: int | None = None
    role: Role = Role.text
    gap_before: bool = False  # a blank line (paragraph break) precedes it
    table: Table | None = None  # the table this line starts (its caption, or its first row)


@dataclass
class RawText:
    """What a loader read: lines plus any metadata the file states explicitly."""

    lines: list[Line]
    meta: dict[str, Any] = field(default_factory=dict)
    fmt: str = "text"  # pdf | docx | markdown | text | html | rst
    pages: int = 0
    first_page_text: str = ""  # the cover, for code/title/date detection
