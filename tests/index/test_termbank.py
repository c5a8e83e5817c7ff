"""Terms mined from 术语 chapters (records written for the test, in the shapes real standards print)."""

from __future__ import annotations

from index.sitelang import SiteLexicon, TermEntry
from index.termbank import as_lexicon_entries, is_term_clause, mine_definition, mine_nicknames, mine_terms


def _rec(no: str, text: str, chapter: str = "", section: str = "", kind: str = "body") -> dict:
    return {"code": "ZJ/T 9201-2024", "clause_no": no, "text": text, "chapter": chapter, "section": section, "kind": kind}


def test_a_term_chapter_is_known_by_its_title_or_by_the_english_heading() -> None:
    assert is_term_clause(_rec("2.0.1", "样板间：按设计做出的示范房间。", chapter="2 术语"))
    assert is_term_clause(_rec("2.1.3", "悬挑脚手架（挑架） cantilevered scaffold\n从建筑物挑出的脚手架。"))
    assert not is_term_clause(_rec("2.1.3", "支模高度5 m及以上的模板支架应专项论证。"))  # no English heading
    assert not is_term_clause(_rec("3.1.1", "悬挑脚手架 cantilevered scaffold 应……"))  # not chapter 2
    assert not is_term_clause(_rec("2.0.1", "样板间：……", chapter="2 术语", kind="commentary"))


def test_an_alias_in_parentheses_after_the_term_names_the_whole_term() -> None:
    t = mine_definition(_rec("2.0.2", "施工升降机（人货梯） builder's hoist\n用吊笼载人载物沿导轨升降的机械。"))
    assert t is not None and (t.term, t.aliases) == ("施工升降机", ("人货梯",))


def test_an_alias_inside_the_term_replaces_the_word_before_it() -> None:
    t = mine_definition(_rec("2.0.3", "提升（爬升）脚手架 lifting scaffold 附着在结构上逐层提升的脚手架。"))
    assert t is not None and (t.term, t.aliases) == ("提升脚手架", ("爬升脚手架",))


def test_the_english_equivalent_is_dropped_and_a_nickname_in_the_definition_is_kept() -> None:
    t = mine_definition(_rec("2.0.4", "模板早拆体系：先拆除模板面板、保留支撑的体系（现场俗称“早拆头”）。", chapter="2 术语"))
    assert t is not None and t.term == "模板早拆体系" and t.aliases == ("早拆头",)
    plain = mine_definition(_rec("2.0.5", "外加剂 admixture\n改善混凝土性能的材料。"))
    assert plain is None  # a term without an alias expands nothing; 'admixture' is noise


def test_a_nickname_elsewhere_names_the_noun_before_its_parenthesis() -> None:
    got = mine_nicknames(_rec("4.2.1", "屋面完工后应进行淋水检验（俗称“淋水试验”）并做记录。"))
    assert [(t.term, t.aliases) for t in got] == [("淋水检验", ("淋水试验",))]
    # no clear noun before the parenthesis: nothing rather than a guess
    assert mine_nicknames(_rec("4.2.2", "为统一本县住宅工程分户验收现场检查做法（俗称“分户查房”）制定本条。")) == []


def test_ambiguous_aliases_and_defined_terms_are_left_out() -> None:
    recs = [
        _rec("2.0.1", "施工升降机（人货梯） builder's hoist 载人载物的机械。"),
        _rec("2.0.2", "物料提升机（人货梯） material hoist 载物的机械。"),  # the same alias claimed twice
        _rec("2.0.3", "塔式起重机（塔吊） tower crane 起重机械。"),
    ]
    entries = as_lexicon_entries(mine_terms(recs))
    assert [(e.site, e.standard, e.keep) for e in entries] == [(["塔吊"], "塔式起重机", True)]


def test_mined_aliases_expand_queries_and_the_file_wins_on_a_shared_form() -> None:
    base = SiteLexicon([TermEntry(site=["塔吊"], standard="塔机", keep=True), TermEntry(site=["砼"], standard="混凝土")])
    lex = base.merged([TermEntry(site=["塔吊", "人货梯"], standard="塔式起重机", keep=True),
                       TermEntry(site=["砼泵"], standard="混凝土泵", keep=True)])
    assert lex.expand("塔吊基础").glossed == "塔吊（塔机）基础"
    assert lex.expand("人货梯进场").glossed == "人货梯（塔式起重机）进场"
    # a mined alias is spelled as the query will be once 砼 is replaced
    assert lex.expand("砼泵堵管").text == "混凝土泵堵管"
