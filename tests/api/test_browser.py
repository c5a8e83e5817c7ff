"""The web page in Debian's chromium at 390×844, against a real `zhijian serve`: each role's main path.

- anyone: search with badges and copy, ask with citations and a rating;
- 企业用户: a booking refused with the reason shown (no "null"), our own validation messages beside the fields,
  a booking made and cancelled with a reason, a notice answered with a photo, the chat restored after a reload;
- 监督员: accepts, schedules (warned of a conflict, confirms) and completes a booking with a photo; inserts a
  clause into a new notice; dispatches an expert;
- 服务团专家: sees the firm's context and records a visit with a photo;
- 管理员: uploads a standard and watches the job finish; settings, tokens and the report.

Assertions are on what the page shows. A screenshot of every step goes to the test's temporary folder
(printed, and copied to tests/artifacts/ which CI keeps). Skips when chromium or playwright is absent.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import time as clock

import pytest

from tests.plugins.browser import (
    CHROMIUM,
    api,
    assert_tap_targets,
    clear_of_tab_bar,
    open_page,
    photo,
    sign_in,
)

SCHOOL = "示例县第一中学综合楼（示例）"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="python playwright package not installed")
expect = playwright_api.expect


def test_anyone_searches_and_asks(server, page, shot):
    pg = page
    open_page(pg, server)
    expect(pg.locator(".tab")).to_have_count(4)  # 检索 问答 信用 我的
    pg.fill("#search-q", "钢筋保护层厚度")
    pg.check("#search-mandatory")
    pg.click("#search-form button[type=submit]")
    first = pg.locator("#search-results .clause").first
    expect(first).to_be_visible()
    expect(first.locator(".clause-ref")).to_contain_text("第")
    expect(first.locator(".badge.mandatory")).to_have_text("强制性")
    expect(first.locator(".badge.current")).to_have_text("现行")
    expect(first.locator("button.insert")).to_have_count(0)  # staff only
    first.locator("button.copy").click()
    expect(pg.locator("#toast")).to_contain_text("已复制引用")
    shot(pg, "search")

    pg.click(".tab[data-go=ask]")
    pg.fill("#ask-q", "拆除底模前施工单位要取得什么报告？")
    pg.click("#ask-send")
    answer = pg.locator(".msg.bot:not(.intro):not(.typing)").last
    expect(answer).to_be_visible(timeout=30000)
    expect(answer.locator(".cite").first).to_contain_text("ZJ/T 101-2025")
    up = answer.locator(".vote[data-vote=up]")
    expect(up).to_have_text("有用")  # an icon and a word, no emoji
    assert up.locator("svg").count() == 1
    up.click()
    expect(answer.locator(".vote.chosen")).to_have_count(1)
    shot(pg, "ask")
    assert_tap_targets(pg)
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]


def test_contractor_books_is_refused_with_the_reason_and_answers_a_notice(server, page, shot, tmp_path):
    pg = page
    school = next(p["id"] for p in api(server, "admin", "GET", "/v1/projects").json() if p["name"] == SCHOOL)

    sign_in(pg, server, "contractor", "企业用户")
    expect(pg.locator(".tab")).to_have_count(6)
    expect(pg.locator(".tab.active")).to_have_text("问答")
    labels = pg.locator(".tab").all_text_contents()
    assert labels == ["问答", "检索", "预约", "整改", "服务申请", "我的"], labels
    shot(pg, "signed-in")

    # Our own Chinese messages beside the fields, not the browser's.
    pg.click(".tab[data-go=book]")
    expect(pg.locator("#book-project option")).to_have_count(2)
    pg.click("#book-form button[type=submit]")
    expect(pg.locator("#book-project").locator("xpath=..").locator(".field-error")).to_have_text("请选择工程")
    expect(pg.locator("#book-phone").locator("xpath=..").locator(".field-error")).to_have_text("请填写联系电话")
    shot(pg, "validation")

    # 主体结构 while 地基与基础 is only scheduled: refused, the store's reason shown as it is.
    pg.select_option("#book-project", index=1)
    pg.select_option("#book-milestone", value="主体结构验收")
    expect(pg.locator("#book-earliest")).to_be_visible()
    chip = pg.locator(".day:not(.full)").nth(1)
    chip.click()
    expect(chip).to_have_class(re.compile(r"\bselected\b"))
    expect(chip).to_have_attribute("aria-pressed", "true")
    assert pg.input_value("#book-date") == chip.get_attribute("data-day")
    pg.fill("#book-phone", "12345")
    pg.click("#book-form button[type=submit]")
    expect(pg.locator("#book-phone").locator("xpath=..").locator(".field-error")).to_contain_text("11位手机号")
    pg.fill("#book-phone", "13800000009")
    pg.click("#book-form button[type=submit]")
    result = pg.locator("#book-result.err")
    expect(result).to_contain_text("地基与基础验收")
    expect(result).to_contain_text("尚未办结，主体结构验收须在其办结后预约")
    assert "null" not in result.inner_text() and "undefined" not in result.inner_text()
    pg.wait_for_timeout(500)  # the smooth scroll
    clear_of_tab_bar(pg, "#book-result")
    shot(pg, "refused-with-reason")

    # 竣工验收监督 is the 建设单位's to book.
    pg.select_option("#book-milestone", value="竣工验收监督")
    expect(pg.locator("#book-earliest")).to_be_visible()
    pg.click("#book-form button[type=submit]")
    expect(pg.locator("#book-result.err")).to_contain_text("由建设单位组织")
    shot(pg, "refused-completion")

    # 节能验收 goes through.
    pg.select_option("#book-milestone", value="节能验收")
    expect(pg.locator("#book-earliest")).to_be_visible()
    pg.click("#book-form button[type=submit]")
    expect(pg.locator("#book-result.ok")).to_be_visible()
    booking_no = pg.locator("#booking-no").text_content()
    assert re.fullmatch(r"\d{4}-\d{6}", booking_no or "")
    shot(pg, "booked")

    # My bookings: history, tap-to-call, cancel with a reason in the page (no window.prompt).
    pg.locator("#book-result button").click()
    item = pg.locator(f"#mine-list [data-booking='{booking_no}']")
    expect(item).to_contain_text("节能验收")
    item.locator("button.open").click()
    detail = pg.locator("#mine-detail")
    expect(detail).to_contain_text(booking_no)
    expect(detail.locator(".history")).to_contain_text("提交")
    expect(detail.locator("a.tel")).to_have_attribute("href", "tel:13800000009")
    assert_tap_targets(pg)
    pg.click("#cancel-open")
    pg.click("#cancel-form button[type=submit]")
    expect(pg.locator("#cancel-form .field-error")).to_have_text("请填写取消原因")
    pg.fill("#cancel-form textarea", "现场条件未具备（测试）")
    shot(pg, "cancel-reason")
    pg.click("#cancel-form button[type=submit]")
    expect(detail.locator(".badge.st-cancelled")).to_have_text("已取消")
    expect(detail).to_contain_text("现场条件未具备（测试）")
    shot(pg, "cancelled")

    # A notice issued to the firm (by an inspector meanwhile): answered with text and a photo.
    notice = api(server, "inspector", "POST", "/v1/rectifications",
                 json={"project": school, "problem": "二层梁模板支撑立杆间距过大（测试）", "deadline": "2099-01-05",
                       "cited_code": "ZJ/T 109-2025", "cited_clause": "4.2.1"}).json()["notice_no"]
    pg.click(".tab[data-go=notices]")
    row = pg.locator(f"#notice-list [data-notice='{notice}']")
    expect(row).to_contain_text("二层梁模板支撑")
    row.locator("button.open").click()
    expect(pg.locator("#notice-detail")).to_contain_text("ZJ/T 109-2025 第4.2.1条")
    pg.fill("#reply-form textarea[name=reply]", "已按方案加密立杆并复核（测试）")
    pg.set_input_files("#reply-form input[type=file]", str(photo(tmp_path, "整改后.jpg", "2026:12:03 09:15:00")))
    expect(pg.locator("#reply-form .thumb")).to_have_count(1)
    shot(pg, "reply-with-photo")
    pg.click("#reply-form button[type=submit]")
    detail = pg.locator("#notice-detail")
    expect(detail.locator(".badge.st-replied")).to_have_text("已回复待复查")
    expect(detail).to_contain_text("已按方案加密立杆并复核（测试）")
    expect(detail.locator(".gallery .thumb-btn")).to_have_count(1)
    expect(detail.locator(".gallery")).to_contain_text("2026-12-03 09:15")
    expect(detail.locator(".gallery img")).to_have_js_property("complete", True)
    assert detail.locator(".gallery img").evaluate("i => i.naturalWidth") > 0
    shot(pg, "replied")
    kept = api(server, "inspector", "GET", f"/v1/attachments/notice/{notice}").json()
    assert kept[0]["taken_at"] == "2026:12:03 09:15:00"

    # The chat: the conversation comes back after a reload.
    pg.click(".tab[data-go=ask]")
    pg.fill("#ask-q", "我的预约")
    pg.click("#ask-send")
    expect(pg.locator(".msg.bot:not(.intro):not(.typing)").last).to_be_visible(timeout=30000)
    pg.reload()
    expect(pg.locator("body")).to_have_attribute("data-ready", "true")
    expect(pg.locator(".msg.user")).to_have_text(["我的预约"])
    expect(pg.locator("#chat-log")).to_contain_text("以上为之前的对话")
    shot(pg, "chat-restored")
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]


def _overdue_booking(server) -> str:
    """A booking scheduled for a day already past (made three weeks ago), waiting to be completed."""
    from assistant.config import Settings
    from assistant.store import bookings
    from assistant.store.actors import Actor
    from assistant.store.booking_views import booking_window
    from assistant.store.db import make_engine, session_scope
    from assistant.store.rules import StoreRules

    settings = Settings(data_dir=server["data"])
    rules = StoreRules.from_settings(settings)
    engine = make_engine(settings.sqlalchemy_url)
    past = datetime.now().astimezone() - timedelta(days=21)
    staff = Actor.system("测试准备")
    with session_scope(engine) as s:
        day = booking_window(s, "示例监2026-003", "地基与基础验收", rules=rules, now=past).days[0].day
        b = bookings.create_booking(s, staff, project="示例监2026-003", milestone="地基与基础验收", requested_date=day,
                                    contact_name="示例资料员", contact_phone="13900000002", rules=rules, now=past)
        bookings.accept_booking(s, staff, b.booking_no, rules=rules, now=past)
        bookings.schedule_booking(s, staff, b.booking_no, inspectors=["wang", "zhang"], at_time=clock(10),
                                  rules=rules, now=past)
    engine.dispose()
    return b.booking_no


def test_inspector_accepts_schedules_with_a_conflict_and_completes(server, page, shot, tmp_path):
    pg = page
    overdue = _overdue_booking(server)
    listed = api(server, "admin", "GET", "/v1/bookings").json()
    school_day = next(b for b in listed if b["project_name"] == SCHOOL and b["milestone"] == "地基与基础验收")
    pending = next(b["booking_no"] for b in listed if b["status"] == "submitted")

    sign_in(pg, server, "inspector", "监督员")
    assert pg.locator(".tab").all_text_contents() == ["预约", "整改", "服务", "检索", "信用", "我的"]
    tabs = pg.locator("#queue-tabs")
    expect(tabs.locator("[data-queue=pending] .count")).to_have_text("1")
    expect(tabs.locator("[data-queue=overdue] .count")).to_have_text("1")
    shot(pg, "queues")

    # 受理
    tabs.locator("[data-queue=pending]").click()
    pg.locator(f"#queue-list [data-booking='{pending}'] button.open").click()
    detail = pg.locator("#queue-detail")
    expect(detail).to_contain_text("示例县人民医院门诊楼（示例）")
    pg.click("#accept")
    expect(detail.locator(".badge.st-accepted")).to_have_text("已受理")
    shot(pg, "accepted")

    # 排期: 张 and 李 are at the school at 09:00 that day — warned, then confirmed.
    pg.click("#schedule-open")
    form = pg.locator("#schedule-form")
    form.locator("input[name=on_date]").fill(school_day["inspection_date"])
    form.locator("input[name=at_time]").fill("09:30")
    form.locator("label.check", has_text="张监督").click()
    form.locator("label.check", has_text="李监督").click()
    warning = pg.locator("#conflict-warning")
    expect(warning).to_contain_text("时间冲突")
    expect(warning).to_contain_text(school_day["booking_no"])
    shot(pg, "conflict-warning")
    form.locator("button[type=submit]").click()
    expect(pg.locator("#schedule-anyway")).to_be_visible()
    shot(pg, "conflict-confirm")
    assert_tap_targets(pg)
    pg.click("#schedule-anyway")
    expect(detail.locator(".badge.st-scheduled")).to_have_text("已排期")
    expect(detail).to_contain_text("张监督（示例）、李监督（示例）")
    expect(detail).to_contain_text("09:30")
    shot(pg, "scheduled")

    # 办结 the overdue one, with a site photo.
    pg.click("button.back")
    pg.locator("#queue-tabs [data-queue=overdue]").click()
    pg.locator(f"#queue-list [data-booking='{overdue}'] button.open").click()
    pg.click("#complete-open")
    pg.click("#complete-form button[type=submit]")
    expect(pg.locator("#complete-form .field-error").first).to_have_text("请填写监督结论")
    pg.fill("#complete-form textarea[name=result]", "地基与基础分部验收合格（测试）")
    pg.set_input_files("#complete-form input[type=file]", str(photo(tmp_path, "现场.jpg", "2026:11:20 10:05:00")))
    shot(pg, "complete-form")
    pg.click("#complete-form button[type=submit]")
    expect(detail.locator(".badge.st-completed")).to_have_text("已完成")
    expect(detail).to_contain_text("地基与基础分部验收合格（测试）")
    expect(detail.locator(".gallery .thumb-btn")).to_have_count(1)
    shot(pg, "completed")
    detail.locator(".gallery .thumb-btn").click()
    expect(pg.locator("#dialog .full-img")).to_be_visible()
    expect(pg.locator("#dialog")).to_contain_text("拍摄于 2026-11-20 10:05:00")
    shot(pg, "photo-evidence")
    pg.locator("#dialog button", has_text="关闭").click()

    # A clause inserted into a new notice with one tap, then issued.
    pg.click(".tab[data-go=search]")
    pg.fill("#search-q", "钢筋保护层厚度")
    pg.check("#search-mandatory")
    pg.click("#search-form button[type=submit]")
    first = pg.locator("#search-results .clause").first
    ref = first.locator(".clause-ref").text_content()
    first.locator("button.insert").click()
    expect(pg.locator("#nn-problem")).to_have_value(re.compile("违反《"))
    code = pg.input_value("#nn-code")
    assert code and code in (ref or "")
    pg.select_option("#nn-project", label=f"{SCHOOL}（示例监2026-001）")
    shot(pg, "notice-draft")
    pg.click("#notice-form button[type=submit]")
    notice = pg.locator("#notice-detail")
    expect(notice.locator(".badge.st-open")).to_have_text("待整改")
    expect(notice).to_contain_text(code)
    shot(pg, "notice-issued")

    # 派遣专家 from the visit queue.
    pg.click(".tab[data-go=dispatch]")
    first = pg.locator("#dispatch-queue .item").first
    expect(first).to_contain_text("优先级")
    visit_no = first.get_attribute("data-visit")
    first.locator("button", has_text="派遣专家").click()
    first.locator("label.check", has_text="赵专家").click()
    first.locator("input[name=planned_date]").fill(school_day["inspection_date"])
    first.locator("button[type=submit]").click()
    expect(pg.locator(f"#dispatch-out [data-visit='{visit_no}']")).to_contain_text("已派员")
    shot(pg, "dispatched")

    # The firm cancels the booking 张 was just assigned to: he is told, in the page (earlier notices read first).
    assert api(server, "inspector", "POST", "/v1/notifications/read", json={}).status_code == 200
    assert api(server, "admin", "POST", f"/v1/bookings/{pending}/cancel", json={"reason": "设计变更，暂缓（测试）"}).status_code == 200
    pg.reload()
    expect(pg.locator("body")).to_have_attribute("data-ready", "true")
    expect(pg.locator("#bell-count")).to_have_text("1")
    pg.click("#bell")
    told = pg.locator("#inbox-list .item.unread").first
    expect(told).to_contain_text("预约已取消")
    expect(told).to_contain_text(pending)
    expect(told).to_contain_text("设计变更，暂缓（测试）")
    shot(pg, "told-of-cancellation")
    told.locator("button.open").click()
    expect(pg.locator("#queue-detail .badge.st-cancelled")).to_have_text("已取消")
    expect(pg.locator("#bell-count")).to_be_hidden()
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]


def test_expert_records_a_visit_with_a_photo(server, page, shot, tmp_path):
    pg = page
    visits = api(server, "admin", "GET", "/v1/visits").json()
    v = next(x for x in visits if x["enterprise_name"] == "示例市政建设有限公司")
    if v["status"] == "submitted":  # not yet dispatched in the inspector's test
        day = next(b for b in api(server, "admin", "GET", "/v1/bookings").json() if b["status"] == "scheduled")
        assert api(server, "admin", "POST", f"/v1/visits/{v['visit_no']}/assign",
                   json={"experts": ["zhao"], "planned_date": day["inspection_date"]}).status_code == 200
    day = api(server, "admin", "GET", f"/v1/visits/{v['visit_no']}").json()["planned_date"]

    sign_in(pg, server, "expert", "服务团专家")
    expect(pg.locator(".tab.active")).to_have_text("我的服务")
    item = pg.locator(f"#expert-list [data-visit='{v['visit_no']}']")
    expect(item).to_contain_text(f"计划 {day}")
    shot(pg, "my-visits")
    item.locator("button.open").click()
    ctx = pg.locator("#enterprise-context")
    expect(ctx.locator(".letter")).to_have_text("D")
    expect(ctx).to_contain_text("三层楼板钢筋保护层厚度抽检不合格")
    shot(pg, "context")
    pg.click("#record-form button[type=submit]")
    expect(pg.locator("#record-form textarea[name=findings]").locator("xpath=..").locator(".field-error")).to_have_text("请填写诊断")
    pg.fill("#record-form textarea[name=findings]", "保护层垫块间距过大、绑扎不牢（测试）")
    pg.fill("#record-form textarea[name=advice]", "垫块按600mm梅花形布置，浇筑前逐跨检查（测试）")
    pg.set_input_files("#record-form input[type=file]", str(photo(tmp_path, "垫块.jpg", "2026:12:04 14:30:00")))
    shot(pg, "record-form")
    assert_tap_targets(pg)
    pg.click("#record-form button[type=submit]")
    detail = pg.locator("#expert-detail")
    expect(detail.locator(".badge.st-visited")).to_have_text("已上门服务")
    expect(detail).to_contain_text("建议：垫块按600mm梅花形布置")
    expect(detail.locator(".gallery .thumb-btn")).to_have_count(1)
    shot(pg, "recorded")
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]


NEW_DOC = """---
code: ZJ/T 198-2026
title: 外墙保温工程质量要点（测试）
kind: guide
status: 现行
---

## 1 总则

1.0.1 为统一本县外墙外保温工程的监督检查要点，制定本要点。

## 2 施工

2.0.1 保温板粘贴应采用点框法，粘结面积不应小于保温板面积的百分之四十。
2.0.2 锚栓数量和锚固深度应符合设计要求，并应进行现场拉拔试验。
"""


def test_admin_uploads_a_standard_and_watches_it_finish(server, page, shot, tmp_path):
    pg = page
    sign_in(pg, server, "admin", "管理员")
    assert pg.locator(".tab").all_text_contents() == ["条文库", "报表", "账号", "设置", "我的"]
    expect(pg.locator("#doc-list .item").first).to_be_visible()
    shot(pg, "library")
    doc = tmp_path / "外墙保温要点.md"
    doc.write_text(NEW_DOC, encoding="utf-8")
    pg.set_input_files("#upload-files", str(doc))
    expect(pg.locator("#upload-chosen")).to_have_text("外墙保温要点.md")
    pg.click("#upload-go")
    expect(pg.locator("#upload-progress")).to_be_visible()
    shot(pg, "uploading")
    result = pg.locator("#upload-result")
    expect(result).to_have_class(re.compile(r"\bok\b"), timeout=240000)
    expect(result).to_contain_text("导入已完成")
    expect(result).to_contain_text("ZJ/T 198-2026")
    assert pg.locator("#upload-progress").evaluate("p => p.value") == 100
    expect(pg.locator("#doc-list [data-code='ZJ/T 198-2026']")).to_contain_text("现行")
    shot(pg, "ingested")

    # Retire it, replaced by another code, after a confirmation.
    pg.locator("#doc-list [data-code='ZJ/T 198-2026'] button", has_text="废止").click()
    expect(pg.locator("#dialog")).to_contain_text("标记为废止")
    pg.fill("#retire-by", "ZJ/T 101-2025")
    shot(pg, "retire-confirm")
    pg.click("#dialog-ok")
    expect(pg.locator("#lib-result")).to_contain_text("已完成", timeout=120000)
    expect(pg.locator("#doc-list [data-code='ZJ/T 198-2026']")).to_contain_text("已被 ZJ/T 101-2025 替代")
    shot(pg, "retired")

    # Tokens: issued once in full, listed by prefix; settings read-only; the report.
    pg.click(".tab[data-go=accounts]")
    pg.locator("#acc-list [data-login=li] button", has_text="签发令牌").click()
    pg.click("#dialog-ok")
    token = pg.locator("#secret-value").text_content() or ""
    assert token.startswith("zj_")
    shot(pg, "token-issued")
    pg.locator("#dialog button", has_text="关闭").click()
    pg.locator(".seg[data-seg=tokens]").click()
    expect(pg.locator("#tok-list")).to_contain_text(token[:6])
    assert token not in pg.locator("#tok-list").inner_text()
    shot(pg, "tokens")
    assert_tap_targets(pg)
    pg.click(".tab[data-go=settings]")
    expect(pg.locator("#settings-list dd[data-key=booking_milestone_roles]")).to_contain_text("竣工验收监督")
    expect(pg.locator("#settings-list")).to_contain_text("各事项可由哪些参建单位预约")
    shot(pg, "settings")
    pg.click(".tab[data-go=report]")
    expect(pg.locator(".stats")).to_contain_text("提问总数")
    shot(pg, "report")
    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]
