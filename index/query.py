"""Recognise a standard and a clause number inside a query.

'GB55032 3.3.5', '55032第3.3.5条', 'SL677 4.1.2', 'GB 55032-2022 第3.3.5条第2款',
'《水工混凝土施工规范》4.1.2' all name a clause; the searcher puts that clause
first and searches the rest of the query as usual.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_DASH = r"[-—–－~]"
# Prefix letters (GB, GB/T, JGJ/T, SL, DBJ33/T …), the number, an optional year.
_CODE_RE = re.compile(
    rf"(?<![A-Za-z])(?P<prefix>DBJ?\d{{1,2}}(?:\s*/\s*T)?|[A-Z]{{1,5}}(?:\s*/\s*[A-Z])?)\s*(?P<num>\d{{1,6}}(?:\.\d{{1,3}})?)"
    rf"(?:\s*{_DASH}\s*(?P<year>(?:19|20)\d{{2}}))?(?![\d])",
    re.IGNORECASE,
)
# A bare standard number ('55032', '55032-2022'): only taken when it matches an indexed standard.
_BARE_RE = re.compile(rf"(?<![A-Za-z0-9./])(?P<num>\d{{3,6}})(?:\s*{_DASH}\s*(?P<year>(?:19|20)\d{{2}}))?(?![\d.])")
_CLAUSE_RE = re.compile(
    r"第?\s*(?<![\d.])(?P<no>(?:[A-Z]|\d{1,2})\.\d{1,2}\.\d{1,3}(?:\.\d{1,3})?)(?![\d.])\s*(?:条)?(?:\s*第\s*\d+\s*款)?"
)
_TITLE_RE = re.compile(r"《(?P<title>[^》]{2,60})》")
_PREFIX_SPLIT = re.compile(r"^(?P<prefix>[A-Z/\d]*?[A-Z/]+)\s*(?P<num>\d+(?:\.\d+)?)-(?P<year>\d{4})$")


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    code: str | None = None  # resolved to an indexed code
    clause_no: str | None = None
    rest: str = ""  # the query without the code and clause reference

    @property
    def is_lookup(self) -> bool:
        return self.code is not None and self.clause_no is not None


@lru_cache(maxsize=65536)
def _split_code(code: str) -> tuple[str, str, str] | None:
    """'GB/T 50204-2015' -> ('GBT', '50204', '2015')."""
    m = _PREFIX_SPLIT.match(code.upper().replace(" ", ""))
    if not m:
        return None
    return m.group("prefix").replace("/", ""), m.group("num"), m.group("year")


def _pick(cands: list[str], preferred: set[str]) -> str | None:
    if not cands:
        return None
    # Prefer a current edition, then the newest year.
    return sorted(cands, key=lambda c: (c in preferred, c[-4:]))[-1]


def parse_query(
    text: str,
    codes: Iterable[str],
    titles: dict[str, str] | None = None,
    current: Iterable[str] = (),
) -> ParsedQuery:
    """Find a standard (resolved against ``codes``) and a clause number in ``text``."""
    norm = unicodedata.normalize("NFKC", text).strip()
    parts = {c: p for c in codes if (p := _split_code(c))}
    preferred = set(current)
    code: str | None = None
    spans: list[tuple[int, int]] = []

    for m in _CODE_RE.finditer(norm):
        prefix = re.sub(r"[\s/]", "", m.group("prefix")).upper()
        num, year = m.group("num"), m.group("year")
        cands = [
            c for c, (p, n, y) in parts.items() if n == num and (p == prefix or p.startswith(prefix)) and (not year or y == year)
        ]
        if cands:
            code = _pick(cands, preferred)
            spans.append(m.span())
            break
    if code is None:
        for m in _BARE_RE.finditer(norm):
            num, year = m.group("num"), m.group("year")
            cands = [c for c, (_p, n, y) in parts.items() if n == num and (not year or y == year)]
            if cands:
                code = _pick(cands, preferred)
                spans.append(m.span())
                break
    if code is None and titles:
        for m in _TITLE_RE.finditer(norm):
            t = m.group("title").strip()
            # Titles are compared NFKC-normalised like the query: '（示例）' is typed and stored both ways.
            cands = [c for c, title in titles.items()
                     if title and ((nt := unicodedata.normalize("NFKC", title)) == t or t in nt or nt in t)]
            if cands:
                code = _pick(cands, preferred)
                spans.append(m.span())
                break

    clause_no = None
    for m in _CLAUSE_RE.finditer(norm):
        if any(a <= m.start("no") < b for a, b in spans):
            continue
        clause_no = m.group("no")
        spans.append(m.span())
        break

    rest = norm
    for a, b in sorted(spans, reverse=True):
        rest = rest[:a] + " " + rest[b:]
    rest = re.sub(r"^[\s的,，:：]+|[\s的,，:：]+$", "", re.sub(r"\s+", " ", rest))
    return ParsedQuery(text=text, code=code, clause_no=clause_no, rest=rest)


def clause_mention(text: str) -> tuple[str | None, str | None]:
    """(what looks like a standard's code, clause number) named in ``text``, before any library lookup.

    '101要点5.1.2写的啥' -> ('101', '5.1.2'); '第4.2.4条' -> (None, '4.2.4'); '混凝土怎么养护' -> (None, None).
    """
    norm = unicodedata.normalize("NFKC", text).strip()
    # The last clause-like number is the clause; an earlier one may be part of a code.
    found = list(_CLAUSE_RE.finditer(norm))
    m = found[-1] if found else None
    if m is None:
        return None, None
    rest = norm[: m.start()] + " " + norm[m.end():]
    code = _CODE_RE.search(rest) or _BARE_RE.search(rest)
    return (code.group(0).strip() if code else None), m.group("no")


# Prefixes of Chinese national, sector and local standards. A code-like word with one of these
# ('GB50204', 'JGJ 18') names a standard; 'HRB400', 'DN100' or 'PE100' do not.
STANDARD_PREFIXES = frozenset((
    "GB", "GBT", "GBJ", "GBZ", "JGJ", "JGJT", "JG", "JGT", "CJJ", "CJJT", "CJ", "CJT", "SL", "SLT", "JTG", "JTJ",
    "CECS", "TCECS", "DL", "DLT", "TB", "YB", "HG", "SH", "JC", "JCT", "DB", "DBT", "DBJ", "DBJT",
))


def standard_prefix(code: str) -> str:
    """'GB/T 50502-2009' -> 'GBT', 'DBJ33/T 1' -> 'DBJT', 'ZJ/T 101' -> 'ZJT'."""
    m = re.match(r"^\s*(T\s*/\s*[A-Z]+|[A-Z]+\s*\d{0,2}(?:\s*/\s*[A-Z])?)", code.upper())
    return re.sub(r"[\s/\d]", "", m.group(1)) if m else ""


def names_a_standard(text: str, held: Iterable[str] = ()) -> bool:
    """'GB50204-2015', 'JGJ 130', 'GB/T 50502' (or a code with a held standard's prefix) name a standard;
    '101', 'C30', 'HRB400' (a steel grade) or 'DN100' (a pipe size) do not."""
    m = _CODE_RE.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return False
    prefix = standard_prefix(m.group("prefix"))
    return prefix in STANDARD_PREFIXES or prefix in {standard_prefix(c) for c in held}


def resolve_code(text: str, codes: Iterable[str], current: Iterable[str] = ()) -> str | None:
    """Map what a user typed as a filter ('GB55032', '55032', 'gb 55032-2022') to an indexed code."""
    codes = list(codes)
    norm = unicodedata.normalize("NFKC", text).strip()
    key = re.sub(r"[\s/]+", "", norm.upper())
    for c in codes:
        if re.sub(r"[\s/]+", "", c.upper()) == key:
            return c
    parsed = parse_query(norm, codes, current=current)
    return parsed.code


def matching_codes(text: str, codes: Iterable[str]) -> list[str]:
    """Every indexed edition a filter like 'GB50204' or '9101' names (a year narrows it to one)."""
    codes = list(codes)
    norm = unicodedata.normalize("NFKC", text).strip()
    exact = [c for c in codes if re.sub(r"[\s/]+", "", c.upper()) == re.sub(r"[\s/]+", "", norm.upper())]
    if exact:
        return exact
    m = _CODE_RE.fullmatch(norm) or _BARE_RE.fullmatch(norm)
    if not m:
        return []
    prefix = re.sub(r"[\s/]", "", m.groupdict().get("prefix") or "").upper()
    num, year = m.group("num"), m.group("year")
    out = []
    for c in codes:
        p = _split_code(c)
        if p and p[1] == num and (not year or p[2] == year) and (not prefix or p[0] == prefix or p[0].startswith(prefix)):
            out.append(c)
    return out
