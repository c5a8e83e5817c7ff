"""Terms mined from the indexed standards themselves, for query expansion.

Every standard defines its terms in chapter 2 (术语 / 术语和符号): a heading line with the
term, often an alias in parentheses and the English equivalent, then the definition:

    2.0.1 门座式起重机（门机） gantry crane / 桥架通过两侧支腿支承在……的起重机。
    2.1.10 爬升（顶升）模板 jumping (jacking) - up formwork / 整体拆模后……
    2.0.4 见证检验：在监理单位……（现场俗称“见证取样送检”）。

What is useful for a query is the alias: a question saying 门机 or 顶升模板 should also
search for 门座式起重机 or 爬升模板. The English equivalent is noise for Chinese questions
and is dropped. Clauses elsewhere that name a thing's site name (“……蓄水试验（俗称“闭水
试验”）”) give aliases the same way. The result is ``TermEntry`` rows (``keep=True``: the
alias stays in the query and the term follows it) merged into the site lexicon per index version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.sitelang import TermEntry

_HAN = r"\u4e00-\u9fff"
# '门座式起重机（门机） gantry crane' / '永久荷载 permanent load在结构……': a Chinese term, then English.
# The English starts with a word of 3+ letters, so '搭设高度5 m及以上' is no heading.
_HEAD_EN = re.compile(rf"^(?P<term>[{_HAN}（）()、·]{{2,30}}?)\s*(?=[A-Za-z]{{3}})(?P<en>[A-Za-z][A-Za-z0-9\s\-'’,.()/;]*)")
# '检验批：在基本相同的……'
_HEAD_COLON = re.compile(rf"^(?P<term>[{_HAN}0-9（）()、·]{{2,20}})[：:]")
_PAREN = re.compile(r"[（(](?P<alt>[^（）()]{1,20})[）)]")
# '（俗称“浇筑令”“砼浇灌令”）', '（简称门机）', '又称……'
_NICK = re.compile(r"(?:现场)?(?:俗称|简称|又称|也称|亦称)[为是]?(?P<names>(?:[“\"「]?[" + _HAN + r"A-Za-z0-9]{2,12}[”\"」]?[、，,或和]?)+)")
_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,12})[”\"」]")
_HAN_RUN = re.compile(rf"[{_HAN}]+$")
# Words a term never starts after: the tail of '应进行蓄水试验' that names the thing is '蓄水试验'.
# Coordinations (和, 及) stay: '模板及支架' is one thing, and too long a head is skipped, not guessed.
_CUT = re.compile(r".*(?:进行|提出|采用|设置|应|的|为|将|在|按|对|由|经|并|其)")


@dataclass(frozen=True)
class MinedTerm:
    term: str
    aliases: tuple[str, ...]
    code: str
    clause_no: str


def is_term_clause(rec: dict) -> bool:
    """A definition in a 术语 chapter: by its chapter or section title, or by the 'term + English' heading of 2.x.y."""
    if rec.get("kind") != "body":
        return False
    where = f"{rec.get('chapter') or ''} {rec.get('section') or ''}"
    if "术语" in where:
        return True
    return str(rec.get("clause_no", "")).startswith("2.") and bool(_HEAD_EN.match(rec.get("text") or ""))


def _term_forms(head: str) -> tuple[str, list[str]]:
    """'门座式起重机（门机）' -> ('门座式起重机', ['门机']); '爬升（顶升）模板' -> ('爬升模板', ['顶升模板'])."""
    m = _PAREN.search(head)
    if m is None:
        return head, []
    before, alt, after = head[: m.start()], m.group("alt"), head[m.end() :]
    main = before + after
    if not after:
        return main, [alt]
    return main, [before[: max(0, len(before) - len(alt))] + alt + after]


def _clean(word: str) -> str:
    return word.strip(" “”\"「」、，,")


def mine_definition(rec: dict) -> MinedTerm | None:
    """The term a 术语 clause defines and its aliases (parenthesised forms, 俗称/简称 in the definition)."""
    text = (rec.get("text") or "").strip()
    m = _HEAD_EN.match(text) or _HEAD_COLON.match(text)
    if m is None:
        return None
    term, aliases = _term_forms(m.group("term").strip())
    rest = text[m.end() :]
    for nick in _NICK.finditer(rest):
        aliases += _quoted_or_plain(nick.group("names"))
    return _entry(term, aliases, rec)


def mine_nicknames(rec: dict) -> list[MinedTerm]:
    """'应进行蓄水试验（俗称“闭水试验”）' anywhere in a clause: 闭水试验 is another name of 蓄水试验."""
    out = []
    text = rec.get("text") or ""
    for m in re.finditer(r"[（(](?P<inner>[^（）()]*?(?:俗称|简称|又称)[^（）()]*)[）)]", text):
        run = _HAN_RUN.search(text[: m.start()])
        if run is None:
            continue
        head = _CUT.sub("", run.group())
        if not 2 <= len(head) <= 8:
            continue  # no clear noun before the parenthesis: better no alias than a wrong one
        names = [n for nick in _NICK.finditer(m.group("inner")) for n in _quoted_or_plain(nick.group("names"))]
        e = _entry(head, names, rec)
        if e is not None:
            out.append(e)
    return out


def _quoted_or_plain(names: str) -> list[str]:
    quoted = _QUOTED.findall(names)
    return quoted or [_clean(n) for n in re.split(r"[、，,或和]", names) if _clean(n)]


def _entry(term: str, aliases: list[str], rec: dict) -> MinedTerm | None:
    term = _clean(term)
    good = tuple(dict.fromkeys(a for a in map(_clean, aliases) if len(a) >= 2 and a != term and a not in term))
    if len(term) < 2 or not good:
        return None
    return MinedTerm(term, good, rec.get("code", ""), rec.get("clause_no", ""))


def mine_terms(records: Iterable[dict]) -> list[MinedTerm]:
    """Every alias the indexed clauses define, in record order."""
    out: list[MinedTerm] = []
    for rec in records:
        if is_term_clause(rec):
            t = mine_definition(rec)
            if t is not None:
                out.append(t)
        if rec.get("kind") in ("body", "commentary", "faq"):
            out.extend(mine_nicknames(rec))
    return out


def as_lexicon_entries(mined: Iterable[MinedTerm]) -> list[TermEntry]:
    """Mined aliases as site-lexicon rows: the alias stays in the query and the defined term follows it.

    An alias two terms claim is ambiguous and left out; so is one that is itself a defined term.
    """
    mined = list(mined)
    terms = {m.term for m in mined}
    owners: dict[str, set[str]] = {}
    for m in mined:
        for a in m.aliases:
            owners.setdefault(a, set()).add(m.term)
    out = []
    for m in mined:
        site = [a for a in m.aliases if len(owners[a]) == 1 and a not in terms]
        if site:
            out.append(TermEntry(site=site, standard=m.term, keep=True, note=f"{m.code} 第{m.clause_no}条"))
    return out
