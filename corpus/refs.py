"""What users type to name a clause: 'GB55032 3.3.5', '55032-2022 第3.3.5条', 'SL677 附录A A.0.1'."""

from __future__ import annotations

import re
from dataclasses import dataclass

CLAUSE_NO_RE = re.compile(r"第?\s*(?P<no>(?:[A-Z]|\d{1,2})\s*[.．]\s*\d{1,2}\s*[.．]\s*\d{1,3}(?:\s*[.．]\s*\d{1,3})?)\s*条?")
_CODE_HINT = re.compile(r"(?:[A-Za-z]{1,4}(?:/[A-Za-z])?\s*)?\d{3,6}(?:\s*[-—–－]\s*\d{4})?")


@dataclass(frozen=True)
class ClauseRef:
    code_text: str | None  # what was typed for the standard, to resolve against the library
    clause_no: str | None


def parse_ref(text: str) -> ClauseRef:
    """Split a typed reference into the standard part and the clause number (either may be missing)."""
    t = text.strip()
    clause_no = None
    # The last clause-like number is the clause; earlier ones may belong to the code.
    found = list(CLAUSE_NO_RE.finditer(t))
    m = found[-1] if found else None
    if m:
        clause_no = re.sub(r"\s+", "", m.group("no")).replace("．", ".")
        t = (t[: m.start()] + " " + t[m.end():]).strip()
    code = _CODE_HINT.search(t)
    return ClauseRef(code.group(0).strip() if code else None, clause_no)
