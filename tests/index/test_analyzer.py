"""The Chinese analyser: normalisation, n-grams, query scaffolding, the jieba dictionary."""

from __future__ import annotations

import pytest

from index.analyzer import CharNgramAnalyzer, get_analyzer, normalize


def test_normalize_folds_width_and_case() -> None:
    assert normalize("ＧＢ５５０３２　Ｃ３０混凝土") == "gb55032 c30混凝土"


def test_char12_tokens_stop_at_punctuation_and_keep_ascii_words() -> None:
    toks = CharNgramAnalyzer((1, 2)).tokens("养护，不少于7d（C30）")
    assert toks == ["养", "护", "养护", "不", "少", "于", "不少", "少于", "7d", "c30"]
    assert "护不" not in toks  # no bigram across the comma


def test_full_and_half_width_queries_give_the_same_tokens() -> None:
    a = get_analyzer("char12")
    assert a.tokens("钢筋保护层厚度１０ｍｍ") == a.tokens("钢筋保护层厚度10mm")


def test_query_scaffolding_is_dropped_from_queries_only() -> None:
    a = get_analyzer("char12-strip")
    q = a.query_tokens("请问混凝土养护是多少天？")
    assert "多少" not in q and "请问" not in q
    assert "养护" in q
    assert "多少" in a.tokens("养护时间多少")  # documents keep every word
    assert "多少" in get_analyzer("char12").query_tokens("请问混凝土养护是多少天？")  # the measured default


def test_jieba_keeps_construction_terms_whole() -> None:
    pytest.importorskip("jieba")
    toks = get_analyzer("jieba").tokens("检验批的主控项目应全部合格")
    assert "检验批" in toks and "主控项目" in toks


def test_unknown_analyzer_is_a_chinese_error() -> None:
    with pytest.raises(ValueError, match="未知的分词器"):
        get_analyzer("nope")
