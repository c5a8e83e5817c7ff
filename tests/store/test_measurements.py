"""Measured values against the tolerance catalogue: verdicts checked against deviations computed by hand.

The catalogue is the sample corpus's tolerance table (ZJ-TOL-2025), whose rows cite
ZJ/T 102/103/109. Every table row below was worked out on paper: deviation =
reading − design (or the reading itself for a plain limit), within [lower, upper]
inclusive, "beyond" past 1.5 × the limit, pass rate = ok / points.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.store.errors import InvalidInput
from assistant.store.measurements import check
from assistant.store.rules import StoreRules
from assistant.store.tolerances import build_catalogue, find_item
from corpus.errors import IngestError
from corpus.ingest import parse_path
from corpus.loaders.structured import load_yaml

SAMPLE = Path(__file__).resolve().parents[2] / "corpus" / "sample"


@pytest.fixture(scope="module")
def catalogue():
    docs = [parse_path(SAMPLE / name) for name in
            ("tolerances.yaml", "ZJT102-reinforcement.md", "ZJT103-masonry.md", "ZJT109-formwork.md")]
    return build_catalogue(docs)


RULES = StoreRules()

# item, design, readings, expected deviations, expected ok, expected beyond (indexes)
TABLE = [
    # slab cover, structural check: +8 / -5 mm relative to design (ZJ/T 102-2025 5.0.6)
    ("CV-02", 25, [33, 20, 33.1, 37, 37.1, 17.5, 17.4, 25.3],
     [8, -5, 8.1, 12, 12.1, -7.5, -7.6, 0.3],
     [True, True, False, False, False, False, False, True], [4, 6]),
    # design with a decimal: 33.3 − 25.3 is exactly 8 (a float subtraction would give 7.999999999999998)
    ("CV-02", 25.3, [33.3, 20.3, 33.31], [8, -5, 8.01], [True, True, False], []),
    # beam cover: +10 / -7 mm
    ("CV-01", 30, [40, 23, 45, 45.01, 19.5, 19.49], [10, -7, 15, 15.01, -10.5, -10.51],
     [True, True, False, False, False, False], [3, 5]),
    # formwork section: +4 / -5 mm relative to the design section (ZJ/T 109-2025 3.0.10)
    ("FW-02", 400, [404, 395, 404.5, 406, 406.5, 392.5, 392], [4, -5, 4.5, 6, 6.5, -7.5, -8],
     [True, True, False, False, False, False, False], [4, 6]),
    # plastered brick wall flatness: a plain limit of 8 mm, the reading is the deviation (ZJ/T 103-2025 3.1.10)
    ("MS-04", None, [8, 0, 8.01, 12, 12.01], [8, 0, 8.01, 12, 12.01], [True, True, False, False, False], [4]),
    # bar spacing ±10 mm
    ("RB-01", 150, [160, 140, 161, 135, 134.9], [10, -10, 11, -15, -15.1], [True, True, False, False, False], [4]),
]


@pytest.mark.parametrize("item,design,values,devs,oks,beyond", TABLE, ids=[f"{r[0]}-{i}" for i, r in enumerate(TABLE)])
def test_hand_computed_verdicts(catalogue, item, design, values, devs, oks, beyond):
    result = check(find_item(catalogue, item), design, values, rules=RULES)
    assert [p.deviation for p in result.points] == devs
    assert [p.ok for p in result.points] == oks
    assert result.beyond_factor == beyond
    assert [p.value for p in result.points] == [float(v) for v in values]
    n_ok = sum(oks)
    assert result.points_ok == n_ok and result.points_total == len(values)
    assert result.pass_rate == round(n_ok / len(values), 4)
    assert result.out_of_tolerance == [i for i, ok in enumerate(oks) if not ok]


def test_pass_rate_on_the_warning_line_does_not_alert_and_below_does(catalogue):
    spacing = find_item(catalogue, "RB-01")  # requires 80 %, like the warning line
    eight_of_ten = check(spacing, 150, [150] * 8 + [162, 163], rules=RULES)
    assert eight_of_ten.pass_rate == 0.8 and eight_of_ten.ok is True and eight_of_ten.alert is False
    seven_of_ten = check(spacing, 150, [150] * 7 + [162, 163, 164], rules=RULES)
    assert seven_of_ten.pass_rate == 0.7 and seven_of_ten.ok is False and seven_of_ten.alert is True
    assert seven_of_ten.messages[0].startswith("合格点率 70.0% 低于预警线 80%")


def test_a_point_beyond_one_and_a_half_times_alerts_even_at_full_pass_rate_otherwise(catalogue):
    cover = find_item(catalogue, "CV-02")  # requires 90 %
    nine_of_ten = check(cover, 25, [25] * 9 + [37], rules=RULES)  # +12 = exactly 1.5 × 8: out, not beyond
    assert (nine_of_ten.pass_rate, nine_of_ten.ok, nine_of_ten.alert) == (0.9, True, False)
    one_beyond = check(cover, 25, [25] * 9 + [37.5], rules=RULES)  # +12.5 > 12
    assert (one_beyond.pass_rate, one_beyond.ok, one_beyond.alert) == (0.9, False, True)
    eight_of_ten = check(cover, 25, [25] * 8 + [34, 34], rules=RULES)  # 80 %: below the 90 % asked, above the line
    assert (eight_of_ten.ok, eight_of_ten.alert) == (False, False)


def test_the_verdict_cites_the_clause_that_sets_the_tolerance(catalogue):
    result = check(find_item(catalogue, "CV-02"), 25, [40], rules=RULES)
    assert (result.code, result.clause_no) == ("ZJ/T 102-2025", "5.0.6")
    assert "ZJ/T 102-2025 第5.0.6条" in " ".join(result.messages)
    masonry = check(find_item(catalogue, "MS-02"), None, [6], rules=RULES)
    assert (masonry.code, masonry.clause_no) == ("ZJ/T 103-2025", "3.1.10")


def test_configured_warning_line_and_factor(catalogue):
    strict = StoreRules(warning_pass_rate=0.95, alert_factor=1.2)
    result = check(find_item(catalogue, "RB-01"), 150, [150] * 9 + [161], rules=strict)
    assert result.pass_rate == 0.9 and result.alert is True  # below 95 %
    result = check(find_item(catalogue, "RB-01"), 150, [150] * 19 + [162.5], rules=strict)  # -> +12.5 > 1.2 × 10
    assert result.beyond_factor == [19] and result.alert is True


@pytest.mark.parametrize("item,design,values,field,words", [
    ("NOPE", 25, [25], "item", "实测项目“NOPE”不在允许偏差表中"),
    ("", 25, [25], "item", "请填写实测项目"),
    ("CV-02", None, [25], "design", "设计值必填"),
    ("CV-02", "abc", [25], "design", "设计值“abc”不是数字"),
    ("MS-04", 10, [3], "design", "不需要设计值"),
    ("CV-02", 25, [], "values", "实测值不能为空"),
    ("CV-02", 25, "25,26", "values", "实测值应为数字列表"),
    ("CV-02", 25, [25, "abc"], "values[1]", "第2个实测值“abc”不是数字"),
    ("CV-02", 25, [25, True], "values[1]", "第2个实测值应为数字"),
    ("CV-02", 25, [25, None], "values[1]", "第2个实测值应为数字"),
    ("CV-02", 25, [float("nan")], "values[0]", "第1个实测值应为有限数字"),
    ("CV-02", 25, [float("inf")], "values[0]", "第1个实测值应为有限数字"),
    ("CV-02", 25, [-3], "values[0]", "第1个实测值 -3 mm 不能为负数"),
    ("CV-02", 25, [1_000_000], "values[0]", "第1个实测值 1000000 mm 超出"),
    ("CV-02", -5, [25], "design", "设计值 -5 mm 不能为负数"),
    ("FW-02", 400, [400, 1e6], "values[1]", "第2个实测值 1000000.0 mm 超出"),
    ("CV-02", 25, [25] * 201, "values", "实测值最多 200 个"),
])
def test_bad_input_is_a_chinese_422_naming_the_field(catalogue, item, design, values, field, words):
    """The message names the field in Chinese; programs get its path in ``field``."""
    with pytest.raises(InvalidInput) as err:
        check(find_item(catalogue, item), design, values, rules=RULES)
    assert err.value.status == 422
    assert err.value.detail["field"] == field
    assert words in err.value.message
    assert not any(key in err.value.message for key in ("values", "design", "item"))


def test_readings_typed_on_a_phone_keyboard(catalogue):
    result = check(find_item(catalogue, "CV-02"), "２５", ["３３", " 20.0 ", "24"], rules=RULES)
    assert [p.deviation for p in result.points] == [8, -5, -1]


def test_catalogue_rows_come_from_the_table_and_name_their_clause(catalogue):
    by_id = {i.id: i for i in catalogue}
    assert len(by_id) == 17
    cover = by_id["CV-02"]
    assert (cover.lower, cover.upper, cover.relative_to_design, cover.points) == (-5, 8, True, 6)
    assert (cover.code, cover.clause_no, cover.title) == ("ZJ/T 102-2025", "5.0.6", "钢筋工程施工质量要点（示例）")
    assert cover.pass_rate_required == 0.9 and cover.illustrative and cover.source == "ZJ-TOL-2025"
    flat = by_id["MS-04"]
    assert (flat.lower, flat.upper, flat.relative_to_design) == (0, 8, False)
    # every row's clause exists in the sample standard it cites
    docs = {d.code: d for d in (parse_path(SAMPLE / n) for n in
                                ("ZJT102-reinforcement.md", "ZJT103-masonry.md", "ZJT109-formwork.md"))}
    for item in catalogue:
        assert docs[item.code].find(item.clause_no) is not None, item.id


def test_a_withdrawn_table_drops_out_and_a_duplicate_row_id_is_qualified(catalogue, tmp_path):
    table = load_yaml(SAMPLE / "tolerances.yaml")
    station = table.model_copy(update={"code": "ZZ-TOL-1", "illustrative": False})  # a table the station ingested
    items = build_catalogue([table, station])
    by_id = {i.id: i for i in items}
    assert len(items) == 34
    assert by_id["CV-02"].source == "ZZ-TOL-1" and by_id["ZJ-TOL-2025:CV-02"].source == "ZJ-TOL-2025"
    from corpus.models import DocStatus

    assert build_catalogue([table.model_copy(update={"status": DocStatus.withdrawn})]) == []


@pytest.mark.parametrize("row,words", [
    ("{id: X1, name: 测试, unit: mm, points: 5, basis: {code: ZJ/T 102-2025, clause_no: 5.0.6}}", "lower 或上限"),
    ("{id: X1, name: 测试, unit: mm, lower: 5, upper: 1, points: 5, basis: {code: ZJ/T 102-2025, clause_no: 5.0.6}}",
     "大于上限"),
    ("{id: X1, name: 测试, unit: mm, upper: 5, points: 0, basis: {code: ZJ/T 102-2025, clause_no: 5.0.6}}", "points"),
    ("{id: X1, name: 测试, unit: mm, upper: 5, points: 5}", "basis"),
    ("{id: X1, name: 测试, unit: mm, upper: abc, points: 5, basis: {code: A, clause_no: '1'}}", "不是数字"),
])
def test_bad_table_rows_are_refused_at_ingest(tmp_path, row, words):
    f = tmp_path / "t.yaml"
    f.write_text(f"collection: {{code: TOL-T, title: 测试表, kind: tolerance}}\nentries:\n  - {row}\n", "utf-8")
    with pytest.raises(IngestError, match=words):
        load_yaml(f)


def test_a_table_may_not_take_a_standards_code(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("collection: {code: GB 50204-2015, title: 表, kind: tolerance}\nentries: []\n", "utf-8")
    with pytest.raises(IngestError, match="另起编号"):
        load_yaml(f)
