"""Grounded answers over the sample corpus: quoting, citing, refusing, and the optional LLM mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answering.llm import check_citations, cited_references
from assistant.answering.models import Citation
from assistant.answering.service import Answerer
from assistant.config import Settings
from index import Searcher
from tests.answering.openai_stub import ChatCompletionsStub


@pytest.fixture(scope="module")
def searcher(sample_installation: Path) -> Searcher:
    return Searcher(sample_installation / "index")


def _answerer(searcher: Searcher, **settings) -> Answerer:
    return Answerer(settings=Settings(**settings), searcher=searcher)


def test_grounded_answer_quotes_and_cites(searcher: Searcher) -> None:
    a = _answerer(searcher).answer("淋浴间墙面防水要做多高")
    assert a.grounded
    top = a.citations[0]
    assert top.code.startswith("ZJ/T 104")
    # The clause is quoted verbatim with its citation in the 《title》CODE 第X条 form.
    assert f"《{top.title}》{top.code} 第{top.clause_no}条" in a.answer
    assert f"“{top.text}”" in a.answer
    assert a.answer.splitlines()[0].endswith("：")  # one lead sentence first


def test_mandatory_clause_is_marked(searcher: Searcher) -> None:
    a = _answerer(searcher).answer("ZJ/T 108-2025 第1.0.1条")
    assert a.grounded and a.citations[0].clause_no == "1.0.1"
    mandatory = [c for c in a.citations if c.mandatory]
    for c in mandatory:
        assert f"{c.reference()}【强制性条文】" in a.answer


@pytest.mark.parametrize("question", ["红烧肉怎么做才不腻", "明天县城会下雨吗", "个人所得税年度汇算怎么申报"])
def test_out_of_domain_is_refused_with_next_step(searcher: Searcher, question: str) -> None:
    a = _answerer(searcher, station_phone="0123-4567890").answer(question)
    assert not a.grounded and a.citations == []
    assert "知识库中没有找到" in a.answer and "0123-4567890" in a.answer and "质量服务团" in a.answer
    assert a.refusal_reason


def test_clause_lookup_by_number(searcher: Searcher) -> None:
    a = _answerer(searcher).lookup("ZJT101 第4.3.4条")
    assert a is not None and a.grounded
    assert (a.citations[0].code, a.citations[0].clause_no) == ("ZJ/T 101-2025", "4.3.4")
    assert _answerer(searcher).lookup("混凝土怎么养护") is None


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("ZJT101第9.9.9条说的啥", "ZJ/T 101-2025 中没有第9.9.9条"),
        ("《混凝土工程施工质量要点（示例）》第12.1.1条", "中没有第12.1.1条"),
        ("GB50204-2015第5.5.1条怎么规定的", "尚未收录 GB50204-2015"),
        ("JGJ 130第6.2.1条立杆间距", "尚未收录 JGJ 130"),
    ],
)
def test_a_clause_that_is_not_in_the_library_is_not_replaced_by_a_neighbour(searcher: Searcher, question: str, says: str) -> None:
    a = _answerer(searcher).answer(question)
    assert not a.grounded and a.citations == []
    assert says in a.answer and says in (a.refusal_reason or "")
    assert "质量服务团" in a.answer  # the next step is still offered


def test_an_existing_clause_named_by_number_is_still_quoted(searcher: Searcher) -> None:
    a = _answerer(searcher).answer("ZJT101第4.3.4条说的啥")
    assert a.grounded and (a.citations[0].code, a.citations[0].clause_no) == ("ZJ/T 101-2025", "4.3.4")


def test_withdrawn_document_is_flagged(sample_installation: Path, tmp_path: Path) -> None:
    from corpus.library import Library
    from corpus.models import DocStatus
    from index import sync_index

    d = tmp_path / "inst"
    shutil.copytree(sample_installation, d)
    lib = Library(d / "library")
    lib.set_status("ZJ/T 104-2025", DocStatus.withdrawn, "ZJ/T 204-2026")
    sync_index(lib, d / "index", progress=False)
    a = _answerer(Searcher(d / "index")).answer("ZJ/T 104-2025 第5.0.3条")
    assert a.grounded and a.citations[0].status == "废止"
    assert "已废止" in a.answer and "ZJ/T 204-2026" in a.answer


# ---------------------------------------------------------------------------
# LLM mode, through the real HTTP client against a loopback chat-completions server
# ---------------------------------------------------------------------------

def test_llm_reply_with_valid_citations_is_used(searcher: Searcher) -> None:
    base = _answerer(searcher).answer("淋浴间墙面防水要做多高")
    top = base.citations[0]
    with ChatCompletionsStub() as stub:
        stub.replies.append((200, f"淋浴区墙面防水层应做到规定高度，依据{top.reference()}。"))
        a = _answerer(searcher, llm_base_url=stub.base_url, llm_api_key="k-test").answer("淋浴间墙面防水要做多高")
        assert a.mode == "llm" and a.answer.startswith("淋浴区墙面防水层")
        req = stub.requests[0]
        assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer k-test"
        assert top.text in req["body"]["messages"][1]["content"]  # the model only sees retrieved clauses


def test_llm_reply_inventing_a_clause_falls_back(searcher: Searcher) -> None:
    with ChatCompletionsStub() as stub:
        stub.replies.append((200, "应符合《混凝土结构工程施工质量验收规范》GB 50204-2015 第9.9.9条的规定。"))
        a = _answerer(searcher, llm_base_url=stub.base_url).answer("淋浴间墙面防水要做多高")
    assert a.grounded and a.mode == "extractive"
    assert "GB 50204" not in a.answer


def test_llm_server_error_falls_back(searcher: Searcher) -> None:
    with ChatCompletionsStub() as stub:
        stub.replies += [(500, "boom"), (500, "boom again")]
        a = _answerer(searcher, llm_base_url=stub.base_url).answer("淋浴间墙面防水要做多高")
        assert len(stub.requests) == 2  # one retry, then the extractive answer
    assert a.grounded and a.mode == "extractive"


def test_citation_check_rules() -> None:
    c = Citation(code="GB 55032-2022", title="建筑与市政工程施工质量控制通用规范", clause_no="3.3.5", text="…",
                 score=1.0, kind="body", status="现行")
    assert cited_references("见GB55032—2022第3.3.5条") == {("GB 55032-2022", "3.3.5")}
    assert check_citations("依据《建筑与市政工程施工质量控制通用规范》GB 55032-2022 第3.3.5条。", [c])[0]
    assert not check_citations("没有引用任何条文。", [c])[0]
    assert not check_citations("见GB 55032-2022第3.3.6条", [c])[0]


def test_a_steel_grade_before_a_clause_number_is_not_taken_for_a_standard(searcher: Searcher) -> None:
    """'HRB400' looks like a code; search never called it a standard, and now ask does not either."""
    a = _answerer(searcher).answer("HRB400钢筋第4.2.3条怎么说")
    assert "尚未收录" not in a.answer and "HRB400" not in (a.refusal_reason or "")
