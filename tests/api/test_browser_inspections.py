"""Issue 16's pages in Debian's chromium at 390×844 against a real `zhijian serve` (tests/plugins/browser.py):

- the whole loop on phones: 检查 → 实测 → 通知 → 回复 → 复查（重新下发）→ 回复 → 复查 → 销号 → 发布为案例 → found
  by the page's search; with the printable record, the credit draft confirmed and the enterprise page explaining it;
- 实测实量 on its own: fast entry, a reading that is not a number named beside its point, the verdict table;
- an inspection started from a scheduled booking, and the project's timeline;
- 双随机: the draw with its seed, the picks, history, and a check started from a pick;
- overdue notices: counted, listed, escalated once; the credit draft rejected with a reason.

Assertions are on what the page shows; every state is photographed (tests/artifacts/<test name>/).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from tests.plugins.browser import (
    CHROMIUM,
    PHONE,
    Shots,
    api,
    assert_tap_targets,
    expect,
    photo,
    sign_in,
)

SCHOOL = "示例县第一中学综合楼（示例）"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")
LONG = 300_000  # ms: a library job re-indexes the station's cases


def phone(browser):
    """A second phone (the contractor's), made like the ``page`` fixture's."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True,
                                  is_mobile=True, device_scale_factor=1)
    return context, context.new_page()


def enter(pg, server, role: str, label: str) -> None:
    """Sign in and wait until the role's home page is open (it opens after the bell is counted; a tap made
    before that would be undone by it on a busy server)."""
    sign_in(pg, server, role, label)
    expect(pg.locator(".tab.active")).to_have_count(1, timeout=60_000)


def visit(pg, server, where: str) -> None:
    """Open the page at ``#where`` as a link from a message would (a fresh load keeps the hash)."""
    pg.goto(f"{server['url']}/#{where}")
    pg.reload()
    expect(pg.locator("body")).to_have_attribute("data-ready", "true")


def open_pdf(pg, button: str, path: str) -> None:
    """The button fetches the PDF with the token and opens it in a new tab (headless chromium has no PDF viewer,
    so the tab itself is not looked at)."""
    with pg.expect_popup() as popup, pg.expect_response(lambda r: r.url.endswith(path)) as resp:
        pg.click(button)
    assert resp.value.status == 200 and resp.value.headers["content-type"] == "application/pdf"
    popup.value.close()


def calm(pg) -> None:
    """Put away a toast still showing from the step before (it would hide what the screenshot is for)."""
    pg.evaluate("() => { document.getElementById('toast').hidden = true; }")


@pytest.fixture
def shot(tmp_path, request):
    """Screenshots as test_browser.py takes them, with a lingering toast put away first."""
    shots = Shots(tmp_path / "screens", request.node.name)

    def take(pg, step: str):
        calm(pg)
        return shots(pg, step)
    return take


def no_overflow(pg) -> None:
    """Nothing is wider than the phone (no sideways scrolling)."""
    width = pg.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width


def school_id(server) -> int:
    return next(p["id"] for p in api(server, "inspector", "GET", "/v1/projects").json() if p["name"] == SCHOOL)


def test_inspect_measure_notify_reply_reinspect_close_publish_and_find(server, browser, page, shot, tmp_path):
    pg = page
    enter(pg, server, "inspector", "监督员")

    # 检查: a patrol record from the queue's shortcut
    pg.click("#go-inspect")
    expect(pg.locator("#view-inspect h2").first).to_have_text("监督检查记录")
    expect(pg.locator("#inspect-list")).to_contain_text("没有监督检查记录")
    expect(pg.locator("#inspect-project option:checked")).to_have_text("全部工程")
    shot(pg, "records")
    pg.click("#inspect-new")
    form = pg.locator("#inspect-form")
    expect(form.locator("#ins-source")).to_have_value("patrol")
    pg.select_option("#ins-project", str(school_id(server)))
    pg.fill("#ins-unit", "综合楼")
    pg.fill("#ins-position", "三层楼板")
    form.locator("label.check", has_text="钢筋保护层").click()
    form.locator("label.check", has_text="隐蔽工程验收记录").click()
    expect(form.locator("input[name=inspectors]:checked")).to_have_count(1)  # me, by default
    pg.set_input_files("#inspect-form input[type=file]", str(photo(tmp_path, "楼板.jpg", "2026:12:04 09:10:00")))
    shot(pg, "new-record")
    assert_tap_targets(pg)
    no_overflow(pg)
    form.locator("button[type=submit]").click()
    detail = pg.locator("#inspect-detail")
    expect(detail.locator(".badge.st-open")).to_have_text("记录中")
    record_no = re.search(r"检查记录 (\S+)", detail.locator(".card strong").first.text_content()).group(1)
    expect(detail).to_contain_text("钢筋保护层")
    expect(detail.locator(".gallery .thumb-btn")).to_have_count(1)
    shot(pg, "record-open")

    # a finding citing a clause picked from search (typing a clause is not offered), with a photo
    pg.fill("#f-problem", "三层楼板板底垫块用碎砖代替")
    pg.click("#finding-form button[type=submit]")
    expect(pg.locator("#finding-form .clause-picker .field-error")).to_have_text("请检索并选用一条条文（不能手填）")
    pg.fill("#f-clause-q", "垫块 严禁使用碎砖 石子")
    pg.click("#f-clause-go")
    card = pg.locator("#f-clause-results .clause", has_text="ZJ/T 102-2025 第5.0.2条")
    expect(pg.locator("#f-clause-status")).to_contain_text("点“选用此条”引用", timeout=60_000)
    expect(card).to_have_count(1)
    shot(pg, "clause-search")
    card.locator("button.use-clause").click()
    expect(pg.locator("#f-clause-chosen")).to_contain_text("ZJ/T 102-2025 第5.0.2条")
    pg.set_input_files("#finding-form input[type=file]", str(photo(tmp_path, "垫块.jpg", "2026:12:04 09:20:00")))
    shot(pg, "finding-form")
    pg.click("#finding-form button[type=submit]")
    finding = pg.locator("#finding-list .finding").first
    expect(finding).to_contain_text("依据：ZJ/T 102-2025 第5.0.2条 · 照片 1 张")
    shot(pg, "finding-recorded")

    # 实测: slab cover, design 25 mm, one point per field; the verdict follows each entry
    pg.select_option("#m-item", "CV-02")
    expect(pg.locator("#m-info")).to_contain_text("允许偏差 -5 ～ +8 mm")
    expect(pg.locator("#m-points input")).to_have_count(6)
    assert pg.locator("#m-points input").first.get_attribute("inputmode") == "decimal"
    pg.fill("#m-design", "25")
    pg.fill("#m-position", "3F 板 B-2")
    for i, v in enumerate(["33", "20", "37.5", "25", "26", "19"]):
        pg.locator("#m-points input").nth(i).fill(v)
    verdict = pg.locator("#m-verdict")
    expect(verdict.locator(".alert-banner")).to_be_visible()
    expect(verdict.locator(".rate")).to_contain_text("合格点率 66.7%")
    expect(verdict.locator("tr.beyond")).to_have_count(1)   # 37.5: +12.5, beyond 1.5 × 8
    expect(verdict.locator("tr.out")).to_have_count(1)      # 19: −6
    expect(verdict.locator("tbody tr").nth(0)).to_contain_text("+8")
    expect(verdict).to_contain_text("依据：ZJ/T 102-2025 第5.0.6条")
    expect(pg.locator("#m-points input.bad")).to_have_count(2)
    pg.locator("#measure-form").scroll_into_view_if_needed()
    shot(pg, "measure-entry")
    pg.locator("#m-verdict").evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(pg, "measure-alert")
    no_overflow(pg)
    pg.click("#m-save")
    measured = pg.locator("#measurement-list .measurement").first
    expect(measured).to_contain_text("合格点率 66.7%（4/6）")
    expect(measured.locator(".top .badge")).to_have_text("预警")
    shot(pg, "measure-saved")

    # 通知: one tap from the ticked finding and the flagged set to a draft, edited, issued
    pg.click("#notice-from-findings")
    draft = pg.locator("#notice-draft-form")
    expect(draft).to_contain_text("ZJ/T 102-2025 第5.0.2条；ZJ/T 102-2025 第5.0.6条")
    expect(draft).to_contain_text("个工作日")
    expect(pg.locator("#nd-responsible option:checked")).to_contain_text("示例建工集团有限公司")
    assert pg.input_value("#nd-problem")
    shot(pg, "notice-draft")
    assert_tap_targets(pg)
    pg.click("#nd-issue")
    issued = pg.locator("#finding-list .finding button", has_text="已下发")
    expect(issued).to_have_count(2)  # the finding, and one written for the out-of-tolerance set
    notice_no = re.search(r"已下发 (\S+)", issued.first.text_content()).group(1)
    expect(issued.nth(1)).to_have_text(f"已下发 {notice_no} ›")
    expect(pg.locator("#measurement-list")).to_contain_text(f"已下发 {notice_no}")

    # 完成检查, then the printable record opens in a new tab
    pg.fill("#fin-conclusion", "发现问题两项，已下发整改通知单")
    pg.click("#finish-form button[type=submit]")
    expect(detail.locator(".badge.st-finished")).to_have_text("已完成")
    expect(pg.locator("#finding-form")).to_have_count(0)
    shot(pg, "record-finished")
    open_pdf(pg, "#record-pdf", f"/v1/inspections/{record_no}/pdf")
    pdf = api(server, "contractor", "GET", f"/v1/inspections/{record_no}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # 回复: the contractor answers on their own phone with text and a photo
    ctx, boss = phone(browser)
    try:
        enter(boss, server, "contractor", "企业用户")
        visit(boss, server, f"notices/{notice_no}")
        reply = boss.locator("#reply-form")
        expect(reply).to_be_visible()
        expect(boss.locator("#notice-detail")).to_contain_text("ZJ/T 102-2025")
        boss.fill("#reply-form textarea[name=reply]", "已更换垫块")
        boss.set_input_files("#reply-form input[type=file]", str(photo(tmp_path, "整改.jpg", "2026:12:05 08:00:00")))
        shot(boss, "contractor-reply")
        boss.click("#reply-form button[type=submit]")
        expect(boss.locator("#notice-detail .badge.st-replied")).to_have_text("已回复待复查")
        assert api(server, "inspector", "GET", f"/v1/rectifications/{notice_no}").json()["reply_photos"]

        # 复查 fails: re-issued with a new deadline
        visit(pg, server, f"notices/{notice_no}")
        expect(pg.locator("#reinspect-form")).to_be_visible()
        new_deadline = (date.today() + timedelta(days=20)).isoformat()
        pg.fill("#reinspect-note", "板底垫块间距仍大于1 m")
        pg.fill("#reinspect-deadline", new_deadline)
        shot(pg, "reinspect-fail")
        pg.click("#reinspect-fail")
        notice = pg.locator("#notice-detail")
        expect(notice.locator(".badge.st-open")).to_have_text("待整改")
        expect(notice).to_contain_text(f"整改期限{new_deadline}")
        expect(notice).to_contain_text("1 次")
        shot(pg, "reissued")

        boss.reload()
        expect(boss.locator("body")).to_have_attribute("data-ready", "true")
        boss.fill("#reply-form textarea[name=reply]", "按梅花形加密垫块，间距不大于600 mm")
        boss.click("#reply-form button[type=submit]")
        expect(boss.locator("#notice-detail .badge.st-replied")).to_have_text("已回复待复查")
    finally:
        ctx.close()

    # 复查 passes: 销号
    pg.reload()
    expect(pg.locator("body")).to_have_attribute("data-ready", "true")
    pg.fill("#reinspect-note", "复查合格")
    pg.click("#reinspect-pass")
    expect(notice.locator(".badge.st-closed")).to_have_text("已销项")
    open_pdf(pg, "#notice-pdf", f"/v1/rectifications/{notice_no}/pdf")
    shot(pg, "closed")

    # the re-issue drafted a bad credit record: confirmed on the drafts page, explained on the enterprise page
    visit(pg, server, "drafts")
    item = pg.locator("#draft-list .draft", has_text=notice_no)
    expect(item).to_contain_text("示例建工集团有限公司")
    shot(pg, "credit-drafts")
    item.locator("button.confirm-open").click()
    shot(pg, "credit-confirm")
    item.locator("button[type=submit]").click()
    expect(pg.locator("#draft-list")).not_to_contain_text(notice_no)
    visit(pg, server, "credit/示例建工集团有限公司")
    expect(pg.locator("#score-why")).to_have_text("信用分 93 = 基础分 70 + 良好记录 25 − 不良记录 2")
    record = pg.locator(f"#credit-records [data-document='{notice_no}']")
    expect(record).to_contain_text("不良")
    expect(record.locator("button")).to_have_text(f"依据 {notice_no} ›")
    shot(pg, "enterprise-credit")
    no_overflow(pg)

    # 发布为案例: the draft (names removed), the cause typed with a firm's name, previewed anonymised, published
    visit(pg, server, f"notices/{notice_no}")
    pg.click("#case-open")
    expect(pg.locator("#case-problem")).not_to_have_value(re.compile("示例建工"))
    pg.fill("#case-title", "楼板垫块以碎砖代替致保护层不足")
    pg.fill("#case-cause", "示例建工集团有限公司班组图省事，用碎砖头代替砂浆垫块，垫块间距过大，浇筑时钢筋下沉")
    pg.fill("#case-tags", "垫块 保护层 碎砖")
    pg.click("#case-preview-open")
    preview = pg.locator("#case-preview")
    expect(preview).to_contain_text("某施工单位班组图省事")
    expect(preview).not_to_contain_text("示例建工")
    shot(pg, "case-preview")
    pg.click("#case-publish")
    done = pg.locator("#case-published")
    expect(done).to_contain_text("已发布为案例 AL")
    case_no = re.search(r"已发布为案例 (AL[\d-]+)", done.text_content()).group(1)
    shot(pg, "case-publishing")
    expect(pg.locator("#case-job")).to_contain_text("已导入知识库", timeout=LONG)
    shot(pg, "case-published")

    # found by the page's search
    pg.click("#case-search")
    expect(pg.locator("#search-status")).to_contain_text("找到", timeout=60_000)
    hit = pg.locator("#search-results .clause", has_text=case_no)
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("某施工单位")
    expect(hit).not_to_contain_text("示例建工")
    expect(hit.locator(".badge.kind")).to_have_text("案例")
    hit.scroll_into_view_if_needed()
    shot(pg, "case-found")
    assert pg.errors == []  # type: ignore[attr-defined]


def test_measuring_fast_entry_and_a_bad_reading(server, page, shot):
    pg = page
    rec = api(server, "inspector", "POST", "/v1/inspections", json={"project": school_id(server), "position": "二层梁"}).json()
    enter(pg, server, "inspector", "监督员")
    visit(pg, server, f"inspect/{rec['record_no']}")
    expect(pg.locator("#inspect-detail")).to_contain_text(rec["record_no"])
    shot(pg, "record")
    pg.locator("#inspect-detail nav.quick button", has_text="实测实量").click()
    expect(pg.locator("#m-item")).to_be_in_viewport()
    pg.select_option("#m-item", "CV-02")
    pg.fill("#m-design", "25")
    pg.fill("#m-fast", "26 24，31、25.5 二十 27")
    pg.press("#m-fast", "Enter")
    pg.locator("#m-fast").blur()
    expect(pg.locator("#m-points input")).to_have_count(6)
    expect(pg.locator("#m-points input").nth(4)).to_have_value("二十")
    expect(pg.locator("#m-error")).to_contain_text("第5个实测值“二十”不是数字")
    expect(pg.locator("#m-points input.bad")).to_have_count(1)
    pg.locator("#measure-form").scroll_into_view_if_needed()
    shot(pg, "bad-reading")
    pg.locator("#m-points input").nth(4).fill("28")
    expect(pg.locator("#m-error")).to_be_hidden()
    expect(pg.locator("#m-verdict .rate")).to_contain_text("合格点率 100%")
    expect(pg.locator("#m-verdict .alert-banner")).to_have_count(0)
    shot(pg, "all-ok")
    pg.click("#m-save")
    expect(pg.locator("#measurement-list .measurement .top .badge")).to_have_text("合格")
    assert pg.errors == []  # type: ignore[attr-defined]


def test_an_inspection_from_a_scheduled_booking_and_the_project_timeline(server, page, shot):
    pg = page
    booking = next(b for b in api(server, "inspector", "GET", "/v1/bookings").json() if b["status"] == "scheduled")
    enter(pg, server, "inspector", "监督员")
    visit(pg, server, f"queue/{booking['booking_no']}")
    expect(pg.locator("#queue-detail")).to_contain_text(booking["booking_no"])
    shot(pg, "booking")
    pg.click("#inspect-from-booking")
    expect(pg.locator("#ins-source")).to_have_value("booking")
    expect(pg.locator("#ins-booking")).to_have_value(booking["booking_no"])
    expect(pg.locator("#ins-project")).to_have_value(str(booking["project_id"]))
    expect(pg.locator("#inspect-form input[name=inspectors]:checked")).to_have_count(len(booking["inspectors"]))
    shot(pg, "from-booking")
    pg.click("#inspect-form button[type=submit]")
    detail = pg.locator("#inspect-detail")
    expect(detail).to_contain_text(f"预约验收监督（预约 {booking['booking_no']}）")
    pg.click("#record-timeline")
    timeline = pg.locator("#timeline")
    expect(timeline.locator("[data-kind=inspection]").first).to_be_visible()
    expect(timeline.locator(f"[data-number='{booking['booking_no']}']")).to_contain_text("监督预约")
    shot(pg, "timeline")
    no_overflow(pg)
    assert_tap_targets(pg)
    timeline.locator(f"[data-number='{booking['booking_no']}'] button.open").click()
    expect(pg.locator("#queue-detail")).to_contain_text(booking["booking_no"])
    assert pg.errors == []  # type: ignore[attr-defined]


def test_random_check_draw_with_its_seed_and_history(server, page, shot):
    pg = page
    enter(pg, server, "inspector", "监督员")
    pg.click("#go-spotcheck")
    pg.fill("#draw-start", "2026-10-01")
    pg.fill("#draw-end", "2026-12-31")
    pg.fill("#draw-seed-input", "audit-1")
    shot(pg, "draw-form")
    pg.click("#draw-submit")
    result = pg.locator("#draw-result")
    expect(pg.locator("#draw-seed")).to_have_text("audit-1")
    expect(result.locator(".row-between .badge")).to_have_text("复核一致")
    expect(result.locator("#draw-picks .item")).to_have_count(2)   # both D-grade projects, never the A one
    expect(result).not_to_contain_text(SCHOOL)
    draw_no = result.get_attribute("data-draw")
    expect(pg.locator("#draw-history")).to_contain_text(draw_no)
    shot(pg, "drawn")
    pg.locator("#draw-history").scroll_into_view_if_needed()
    shot(pg, "draw-history")
    no_overflow(pg)
    assert_tap_targets(pg)
    result.locator("button.start-check").first.click()
    expect(pg.locator("#ins-source")).to_have_value("spot_check")
    expect(pg.locator("#ins-spot")).to_have_value(draw_no)
    drawn = api(server, "inspector", "GET", f"/v1/spot-checks/{draw_no}").json()["picks"][0]["inspector_ids"]
    ticked = pg.locator("#inspect-form input[name=inspectors]:checked")
    expect(ticked).to_have_count(len(drawn))
    assert sorted(int(v) for v in ticked.evaluate_all("bs => bs.map(b => b.value)")) == sorted(drawn)
    pg.click("#inspect-form button[type=submit]")
    expect(pg.locator("#inspect-detail")).to_contain_text("双随机抽查")
    shot(pg, "spot-record")
    visit(pg, server, f"spotcheck/{draw_no}")
    expect(pg.locator("#draw-picks")).to_contain_text("检查记录 JC")
    assert pg.errors == []  # type: ignore[attr-defined]


def _overdue_notice(server) -> str:
    """A notice issued a month ago whose deadline passed ten days ago, not answered."""
    from assistant.config import Settings
    from assistant.store import rectifications
    from assistant.store.actors import Actor
    from assistant.store.db import make_engine, session_scope
    from assistant.store.rules import StoreRules

    settings = Settings(data_dir=server["data"])
    rules = StoreRules.from_settings(settings)
    engine = make_engine(settings.sqlalchemy_url)
    past = datetime.now().astimezone() - timedelta(days=30)
    with session_scope(engine) as s:
        n = rectifications.issue_notice(s, Actor.system("测试准备"), project="示例监2026-003", problem="模板支撑立杆间距过大（测试）",
                                        deadline=(past + timedelta(days=20)).date(), rules=rules, now=past)
    engine.dispose()
    return n.notice_no


def test_overdue_notices_are_queued_and_escalated_once(server, page, shot):
    pg = page
    notice_no = _overdue_notice(server)
    enter(pg, server, "inspector", "监督员")
    pg.click(".tab[data-go=notices]")
    expect(pg.locator("#notice-list")).not_to_contain_text("加载中")
    expect(pg.locator("#overdue-count")).to_have_text("1")
    shot(pg, "notices")
    pg.click("#view-notices .seg[data-status=overdue]")
    item = pg.locator(f"#notice-list [data-notice='{notice_no}']")
    expect(item.locator(".badge")).to_have_text(re.compile(r"逾期 1\d 天"))
    shot(pg, "overdue-queue")
    no_overflow(pg)
    assert_tap_targets(pg)
    pg.click("#notice-escalate")
    expect(pg.locator("#toast")).to_contain_text("已催办")
    expect(item).to_contain_text("已催办")
    pg.click("#notice-escalate")
    expect(pg.locator("#toast")).to_contain_text("无需重复催办")
    visit(pg, server, "drafts")
    draft = pg.locator("#draft-list .draft", has_text=notice_no)
    expect(draft).to_contain_text("逾期")
    shot(pg, "overdue-draft")
    draft.locator("button.reject-open").click()
    draft.locator("button[type=submit]").click()
    expect(draft.locator(".field-error")).to_have_text("请填写驳回理由")
    draft.locator("textarea[name=note]").fill("已延期，延期申请经批准（测试）")
    shot(pg, "reject-draft")
    draft.locator("button[type=submit]").click()
    expect(pg.locator("#draft-list")).not_to_contain_text(notice_no)
    pg.click("#view-drafts .seg[data-status=rejected]")
    expect(pg.locator("#draft-list .draft", has_text=notice_no)).to_contain_text("已延期，延期申请经批准（测试）")
    assert pg.errors == []  # type: ignore[attr-defined]
