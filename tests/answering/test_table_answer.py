"""A question one table row answers: the answer quotes the table's caption and that row, citing the clause.

Uses the bundled sample corpus (ZJ/T 105-2025 表5.0.8, an illustrative Markdown table).
"""

from __future__ import annotations

from assistant.answering.compose import quote
from assistant.answering.models import Citation
from index.models import TableRowRef


def test_the_answer_quotes_caption_and_the_row_that_answers(sample_answerer) -> None:
    a = sample_answerer.answer("柴油打夯机回填每层虚铺多厚")
    assert a.grounded
    top = a.citations[0]
    assert (top.code, top.clause_no) == ("ZJ/T 105-2025", "5.0.8")
    assert top.table_row is not None and top.table_row.cells == ["柴油打夯机", "200～250", "3～4"]
    assert "第5.0.8条" in a.answer and "表5.0.8 回填土每层虚铺厚度及压实遍数（示例）" in a.answer
    assert "柴油打夯机 | 200～250 | 3～4" in a.answer
    assert "平碾" not in a.answer.split("相关条文")[0]  # that row, not the whole table


def test_quote_of_a_row_under_merged_header_cells() -> None:
    c = Citation(code="ZJ/T 931-2025", title="表格测试示例", clause_no="4.0.1", text="……", score=1.0, kind="body",
                 status="现行", table_row=TableRowRef(
                     caption="表4.0.1 平整度允许偏差示例", number="4.0.1",
                     columns=["部位", "允许偏差（mm） 清水", "允许偏差（mm） 混水"], cells=["墙", "5", "8"]))
    assert quote(c).splitlines()[1:] == ["摘自表4.0.1 平整度允许偏差示例：", "部位 | 允许偏差（mm） 清水 | 允许偏差（mm） 混水",
                                         "墙 | 5 | 8"]
    assert "第4.0.1条" in quote(c).splitlines()[0]
