"""/healthz, /metrics, offline API docs, the page's security headers and self-containment."""

from __future__ import annotations

import re

from api.app import STATIC_DIR

from .conftest import assert_problem


def test_healthz_reports_database_and_index(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["revision"]
    assert body["index"]["ok"] and body["index"]["documents"] >= 9 and body["index"]["clauses"] > 300


def test_metrics_count_requests_search_latency_and_unanswered_rate(client, demo):
    client.get("/v1/search", params={"q": "钢筋保护层", "mode": "lexical"})
    client.get("/v1/search", params={"q": "钢筋保护层", "mode": "lexical"})
    client.post("/v1/ask", json={"question": "混凝土浇筑后多久可以拆除底模"})
    assert_problem(client.get("/metrics"), 401)
    assert_problem(client.get("/metrics", headers=demo.auth("inspector")), 403)
    r = client.get("/metrics", headers=demo.auth("admin"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert re.search(r'zhijian_http_requests_total\{method="GET",route="/v1/search",status="200"\} [1-9]', text)
    assert re.search(r'zhijian_http_request_duration_seconds_count\{method="GET",route="/v1/search"\} [1-9]', text)
    assert re.search(r'zhijian_search_duration_seconds_count\{cache="hit",mode="lexical"\} [1-9]', text)
    assert re.search(r'zhijian_answers_total\{grounded="(true|false)"\} [1-9]', text)
    assert "zhijian_unanswered_ratio " in text
    # Route templates, not raw paths: a booking number never becomes a label.
    client.get("/v1/bookings/2026-000123", headers=demo.auth("admin"))
    text = client.get("/metrics", headers=demo.auth("admin")).text
    assert 'route="/v1/bookings/{booking_no}"' in text and "2026-000123" not in text


def test_docs_work_offline(client):
    html = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "质监助手 API"
    err = schema["paths"]["/v1/bookings"]["post"]["responses"]["409"]
    assert "application/problem+json" in err["content"]
    assert "访问令牌" in schema["components"]["securitySchemes"]


def test_page_is_self_contained_and_locked_down(client):
    r = client.get("/")
    assert r.status_code == 200 and "质监助手" in r.text
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    sources = [p for p in STATIC_DIR.rglob("*") if p.suffix in (".html", ".js", ".css")]
    assert len([p for p in sources if p.suffix == ".js"]) > 5  # the page is split into modules
    for path in sources:
        name, source = path.relative_to(STATIC_DIR).as_posix(), path.read_text("utf-8")
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", source), f"{name} loads something from elsewhere"
        assert not re.search(r"url\((['\"])?(https?:)?//", source), name
        assert not re.search(r"""(import|from)\s*\(?\s*["'](https?:)?//""", source), f"{name} imports from elsewhere"
        assert "@import" not in source, name
        assert 'style="' not in source and "setAttribute(\"style\"" not in source, name  # CSP forbids inline styles
        assert client.get(f"/static/{name}").status_code == 200, name
    assert client.get("/static/js/main.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))
