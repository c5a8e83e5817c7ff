"""The web page in a real browser: `zhijian serve` on a copy of the sample installation, Debian's chromium
at a 390×844 Chinese phone, screenshots of each step, and helpers the browser tests share.

Fixtures skip their test when chromium or the playwright package is missing.
"""

from __future__ import annotations

import io
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
from PIL import Image

try:
    from playwright import sync_api as playwright_api
except ImportError:  # pragma: no cover - the fixtures skip
    playwright_api = None  # type: ignore[assignment]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN"]
ROLE_LINES = (("admin", "管理员"), ("inspector", "监督员"), ("contractor", "企业用户"), ("expert", "服务团专家"))
PHONE = {"width": 390, "height": 844}


def expect(*args, **kw):
    """playwright's ``expect`` (imported lazily so this plugin loads without playwright)."""
    assert playwright_api is not None
    return playwright_api.expect(*args, **kw)


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
        for role, label in ROLE_LINES:
            m = next(re.search(r"(zj_[A-Za-z0-9_-]+)", ln) for ln in lines if ln.strip().startswith(label))
            tokens[role] = m.group(1)
        assert any(f"{url}/" in ln for ln in lines)
        yield {"url": url, "tokens": tokens, "log": lines, "data": data}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    if playwright_api is None or not CHROMIUM.exists():
        pytest.skip("Debian chromium or the python playwright package is not installed")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh phone (390×844, touch, zh-CN): nothing stored from another test."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True,
                                  is_mobile=True, device_scale_factor=1)
    pg = context.new_page()
    errors: list[str] = []
    # A refused request (403, 409) is logged by the browser itself; the page shows the reason instead.
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error"
          and "the server responded with a status of 4" not in m.text else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


class Shots:
    """One screenshot per step, in the test's temporary folder (and copied to tests/artifacts/)."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name, self.n = folder, name, 0
        folder.mkdir(parents=True, exist_ok=True)
        print(f"\nscreenshots: {folder}")

    def __call__(self, pg, step: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{step}.png"
        pg.screenshot(path=str(path))
        ARTIFACTS.joinpath(self.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, ARTIFACTS / self.name / path.name)
        return path


@pytest.fixture
def shot(tmp_path, request) -> Shots:
    return Shots(tmp_path / "screens", request.node.name)


def api(server, role: str, method: str, path: str, **kw) -> httpx.Response:
    return httpx.request(method, server["url"] + path, headers={"Authorization": f"Bearer {server['tokens'][role]}"},
                         timeout=30, **kw)


def open_page(pg, server) -> None:
    pg.goto(server["url"] + "/")
    expect(pg.locator("body")).to_have_attribute("data-ready", "true")


def sign_in(pg, server, role: str, label: str) -> None:
    open_page(pg, server)
    pg.click(".tab[data-go=me]")
    pg.fill("#token-input", server["tokens"][role])
    pg.click("#token-form button[type=submit]")
    expect(pg.locator("#who")).to_contain_text(label)


def photo(folder: Path, name: str, taken: str) -> Path:
    """A phone-sized JPEG carrying an EXIF capture time."""
    img = Image.new("RGB", (2400, 1800), (140, 150, 120))
    for x in range(0, 2400, 200):
        img.paste((200, 80, 60), (x, 0, x + 60, 1800))
    exif = Image.Exif()
    exif[271], exif[272] = "ZJCam", "P1"
    exif.get_ifd(0x8769)[36867] = taken
    path = folder / name
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=85)
    path.write_bytes(buf.getvalue())
    return path


def clear_of_tab_bar(pg, selector: str) -> None:
    """The element is on screen and not under the fixed tab bar."""
    box = pg.locator(selector).bounding_box()
    bar = pg.locator("#tabbar").bounding_box()
    assert box is not None and bar is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= bar["y"] + 1, (box, bar)


def assert_tap_targets(pg) -> None:
    """Every visible button, tab, phone link and checkbox label is at least 44 px high."""
    small = pg.evaluate("""() => [...document.querySelectorAll('button, .tab, a.tel, label.chk, label.check, .day')]
        .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
        .map(e => e.textContent.trim() + ' ' + Math.round(e.getBoundingClientRect().height))""")
    assert small == [], small
