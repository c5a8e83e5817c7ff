"""Rate limits (per address, per token, bad tokens), request-size limits, CORS off by default."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.store import migrate

from .conftest import Demo, assert_problem, make_settings, reset_store


@pytest.fixture
def limited(sample_installation, tmp_path):
    def build(**overrides):
        settings = make_settings(sample_installation, f"sqlite:///{tmp_path / 'limits.db'}", **{
            "api_rate_limit_anonymous": "", "api_rate_limit_token": "", "api_rate_limit_auth_failures": "",
            **overrides})
        app = create_app(settings)
        migrate.upgrade(app.state.services.assistant.db)
        return app
    return build


def test_anonymous_callers_are_limited_per_address(limited):
    app = limited(api_rate_limit_anonymous="3/minute")
    with TestClient(app) as c:
        ok = [c.get("/v1/meta") for _ in range(3)]
        assert [r.status_code for r in ok] == [200, 200, 200]
        assert ok[0].headers["x-ratelimit-limit"] == "3"
        assert [r.headers["x-ratelimit-remaining"] for r in ok] == ["2", "1", "0"]
        refused = c.get("/v1/meta")
        body = assert_problem(refused, 429, "rate_limited")
        assert int(refused.headers["retry-after"]) >= 1 and body["retry_after"] >= 1
        assert c.get("/healthz").status_code == 200  # operations and the page are not limited
        assert c.get("/").status_code == 200
        other = TestClient(app, client=("10.0.0.9", 5000))
        assert other.get("/v1/meta").status_code == 200  # another address has its own budget


def test_tokens_are_limited_per_token(limited):
    app = limited(api_rate_limit_token="2/minute", api_rate_limit_anonymous="100/minute")
    demo: Demo = reset_store(app)
    with TestClient(app) as c:
        for _ in range(2):
            assert c.get("/v1/me", headers=demo.auth("contractor")).status_code == 200
        assert_problem(c.get("/v1/me", headers=demo.auth("contractor")), 429, "rate_limited")
        assert c.get("/v1/me", headers=demo.auth("inspector")).status_code == 200  # a different token
        assert c.get("/v1/me").status_code == 200  # and anonymous use from the same address


def test_guessing_tokens_is_slowed_down_but_never_locks_out_a_valid_token(limited):
    app = limited(api_rate_limit_auth_failures="2/minute")
    demo = reset_store(app)
    with TestClient(app) as c:
        assert c.get("/v1/me", headers=demo.auth("admin")).status_code == 200
        for i in range(2):
            assert_problem(c.get("/v1/me", headers={"Authorization": f"Bearer zj_guess{i}"}), 401, "unauthenticated")
        for i in range(3):  # bad tokens beyond the budget are refused without saying whether they were good
            assert_problem(c.get("/v1/me", headers={"Authorization": f"Bearer zj_x{i}"}), 429, "rate_limited")
        # Behind one shared address (a carrier NAT, the station's exit) everyone else still signs in:
        # a valid token never checked before (so not in the token cache) is verified and admitted.
        app.state.services.token_cache.clear()
        me = c.get("/v1/me", headers=demo.auth("contractor"))
        assert me.status_code == 200 and me.json()["role"] == "contractor"
        assert c.get("/v1/me", headers=demo.auth("admin")).status_code == 200
        # … and the bad ones are still refused.
        assert_problem(c.get("/v1/me", headers={"Authorization": "Bearer zj_guess0"}), 429, "rate_limited")


def test_request_bodies_are_limited(limited):
    app = limited(api_max_body_kb=1)
    with TestClient(app) as c:
        big = {"question": "钢" * 2000}
        body = assert_problem(c.post("/v1/ask", json=big), 413, "body_too_large")
        assert body["limit_bytes"] == 1024

        def chunks():  # no Content-Length: refused while streaming
            yield b'{"question": "'
            for _ in range(20):
                yield "钢".encode() * 100
            yield b'"}'

        resp = c.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
        assert_problem(resp, 413, "body_too_large")


def test_cors_is_off_unless_configured(limited):
    with TestClient(limited()) as c:
        r = c.get("/v1/meta", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in r.headers
    app = limited(api_cors_origins=["https://station.example"])
    with TestClient(app) as c:
        r = c.options("/v1/meta", headers={"Origin": "https://station.example", "Access-Control-Request-Method": "GET"})
        assert r.headers["access-control-allow-origin"] == "https://station.example"
        r = c.get("/v1/meta", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in r.headers
