"""Finding a standard and a clause number inside a query."""

from __future__ import annotations

import pytest

from index.query import parse_query, resolve_code

CODES = ["GB 55032-2022", "SL 677-2014", "GB/T 50204-2015", "GB 50204-2002", "ZJ/T 9101-2024"]
TITLES = {"SL 677-2014": "水工混凝土施工规范"}


@pytest.mark.parametrize(
    ("query", "code", "clause", "rest"),
    [
        ("GB55032 3.3.5", "GB 55032-2022", "3.3.5", ""),
        ("55032第3.3.5条", "GB 55032-2022", "3.3.5", ""),
        ("SL677 4.1.2", "SL 677-2014", "4.1.2", ""),
        ("GB 55032-2022 第3.3.5条第2款", "GB 55032-2022", "3.3.5", ""),
        ("ＧＢ５５０３２　３．３．５", "GB 55032-2022", "3.3.5", ""),
        ("SL677—2014第4.1.2条说的什么", "SL 677-2014", "4.1.2", "说的什么"),
        ("《水工混凝土施工规范》4.1.2", "SL 677-2014", "4.1.2", ""),
        ("zj/t9101 附录 A.0.1", "ZJ/T 9101-2024", "A.0.1", "附录"),
        ("GB50204 混凝土强度", "GB/T 50204-2015", None, "混凝土强度"),  # the current edition
        ("GB 50204-2002 5.1.2", "GB 50204-2002", "5.1.2", ""),
    ],
)
def test_parse_names_a_clause(query: str, code: str | None, clause: str | None, rest: str) -> None:
    p = parse_query(query, CODES, TITLES, current=["GB/T 50204-2015", "GB 55032-2022"])
    assert (p.code, p.clause_no, p.rest) == (code, clause, rest)


@pytest.mark.parametrize("query", ["C30混凝土养护14天", "钢筋保护层0.2mm裂缝", "GB99999 3.3.5"])
def test_parse_finds_no_standard_where_there_is_none(query: str) -> None:
    assert parse_query(query, CODES).code is None


def test_resolve_code_accepts_what_users_type() -> None:
    assert resolve_code("gb55032", CODES) == "GB 55032-2022"
    assert resolve_code("677", CODES) == "SL 677-2014"
    assert resolve_code("SL 677-2014", CODES) == "SL 677-2014"
    assert resolve_code("XY 1", CODES) is None


def test_matching_codes_takes_every_edition_unless_a_year_is_given() -> None:
    from index.query import matching_codes

    assert matching_codes("GB50204", CODES) == ["GB/T 50204-2015", "GB 50204-2002"]
    assert matching_codes("50204-2002", CODES) == ["GB 50204-2002"]
    assert matching_codes("gb 55032-2022", CODES) == ["GB 55032-2022"]
    assert matching_codes("混凝土", CODES) == []


def test_clause_mention_before_any_library_lookup() -> None:
    from index.query import clause_mention

    assert clause_mention("101要点5.1.2写的啥") == ("101", "5.1.2")
    assert clause_mention("第4.2.4条") == (None, "4.2.4")
    assert clause_mention("SL319 8.2.2") == ("SL319", "8.2.2")
    assert clause_mention("混凝土怎么养护") == (None, None)


def test_title_with_full_width_brackets_names_its_standard() -> None:
    from index.query import parse_query

    codes = ["ZJ/T 101-2025", "GB 55032-2022"]
    titles = {"ZJ/T 101-2025": "混凝土工程施工质量要点（示例）", "GB 55032-2022": "建筑与市政工程施工质量控制通用规范"}
    pq = parse_query("《混凝土工程施工质量要点（示例）》第4.3.4条", codes, titles)
    assert (pq.code, pq.clause_no) == ("ZJ/T 101-2025", "4.3.4")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("GB50204-2015", True), ("JGJ 130", True), ("GB/T 50502", True), ("DB33/T 1001", True), ("101", False),
     ("C30", False), ("HRB400", False), ("DN100", False), ("PE100", False), ("ZJT105", False)],
)
def test_names_a_standard(text: str, expected: bool) -> None:
    from index.query import names_a_standard

    assert names_a_standard(text) is expected


def test_a_held_standards_prefix_names_a_standard_too() -> None:
    from index.query import names_a_standard

    assert names_a_standard("ZJT105", ["ZJ/T 101-2025"]) and not names_a_standard("HRB400", ["ZJ/T 101-2025"])
