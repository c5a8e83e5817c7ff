"""Every error is application/problem+json with a Chinese detail; nothing internal leaks."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from api.app import create_app

from .conftest import NO_LIMITS, assert_problem, make_settings


def test_unknown_path_and_method(client):
    assert_problem(client.get("/v1/nothing-here"), 404, "http_404")
    assert_problem(client.delete("/v1/search"), 405, "http_405")


def test_validation_errors_are_chinese_and_name_the_field(client):
    body = assert_problem(client.post("/v1/ask", json={}), 422, "validation_failed")
    assert body["errors"][0]["field"] == "question"  # the machine-readable part keeps the key …
    assert body["detail"] == "输入有误：问题必填"  # … the sentence a person reads names the field in Chinese
    body = assert_problem(client.get("/v1/search", params={"q": "钢筋", "k": 500}), 422, "validation_failed")
    assert "返回条数不能大于 50" in body["detail"]
    body = assert_problem(client.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"}),
                          422, "validation_failed")
    assert "请求内容不是有效的 JSON" in body["detail"] and not any(ch.isdigit() for ch in body["detail"][:2])
    body = assert_problem(client.post("/v1/ask", json={"question": "x", "unexpected": 1}), 422, "validation_failed")
    assert "不认识的字段" in body["detail"]


def test_a_date_field_is_named_in_chinese(client, demo):
    body = assert_problem(client.post("/v1/bookings", headers=demo.auth("contractor"), json={
        "project": 1, "milestone": "监督交底", "requested_date": "下周三", "contact_name": "张",
        "contact_phone": "13900000001"}), 422, "validation_failed")
    assert "预约日期应为日期" in body["detail"] and "requested_date" not in body["detail"]


def test_every_request_field_has_a_chinese_label(api_app):
    """A new field without a label would put its JSON key in front of users."""
    from api.errors import FIELD_LABELS

    schema = api_app.openapi()
    names: set[str] = set()
    for path in schema["paths"].values():
        for op in path.values():
            names |= {p["name"] for p in op.get("parameters", [])}
            for content in op.get("requestBody", {}).get("content", {}).values():
                ref = content["schema"].get("$ref", "")
                if ref:
                    props = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("properties", {})
                    names |= set(props)
    assert sorted(names - set(FIELD_LABELS)) == []


def test_store_rules_keep_their_message_status_and_code(client, demo):
    school = next(p["id"] for p in client.get("/v1/projects", headers=demo.auth("contractor")).json())
    booking = {"project": school, "milestone": "主体结构验收", "contact_name": "测试", "contact_phone": "13800000009"}
    past = (date.today() - timedelta(days=3)).isoformat()
    body = assert_problem(client.post("/v1/bookings", json={**booking, "requested_date": past},
                                      headers=demo.auth("contractor")), 422, "invalid_date")
    assert "已是今天或已经过去" in body["detail"]
    bad_phone = {**booking, "requested_date": "2099-01-05", "contact_phone": "123"}
    assert_problem(client.post("/v1/bookings", json=bad_phone, headers=demo.auth("contractor")), 422)
    body = assert_problem(client.post("/v1/bookings/2026-999999/accept", headers=demo.auth("inspector")), 404)
    assert "2026-999999" in body["detail"]
    done = next(b for b in client.get("/v1/bookings", headers=demo.auth("contractor")).json()
                if b["status"] == "completed")
    body = assert_problem(client.post(f"/v1/bookings/{done['booking_no']}/cancel", json={"reason": "测试"},
                                      headers=demo.auth("contractor")), 409, "illegal_transition")
    assert body["info_status"] == "completed"  # the store's extra detail, renamed so it cannot clash


def test_clause_and_document_not_found(client):
    assert_problem(client.get("/v1/clauses/ZJT101/99.9.9"), 404, "clause_not_found")
    assert_problem(client.get("/v1/clauses/GB99999/1.0.1"), 404, "document_not_found")


def test_unexpected_errors_hide_everything_but_a_request_id(api_app, demo, monkeypatch):
    services = api_app.state.services

    def boom(*args, **kwargs):
        raise RuntimeError("secret-internal-marker /etc/passwd")

    monkeypatch.setattr(services.assistant, "ask", boom)
    with TestClient(api_app, raise_server_exceptions=False) as c:
        resp = c.post("/v1/ask", json={"question": "拆模"}, headers={"X-Request-ID": "req-test-1"})
    body = assert_problem(resp, 500, "internal_error")
    assert "secret" not in resp.text and "RuntimeError" not in resp.text and "passwd" not in resp.text
    assert body["request_id"] == "req-test-1" == resp.headers["x-request-id"]


def test_without_an_index_search_says_so(tmp_path):
    app = create_app(make_settings(tmp_path / "empty", f"sqlite:///{tmp_path / 'e.db'}", **NO_LIMITS))
    with TestClient(app) as c:
        body = assert_problem(c.get("/v1/search", params={"q": "拆模"}), 503, "index_unavailable")
        assert "zhijian ingest" in body["detail"]
        health = c.get("/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert health.json()["database"]["ok"] is False and health.json()["index"]["ok"] is False


def test_a_digit_like_character_in_a_reference_is_not_a_server_error(client, demo):
    """'³' passes str.isdigit() but not int(): found by the fuzzer as a 500 on GET /v1/bookings."""
    for ref in ("³", "١٢", "²5"):
        response = client.get("/v1/bookings", params={"project": ref}, headers=demo.auth("inspector"))
        assert response.status_code < 500, response.text
