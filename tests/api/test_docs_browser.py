"""The API docs render their operations in a real browser (Debian's chromium), offline."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from assistant.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="python playwright package not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def docs_url(tmp_path):
    """The app on a loopback port (no index or database needed for the docs)."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(data_dir=tmp_path)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_docs_render_every_operation_offline(docs_url, tmp_path):
    requests: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(docs_url + "/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        operations = page.locator(".opblock").count()
        text = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "docs.png"))
        if (out := Path(__file__).resolve().parents[1] / "artifacts").is_dir():
            page.screenshot(path=str(out / "docs.png"))
        browser.close()
    assert "Unable to render this definition" not in text
    assert "监督预约" in text and "提交监督预约" in text  # our tags and summaries, in Chinese
    assert operations >= 40, operations
    assert all(u.startswith(docs_url) or u.startswith("data:") for u in requests), [
        u for u in requests if not u.startswith(docs_url)]
