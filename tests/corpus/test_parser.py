"""The clause parser on the traps real standards set (synthetic text written for these tests)."""

from __future__ import annotations

from corpus.cleanup import strip_page_furniture
from corpus.lines import Line, Role
from corpus.meta import find_code, find_effective_date, find_title, listed_mandatory, repealed_provisions
from corpus.parser import parse_lines


def _lines(text: str, page: int | None = None) -> list[Line]:
    return [Line(s.strip(), page=page) for s in text.strip().splitlines() if s.strip()]


def _parse(text: str, fmt: str = "pdf"):
    return parse_lines(_lines(text, page=1), fmt)


def test_chapters_sections_clauses_and_items() -> None:
    r = _parse(
        """
        1 总则
        1.0.1 为保证示例工程质量，制定本示例。
        3 施工过程控制
        3.1 一般规定
        3.1.1 示例工序应符合下列规定：
        1 工序交接应有记录；
        2 隐蔽前应验收。
        3.1.2 第二条示例条文。
        """
    )
    assert [c.clause_no for c in r.clauses] == ["1.0.1", "3.1.1", "3.1.2"]
    c = r.clauses[1]
    assert c.chapter == "3 施工过程控制" and c.section == "3.1 一般规定"
    assert c.text == "示例工序应符合下列规定：\n1 工序交接应有记录；\n2 隐蔽前应验收。"


def test_cross_reference_at_line_start_is_not_a_clause() -> None:
    r = _parse(
        """
        3.3.1 示例条文开头，按本示例第
        3.3.2条规定的方法检查，并符合
        5.2.1的试验要求；复验结果应按
        11.5.14.2的试验方法复核，同时符合
        3.3.2、3.3.3条的规定。
        3.3.2 下一条示例条文。
        """
    )
    assert [c.clause_no for c in r.clauses] == ["3.3.1", "3.3.2"]
    assert "3.3.2条规定的方法" in r.clauses[0].text
    assert "11.5.14.2的试验方法" in r.clauses[0].text


def test_table_numbers_and_dates_are_not_clauses() -> None:
    r = _parse(
        """
        4.1.1 允许偏差应符合下表规定：
        项目 允许偏差
        1.5 2.0 3.5
        2.1.3 mm
        2023.03.01 实施
        4.1.2 后一条示例。
        """
    )
    assert [c.clause_no for c in r.clauses] == ["4.1.1", "4.1.2"]
    assert "1.5 2.0 3.5" in r.clauses[0].text


def test_table_role_never_starts_a_clause() -> None:
    lines = _lines("5.1.1 示例：", 1) + [Line("5.1.2 | 8", page=1, role=Role.table), Line("5.1.2 正文。", page=1)]
    r = parse_lines(lines, "html")
    assert [c.clause_no for c in r.clauses] == ["5.1.1", "5.1.2"]
    assert "5.1.2 | 8" in r.clauses[0].text


def test_out_of_sequence_number_is_continuation() -> None:
    r = _parse(
        """
        2.0.1 第一条示例。
        2.0.2 第二条示例，其数值按
        9.9.9 节以外另算，不作为新条。
        2.0.3 第三条示例。
        """
    )
    assert [c.clause_no for c in r.clauses] == ["2.0.1", "2.0.2", "2.0.3"]


def test_appendix_and_commentary_part() -> None:
    r = _parse(
        """
        3.0.1 正文第一条。
        3.0.2 正文第二条。
        附录A 示例附录
        A.0.1 附录条文。
        本标准用词说明
        1 为便于在执行本标准条文时区别对待，对要求严格程度不同的用词说明如下：
        条文说明
        3 基本规定
        3.0.1 本条说明示例第一条的理由。
        3.0.1 同一条的第二段说明。
        3.0.2 本条说明第二条。
        """
    )
    body = [c for c in r.clauses if c.kind.value == "body"]
    notes = [c for c in r.clauses if c.kind.value == "commentary"]
    assert [c.clause_no for c in body] == ["3.0.1", "3.0.2", "A.0.1"]
    assert body[2].chapter == "附录A 示例附录"
    assert "用词" not in body[2].text
    assert [(c.clause_no, c.refers_to) for c in notes] == [("3.0.1", "3.0.1"), ("3.0.2", "3.0.2")]
    assert "第二段" in notes[0].text


def test_wrapped_lines_rejoined_without_spaces() -> None:
    r = _parse(
        """
        6.1.1 混凝土浇筑后应及时进行保湿养护，养护
        时间不应少于规定天数，HRB400
        钢筋应按批复验。
        """
    )
    assert r.clauses[0].text == "混凝土浇筑后应及时进行保湿养护，养护时间不应少于规定天数，HRB400钢筋应按批复验。"


def test_running_headers_and_page_numbers_removed() -> None:
    lines: list[Line] = []
    for p in range(1, 7):
        lines += [Line("GB 99999—2099", page=p), Line("示例工程施工规范", page=p)]
        lines += [Line(f"{p}.0.1 第{p}页的条文内容，", page=p), Line(f"跨行继续{'一二三四五六'[p - 1]}。", page=p)]
        lines += [Line(f"· {p + 10} ·", page=p)]
    kept, furniture = strip_page_furniture(lines)
    texts = [ln.text for ln in kept]
    assert "GB 99999—2099" not in texts and "示例工程施工规范" not in texts
    assert not any("·" in t for t in texts)
    assert len(furniture) >= 2
    r = parse_lines(kept, "pdf")
    assert [c.clause_no for c in r.clauses] == [f"{p}.0.1" for p in range(1, 7)]
    assert r.clauses[0].pages == [1]


def test_clause_spanning_pages_records_both() -> None:
    lines = [Line("7.1.1 跨页条文的前半部分，", page=3), Line("后半部分在下一页。", page=4)]
    r = parse_lines(lines, "pdf")
    assert r.clauses[0].pages == [3, 4]


def test_item_versus_chapter_heading() -> None:
    r = _parse(
        """
        3.2.4 示例应符合下列规定：
        1 材料进场应验收；
        4 示例章标题
        4.0.1 第四章第一条。
        """
    )
    assert [c.clause_no for c in r.clauses] == ["3.2.4", "4.0.1"]
    assert r.clauses[1].chapter == "4 示例章标题"
    assert "示例章标题" not in r.clauses[0].text


def test_printed_mandatory_marker() -> None:
    r = _parse("5.0.1 严禁示例行为。（强制性条文）\n5.0.2 一般条文。")
    assert r.clauses[0].mandatory and "强制" not in r.clauses[0].text
    assert not r.clauses[1].mandatory


def test_metadata_from_cover() -> None:
    cover = "中华人民共和国国家标准\nGB 50999—2099\n示例工程施工质量\n验收规范\nCode for example\n2098-01-01 发布 2099-03-01 实施\n"
    assert find_code(cover) == "GB 50999-2099"
    assert find_title(cover, "GB 50999-2099") == "示例工程施工质量验收规范"
    assert str(find_effective_date(cover)) == "2099-03-01"
    assert str(find_effective_date("施行日期：2022年1月1日")) == "2022-01-01"


def test_front_matter_mandatory_list() -> None:
    text = "本标准第3.0.1、4.1.2、5.2.3条为强制性条文，必须严格执行。另第6.1.1条（款）为强制性条文。"
    assert listed_mandatory(text) == {"3.0.1", "4.1.2", "5.2.3", "6.1.1"}


def test_front_matter_repeal_list() -> None:
    # Made-up standards, in the layout a general code prints its list in.
    text = (
        "2021年4月9日\n废止的现行工程建设标准相关强制性条文\n废止的现行工程建设标准相关强制性条文\n"
        "1. 《示例荷载规范》GB 59998—2010第3.1.2、3.2.4条\n"
        "2. 《示例港口规范》GB 59996—2012第3.0.2、3.0.3（1）、A.0.2条（款）\n"
        "3. 《示例规程》JGJ 999—2010第5.1.3、第5.1.4条\n"
        "前言\n本规范第9.9.9条与GB 59995—2010第1.0.1条配合使用。"
    )
    got = [(r.code, r.clause_no, r.items) for r in repealed_provisions(text)]
    assert got == [
        ("GB 59998-2010", "3.1.2", ""), ("GB 59998-2010", "3.2.4", ""),
        ("GB 59996-2012", "3.0.2", ""), ("GB 59996-2012", "3.0.3", "1"), ("GB 59996-2012", "A.0.2", ""),
        ("JGJ 999-2010", "5.1.3", ""), ("JGJ 999-2010", "5.1.4", ""),
    ]
    # An announcement that a whole older edition is withdrawn lists no provisions.
    assert repealed_provisions("原《示例荷载规范》GB 59998—2001同时废止。") == []
