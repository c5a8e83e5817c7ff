"""The station's rules reach every path of one app: web form, chat, window — from the settings it was built with.

A regression test for store code that used to read the process-wide settings:
``create_app(Settings(lead_days=…))`` answered /v1/bookings/window with the
environment's lead time while /v1/chat used the app's own.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.store import migrate

from .conftest import NO_LIMITS, assert_problem, make_settings, reset_store

MILESTONE = "节能验收"  # no earlier milestone to wait for (主体结构 waits for 地基与基础 to be done)


def _app(tmp: Path, **rules: object):
    """An app with its own SQLite store and no index: booking rules need neither the index nor the model."""
    tmp.mkdir(parents=True, exist_ok=True)
    app = create_app(make_settings(tmp, f"sqlite:///{tmp / 'store.db'}", **NO_LIMITS, **rules))
    migrate.upgrade(app.state.services.assistant.db)
    return app


def _window(client: TestClient, auth: dict[str, str]) -> tuple[str, dict]:
    project = client.get("/v1/projects", headers=auth).json()[0]["id"]
    r = client.get(f"/v1/bookings/window?project={project}&milestone={MILESTONE}", headers=auth)
    assert r.status_code == 200, r.text
    return project, r.json()


def _chat_dates(client: TestClient, auth: dict[str, str]) -> list[str]:
    """The dates the booking dialogue offers for the milestone (its buttons)."""
    reply = client.post("/v1/chat", json={"text": f"预约{MILESTONE}"}, headers=auth).json()["reply"]
    return [c["value"] for c in reply["choices"] if c["value"][:2] == "20"]


@pytest.fixture
def apps(tmp_path: Path):
    default = _app(tmp_path / "default")
    longer = _app(tmp_path / "longer", lead_days={"竣工验收监督": 7, MILESTONE: 12})
    with TestClient(default) as a, TestClient(longer) as b:
        yield (a, reset_store(default)), (b, reset_store(longer))


def test_lead_days_of_the_app_reach_window_form_and_chat(apps, monkeypatch: pytest.MonkeyPatch) -> None:
    # The environment says something else again: the app must not read it.
    monkeypatch.setenv("ZHIJIAN_LEAD_DAYS", '{"节能验收": 1}')
    (a, demo_a), (b, demo_b) = apps
    auth_a, auth_b = demo_a.auth("contractor"), demo_b.auth("contractor")

    _, win_a = _window(a, auth_a)
    project, win_b = _window(b, auth_b)
    assert win_a["lead_days"] == 2 and win_b["lead_days"] == 12
    assert date.fromisoformat(win_b["earliest"]) > date.fromisoformat(win_a["earliest"])

    # The chat dialogue of each app offers that app's earliest date first.
    assert _chat_dates(a, auth_a)[0] == win_a["earliest"]
    assert _chat_dates(b, auth_b)[0] == win_b["earliest"]

    # The web form: a date the default rules accept is too early for the longer lead time …
    form = {"project": project, "milestone": MILESTONE, "contact_name": "示例联系人",
            "contact_phone": "13900000001"}
    early = b.post("/v1/bookings", json={**form, "requested_date": win_a["earliest"]}, headers=auth_b)
    body = assert_problem(early, 422)
    assert "12个工作日" in body["detail"], body["detail"]
    # … and the window's earliest date is accepted.
    ok = b.post("/v1/bookings", json={**form, "requested_date": win_b["earliest"]}, headers=auth_b)
    assert ok.status_code == 201, ok.text
    assert ok.json()["requested_date"] == win_b["earliest"]
