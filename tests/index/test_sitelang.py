"""The site-language lexicon: every entry of index/lexicon.yaml, colloquial amounts, validation on load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from index.analyzer import get_analyzer
from index.sitelang import (
    LEXICON_FILE,
    LexiconError,
    SiteLexicon,
    chinese_number,
    default_lexicon,
    load_lexicon,
    parse_lexicon,
)

RAW = yaml.safe_load(LEXICON_FILE.read_text("utf-8"))
ENTRIES = [(t["site"][i], t) for t in RAW["terms"] for i in range(len(t["site"]))]


@pytest.fixture(scope="module")
def lex() -> SiteLexicon:
    return default_lexicon()


def lex_glossing() -> SiteLexicon:
    base = default_lexicon()
    return SiteLexicon(base.terms, base.quantities, gloss_dense=True)


def lex_amounts() -> SiteLexicon:
    base = default_lexicon()
    return SiteLexicon(base.terms, base.quantities, amounts_dense=True)


@pytest.mark.parametrize(("site", "entry"), ENTRIES, ids=[s for s, _ in ENTRIES])
def test_every_site_form_in_the_file_brings_its_standard_wording(lex: SiteLexicon, site: str, entry: dict) -> None:
    question = f"请问{site}有什么规定"
    ex = lex.expand(question)
    standard = entry["standard"]
    # BM25 gets every word of the standard wording, and the 'also' words
    tokens = set(get_analyzer().query_tokens(ex.lexical))
    for word in [*standard.split(), *entry.get("also", [])]:
        assert set(get_analyzer().tokens(word)) <= tokens, (word, ex.lexical)
    if entry.get("keep"):
        # kept: BM25 reads 'site（standard）'; the embedded text keeps the site word the embedder knows
        assert f"{site}（{standard}）" in ex.glossed and site in ex.text
        assert all(w in lex_glossing().expand(question).text for w in standard.split())
    else:
        # replaced: the embedded text says it in standard wording and the site form is gone
        assert all(w in ex.text for w in standard.split()), ex.text
        assert site not in ex.text.replace(standard, "")
    assert any(a.startswith(site) or a.endswith(f"→{site}") or site in a for a in ex.applied)


@pytest.mark.parametrize(
    ("question", "normalised", "lexical_words"),
    [
        ("砼试块多少方留一组", "混凝土试块多少立方米留一组", ["m3", "试件"]),
        ("拆模要等一周吗", "拆模要等7天吗", ["7d", "模板", "拆除"]),
        ("个把月能不能拆", "30天能不能拆", ["30d"]),
        ("三十来米的梁起拱多少", "30米的梁起拱多少", ["30m"]),
        ("浇筑中途停了两个多小时", "浇筑中途停了2小时", ["2h"]),
        ("养护两周够不够", "养护14天够不够", ["14d"]),
        ("半个月以后", "15天以后", ["15d"]),
        ("一个半月", "45天", ["45d"]),
        ("加气块出厂才十来天", "加气块出厂才10天", ["10d", "蒸压", "砌块"]),
        ("连续浇了350方", "连续浇了350立方米", ["350m3"]),
        ("５日内要报", "5天内要报", ["5d"]),
        ("保护层差了两公分", "保护层差了20毫米", ["20mm"]),
        ("主体验收", "主体结构验收", []),
        ("满堂价搭好了", "满堂架搭好了", ["模板", "支架", "支撑"]),
    ],
)
def test_colloquial_questions_read_as_the_standards_write(lex: SiteLexicon, question: str, normalised: str,
                                                           lexical_words: list[str]) -> None:
    ex = lex.expand(question)
    assert lex_amounts().expand(question).text == normalised
    assert set(lexical_words) <= set(get_analyzer().query_tokens(ex.lexical))


def test_the_embedded_text_has_standard_spellings_and_amounts_as_typed(lex: SiteLexicon) -> None:
    ex = lex.expand("砼试块多少方留一组")
    assert ex.text == "混凝土试块多少方留一组"  # measured: '多少立方米' embeds further from the clause
    assert ex.glossed == "混凝土试块（试件）多少立方米留一组" and "m3" in ex.extra


@pytest.mark.parametrize(
    "text",
    ["一方面要养护", "五方责任主体", "几方单位到场签字", "第一周的记录", "一月份开工", "3.3.5条", "主体结构验收",
     "同条件养护试件", "回弹法检测", "双方签字", "方案审批"],
)
def test_words_that_only_look_like_site_language_stay_as_they_are(lex: SiteLexicon, text: str) -> None:
    ex = lex.expand(text)
    assert ex.glossed.startswith(text) or ex.text == text
    assert not any("立方米" in a or a.startswith(("一月", "第一")) for a in ex.applied)
    assert "结构结构" not in ex.text and "养护养护" not in ex.text and "法法" not in ex.text


def test_a_one_week_question_meets_a_seven_day_clause_lexically(lex: SiteLexicon) -> None:
    an = get_analyzer()
    q = set(an.query_tokens(lex.expand("拆模要等一周吗").lexical))
    for clause in ("养护不少于7d", "养护不少于7 d", "养护不少于7天"):
        assert "7" in q and (set(an.tokens(clause)) & {"7d", "7"})
    assert "7d" in q and "7" in q


@pytest.mark.parametrize(("s", "v"), [("30", 30), ("三十", 30), ("十", 10), ("十五", 15), ("两百", 200),
                                      ("一百二十", 120), ("1.5", 1.5), ("三五", None), ("x", None)])
def test_chinese_numbers(s: str, v: float | None) -> None:
    assert chinese_number(s) == v


def test_an_empty_lexicon_changes_nothing() -> None:
    ex = SiteLexicon.empty().expand("砼试块多少方留一组")
    assert ex.text == ex.glossed == "砼试块多少方留一组" and not ex.applied and not SiteLexicon.empty()


# -- validation ------------------------------------------------------------------------------------
def _file(**over) -> dict:
    base = {"version": 1, "terms": [{"site": ["砼"], "standard": "混凝土"}],
            "quantities": {"units": [{"words": ["天"], "factor": 1, "symbol": "d", "name": "天"}]}}
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_file(terms=[{"site": ["砼"], "standard": "混凝土"}, {"site": ["砼"], "standard": "水泥"}]), "已在第 1 条出现"),
        (_file(terms=[{"site": ["混凝土"], "standard": "混凝土"}]), "与规范用语相同"),
        (_file(terms=[{"site": ["砼"], "standard": "混凝土"}, {"site": ["砼罐车"], "standard": "运输车", "keep": True}]),
         "永远匹配不到"),
        (_file(terms=[{"site": [], "standard": "混凝土"}]), "第 1 条的 site 字段有误：不能为空"),
        (_file(terms=[{"site": ["砼"]}]), "第 1 条（砼）的 standard 字段有误：缺少必填项"),
        (_file(terms=[{"site": ["砼 "], "standard": "混凝土"}]), "不是一个词"),
        (_file(terms=[{"site": ["砼"], "standard": "混凝土", "replace": True}]), "有不认识的字段"),
        (_file(version=2), "版本号只能是 1"),
        (_file(quantities={"units": [{"words": ["天"], "factor": 0, "symbol": "d", "name": "天"}]}), "必须大于 0"),
        (_file(quantities={"units": [{"words": ["天"], "factor": 1, "symbol": "d", "name": "天"},
                                     {"words": ["天"], "factor": 1, "symbol": "d", "name": "日"}]}), "写了不止一次"),
    ],
)
def test_mistakes_in_the_file_are_chinese_errors_naming_the_entry(data: dict, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        parse_lexicon(data)


def test_a_broken_or_missing_file_is_a_chinese_error(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("version: 1\nterms: [\n  - {site: [砼]", "utf-8")
    with pytest.raises(LexiconError, match="不是合法的 YAML"):
        load_lexicon(bad)
    with pytest.raises(LexiconError, match="读不到工地用语词表"):
        load_lexicon(tmp_path / "nope.yaml")


def test_the_shipped_file_loads_and_every_site_form_is_once() -> None:
    lex = load_lexicon()
    forms = [w for t in lex.terms for w in t.site]
    assert len(forms) == len(set(forms)) == len(ENTRIES)
