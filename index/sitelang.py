"""Site language -> the wording the standards print, for both sides of a query.

People on site write 砼, 打灰, 拆模, 闭水, "多少方", "一周", "三十来米"; the standards print
混凝土, 浇筑混凝土, 模板拆除, 蓄水试验, m³, 7 d, 30 m. ``SiteLexicon.expand`` rewrites a query
once: ``Expansion.text`` (the question in standard wording) is what the dense side embeds, and
``Expansion.lexical`` (that text plus words for BM25 only, such as "7d" or 构造柱) is what
BM25 scores. The lexicon is the project's own data file ``index/lexicon.yaml``, validated on
load; terms mined from the 术语 chapters of the indexed standards (``index.termbank``) are
merged in per index version.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")
_WORD = re.compile(r"^[^\s（）()“”\"]+$")


class LexiconError(ValueError):
    """The lexicon file is wrong; the message is Chinese and names the entry."""


# -- the file's schema ------------------------------------------------------------------------
class TermEntry(BaseModel):
    """Site forms of one thing and the wording the standards print for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: list[str] = Field(min_length=1)
    standard: str = Field(min_length=1)
    keep: bool = False  # the site form stays and the standard wording follows it in parentheses
    also: list[str] = Field(default_factory=list)  # more standard words, for BM25 only
    note: str = ""

    @field_validator("site", "also")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        for w in v:
            if not _WORD.match(w):
                raise ValueError(f"“{w}”不是一个词（不能为空，不能含空白或括号）")
        return v


class UnitEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    words: list[str] = Field(min_length=1)
    factor: float = Field(gt=0)
    symbol: str = Field(pattern=r"^[a-z0-9]+$")  # as the analyser sees what clauses print: 'd', 'm3'
    name: str = Field(min_length=1)  # the standard unit in Chinese: 天, 立方米
    counted: bool = False  # needs 个 before it: 两个月 (一月 is January)


class FuzzyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(gt=0)
    symbol: str = Field(pattern=r"^[a-z0-9]+$")
    name: str = Field(min_length=1)


class Quantities(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    units: list[UnitEntry] = Field(default_factory=list)
    fuzzy: dict[str, FuzzyEntry] = Field(default_factory=dict)


class LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    terms: list[TermEntry]
    quantities: Quantities = Field(default_factory=Quantities)


# -- quantities ---------------------------------------------------------------------------------
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+"
# 方 is also 方案, 方面, 双方, 几方单位: only a volume when nothing of that kind follows.
_NOT_VOLUME = "面案法向式位形便针子圆单参到签人责主共会"


def chinese_number(s: str) -> float | None:
    """'30', '三十', '两百', '一百二十', '十' -> a number; None when it is not one."""
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGIT:
            if digit is not None:  # '三五' is a range or a typo, not a number
                return None
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            u = _CN_UNIT[ch]
            if u == 10000:
                total = (total + section + (digit or 0)) * u
                section = 0
            else:
                section += (1 if digit is None else digit) * u
            digit = None
        else:
            return None
    return float(total + section + (digit or 0))


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"


@dataclass(frozen=True)
class Quantity:
    value: float | None  # None: an asked-for amount ('多少方'), only the unit is known
    symbol: str
    name: str
    asked: str = ""  # '多少', '几', '每' when ``value`` is None

    def dense(self) -> str:
        return self.asked + self.name if self.value is None else f"{_fmt(self.value)}{self.name}"

    def lexical(self) -> str:
        return self.symbol if self.value is None else f"{_fmt(self.value)}{self.symbol}"


class _QuantityReader:
    """Finds colloquial amounts ('两个多小时', '三十来米', '多少方') and their standard form."""

    def __init__(self, q: Quantities) -> None:
        self.units: dict[str, UnitEntry] = {w: u for u in q.units for w in u.words}
        self.fuzzy = dict(q.fuzzy)
        alts = "|".join(map(re.escape, sorted(self.units, key=len, reverse=True))) or r"(?!)"
        self.re = re.compile(
            rf"(?P<fuzzy>{'|'.join(map(re.escape, sorted(self.fuzzy, key=len, reverse=True))) or '(?!)'})"
            rf"|(?P<ask>多少|几|每)(?P<vol>{_vol_words(self.units)})(?![{_NOT_VOLUME}])"
            rf"|(?<![第\dA-Za-z.])(?P<num>{_NUM})(?P<a1>来|多|余)?(?P<ge>个)?(?P<half>半)?(?P<a2>多)?"
            rf"(?P<unit>{alts})(?P<a3>左右)?"
        )

    def find(self, text: str) -> Iterable[tuple[int, int, Quantity]]:
        for m in self.re.finditer(text):
            q = self._read(m)
            if q is not None:
                yield m.start(), m.end(), q

    def _read(self, m: re.Match[str]) -> Quantity | None:
        if m.group("fuzzy"):
            f = self.fuzzy[m.group("fuzzy")]
            return Quantity(f.value, f.symbol, f.name)
        if m.group("ask"):
            u = self.units[m.group("vol")]
            return Quantity(None, u.symbol, u.name, m.group("ask"))
        u = self.units[m.group("unit")]
        value = chinese_number(m.group("num"))
        if value is None:
            return None
        if u.counted and not m.group("ge"):
            return None  # 一月 is January, 两个月 is sixty days
        if u.symbol == "m3":
            after = m.string[m.end() : m.end() + 1]
            if after and after in _NOT_VOLUME:
                return None
            if not m.group("num")[0].isdigit() and value < 10:
                return None  # 三方 / 五方 are parties, not cubic metres
        if m.group("half"):
            value += 0.5
        return Quantity(value * u.factor, u.symbol, u.name)


def _vol_words(units: dict[str, UnitEntry]) -> str:
    words = [w for w, u in units.items() if u.symbol == "m3"]
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True))) or r"(?!)"


# -- the lexicon ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expansion:
    """A query in standard wording: ``text`` is embedded, ``lexical`` is scored by BM25."""

    original: str
    text: str  # what the dense side embeds: replaced forms and amounts in standard wording
    glossed: str  # the text with every standard wording in it, for BM25
    extra: tuple[str, ...] = ()  # words for BM25 only ('7d', 构造柱)
    applied: tuple[str, ...] = ()  # 'site→standard', for logs and tests

    @property
    def lexical(self) -> str:
        return " ".join((self.glossed, *self.extra))


class SiteLexicon:
    """Site forms -> standard wording, with colloquial quantities; immutable, shared by threads."""

    def __init__(self, terms: Sequence[TermEntry] = (), quantities: Quantities | None = None,
                 gloss_dense: bool = False, amounts_dense: bool = False) -> None:
        self.terms = tuple(terms)
        self.quantities = quantities or Quantities()
        # Kept forms ('拆模', '恒载') reach BM25 as 'site（standard）'; the embedded text keeps them as typed
        # unless ``gloss_dense``: the embedder knows them, and glossing measured no better on dev.
        self.gloss_dense = gloss_dense
        # BM25 always reads amounts normalised ('7天 7d'); the embedded text keeps them as typed unless
        # ``amounts_dense``: equal on dev, and '多少立方米' moved 砼试块多少方留一组 away from its clause.
        self.amounts_dense = amounts_dense
        self._replace = {w: t for t in self.terms if not t.keep for w in t.site}
        self._keep = {w: t for t in self.terms if t.keep for w in t.site}
        self._replace_re = _alternation(self._replace)
        self._keep_re = _alternation(self._keep)
        self._qty = _QuantityReader(self.quantities)

    @classmethod
    def empty(cls) -> SiteLexicon:
        """No site language at all: what the searcher did before the lexicon (for measuring it)."""
        return cls()

    def __bool__(self) -> bool:
        return bool(self.terms or self.quantities.units or self.quantities.fuzzy)

    def merged(self, more: Iterable[TermEntry]) -> SiteLexicon:
        """This lexicon plus ``more`` (mined terms); a site form the file already has keeps the file's entry."""
        known = set(self._replace) | set(self._keep)
        extra = []
        for t in more:
            # spelled as the query will be when the kept forms are looked for ('砼浇灌令' -> '混凝土浇灌令')
            spelled = (_sub(self._replace_re, w, lambda x: self._replace[x], [], [], keep=False) for w in t.site)
            site = list(dict.fromkeys(w for w in spelled if w not in known and w != t.standard))
            if site:
                extra.append(t.model_copy(update={"site": site}))
                known.update(site)
        return SiteLexicon((*self.terms, *extra), self.quantities, self.gloss_dense, self.amounts_dense)

    def expand(self, text: str) -> Expansion:
        """``text`` in standard wording (NFKC, so full-width digits count)."""
        norm = unicodedata.normalize("NFKC", text)
        applied: list[str] = []
        extra: list[str] = []
        # 1) spellings standards never print (砼, typos) are replaced, so later steps see standard words
        out = _sub(self._replace_re, norm, lambda w: self._replace[w], applied, extra, keep=False)
        # 2) amounts: '一周' -> '7天' (+ '7d' for BM25)
        typed = out
        out = self._quantities(out, applied, extra)
        # 3) forms standards print too, or ambiguous ones: the standard wording follows in parentheses
        glossed = _sub(self._keep_re, out, lambda w: self._keep[w], applied, extra, keep=True)
        dense = out if self.amounts_dense else typed
        if self.gloss_dense:
            dense = _sub(self._keep_re, dense, lambda w: self._keep[w], [], [], keep=True)
        return Expansion(text, dense, glossed, tuple(dict.fromkeys(extra)), tuple(applied))

    def _quantities(self, text: str, applied: list[str], extra: list[str]) -> str:
        parts, pos = [], 0
        for a, b, q in self._qty.find(text):
            parts += [text[pos:a], q.dense()]
            applied.append(f"{text[a:b]}→{q.dense()}")
            extra.append(q.lexical())
            pos = b
        return "".join(parts) + text[pos:]


def _alternation(words: dict[str, TermEntry]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def _sub(pat: re.Pattern[str] | None, text: str, entry_of, applied: list[str], extra: list[str], *, keep: bool) -> str:
    """Rewrite each site form found by ``pat``; a form that is part of its own standard wording is left alone."""
    if pat is None:
        return text
    parts, pos = [], 0
    for m in pat.finditer(text):
        w = m.group()
        t: TermEntry = entry_of(w)
        if _inside_standard(text, m.start(), m.end(), t.standard):
            continue  # '主体结构验收' already says it; '同条件养护' is not '同条件养护养护'
        if keep and text.startswith(f"（{t.standard}）", m.end()):
            continue
        parts += [text[pos : m.start()], f"{w}（{t.standard}）" if keep else t.standard]
        applied.append(f"{w}→{t.standard}")
        extra.extend(t.also)
        pos = m.end()
    return "".join(parts) + text[pos:]


def _inside_standard(text: str, a: int, b: int, standard: str) -> bool:
    i = standard.find(text[a:b])
    while i >= 0:
        if text.startswith(standard, a - i):
            return True
        i = standard.find(text[a:b], i + 1)
    return False


# -- loading ---------------------------------------------------------------------------------------
def parse_lexicon(data: object, source: str = "词表") -> SiteLexicon:
    """Validate the file's content; every mistake is a ``LexiconError`` naming the entry."""
    try:
        f = LexiconFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _where(data, err["loc"])
        raise LexiconError(f"{source}{where}有误：{_zh_msg(err)}") from None
    seen: dict[str, str] = {}
    for i, t in enumerate(f.terms, 1):
        name = f"{source}第 {i} 条（{'、'.join(t.site)}）"
        for w in t.site:
            if w == t.standard:
                raise LexiconError(f"{name}：工地说法“{w}”与规范用语相同，这一条没有作用")
            if w in seen:
                raise LexiconError(f"{name}：“{w}”已在{seen[w]}出现，同一说法只能写一次")
            seen[w] = f"第 {i} 条"
    replaced = {w for t in f.terms if not t.keep for w in t.site}
    for i, t in enumerate(f.terms, 1):
        if not t.keep:
            continue
        for w in t.site:
            inner = [r for r in replaced if r in w]
            if inner:
                raise LexiconError(f"{source}第 {i} 条：“{w}”含有会先被替换的“{inner[0]}”，这一说法永远匹配不到")
    words = [w for u in f.quantities.units for w in u.words]
    dup = sorted({w for w in words if words.count(w) > 1})
    if dup:
        raise LexiconError(f"{source}的计量单位“{dup[0]}”写了不止一次")
    return SiteLexicon(f.terms, f.quantities)


def load_lexicon(path: Path = LEXICON_FILE) -> SiteLexicon:
    """Read and validate a lexicon file (YAML)."""
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise LexiconError(f"读不到工地用语词表 {Path(path).name}：{exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise LexiconError(f"工地用语词表 {Path(path).name} {line}不是合法的 YAML") from None
    return parse_lexicon(data, f"工地用语词表 {Path(path).name} ")


@lru_cache(maxsize=1)
def default_lexicon() -> SiteLexicon:
    """The project's lexicon (``index/lexicon.yaml``), read once per process."""
    return load_lexicon(LEXICON_FILE)


def _where(data: object, loc: tuple) -> str:
    if len(loc) >= 2 and loc[0] == "terms" and isinstance(loc[1], int):
        try:
            site = data["terms"][loc[1]].get("site")  # type: ignore[index]
        except (TypeError, KeyError, IndexError, AttributeError):
            site = None
        label = f"（{'、'.join(map(str, site))}）" if isinstance(site, list) and site else ""
        field = f"的 {loc[2]} 字段" if len(loc) > 2 else ""
        return f"第 {loc[1] + 1} 条{label}{field}"
    return " " + ".".join(map(str, loc)) if loc else ""


def _zh_msg(err: dict) -> str:
    kind = err.get("type", "")
    return {
        "missing": "缺少必填项",
        "extra_forbidden": "有不认识的字段",
        "too_short": "不能为空",
        "string_too_short": "不能为空",
        "literal_error": "版本号只能是 1",
        "greater_than": "必须大于 0",
        "string_pattern_mismatch": "单位符号只能是小写字母和数字",
    }.get(kind, str(err.get("msg", "")).removeprefix("Value error, "))
