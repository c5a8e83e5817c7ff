"""Honest lookups: a search naming a clause or a standard the library does not hold says so first.

``ask`` refuses such a question by name (assistant.answering); search used to show "找到 10 条"
clauses nobody asked for. The same reading of the query (index.query) decides both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from assistant.views import LookupNotice
from index import SearchFilters, SearchResult
from index.query import (
    STANDARD_PREFIXES,
    clause_mention,
    matching_codes,
    names_a_standard,
    resolve_code,
    standard_prefix,
)

_NAMED_CODE = re.compile(
    r"(?<![A-Za-z])(?P<prefix>T\s*/\s*[A-Z]{2,5}|DBJ?\s*\d{0,2}(?:\s*/\s*T)?|[A-Z]{2,4}(?:\s*/\s*[TZ])?)\s*"
    r"(?P<num>\d{2,6}(?:\.\d{1,3})?)(?:\s*[-—–－]\s*(?P<year>(?:19|20)\d{2}))?(?![\d.])",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A leftover that is only a clause reference's glue ('第 条', '的') is not something to search for.
_GLUE = re.compile(r"[\s第条款的,，:：。.、《》()（）/-]+")


def named_standard(text: str, held: Mapping[str, str]) -> str | None:
    """The standard's code as typed ('GB50204-2002', 'JGJ 18'), when it has a standard's prefix (or a held one's)."""
    known = STANDARD_PREFIXES | {standard_prefix(c) for c in held}
    for m in _NAMED_CODE.finditer(text):
        if standard_prefix(m.group("prefix")) in known:
            return m.group(0).strip()
    return None


def remainder(text: str, *parts: str | None) -> str:
    """``text`` without the code and clause reference: what else the user searched for ('' when nothing)."""
    rest = unicodedata.normalize("NFKC", text)
    for part in parts:
        if part:
            rest = rest.replace(part, " ")
    rest = _GLUE.sub(" ", rest).strip()
    return rest if len(_CJK.findall(rest)) >= 2 or len(rest) >= 4 else ""


def clause_missing_message(title: str, code: str, clause_no: str) -> str:
    """The one wording, for ask and search alike, of a clause number the held standard does not have."""
    return f"条文库收录的《{title}》{code} 中没有第{clause_no}条，请核对条号。"


def standard_missing_message(named: str, clause_no: str | None, held: list[str] | None = None) -> str:
    """The one wording, for ask and search alike, of a standard the library does not hold."""
    also = f"（条文库收录的是 {'、'.join(held)}）" if held else ""
    if clause_no:
        return f"条文库尚未收录 {named}，查不到它的第{clause_no}条{also}。"
    return f"条文库尚未收录 {named}{also}。"


def lookup_notice(query: str, result: SearchResult, titles: Mapping[str, str],
                  filters: SearchFilters | None = None) -> tuple[LookupNotice | None, str]:
    """(notice, what else to search for) for a query naming a missing clause or standard; (None, '') otherwise.

    ``result`` is the query's own search, asked with ``question=query`` (its facts hold the clause the
    query names, looked up without the search filters); ``titles`` maps the indexed codes to titles.
    """
    if result.pinned is not None:
        return None, ""
    facts = result.facts
    parsed = facts.parsed if facts is not None else result.parsed
    if facts is not None and facts.pinned is not None:
        return None, ""  # the clause exists; the filters hid it (the hits say what they say)
    norm = unicodedata.normalize("NFKC", query).strip()
    code_text, clause_no = clause_mention(norm)
    code = parsed.code
    if code is None and clause_no and code_text is None and filters and filters.codes and len(filters.codes) == 1:
        code = resolve_code(filters.codes[0], list(titles))  # '9.9.9' searched within one standard
    if code is not None and clause_no:
        title = titles.get(code, "")
        message = clause_missing_message(title, code, clause_no)
        rest = remainder(parsed.rest if parsed.code else norm, clause_no)
        notice = LookupNotice(kind="clause_missing", message=message, code=code, clause_no=clause_no)
        return _with_others(notice, rest, f"以下为与“{rest}”相关的其他条文，并非第{clause_no}条" if rest else "")
    if code is not None:
        return None, ""  # a held standard named without a number: an ordinary search within it
    named = code_text if clause_no and code_text and names_a_standard(code_text, titles) else named_standard(norm, titles)
    if named is None:
        return None, ""
    message = standard_missing_message(named, clause_no, _held_editions(named, titles))
    rest = remainder(norm, named, clause_no)
    notice = LookupNotice(kind="standard_missing", message=message, code=named, clause_no=clause_no)
    return _with_others(notice, rest, f"以下为其他标准中与“{rest}”相关的条文，仅供参考" if rest else "")


def _with_others(notice: LookupNotice, rest: str, heading: str) -> tuple[LookupNotice, str]:
    return notice.model_copy(update={"others": heading}), rest


def _held_editions(named: str, titles: Mapping[str, str]) -> list[str]:
    """Other editions of the named standard that the library holds ('GB 50204-2002' asked, -2015 held)."""
    bare = re.sub(r"\s*[-—–－]\s*(?:19|20)\d{2}$", "", named)
    return matching_codes(bare, list(titles)) if bare != named else []
