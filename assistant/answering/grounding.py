"""Is there a basis in the knowledge base? A calibrated decision, not a magic number.

Features of the retrieval go through a logistic model fitted on the evaluation
sets' development split by ``python -m evals.calibrate``:

- ``dense``: how close the best clause is in meaning;
- ``dense_top5``: how close the question sits to the knowledge base as a whole
  (mean cosine of its five nearest clauses): low for weather, taxes, cooking;
- ``dense_peak``: whether one clause stands out from the next nine; a question
  the library only brushes against finds many clauses equally (un)related;
- ``known_terms``: how much of the question's wording exists in the library at all;
- ``entry_hit``: the best match is a case or FAQ entry, written in everyday words;
- ``missing``: how much of the question's known wording (in the standards' wording, after the
  site-language lexicon; weighted by rarity) the best clause lacks. It replaced ``idf_coverage`` (the
  covered share of the question as typed, unknown words included), which it made redundant: fitted
  together the two took opposite signs. A question the library does not
  cover usually finds a clause on a neighbouring topic that shares its generic words but not its
  specific ones (电梯导轨 → a formwork tolerance clause: 垂直度 and 允许偏差 are there, 电梯 and 导轨 are not).

The question's side of the features (its nearest cosines, its terms' document
frequencies) comes from the ``QuestionFacts`` of the same ``Searcher.query`` that
found the hits, so the decision and the quoted clauses rest on one index version.

The fitted weights, the threshold and the development metrics they achieved
are committed in ``grounding.json``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from index import Hit, QuestionFacts

CALIBRATION_FILE = Path(__file__).with_name("grounding.json")
FEATURES = ("dense", "dense_top5", "dense_peak", "known_terms", "entry_hit", "missing")
PROFILE = 10  # nearest clauses a question's profile holds (dense_top5, dense_peak)

# Words that carry the asking, not the topic: they must not count as the clause "covering" the question.
_STOP = re.compile(
    r"要不要|能不能|可不可以|是不是|行不行|用不用|算不算|有没有|需不需要|怎么办|咋办|咋整|多长时间|多久|谁来|由谁|"
    r"请问|请教|咨询|一下|怎么|怎样|如何|什么|多少|几天|几个|哪些|哪个|是否|可以|能否|需要|应该|应当|完了|之后|以后|谁|"
    r"有没有|有什么|有啥|要求|规定|规范|标准|条文|问题|情况|时候|我们|你们|现在|这个|那个|吗|呢|啊|吧|的|了|要|是|有|"
    r"么|啥|咋|和|与|及|或|在|对|为|我|你|他|它|这|那|就|都|也|还|得|地|着|过|给|让|把|被|从|到|向|按|以"
)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


def content_bigrams(text: str) -> set[str]:
    out: set[str] = set()
    for run in _CJK_RUN.findall(_STOP.sub(" ", text)):
        if run.isascii():
            if len(run) >= 2:
                out.add(run.lower())
            continue
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def question_terms(question: str, wording: str = "") -> tuple[str, ...]:
    """The terms whose document frequencies the features need: the question's own (``known_terms``)
    and those of its standard ``wording`` (``missing``). Ask the searcher with
    ``terms=lambda wording: question_terms(question, wording)``."""
    return tuple(sorted(content_bigrams(question) | content_bigrams(wording)))


def hit_bigrams(hit: Hit) -> set[str]:
    return content_bigrams(f"{hit.title} {hit.chapter} {hit.section} {hit.clause_title} {hit.text} {hit.commentary or ''}")


def missing_share(stats: QuestionStats, body: set[str]) -> float:
    """Share (weighted by rarity) of the question's terms in standard wording, those the library holds,
    that the clause ``body`` lacks; 1.0 when the library holds none of them."""
    if not stats.worded:
        return 1.0
    lacking = np.array([t not in body for t in stats.worded], dtype=bool)
    total = float(stats.worded_idf.sum())
    return float(stats.worded_idf[lacking].sum() / total) if total > 0 else 1.0


@dataclass(frozen=True)
class Decision:
    grounded: bool
    confidence: float
    reason: str


@dataclass(frozen=True)
class QuestionStats:
    """What the features need from the question alone (its terms in the index, its nearest clauses)."""

    terms: tuple[str, ...]
    idf: np.ndarray
    known: float  # share of the terms that occur in the library
    top5: float | None  # mean cosine of the 5 nearest clauses; None for an empty index
    peak: float  # best cosine minus the mean of the next ones
    worded: tuple[str, ...] = ()  # terms of the question in standard wording that the library holds
    worded_idf: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class Grounding:
    weights: tuple[float, ...]
    bias: float
    threshold: float
    related_margin: float = 0.06
    embedder: str = ""  # the model whose cosines the weights were fitted on

    def question_stats(self, facts: QuestionFacts) -> QuestionStats:
        """The question's side of the features, once per answer and shared by every hit judged.

        ``facts`` must have been asked for with ``terms=lambda w: question_terms(question, w)``.
        """
        if facts.terms != question_terms(facts.text, facts.wording):
            raise ValueError("QuestionFacts were read for other terms than question_terms(question, wording)")
        all_idf = np.log((facts.live_clauses + 1) / (facts.doc_freqs + 0.5)) if facts.terms else np.zeros(0)
        by_term = dict(zip(facts.terms, range(len(facts.terms)), strict=True))
        own = tuple(sorted(content_bigrams(facts.text)))
        pick = [by_term[t] for t in own]
        idf, known = all_idf[pick], 1.0
        if own:
            known = float(np.mean(facts.doc_freqs[pick] > 0))
        # the standard wording's terms that occur in the library (the others cannot be missed by a clause)
        worded = [by_term[t] for t in sorted(content_bigrams(facts.wording)) if facts.doc_freqs[by_term[t]] > 0]
        prof = facts.profile
        top5 = float(prof[:5].mean()) if prof.size else None
        peak = float(prof[0] - prof[1:].mean()) if prof.size > 1 else 0.0
        return QuestionStats(own, idf, known, top5, peak, tuple(facts.terms[i] for i in worded), all_idf[worded])

    def features(self, question: str, hit: Hit, stats: QuestionStats | None = None) -> tuple[float, ...]:
        dense = hit.dense_score if hit.dense_score is not None else 0.0
        # Case and FAQ entries are written in everyday words, so generic questions match them more easily.
        entry = 1.0 if hit.kind in ("case", "faq") else 0.0
        body = hit_bigrams(hit)
        if stats is None:  # no index statistics: plain word overlap
            q = content_bigrams(question)
            overlap = len(q & body) / len(q) if q else 0.0
            return (dense, dense, 0.0, 1.0, entry, 1.0 - overlap)
        top5 = dense if stats.top5 is None else stats.top5
        return (dense, top5, stats.peak, stats.known, entry, missing_share(stats, body))

    def probability(self, question: str, hit: Hit, stats: QuestionStats | None = None) -> float:
        f = self.features(question, hit, stats)
        z = self.bias + sum(w * x for w, x in zip(self.weights, f, strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def decide(self, question: str, hits: list[Hit], stats: QuestionStats | None = None) -> Decision:
        if not hits:
            return Decision(False, 0.0, "检索无结果")
        if "clause_no" in hits[0].matched_by:
            return Decision(True, 1.0, "按条号查到")
        p = self.probability(question, hits[0], stats)
        if p >= self.threshold:
            return Decision(True, p, "")
        return Decision(False, p, "检索到的条文与问题不相关")

    def mismatch(self, index_embedder: str) -> str | None:
        """A warning when the index was built by another model: cosine scales differ between models."""
        if not self.embedder or self.embedder == index_embedder:
            return None
        return (f"拒答模型按 {self.embedder} 的向量校准，当前索引使用 {index_embedder}，是否拒答的判断可能失准；"
                "请在评测安装上运行 python -m evals.calibrate 重新校准。")

    def related_ok(self, top: Hit, other: Hit) -> bool:
        """Related clauses: nearly as close in meaning as the answer itself."""
        if top.dense_score is None or other.dense_score is None:
            return False
        return other.dense_score >= top.dense_score - self.related_margin

    def case_ok(self, question: str, hit: Hit, stats: QuestionStats | None = None) -> bool:
        return self.probability(question, hit, stats) >= self.threshold


@lru_cache(maxsize=1)
def load_grounding(path: Path = CALIBRATION_FILE) -> Grounding:
    data = json.loads(path.read_text("utf-8"))
    return Grounding(
        weights=tuple(float(data["weights"][f]) for f in FEATURES),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        related_margin=float(data.get("related_margin", 0.06)),
        embedder=str(data.get("embedder", "")),
    )
