"""Certainty tiers: which tier an answer gets, which clauses a likely answer shows, and how each tier reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.answering.certainty import (
    ALWAYS_CLEAR,
    TIER_FEATURES,
    Tiers,
    candidates,
    clause_order,
    load_tiers,
    same_section,
    tier_features,
)
from assistant.answering.compose import LIKELY_LEAD, compose, compose_likely
from assistant.answering.grounding import CALIBRATION_FILE
from assistant.answering.llm import LIKELY_PROMPT, build_messages, check_citations
from assistant.answering.models import Answer, Citation
from assistant.answering.service import Answerer, citation
from assistant.config import Settings
from index import Hit, Searcher


def hit(code: str, no: str, score: float, *, section: str = "", kind: str = "body", dense: float | None = 0.8,
        lexical: float | None = None, mandatory: bool = False) -> Hit:
    return Hit(code=code, title=f"{code}标题", clause_no=no, text=f"{code} 第{no}条的条文内容。", score=score, kind=kind,
               status="现行", section=section, dense_score=dense, lexical_score=lexical, mandatory=mandatory)


GB = "GB 55032-2022"
SL = "SL 677-2014"


def weights(**w: float) -> tuple[float, ...]:
    return tuple(w.get(f, 0.0) for f in TIER_FEATURES)


# -- features ---------------------------------------------------------------------------------------------

def test_sections_come_from_the_heading_or_else_the_clause_number() -> None:
    assert same_section(hit(GB, "4.3.2", 1), hit(GB, "4.3.3", 1))
    assert not same_section(hit(GB, "4.3.2", 1), hit(GB, "4.4.1", 1))
    assert not same_section(hit(GB, "4.3.2", 1), hit(SL, "4.3.3", 1))  # same numbers, another standard
    assert same_section(hit(GB, "4.3.2", 1, section="4.3 验收"), hit(GB, "4.3.9", 1, section="4.3 验收"))
    assert sorted(["4.3.10", "4.3.9", "A.0.1", "4.3.2"], key=clause_order) == ["4.3.2", "4.3.9", "4.3.10", "A.0.1"]


def test_rival_gap_skips_neighbours_of_the_same_section() -> None:
    hits = [hit(GB, "4.3.2", 0.90, dense=0.86, lexical=12.0), hit(GB, "4.3.3", 0.88, dense=0.85, lexical=9.0),
            hit(SL, "7.1.1", 0.60, dense=0.80, lexical=3.0)]
    f = dict(zip(TIER_FEATURES, tier_features(hits, 0.9), strict=True))
    assert f["neighbour"] == 1.0
    assert f["next_gap"] == pytest.approx(0.02)
    assert f["rival_gap"] == pytest.approx(0.30)  # against SL 677, not the neighbour 4.3.3
    assert f["rival_dense_gap"] == pytest.approx(0.06)
    assert f["lexical_top"] == 1.0
    assert f["grounding_logit"] == pytest.approx(2.1972, abs=1e-3)

    rival_first = [hits[0], hits[2], hits[1]]
    g = dict(zip(TIER_FEATURES, tier_features(rival_first, 0.9), strict=True))
    assert g["neighbour"] == 0.0 and g["rival_gap"] == pytest.approx(0.30)


# -- tier selection ---------------------------------------------------------------------------------------

def test_a_clear_lead_over_other_sections_is_clear_a_near_tie_is_likely() -> None:
    tiers = Tiers(weights=weights(rival_gap=40.0), bias=-4.0, clear_threshold=0.8)
    far = [hit(GB, "4.3.2", 0.95), hit(SL, "7.1.1", 0.55)]
    near = [hit(GB, "4.3.2", 0.95), hit(SL, "7.1.1", 0.92)]
    assert tiers.certainty(far, 0.9)[0] == "clear"
    tier, p = tiers.certainty(near, 0.9)
    assert tier == "likely" and p < 0.8
    assert ALWAYS_CLEAR.certainty(near, 0.5)[0] == "clear"


def test_committed_tiers_match_the_feature_list_and_threshold(tmp_path: Path) -> None:
    tiers = load_tiers()
    assert len(tiers.weights) == len(TIER_FEATURES) and 0.0 < tiers.clear_threshold < 1.0
    data = json.loads(CALIBRATION_FILE.read_text("utf-8"))
    assert data["tiers"]["features"] == list(TIER_FEATURES)
    without = tmp_path / "g.json"
    without.write_text(json.dumps({k: v for k, v in data.items() if k != "tiers"}), "utf-8")
    assert load_tiers.__wrapped__(without) is ALWAYS_CLEAR  # an old calibration: every grounded answer clear


# -- what a likely answer shows --------------------------------------------------------------------------

def test_candidates_keep_neighbours_together_and_the_nearest_first() -> None:
    hits = [hit(GB, "4.3.3", 0.9), hit(SL, "7.1.1", 0.8), hit("ZJ-CASE-2025", "AL-001", 0.79, kind="case"),
            hit(GB, "4.3.2", 0.7), hit(GB, "4.3.3", 0.6, kind="commentary"), hit(GB, "5.1.1", 0.5)]
    shown = [(h.code, h.clause_no) for h in candidates(hits)]
    # the case is not a candidate; 4.3.2 joins 4.3.3 ahead of the other standard; the duplicate is dropped
    assert shown == [(GB, "4.3.3"), (GB, "4.3.2"), (SL, "7.1.1")]
    assert [(h.code, h.clause_no) for h in candidates(hits, 2)] == [(GB, "4.3.3"), (SL, "7.1.1")]
    assert candidates([]) == []


def _cites(hits: list[Hit]) -> list[Citation]:
    return [citation(h, "candidate") for h in hits]


def test_likely_text_leads_with_check_and_never_says_clearly_stated() -> None:
    near = candidates([hit(GB, "4.3.3", 0.9, section="4.3 验收", mandatory=True), hit(SL, "7.1.1", 0.8),
                       hit(GB, "4.3.2", 0.7, section="4.3 验收")])
    text = compose_likely(_cites(near), [])
    assert text.startswith(LIKELY_LEAD)
    assert "明确规定" not in text
    for c in _cites(near):
        assert c.reference() in text and f"“{c.text}”" in text
    assert "【强制性条文】" in text  # the badge stays; only the claim of certainty goes
    # neighbours of one section form one block under its heading; the other standard is its own paragraph
    blocks = text.split("\n\n")
    gb_block = next(b for b in blocks if "第4.3.3条" in b)
    assert "第4.3.2条" in gb_block and "【GB 55032-2022 4.3 验收】" in gb_block and SL not in gb_block
    assert gb_block.index("第4.3.3条") < gb_block.index("第4.3.2条")
    assert "请对照原文" in blocks[-1]


def test_clear_text_is_today_s_answer() -> None:
    top = citation(hit(GB, "4.3.3", 0.9))
    text = compose([top], [], [])
    assert text.startswith("这个问题在规范中有明确规定：") and LIKELY_LEAD not in text


# -- the answer model and the LLM prompt -----------------------------------------------------------------

def test_answer_certainty_defaults_from_grounded_and_must_agree() -> None:
    assert Answer(answer="x", grounded=True).certainty == "clear"
    assert Answer(answer="x", grounded=False).certainty == "none"
    assert Answer(answer="x", grounded=True, certainty="likely").certainty == "likely"
    with pytest.raises(ValidationError):
        Answer(answer="x", grounded=False, certainty="likely")
    with pytest.raises(ValidationError):
        Answer(answer="x", grounded=True, certainty="none")
    with pytest.raises(ValidationError):
        Answer(answer="x", grounded=True, certainty="maybe")


def test_llm_prompt_and_check_follow_the_tier() -> None:
    cites = _cites([hit(GB, "4.3.3", 0.9), hit(GB, "4.3.2", 0.8)])
    assert LIKELY_PROMPT in build_messages("q", cites, "likely")[0]["content"]
    assert LIKELY_PROMPT not in build_messages("q", cites, "clear")[0]["content"]
    ref = cites[0].reference()
    sure = f"这个问题在规范中有明确规定：{ref}要求……"
    assert check_citations(sure, cites, "clear") == (True, "")
    ok, why = check_citations(sure, cites, "likely")
    assert not ok and "明确规定" in why
    hedged = f"{LIKELY_LEAD}\n1. {ref}讲的是……\n2. {cites[1].reference()}讲的是……"
    assert check_citations(hedged, cites, "likely") == (True, "")
    assert not check_citations(f"根据{ref}，……", cites, "likely")[0]  # the lead is required


# -- the answerer over the sample corpus --------------------------------------------------------------------

NEVER_CLEAR = Tiers(weights=(0.0,) * len(TIER_FEATURES), bias=-60.0, clear_threshold=0.5)
SHOWER = "淋浴间墙面防水要做多高"


@pytest.fixture(scope="module")
def searcher(sample_installation: Path) -> Searcher:
    return Searcher(sample_installation / "index")


def test_the_answerer_puts_the_nearest_clauses_side_by_side_when_not_sure(searcher: Searcher) -> None:
    sure = Answerer(Settings(), searcher=searcher, tiers=ALWAYS_CLEAR).answer(SHOWER)
    assert sure.certainty == "clear" and sure.answer.startswith("这个问题在规范中有明确规定")
    assert sure.citations[0].role == "primary"

    unsure = Answerer(Settings(), searcher=searcher, tiers=NEVER_CLEAR).answer(SHOWER)
    assert unsure.grounded and unsure.certainty == "likely"
    assert unsure.answer.startswith(LIKELY_LEAD) and "明确规定" not in unsure.answer
    shown = [c for c in unsure.citations if c.role == "candidate"]
    assert 2 <= len(shown) <= 3 and not any(c.role in ("primary", "related") for c in unsure.citations)
    assert shown[0].reference() == sure.citations[0].reference()  # the nearest clause still comes first
    for c in shown:
        assert c.reference() in unsure.answer
    assert unsure.confidence == pytest.approx(sure.confidence) and unsure.top_probability < 0.5


def test_lookups_are_clear_and_refusals_none_whatever_the_tiers(searcher: Searcher) -> None:
    answerer = Answerer(Settings(), searcher=searcher, tiers=NEVER_CLEAR)
    by_number = answerer.answer("ZJT101第4.3.4条说的啥")
    assert by_number.certainty == "clear" and by_number.top_probability == 1.0
    looked_up = answerer.lookup("ZJT101 第4.3.4条")
    assert looked_up is not None and looked_up.certainty == "clear"
    refused = answerer.answer("红烧肉怎么做才不腻")
    assert refused.certainty == "none" and not refused.grounded and refused.citations == []
    missing = answerer.answer("ZJT101第9.9.9条说的啥")
    assert missing.certainty == "none"


def test_the_llm_writes_a_likely_answer_as_one_and_an_overclaim_falls_back(searcher: Searcher) -> None:
    from tests.answering.openai_stub import ChatCompletionsStub

    with ChatCompletionsStub() as stub:
        answerer = Answerer(Settings(llm_base_url=stub.base_url), searcher=searcher, tiers=NEVER_CLEAR)
        shown = answerer.answer(SHOWER).citations  # first call: the stub's default reply is rejected
        first, second = shown[0].reference(), shown[1].reference()
        stub.replies.append((200, f"{LIKELY_LEAD}\n1. {first}讲的是墙面防水高度；\n2. {second}讲的是……"))
        hedged = answerer.answer(SHOWER)
        stub.replies.append((200, f"这个问题在规范中有明确规定：{first}。"))
        overclaim = answerer.answer(SHOWER)
        system = stub.requests[1]["body"]["messages"][0]["content"]
    assert LIKELY_PROMPT in system and "不得说“明确规定”" in system
    assert hedged.mode == "llm" and hedged.certainty == "likely" and hedged.answer.startswith(LIKELY_LEAD)
    assert overclaim.mode == "extractive" and overclaim.certainty == "likely"
    assert overclaim.answer.startswith(LIKELY_LEAD) and "明确规定" not in overclaim.answer
