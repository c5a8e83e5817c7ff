"""Rendering for Telegram: escaping, citations in bold, splitting below the limit; keyboards and callback data."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.conversation.replies import Choice, Reply, feedback_choices, say
from bots.ratelimit import TokenBucket
from bots.telegram import keyboard as kb
from bots.telegram.render import split_message, to_html, utf16_len

REF = "《建筑地基基础工程施工质量验收标准》GB 50202-2018 第5.1.3条"


def _plain(chunks: list[str]) -> str:
    return "".join(html.unescape(re.sub(r"</?b>", "", c)) for c in chunks)


def test_escaping_and_bold_citations():
    text = f"{REF}：\n“压实系数<0.94 & >0.90”\n《A&B》X 1-2020 第1条"
    out = to_html(text, [REF, "《A&B》X 1-2020 第1条"])
    assert out.startswith(f"<b>{REF}</b>：")
    assert "“压实系数&lt;0.94 &amp; &gt;0.90”" in out
    assert "<b>《A&amp;B》X 1-2020 第1条</b>" in out
    assert "<" not in re.sub(r"</?b>", "", out)


def test_short_text_is_one_message_and_empty_text_none():
    assert split_message("你好") == ["你好"]
    assert split_message("  \n ") == []


def test_paragraphs_are_packed_and_a_long_paragraph_split_at_lines_then_sentences():
    para = "。".join(["条文内容" * 20] * 30) + "。"  # ~2,500 characters, sentences only
    text = f"导语：\n\n{REF}：\n“{para}{para}”\n\n相关条文：\n· {REF}：摘录"
    chunks = split_message(text, [REF], limit=1000)
    assert all(utf16_len(c) <= 1000 for c in chunks)
    assert _plain(chunks).replace("\n", "") == text.replace("\n", "")
    assert all(c.count("<b>") == c.count("</b>") for c in chunks)
    assert chunks[0].startswith("导语：") and f"<b>{html.escape(REF, quote=False)}</b>：\n“条文" in chunks[0]
    assert "相关条文：\n· <b>" in chunks[-1]  # a heading stays with what follows it


def test_a_run_without_boundaries_is_cut_hard_but_never_inside_a_citation():
    text = ("甲" * 95 + REF) * 20
    chunks = split_message(text, [REF], limit=300)
    assert all(utf16_len(c) <= 300 for c in chunks)
    assert _plain(chunks) == text
    ref_html = f"<b>{html.escape(REF, quote=False)}</b>"
    assert sum(c.count(ref_html) for c in chunks) == 20  # every reference whole, in bold


def test_utf16_counting_for_characters_outside_the_bmp():
    text = "𠀀" * 3000  # each counts two UTF-16 units towards Telegram's limit
    chunks = split_message(text)
    assert len(chunks) == 2 and all(utf16_len(c) <= 4096 for c in chunks)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["段落。", "\n", "\n\n", "<&>", REF, "条文说明；", "x" * 50, "：\n"]),
                max_size=120))
def test_any_text_splits_losslessly_below_the_limit(parts):
    text = "".join(parts)
    chunks = split_message(text, [REF], limit=200)
    assert all(0 < utf16_len(c) <= 200 for c in chunks)
    squash = re.compile(r"\s+")
    assert squash.sub("", _plain(chunks)) == squash.sub("", text)
    assert sum(c.count(f"<b>{html.escape(REF, quote=False)}</b>") for c in chunks) == text.count(REF)


def test_keyboard_rows_and_callback_data():
    long_name = "示例县第一人民医院门急诊综合楼及地下车库工程（JD-2026-0001）"
    reply = Reply(text="请选择", flow="booking", step="project",
                  choices=[say(long_name), say("示例小区1号楼")] + feedback_choices(42))
    markup = kb.keyboard(reply)
    rows = markup.inline_keyboard
    assert [b.text for b in rows[-1]] == ["👍 有用", "👎 没用"]
    assert [b.callback_data for b in rows[-1]] == ["f:up:42", "f:down:42"]
    datas = [b.callback_data for row in rows for b in row]
    assert all(len(d.encode()) <= 64 for d in datas)
    pressed = kb.parse(datas[0])
    assert pressed.kind == "say" and kb.resolve(pressed, [long_name, "示例小区1号楼"]) == long_name
    assert kb.resolve(pressed, ["示例小区1号楼", long_name]) == long_name  # moved: found by digest
    assert kb.resolve(pressed, ["确认", "修改", "取消"]) is None  # stale
    menu = kb.keyboard(Reply(text="菜单", choices=[say("我的预约"), Choice(label="查", value="查信用")]))
    assert [b.callback_data for b in menu.inline_keyboard[0]] == ["v:我的预约", "v:查信用"]
    assert kb.parse("v:我的预约").value == "我的预约" and kb.parse("bogus").kind == "unknown"
    assert kb.keyboard(Reply(text="无")) is None


def test_keyboard_after_a_press():
    reply = Reply(text="答", choices=[say("申请帮扶")] + feedback_choices(7))
    markup = kb.keyboard(reply)
    chosen = kb.after_choice(markup, "申请帮扶")
    assert [[b.text for b in r] for r in chosen.inline_keyboard] == [["✔ 申请帮扶"], ["👍 有用", "👎 没用"]]
    rated = kb.after_rating(markup, "down")
    assert [[b.text for b in r] for r in rated.inline_keyboard] == [["申请帮扶"], ["已评价 👎 没用"]]
    assert kb.after_choice(kb.keyboard(Reply(text="x", choices=[say("a")])), None) is None


def test_token_bucket_burst_refill_and_single_warning():
    now = [0.0]
    bucket = TokenBucket(3, 0.5, clock=lambda: now[0])
    assert [bucket.take("c").allowed for _ in range(3)] == [True] * 3
    first, second = bucket.take("c"), bucket.take("c")
    assert (first.allowed, first.warn, second.allowed, second.warn) == (False, True, False, False)
    assert bucket.retry_after("c") == 2.0
    assert bucket.take("other").allowed  # per key
    now[0] += 2.0
    assert bucket.take("c").allowed and not bucket.take("c").allowed


def test_a_heading_line_is_not_left_at_the_end_of_a_message():
    text = "甲" * 90 + "\n相关条文：\n" + "乙" * 50
    assert split_message(text, limit=100) == ["甲" * 90, "相关条文：\n" + "乙" * 50]
