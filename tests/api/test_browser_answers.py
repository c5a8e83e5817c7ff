"""The page's 检索 and 问答 at a 390×844 phone, for someone who has not signed in.

- a clause or standard the library does not hold is said first, never "找到 10 条" of other clauses;
- the library's standards are listed with their status;
- an answer is short: the lead, the answering clause with its quantities marked, a 复制引用 button,
  related clauses and cases folded under 展开, no clause twice; it fits one phone screen;
- the certainty the server gives (clear / likely / none) changes how the answer is shown;
- a follow-up ("那冬天呢？") is read with the previous question, and the conversation survives a reload;
- the next step after a refusal leads somewhere (sign in, or the station's phone), not to another refusal.

Screenshots of each step go to the test's temporary folder and tests/artifacts/.
"""

from __future__ import annotations

import json

import pytest

from tests.plugins.browser import CHROMIUM, PHONE, expect, open_page

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")
pytest.importorskip("playwright.sync_api", reason="python playwright package not installed")

ANSWER = ".msg.bot:not(.intro):not(.typing)"


def search(pg, q: str) -> None:
    pg.fill("#search-q", q)
    pg.click("#search-form button[type=submit]")
    # The first query embedding of a fresh server can take seconds on a busy machine.
    expect(pg.locator("#search-status")).not_to_have_text("检索中…", timeout=60000)


def ask(pg, q: str):
    before = pg.locator(ANSWER).count()
    pg.fill("#ask-q", q)
    pg.click("#ask-send")
    expect(pg.locator(ANSWER)).to_have_count(before + 1, timeout=60000)
    return pg.locator(ANSWER).nth(before)  # stays this message when more follow


def test_search_says_first_when_the_clause_or_standard_is_not_held(server, page, shot):
    pg = page
    open_page(pg, server)
    search(pg, "GB55032 3.3.5")
    notice = pg.locator("#search-notice")
    expect(notice).to_contain_text("条文库尚未收录 GB55032，查不到它的第3.3.5条")
    expect(pg.locator("#search-results .clause")).to_have_count(0)
    expect(pg.locator("#search-status")).not_to_contain_text("找到")
    # The library's own list opens, so the reader sees what is held, with each document's status.
    library = pg.locator("#library")
    expect(library).to_have_attribute("open", "")
    row = library.locator(".lib-doc", has_text="ZJ/T 101-2025")
    expect(row).to_contain_text("混凝土工程施工质量要点")
    expect(row.locator(".badge.current")).to_have_text("现行")
    expect(pg.locator("#library-count")).to_contain_text("部")
    shot(pg, "standard-missing")

    search(pg, "ZJ/T 101 3.3.5 拆除底模")
    expect(notice).to_contain_text("没有第3.3.5条")
    others = pg.locator("#search-others")
    expect(others).to_contain_text("并非第3.3.5条")
    cards = pg.locator("#search-results .clause")
    expect(cards.first).to_be_visible()
    assert "第3.3.5条" not in " ".join(cards.locator(".clause-ref").all_text_contents())
    # Said first: the notice sits above the heading, the heading above the clauses.
    assert notice.bounding_box()["y"] < others.bounding_box()["y"] < cards.first.bounding_box()["y"]
    notice.scroll_into_view_if_needed()
    shot(pg, "clause-missing-with-others")

    search(pg, "ZJT101 6.0.3")
    expect(pg.locator("#search-status")).to_contain_text("找到")
    expect(notice).to_have_count(0)
    expect(cards.first.locator(".clause-ref")).to_contain_text("第6.0.3条")
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]


def test_an_answer_is_short_and_shows_each_clause_once(server, page, shot):
    pg = page
    open_page(pg, server)
    pg.click(".tab[data-go=ask]")
    answer = ask(pg, "混凝土浇筑后多久开始养护")
    primary = answer.locator(".cites.primary .cite")
    expect(primary).to_have_count(1)
    expect(primary.locator(".clause-ref")).to_contain_text("ZJ/T 101-2025 第5.1.1条")
    expect(primary.locator("mark").first).to_have_text("12 h")  # the number that answers the question
    expect(answer.locator(".lead")).to_have_text("这个问题在规范中有明确规定：")
    more = answer.locator("details.more")
    expect(more.locator("summary")).to_contain_text("展开相关条文")
    expect(more.locator(".cite").first).to_be_hidden()
    height = answer.bounding_box()["height"]
    print(f"answer height {height:.0f}px = {height / PHONE['height']:.2f} screens")
    assert height < PHONE["height"], height  # folded, it fits one phone screen
    shot(pg, "short-answer")

    more.locator("summary").click()
    expect(more.locator(".cite").first).to_be_visible()
    refs = answer.locator(".clause-ref").all_text_contents()
    assert len(refs) == len(set(refs)) >= 3, refs  # every clause once
    # The clause is quoted once: in its card, not again in the text above it.
    assert answer.inner_text().count("养护应在浇筑完毕后") == 1
    shot(pg, "related-unfolded")

    primary.locator("button.copy").click()
    expect(pg.locator("#toast")).to_contain_text("已复制引用：《混凝土工程施工质量要点（示例）》ZJ/T 101-2025 第5.1.1条")

    # A clause listing several tolerances: only the item asked about has its numbers marked.
    # (Clear or likely, the clause is among the primary cards; the tier is the model's call, tested elsewhere.)
    cover = ask(pg, "钢筋保护层厚度允许偏差是多少").locator(".cites.primary .cite").filter(
        has_text="纵向受力钢筋保护层厚度允许偏差")
    expect(cover).to_have_count(1)
    expect(cover.locator("mark")).to_have_text(["±10 mm", "±5 mm", "±3 mm"])
    shot(pg, "marked-item")
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]


def test_certainty_changes_how_an_answer_is_shown(server, page, shot):
    """The reply's ``certainty`` is overridden here, so each tier's display is tested on any answer."""
    pg = page
    certainty = {"value": "likely"}

    def with_certainty(route):
        resp = route.fetch()
        body = resp.json()
        body["reply"]["certainty"] = certainty["value"]
        headers = {k: v for k, v in resp.headers.items() if k.lower() != "content-length"}
        route.fulfill(response=resp, body=json.dumps(body), headers=headers)

    pg.route("**/v1/chat", with_certainty)
    open_page(pg, server)
    pg.click(".tab[data-go=ask]")
    likely = ask(pg, "混凝土浇筑后多久开始养护")
    expect(likely.locator(".likely")).to_have_text("最接近的条文如下，请核对")
    assert likely.locator(".cites.primary .cite").count() >= 2  # the candidates, stacked
    likely.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(pg, "likely")

    certainty["value"] = "none"
    refused = ask(pg, "混凝土浇筑后多久开始养护呢")
    expect(refused).to_have_class("msg bot refusal")
    expect(refused.locator(".cite")).to_have_count(0)

    certainty["value"] = "clear"
    clear = ask(pg, "拆除底模前要取得什么报告")
    expect(clear.locator(".likely")).to_have_count(0)
    expect(clear.locator(".cites.primary .cite")).to_have_count(1)
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]


def test_anonymous_follow_up_and_the_next_step_after_a_refusal(server, page, shot):
    pg = page
    open_page(pg, server)
    pg.click(".tab[data-go=ask]")
    ask(pg, "混凝土养护几天")
    follow = ask(pg, "那冬天呢？")
    expect(follow).to_contain_text("按“冬天混凝土养护几天”理解")
    cid = pg.evaluate("() => localStorage.getItem('zhijian.conversation.anon')")
    assert cid and len(cid) == 41
    shot(pg, "follow-up")

    pg.reload()
    expect(pg.locator("body")).to_have_attribute("data-ready", "true")
    pg.click(".tab[data-go=ask]")
    expect(pg.locator("#chat-log")).to_contain_text("以上为之前的对话")
    expect(pg.locator("#chat-log .msg.user", has_text="那冬天呢？")).to_have_count(1)

    refused = ask(pg, "食堂菜价怎么定")
    expect(refused).to_have_class("msg bot refusal")
    expect(refused.locator("button", has_text="登录后申请帮扶")).to_be_visible()
    refused.get_by_role("button", name="申请帮扶", exact=True).click()
    nxt = pg.locator(ANSWER).last
    expect(nxt).to_contain_text("访问令牌")
    expect(nxt).to_contain_text("没有账号也可以直接致电")
    expect(nxt).not_to_contain_text("没有找到")
    shot(pg, "next-step")
    refused.locator("button", has_text="登录后申请帮扶").click()
    expect(pg.locator("#token-input")).to_be_visible()
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]
