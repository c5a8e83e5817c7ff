"""The web page in Debian's chromium, against a real `zhijian serve`: search, ask, sign in, book, see the booking.

A screenshot of each screen goes to tests/artifacts/ (kept by CI as a test
artifact, ignored by git). Skips when chromium or the playwright package is absent.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="python playwright package not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_installation: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`zhijian serve` on a copy of the sample installation, as the README runs it; its printed demo tokens."""
    data = tmp_path_factory.mktemp("serve") / "var"
    shutil.copytree(sample_installation, data)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_")}
    env.update({"ZHIJIAN_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"})
    proc = subprocess.Popen([sys.executable, "-c", "from assistant.cli import main; main()", "serve",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8")
    lines: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if "按 Ctrl+C 停止" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert ready.wait(180), "zhijian serve did not start:\n" + "\n".join(lines)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        tokens = {}
        for role, label in (("admin", "管理员"), ("inspector", "监督员"), ("contractor", "企业用户")):
            m = next(re.search(r"(zj_[A-Za-z0-9_-]+)", ln) for ln in lines if ln.strip().startswith(label))
            tokens[role] = m.group(1)
        assert any(f"{url}/" in ln for ln in lines)
        yield {"url": url, "tokens": tokens, "log": lines}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def page(server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True,
                                      is_mobile=True, device_scale_factor=1)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()


def shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_search_ask_book_and_see_the_booking(server, page):
    expect = playwright_api.expect
    pg = page
    pg.goto(server["url"] + "/")
    expect(pg.locator("body")).to_have_attribute("data-ready", "true")

    # 1. Search: clause results with code, number, badges, text and a copy button.
    pg.fill("#search-q", "钢筋保护层厚度")
    pg.check("#search-mandatory")
    pg.click("#search-form button[type=submit]")
    first = pg.locator("#search-results .clause").first
    expect(first).to_be_visible()
    expect(first.locator(".clause-ref")).to_contain_text("第")
    expect(first.locator(".badge.mandatory")).to_have_text("强制性")
    expect(first.locator(".badge.current")).to_have_text("现行")
    first.locator("button.copy").click()
    expect(pg.locator("#toast")).to_contain_text("已复制引用")
    shot(pg, "01-search")

    # 2. Ask, anonymously: an answer citing a clause, with 👍/👎.
    pg.click(".tab[data-go=ask]")
    pg.fill("#ask-q", "拆除底模前施工单位要取得什么报告？")
    pg.click("#ask-send")
    answer = pg.locator(".msg.bot:not(.intro):not(.typing)").last
    expect(answer).to_be_visible(timeout=30000)
    expect(answer.locator(".cite").first).to_contain_text("ZJ/T 101-2025")
    answer.locator(".vote[data-vote=up]").click()
    expect(answer.locator(".vote.chosen")).to_have_count(1)
    shot(pg, "02-ask")

    # 3. Sign in with the contractor's demo token printed by `zhijian serve`.
    pg.click(".tab[data-go=me]")
    pg.fill("#token-input", server["tokens"]["contractor"])
    pg.click("#token-form button[type=submit]")
    expect(pg.locator("#who")).to_contain_text("企业用户")
    expect(pg.locator("#me-card")).to_contain_text("示例建工集团有限公司")
    shot(pg, "03-signed-in")

    # 4. Book: the milestone list and the earliest allowed date, from the store.
    pg.click(".tab[data-go=book]")
    expect(pg.locator("#book-project option")).to_have_count(2)
    pg.select_option("#book-project", index=1)
    milestones = pg.locator("#book-milestone option").all_text_contents()
    assert any("主体结构验收" in m for m in milestones) and any("竣工验收监督" in m for m in milestones)
    pg.select_option("#book-milestone", value="主体结构验收")
    expect(pg.locator("#book-earliest")).to_be_visible()
    earliest = pg.locator("#book-earliest").text_content()[:10]
    assert pg.locator("#book-date").get_attribute("min") == earliest
    pg.fill("#book-phone", "13800000009")
    shot(pg, "04-book-form")
    pg.click("#book-form button[type=submit]")
    expect(pg.locator("#book-result.ok")).to_be_visible()
    booking_no = pg.locator("#booking-no").text_content()
    assert re.fullmatch(r"\d{4}-\d{6}", booking_no)
    shot(pg, "05-booked")

    # 5. My bookings: the new booking is listed; its detail shows the history.
    pg.locator("#book-result button").click()
    item = pg.locator(f"#mine-list [data-booking='{booking_no}']")
    expect(item).to_be_visible()
    expect(item).to_contain_text("主体结构验收")
    expect(item).to_contain_text("已提交")
    item.locator("button.open").click()
    expect(pg.locator("#mine-detail")).to_contain_text(booking_no)
    expect(pg.locator("#mine-detail .history")).to_contain_text("提交")
    shot(pg, "06-my-bookings")

    # The booking really is in the store, for the station to see.
    staff = httpx.get(f"{server['url']}/v1/bookings/{booking_no}",
                      headers={"Authorization": f"Bearer {server['tokens']['inspector']}"}).json()
    assert staff["status"] == "submitted" and staff["milestone"] == "主体结构验收"

    # 6. Credit lookup.
    pg.click(".tab[data-go=credit]")
    pg.fill("#credit-q", "示例建工")
    pg.click("#credit-form button[type=submit]")
    expect(pg.locator(".grade .letter")).to_have_text("A")
    expect(pg.locator("#credit-result")).to_contain_text("无事不扰")
    shot(pg, "07-credit")

    # 7. Visit request.
    pg.click(".tab[data-go=me]")
    pg.click("button.link[data-go=visit]")
    pg.select_option("#visit-topic", value="方案优化")
    pg.fill("#visit-desc", "高支模专项方案优化咨询（测试）")
    pg.fill("#visit-phone", "13800000009")
    pg.click("#visit-form button[type=submit]")
    expect(pg.locator("#visit-result.ok")).to_contain_text("申请已提交")
    expect(pg.locator("#visit-list")).to_contain_text("方案优化")
    shot(pg, "08-visit")

    assert pg.errors == [], pg.errors  # type: ignore[attr-defined]
