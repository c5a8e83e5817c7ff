"""Search (with its response cache), clause lookup, questions with feedback and the report, conversations."""

from __future__ import annotations

from urllib.parse import quote

from .conftest import assert_problem


def test_search_returns_citable_clauses_and_caches_repeats(client):
    first = client.get("/v1/search", params={"q": "拆除底模 同条件养护试件", "k": 5})
    assert first.status_code == 200 and first.headers["x-cache"] == "miss"
    hits = first.json()["hits"]
    assert 1 <= len(hits) <= 5
    top = hits[0]
    assert top["code"] == "ZJ/T 101-2025" and top["clause_no"] and top["text"]
    assert {"mandatory", "status", "kind", "title"} <= set(top)
    again = client.get("/v1/search", params={"q": "拆除底模 同条件养护试件", "k": 5})
    assert again.headers["x-cache"] == "hit" and again.content == first.content
    other_k = client.get("/v1/search", params={"q": "拆除底模 同条件养护试件", "k": 3})
    assert other_k.headers["x-cache"] == "miss" and len(other_k.json()["hits"]) <= 3


def test_search_filters_and_clause_numbers(client):
    only = client.get("/v1/search", params={"q": "钢筋", "mandatory_only": "true", "mode": "lexical"}).json()["hits"]
    assert only and all(h["mandatory"] for h in only)
    pinned = client.get("/v1/search", params={"q": "ZJT101 6.0.3"}).json()["hits"][0]
    assert (pinned["code"], pinned["clause_no"]) == ("ZJ/T 101-2025", "6.0.3")
    assert "clause_no" in pinned["matched_by"]
    cases = client.get("/v1/search", params={"q": "蜂窝麻面", "kind": "case"}).json()["hits"]
    assert all(h["kind"] == "case" for h in cases)


def test_every_hit_and_citation_carries_its_formatted_reference(client, demo):
    """The page shows the server's citation; it never formats one (a second copy had drifted for tolerances)."""
    pinned = client.get("/v1/search", params={"q": "ZJT101 6.0.3"}).json()["hits"][0]
    assert pinned["citation"] == f"《{pinned['title']}》ZJ/T 101-2025 第6.0.3条"
    case = client.get("/v1/search", params={"q": "蜂窝麻面", "kind": "case"}).json()["hits"][0]
    assert case["citation"] == f"《{case['title']}》{case['clause_no']}" and case["clause_no"].startswith("AL-")
    answer = client.post("/v1/ask", json={"question": "拆除底模前要取得什么报告"}, headers=demo.auth("contractor")).json()
    assert answer["citations"]
    for c in answer["citations"]:
        assert c["citation"].startswith(f"《{c['title']}》") and c["clause_no"] in c["citation"]


def test_clause_lookup_accepts_the_ways_people_write_codes(client):
    for code in ("ZJT101", "ZJ/T 101-2025", "zj/t101-2025"):
        r = client.get(f"/v1/clauses/{quote(code)}/6.0.3")
        assert r.status_code == 200, (code, r.text)
        c = r.json()
        assert c["code"] == "ZJ/T 101-2025" and c["clause_no"] == "6.0.3"
        assert c["citation"] == "《混凝土工程施工质量要点（示例）》ZJ/T 101-2025 第6.0.3条"
    assert client.get("/v1/clauses/ZJT101/第6.0.3条").json()["clause_no"] == "6.0.3"


def test_documents_list(client):
    docs = client.get("/v1/documents").json()
    codes = [d["code"] for d in docs["documents"]]
    assert "ZJ/T 101-2025" in codes and docs["index_version"]


def test_ask_logs_the_question_and_takes_feedback(client, demo):
    # The sample corpus answers this in so many words (ZJ/T 101-2025 第6.0.3条): a refusal is a failure.
    r = client.post("/v1/ask", json={"question": "拆除底模前要取得什么报告"}, headers=demo.auth("contractor"))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["query_id"]
    assert answer["grounded"] is True, answer["answer"]
    first = answer["citations"][0]
    assert (first["code"], first["clause_no"]) == ("ZJ/T 101-2025", "6.0.3"), answer["citations"]
    assert all(c["code"] and c["clause_no"] and c["text"] for c in answer["citations"])
    assert "6.0.3" in answer["answer"]
    up = client.post("/v1/feedback", json={"query_id": answer["query_id"], "vote": "up"},
                     headers=demo.auth("contractor"))
    assert up.status_code == 200 and up.json()["rating"] == "up" and up.json()["replaced"] is False
    down = client.post("/v1/feedback", json={"query_id": answer["query_id"], "vote": "down", "comment": "不全"},
                       headers=demo.auth("contractor"))
    assert down.json()["replaced"] is True  # the same person changed their mind
    assert_problem(client.post("/v1/feedback", json={"query_id": 10**9, "vote": "up"}), 404)
    assert_problem(client.post("/v1/feedback", json={"query_id": answer["query_id"], "vote": "meh"}), 422)


def test_unanswered_report_for_staff(client, demo):
    client.post("/v1/ask", json={"question": "明天县城会下雨吗"})
    client.post("/v1/ask", json={"question": "拆除底模前要取得什么报告"})
    report = client.get("/v1/reports/unanswered", headers=demo.auth("inspector"))
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["total_queries"] == 2
    assert body["unanswered"] == sum(1 for q in body["questions"] for _ in range(q["count"]))
    assert_problem(client.get("/v1/reports/unanswered?since=2026-02-01&until=2026-01-01",
                              headers=demo.auth("admin")), 422)


def test_chat_keeps_a_conversation_per_account(client, demo):
    r = client.post("/v1/chat", json={"text": "你好"}, headers=demo.auth("contractor"))
    assert r.status_code == 200, r.text
    conv = r.json()["conversation_id"]
    assert r.json()["reply"]["text"]
    again = client.post("/v1/chat", json={"conversation_id": conv, "text": "我要预约"},
                        headers=demo.auth("contractor"))
    assert again.status_code == 200 and again.json()["conversation_id"] == conv
    assert again.json()["reply"]["text"]
    assert_problem(client.post("/v1/chat", json={"conversation_id": "../../etc", "text": "你好"},
                               headers=demo.auth("contractor")), 422)


def test_ask_and_chat_say_how_certain_the_answer_is(client, demo, api_app, monkeypatch):
    """``certainty`` is one of exactly three values (the web page switches on them) and follows the answer."""
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["AnswerOut"]["properties"]["certainty"]["enum"] == ["clear", "likely", "none"]
    assert "certainty" in schema["AnswerOut"]["required"]

    refused = client.post("/v1/ask", json={"question": "红烧肉怎么做才不腻"}).json()
    assert (refused["grounded"], refused["certainty"]) == (False, "none")
    by_number = client.post("/v1/ask", json={"question": "ZJT101 第6.0.3条"}).json()
    assert (by_number["certainty"], by_number["top_probability"]) == ("clear", 1.0)

    from assistant.answering.certainty import TIER_FEATURES, Tiers

    never_clear = Tiers(weights=(0.0,) * len(TIER_FEATURES), bias=-60.0, clear_threshold=0.5)
    monkeypatch.setattr(api_app.state.services.assistant.answerer, "tiers", never_clear)
    likely = client.post("/v1/ask", json={"question": "拆除底模前要取得什么报告"}).json()
    assert (likely["grounded"], likely["certainty"]) == (True, "likely")
    assert likely["answer"].startswith("最接近的条文如下，请核对") and "明确规定" not in likely["answer"]
    assert len([c for c in likely["citations"] if c["role"] == "candidate"]) >= 2

    reply = client.post("/v1/chat", json={"text": "拆除底模前要取得什么报告"}, headers=demo.auth("contractor")).json()
    assert reply["reply"]["kind"] == "answer" and reply["reply"]["certainty"] == "likely"
    history = client.get(f"/v1/chat/{reply['conversation_id']}", headers=demo.auth("contractor")).json()
    assert history["messages"][-1]["certainty"] == "likely"
