"""Chinese text analysis for BM25.

bm25s's default tokenizer splits on whitespace and finds nothing in Chinese.
Measured on the real corpora (see evals/results/index_bench.md), overlapping
character unigrams + bigrams beat jieba words on paraphrased questions, so
that is the default; a jieba analyser with a construction-term dictionary is
kept for comparison and for users who prefer it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

# CJK ideographs (basic block + extension A + compatibility) form "Han runs";
# ASCII letters/digits form words, keeping decimals ("0.2mm", "c30", "3.3.5").
_TOKEN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[.][0-9]+)*")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Question scaffolding that says nothing about the subject, removable from queries
# (never from documents). Measured on the development set it did not help the
# char n-gram analyser ("多少天" shares "少" with "不少于7天"), so the default
# keeps queries whole; "char12-strip" keeps the variant for comparison.
QUERY_STOP_PHRASES: tuple[str, ...] = (
    "请问", "问一下", "想问", "是什么", "是多少", "有多少", "为多少", "多少", "什么", "怎么样", "怎么", "怎样",
    "如何", "哪些", "哪个", "哪里", "哪儿", "是否", "是不是", "能不能", "可不可以", "可以吗", "需要吗",
    "有没有", "有什么", "规范", "规定", "要求", "标准", "里面", "一下", "吗", "呢", "吧", "啊",
)
_QUERY_STOP_RE = re.compile("|".join(sorted(map(re.escape, QUERY_STOP_PHRASES), key=len, reverse=True)))

# Domain terms jieba would otherwise split (检验批 -> 检验/批); used by the jieba analyser.
CONSTRUCTION_TERMS: tuple[str, ...] = (
    "检验批", "分项工程", "分部工程", "子分部工程", "单位工程", "子单位工程", "隐蔽工程", "见证取样", "见证检验",
    "旁站", "平行检验", "验槽", "主控项目", "一般项目", "竣工验收", "监理工程师", "总监理工程师", "施工组织设计",
    "技术交底", "设计交底", "图纸会审", "质量控制点", "进场检验", "复验", "套筒灌浆", "灌浆套筒", "灌浆料",
    "装配式", "混凝土", "钢筋混凝土", "大体积混凝土", "碾压混凝土", "预应力", "水灰比", "水胶比", "坍落度",
    "养护", "施工缝", "后浇带", "伸缩缝", "止水带", "模板", "脚手架", "基坑", "基槽", "沟槽", "地基", "桩基",
    "防水层", "屋面", "吊顶", "龙骨", "抗渗", "抗冻", "抗压强度", "强度等级", "试块", "试件", "保护层",
    "温控", "温度控制", "冷却水管", "骨料", "粉煤灰", "外加剂", "减水剂", "砂率", "钢筋接头", "机械连接",
    "焊接接头", "搭接长度", "锚固长度", "质量保修", "保修期", "质量缺陷", "返修", "加固", "坝体", "坝基",
    "帷幕灌浆", "固结灌浆", "消力池", "溢洪道", "重力坝", "土石坝", "防渗体", "反滤层", "碾压", "压实度",
)


def normalize(text: str) -> str:
    """NFKC (full-width -> half-width, compatibility forms), then lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def strip_query_scaffolding(text: str) -> str:
    """Drop question words ('是多少', '怎么') from a normalised query."""
    return _QUERY_STOP_RE.sub(" ", text)


class Analyzer(Protocol):
    """Turns text into BM25 terms; ``name`` is recorded in the index manifest."""

    name: str

    def tokens(self, text: str) -> list[str]: ...

    def query_tokens(self, text: str) -> list[str]: ...


class CharNgramAnalyzer:
    """Overlapping character n-grams inside Han runs; ASCII words kept whole.

    Punctuation and whitespace end a run, so no n-gram spans a comma.
    """

    def __init__(self, ngrams: tuple[int, ...] = (1, 2), strip_queries: bool = False) -> None:
        self.ngrams = tuple(sorted(ngrams))
        self.strip_queries = strip_queries
        self.name = "char" + "".join(str(n) for n in self.ngrams) + ("-strip" if strip_queries else "")

    def _run_tokens(self, run: str, out: list[str]) -> None:
        for n in self.ngrams:
            if n == 1:
                out.extend(run)
            elif len(run) >= n:
                out.extend(run[i : i + n] for i in range(len(run) - n + 1))
            elif n == self.ngrams[-1] and 1 not in self.ngrams and run:
                out.append(run)  # a run shorter than n would otherwise vanish

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for run in _TOKEN_RE.findall(normalize(text)):
            if _HAN_RE.match(run):
                self._run_tokens(run, out)
            else:
                out.append(run)
        return out

    def query_tokens(self, text: str) -> list[str]:
        norm = normalize(text)
        return self.tokens(strip_query_scaffolding(norm) if self.strip_queries else norm)


class JiebaAnalyzer:
    """jieba word segmentation (search mode) with the construction-term dictionary."""

    def __init__(self, with_bigrams: bool = False) -> None:
        self.with_bigrams = with_bigrams
        self.name = "jieba+char2" if with_bigrams else "jieba"
        self._bigrams = CharNgramAnalyzer((2,))

    def tokens(self, text: str) -> list[str]:
        seg = _jieba()
        norm = normalize(text)
        out = [w for w in seg(norm) if _TOKEN_RE.fullmatch(w)]
        if self.with_bigrams:
            out.extend(self._bigrams.tokens(norm))
        return out

    def query_tokens(self, text: str) -> list[str]:
        return self.tokens(strip_query_scaffolding(normalize(text)))


@lru_cache(maxsize=1)
def _jieba() -> Callable[[str], list[str]]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    for term in CONSTRUCTION_TERMS:
        tk.add_word(term, freq=200000)
    return lambda s: [w for w in tk.cut_for_search(s) if w.strip()]


ANALYZERS: dict[str, Callable[[], Analyzer]] = {
    "char12": lambda: CharNgramAnalyzer((1, 2)),
    "char12-strip": lambda: CharNgramAnalyzer((1, 2), strip_queries=True),
    "char1": lambda: CharNgramAnalyzer((1,)),
    "char2": lambda: CharNgramAnalyzer((2,)),
    "char123": lambda: CharNgramAnalyzer((1, 2, 3)),
    "jieba": lambda: JiebaAnalyzer(False),
    "jieba+char2": lambda: JiebaAnalyzer(True),
}
DEFAULT_ANALYZER = "char12"


def get_analyzer(name: str = DEFAULT_ANALYZER) -> Analyzer:
    try:
        return ANALYZERS[name]()
    except KeyError:
        raise ValueError(f"未知的分词器：{name}（可选：{', '.join(ANALYZERS)}）") from None
