"""Document metadata from what a standard prints: code, title, dates, 强制性条文.

Order of trust: metadata the file states explicitly (front matter, meta.json)
> the cover page > the running header > the file name.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from corpus.models import CODE_RE, Repeal, canonical_code

_TITLE_END = re.compile(r"(?:规范|标准|规程|规定|导则|指南|条例|办法|细则|要点|手册|须知|案例|问答|汇编)(?:[（(][^）)]*[)）])?$")
_NOT_TITLE = re.compile(
    r"中华人民共和国|发布|实施|施行|出版|主编|批准|部门|公告|^前\s*言$|^目\s*次$|^目\s*录$|[A-Za-z]{4,}|"
    r"备案号|ICS|^P\s*\d|^[\d\s.\-—–]+$"
)
_TITLE_PART = re.compile(r"^《?[\u4e00-\u9fff（）()、·—\-\d]{2,}$")
_DATE = r"(?P<y>(?:19|20)\d{2})\s*[-—–年./]\s*(?P<m>\d{1,2})\s*[-—–月./]\s*(?P<d>\d{1,2})\s*日?"
_EFFECTIVE = [
    re.compile(_DATE + r"\s*(?:起)?\s*(?:实施|施行|执行)"),
    re.compile(r"(?:实施|施行|执行)\s*(?:日期)?\s*[:：|]?\s*" + _DATE),
]
_MANDATORY_LIST = re.compile(r"第?\s*(?P<list>[0-9A-Z.．、,，和及以至与\s（）()条款第]+?)\s*条\s*(?:[（(]款[)）])?\s*为\s*强制性条文")
_NUM = re.compile(r"(?:[A-Z]|\d{1,2})\.\d{1,2}\.\d{1,3}")


def find_code(*texts: str) -> str | None:
    """The first standard code in ``texts``; an underscore counts as a space ('GB_51247-2018_….md')."""
    for t in texts:
        if t:
            c = canonical_code(t.replace("_", " "))
            if c:
                return c
    return None


def find_title(cover: str, code: str | None) -> str | None:
    """The Chinese title on the cover: a line (or two joined lines) ending like a standard's name."""
    lines = [re.sub(r"\s+", "", ln) for ln in cover.splitlines()]
    lines = [ln for ln in lines if ln and not CODE_RE.search(ln.upper())]
    for i, ln in enumerate(lines[:40]):
        ln = ln.strip("《》")
        if _NOT_TITLE.search(ln) or len(ln) > 40:
            continue
        if _TITLE_END.search(ln) and len(ln) >= 4:
            # A title broken over cover lines: '建筑与市政工程施工质量控制' + '通用规范'.
            title = ln
            j = i - 1
            while j >= 0 and _TITLE_PART.match(lines[j]) and not _NOT_TITLE.search(lines[j]) \
                    and not _TITLE_END.search(lines[j]) and len(lines[j]) + len(title) <= 40:
                title = lines[j].strip("《") + title
                j -= 1
            return title
    # Titles in 《》 in the announcement text: '批准《工程结构通用规范》为国家标准'.
    m = re.search(r"《([^》]{4,40})》\s*为\s*(?:国家|行业|地方)?标准", cover)
    if m:
        return m.group(1)
    return None


def title_from_filename(path: Path, code: str | None) -> str | None:
    stem = path.stem if path.is_file() or path.suffix else path.name
    stem = re.sub(r"_?clean_text$", "", stem)
    if code:
        stem = _drop_code(stem)
    stem = re.sub(r"^[\s_\-—–.]+|[\s_\-—–.]+$", "", stem)
    return stem if re.search(r"[\u4e00-\u9fff]{2,}", stem) else None


def _drop_code(text: str) -> str:
    m = CODE_RE.search(text.replace("—", "-").upper())
    if not m:
        return text
    return text[: m.start()] + text[m.end():]


def find_effective_date(text: str) -> date | None:
    for rx in _EFFECTIVE:
        m = rx.search(text)
        if m:
            try:
                return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                continue
    return None


def listed_mandatory(front_text: str) -> set[str]:
    """Clause numbers the front matter lists as 强制性条文 ('第3.0.1、4.1.2条为强制性条文')."""
    out: set[str] = set()
    # Lines wrap anywhere, even inside '强制性条文'.
    flat = re.sub(r"\s+", "", front_text.replace("．", "."))
    for m in _MANDATORY_LIST.finditer(flat):
        out.update(_NUM.findall(m.group("list")))
    return out


# The heading a general code (通用规范) prints before the provisions it abolishes.
_REPEAL_HEADING = re.compile(r"废止.{0,20}强制性条文")
# '《建筑结构荷载规范》GB 50009—2012第3.1.2、3.1.3、4.3.1（1、2）条（款）': the code, then '第…条'.
_REPEAL_LINE = re.compile(r"^(?:\d+[.、．]\s*)?(?:《[^》]+》)?\s*(?P<code>[^第《》]+?)\s*第(?P<list>.+?)条")
_REPEAL_ITEM = re.compile(r"(?P<no>(?:[A-Z]|\d{1,2})\.\d{1,2}\.\d{1,3})(?:[（(](?P<items>[\d、,，\s]+)[)）])?")


def _is_repeal_heading(line: str) -> bool:
    return bool(_REPEAL_HEADING.search(line)) and "第" not in line


def repealed_provisions(front_text: str) -> list[Repeal]:
    """The list under '废止的现行工程建设标准相关强制性条文' in a code's front matter.

    Each entry names a standard and the clauses (or items of a clause) this code abolishes; the
    list ends at the first line that is neither the heading again nor such an entry.
    """
    out: list[Repeal] = []
    lines = [ln.strip() for ln in front_text.replace("．", ".").splitlines()]
    start = next((i for i, ln in enumerate(lines) if _is_repeal_heading(ln)), None)
    if start is None:
        return out
    for ln in lines[start + 1 :]:
        if not ln or _is_repeal_heading(ln):
            continue
        m = _REPEAL_LINE.match(re.sub(r"\s+", " ", ln))
        code = canonical_code(m.group("code")) if m else None
        if not code:
            break
        for item in _REPEAL_ITEM.finditer(m.group("list")):
            items = re.sub(r"[\s,，]+", "、", item.group("items") or "").strip("、")
            out.append(Repeal(code=code, clause_no=item.group("no"), items=items))
    return out


def is_general_code(code: str) -> bool:
    """GB 55xxx general codes (通用规范) are mandatory in full."""
    return bool(re.match(r"^GB 55\d{3}-\d{4}$", code))


# '代替 GB 50204-2002', '代替GB/T 1-2001、GB/T 2-2001' on a cover; '原《…》GB 50204-2002同时废止' in the announcement.
_REPLACES = re.compile(r"代\s*替\s*(?P<list>(?:(?:《[^》]{1,40}》)?\s*[A-Z][A-Z/\d]*\s*[\d.]+\s*[-—–－]\s*\d{4}\s*[、，,和及]?\s*)+)")
_ABOLISHED_OLD = re.compile(r"原\s*(?:《[^》]{1,40}》)?\s*(?P<list>[A-Z][A-Z/\d]*\s*[\d.]+\s*[-—–－]\s*\d{4})\s*同时\s*废止")


def replaced_editions(front_text: str, own_code: str | None = None) -> list[str]:
    """Codes of the earlier editions a standard says it replaces, in the order printed (not its own code)."""
    out: list[str] = []
    flat = re.sub(r"[ \t]+", " ", front_text.replace("．", "."))
    for rx in (_REPLACES, _ABOLISHED_OLD):
        for m in rx.finditer(flat):
            for part in re.split(r"[、，,和及]", m.group("list")):
                code = canonical_code(part)
                if code and code != own_code and code not in out:
                    out.append(code)
    return out
