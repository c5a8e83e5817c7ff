"""Revision notices (局部修订公告) and replaced editions in the library, without an index.

The standards and notices here are written for the tests (ZJ/T codes are invented).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.views import cite, clause_view
from corpus.editions import bring_up_to_date, switch_due
from corpus.ingest import Outcome, ingest_batch, ingest_paths
from corpus.library import Library
from corpus.meta import replaced_editions
from corpus.models import DocStatus, Document
from corpus.revisions import is_notice, load_notice

STANDARD = """---
code: ZJ/T 951-2020
title: 示例模板工程规范
effective_date: 2020-06-01
---
## 3 安装
3.0.1 支架立杆应支承在坚实的基础上。
3.0.2 纵向扫地杆距底座上皮不应大于200 mm。
3.0.3 可调托撑伸出长度不宜超过300 mm。
"""

NOTICE_YAML = """revision:
  code: ZJ/T 951-2020
  notice: 示例部公告2024年第7号
  edition: 2024年版
  effective_date: 2024-05-01
  title: 关于发布《示例模板工程规范》局部修订的公告
clauses:
  - clause_no: 3.0.2
    text: 纵向扫地杆距底座上皮不应大于150 mm。
"""

NOTICE_TEXT = """示例部关于发布《示例模板工程规范》局部修订的公告
示例部公告2027年第3号
现批准《示例模板工程规范》ZJ/T 951-2020局部修订的条文，自2027年7月1日起实施。经此次修改的原条文同时废止。

3.0.3 可调托撑伸出长度不应超过250 mm。
"""

DAY = date(2026, 1, 10)


def _write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, "utf-8")
    return p


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library(tmp_path / "library")
    reports = ingest_paths([_write(tmp_path, "std.md", STANDARD)], library, today=DAY)
    assert reports[0].outcome is Outcome.added
    return library


def test_notice_forms_are_recognised_and_read(tmp_path: Path) -> None:
    y, t = _write(tmp_path, "n.yaml", NOTICE_YAML), _write(tmp_path, "n.txt", NOTICE_TEXT)
    std = _write(tmp_path, "std.md", STANDARD)
    assert is_notice(y) and is_notice(t) and not is_notice(std)
    code, rev = load_notice(t)
    assert code == "ZJ/T 951-2020"
    assert rev.notice == "示例部公告2027年第3号" and rev.effective_date == date(2027, 7, 1)
    assert [(c.clause_no, c.text) for c in rev.clauses] == [("3.0.3", "可调托撑伸出长度不应超过250 mm。")]
    code, rev = load_notice(y)
    assert rev.edition == "2024年版" and rev.effective_date == date(2024, 5, 1)


def test_revision_in_force_replaces_the_wording_and_keeps_the_old_one(lib: Library, tmp_path: Path) -> None:
    reports = ingest_paths([_write(tmp_path, "n.yaml", NOTICE_YAML)], lib, today=DAY)
    assert reports[0].outcome is Outcome.added and reports[0].revised == ["3.0.2"]
    doc = lib.get("ZJ/T 951-2020")
    assert doc.find("3.0.2").text == "纵向扫地杆距底座上皮不应大于150 mm。"
    assert doc.edition == "2024年版" and doc.find("3.0.2").revision == "示例部公告2024年第7号"
    assert doc.find("3.0.1").text == "支架立杆应支承在坚实的基础上。"  # not named by the notice

    now = clause_view(doc, "3.0.2", DAY)
    assert now.text.endswith("150 mm。") and now.citation == "《示例模板工程规范》ZJ/T 951-2020（2024年版）第3.0.2条"
    assert [v.text for v in now.superseded] == ["纵向扫地杆距底座上皮不应大于200 mm。"]
    assert now.superseded[0].effective_until == "2024-05-01" and now.effective_from == "2024-05-01"
    before = clause_view(doc, "3.0.2", date(2020, 1, 1))
    assert before.text.endswith("200 mm。") and before.citation == "《示例模板工程规范》ZJ/T 951-2020 第3.0.2条"
    assert before.superseded == [] and before.upcoming[0].text.endswith("150 mm。")

    # The same file again changes nothing; the standard re-ingested from a changed file keeps its revision.
    assert ingest_paths([tmp_path / "n.yaml"], lib, today=DAY)[0].outcome is Outcome.unchanged
    _write(tmp_path, "std.md", STANDARD + "3.0.4 新增的一条。\n")
    assert ingest_paths([tmp_path / "std.md"], lib, today=DAY)[0].outcome is Outcome.replaced
    doc = lib.get("ZJ/T 951-2020")
    assert doc.find("3.0.2").text.endswith("150 mm。") and doc.find("3.0.4") is not None


def test_a_notice_not_yet_in_force_switches_on_its_day(lib: Library, tmp_path: Path) -> None:
    ingest_paths([_write(tmp_path, "n.txt", NOTICE_TEXT)], lib, today=DAY)
    doc = lib.get("ZJ/T 951-2020")
    assert doc.find("3.0.3").text == "可调托撑伸出长度不宜超过300 mm。"  # announced, not in force
    assert switch_due(lib.root, DAY) is None and switch_due(lib.root, date(2027, 7, 1)) == date(2027, 7, 1)

    refresh = bring_up_to_date(lib, date(2027, 7, 1))
    assert refresh.changed == ["ZJ/T 951-2020"] and switch_due(lib.root, date(2027, 7, 2)) is None
    doc = lib.get("ZJ/T 951-2020")
    assert doc.find("3.0.3").text == "可调托撑伸出长度不应超过250 mm。"
    view = clause_view(doc, "3.0.3", date(2027, 7, 1))
    # No edition label in this notice: the clause is cited as revised.
    assert view.citation == "《示例模板工程规范》ZJ/T 951-2020（经局部修订）第3.0.3条"
    assert bring_up_to_date(lib, date(2027, 7, 1)).changed == []


@pytest.mark.parametrize(("notice", "reason"), [
    (NOTICE_YAML.replace("3.0.2", "9.9.9"), "第9.9.9条在 ZJ/T 951-2020《示例模板工程规范》中不存在"),
    (NOTICE_YAML.replace("ZJ/T 951-2020", "ZJ/T 959-2020"), "条文库中没有标准 ZJ/T 959-2020"),
    (NOTICE_YAML.replace("  effective_date: 2024-05-01\n", ""), "未找到实施日期"),
    (NOTICE_YAML.replace("  effective_date: 2024-05-01\n", "  effective_date: 2024-13-01\n"), "实施日期不是有效日期"),
])
def test_a_bad_notice_is_refused_in_chinese_and_changes_nothing(lib: Library, tmp_path: Path, notice: str,
                                                                 reason: str) -> None:
    stored = (lib.docs_dir / "ZJT951-2020.json").read_bytes()
    good = _write(tmp_path, "good.md", STANDARD.replace("951", "952"))
    reports = ingest_paths([_write(tmp_path, "bad.yaml", notice), good], lib, today=DAY)
    assert reports[0].outcome is Outcome.failed and reason in reports[0].error, reports[0].error
    assert reports[1].outcome is Outcome.added  # the rest of the batch goes on
    assert (lib.docs_dir / "ZJT951-2020.json").read_bytes() == stored


def test_cli_ingest_of_a_bad_notice_exits_1(data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    std = _write(tmp_path, "std.md", STANDARD)
    assert runner.invoke(app, ["ingest", "--no-index", "-q", str(std)]).exit_code == 0
    bad = _write(tmp_path, "bad.yaml", NOTICE_YAML.replace("3.0.2", "7.1.1"))
    r = runner.invoke(app, ["ingest", "--no-index", "-q", str(bad)])
    assert r.exit_code == 1 and "第7.1.1条在 ZJ/T 951-2020《示例模板工程规范》中不存在" in r.output
    one = json.loads(runner.invoke(app, ["show", "ZJT951", "3.0.2", "--json"]).output)
    assert one["text"].endswith("200 mm。") and one["superseded"] == []


def test_a_notice_before_its_standard_in_one_batch(tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    folder = tmp_path / "batch"
    folder.mkdir()
    _write(folder, "a-notice.yaml", NOTICE_YAML)
    _write(folder, "b-standard.md", STANDARD)
    reports = ingest_paths([folder], library, today=DAY)
    assert [r.outcome for r in reports] == [Outcome.added, Outcome.added]
    assert library.get("ZJ/T 951-2020").find("3.0.2").text.endswith("150 mm。")


NEW_EDITION = """示例模板工程规范
ZJ/T 951-{year}
代替 ZJ/T 951-2020
{when} 实施

## 3 安装
3.0.1 新版：支架立杆应支承在坚实、平整的基础上。
"""


def test_a_new_edition_in_force_retires_the_one_it_replaces(lib: Library, tmp_path: Path) -> None:
    new = _write(tmp_path, "new.md", NEW_EDITION.format(year=2025, when="2025-09-01"))
    reports, refresh = ingest_batch([new], lib, today=DAY)
    assert reports[0].code == "ZJ/T 951-2025" and lib.get("ZJ/T 951-2025").replaces == ["ZJ/T 951-2020"]
    old = lib.get("ZJ/T 951-2020")
    assert old.status is DocStatus.withdrawn and old.superseded_by == "ZJ/T 951-2025"
    assert any("ZJ/T 951-2020《示例模板工程规范》已被 ZJ/T 951-2025 代替" in line for line in refresh.lines)


def test_a_new_edition_not_yet_in_force_is_upcoming_until_its_day(lib: Library, tmp_path: Path) -> None:
    new = _write(tmp_path, "new.md", NEW_EDITION.format(year=2026, when="2026-09-01"))
    ingest_paths([new], lib, today=DAY)
    assert lib.get("ZJ/T 951-2026").status is DocStatus.upcoming
    assert lib.get("ZJ/T 951-2020").status is DocStatus.current
    assert switch_due(lib.root, date(2026, 9, 1)) == date(2026, 9, 1)

    bring_up_to_date(lib, date(2026, 9, 1))
    assert lib.get("ZJ/T 951-2026").status is DocStatus.current
    old = lib.get("ZJ/T 951-2020")
    assert old.status is DocStatus.withdrawn and old.superseded_by == "ZJ/T 951-2026"


def test_replaced_editions_from_front_matter() -> None:
    assert replaced_editions("GB 50204-2015\n代替 GB 50204-2002\n") == ["GB 50204-2002"]
    assert replaced_editions("代替GB/T 1-2001、GB/T 2-2001") == ["GB/T 1-2001", "GB/T 2-2001"]
    assert replaced_editions("原《混凝土结构工程施工质量验收规范》GB 50204-2002同时废止。", "GB 50204-2015") == ["GB 50204-2002"]
    assert replaced_editions("经此次修改的原条文同时废止") == []


def test_a_library_stored_before_revisions_still_loads(lib: Library) -> None:
    data = json.loads((lib.docs_dir / "ZJT951-2020.json").read_text("utf-8"))
    for key in ("revisions", "replaces", "edition"):
        data.pop(key)
    for c in data["clauses"]:
        c.pop("versions"), c.pop("revision")
    doc = Document.model_validate(data)
    assert doc.revisions == [] and doc.find("3.0.2").versions == []
    assert clause_view(doc, "3.0.2", DAY).superseded == []


def test_cite_forms() -> None:
    assert cite("规范", "GB 50016-2014", "5.1.1", edition="2018年版") == "《规范》GB 50016-2014（2018年版）第5.1.1条"
    assert cite("规范", "GB 50016-2014", "5.1.1", revised=True) == "《规范》GB 50016-2014（经局部修订）第5.1.1条"
    assert cite("规范", "GB 50016-2014", "5.1.1") == "《规范》GB 50016-2014 第5.1.1条"


def test_an_upcoming_edition_without_a_date_stays_upcoming(lib: Library, tmp_path: Path) -> None:
    text = NEW_EDITION.format(year=2026, when="").replace(" 实施\n", "\n")
    new = _write(tmp_path, "new.md", "---\nstatus: 即将实施\n---\n" + text)
    ingest_paths([new], lib, today=DAY)
    assert lib.get("ZJ/T 951-2026").status is DocStatus.upcoming
    assert lib.get("ZJ/T 951-2020").status is DocStatus.current


ANNOUNCED = """住房城乡建设部关于发布国家标准《建筑设计防火规范》局部修订的公告
中华人民共和国住房和城乡建设部公告 2018年 第35号
现批准《建筑设计防火规范》GB 50016－2014局部修订的条文，自2018年10月1日起实施。经此次修改的原条文同时废止。
中华人民共和国住房和城乡建设部
2018年3月30日

5.5.13 下列公共建筑的疏散楼梯，除与敞开式外廊直接相连的楼梯间外，均应采用封闭楼梯间：
1 医疗建筑、旅馆及类似使用功能的建筑；
2 设置歌舞娱乐放映游艺场所的建筑。
"""


def test_a_notice_in_the_announced_form(tmp_path: Path) -> None:
    """Number, date and code as a ministry prints them (full-width dash, spaces in the number, a signing date)."""
    path = _write(tmp_path, "公告.txt", ANNOUNCED)
    assert is_notice(path)
    code, rev = load_notice(path)
    assert (code, rev.notice, rev.effective_date, rev.edition) == (
        "GB 50016-2014", "中华人民共和国住房和城乡建设部公告2018年第35号", date(2018, 10, 1), "")
    assert [c.clause_no for c in rev.clauses] == ["5.5.13"]
    assert rev.clauses[0].text.endswith("2 设置歌舞娱乐放映游艺场所的建筑。")
