"""BM25 segments: a delta scored with base statistics matches one index over everything."""

from __future__ import annotations

import numpy as np

from index.analyzer import get_analyzer
from index.lexical import LexicalIndex
from tests.plugins.index import sample_documents


def _tokens() -> list[list[str]]:
    a = get_analyzer("char12")
    return [a.tokens(c.text) for d in sample_documents() for c in d.clauses]


def test_delta_with_base_statistics_equals_a_full_index() -> None:
    toks = _tokens()
    full = LexicalIndex.build(toks)
    base = LexicalIndex.build(toks[:9])
    delta = LexicalIndex.build(toks[9:], base=base)
    q = get_analyzer("char12").query_tokens("钢筋接头扭矩怎么校核")
    np.testing.assert_allclose(delta.scores(q), full.scores(q)[9:], rtol=1e-5, atol=1e-6)


def test_bm25_finds_the_clause_and_survives_a_round_trip(tmp_path) -> None:
    toks = _tokens()
    lex = LexicalIndex.build(toks)
    q = get_analyzer("char12").query_tokens("串筒溜槽")
    best = int(np.argmax(lex.scores(q)))
    lex.save(tmp_path / "lex")
    again = LexicalIndex.load(tmp_path / "lex")
    assert int(np.argmax(again.scores(q))) == best
    assert "串筒" in "".join(toks[best])


def test_unknown_tokens_score_nothing() -> None:
    lex = LexicalIndex.build(_tokens())
    assert not lex.scores(["龘龘"]).any()
