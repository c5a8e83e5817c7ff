"""Search says first when the clause or standard a query names is not in the library (as ask does).

The sample library holds ZJ/T 101-2025 (no chapter 3.3) and no GB 55032. Before, "GB55032 3.3.5"
showed "找到 10 条" of unrelated clauses.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from assistant.cli import app


def search(client, q: str, **params) -> dict:
    r = client.get("/v1/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_missing_clause_of_a_held_standard_is_said_first(client):
    page = search(client, "ZJ/T 101 3.3.5")
    notice = page["notice"]
    assert notice["kind"] == "clause_missing"
    assert notice["code"] == "ZJ/T 101-2025" and notice["clause_no"] == "3.3.5"
    assert "ZJ/T 101-2025" in notice["message"] and "没有第3.3.5条" in notice["message"]
    assert page["hits"] == []  # nothing but a reference: no "nearest" clause of another number
    # The same question in ask is refused by name: both read the reference the same way.
    answer = client.post("/v1/ask", json={"question": "ZJ/T 101 3.3.5"}).json()
    assert answer["grounded"] is False and "没有第3.3.5条" in answer["answer"]


def test_ask_and_search_say_a_missing_reference_in_the_same_words(client):
    for q in ("ZJ/T 101 3.3.5", "GB55032 3.3.5"):
        said = search(client, q)["notice"]["message"].rstrip("。")
        answer = client.post("/v1/ask", json={"question": q}).json()
        assert answer["answer"].startswith(f"抱歉，{said}，"), (said, answer["answer"])


def test_other_words_of_the_query_follow_under_their_own_heading(client):
    page = search(client, "ZJT101 第3.3.5条 拆除底模")
    assert page["notice"]["kind"] == "clause_missing"
    assert "拆除底模" in page["notice"]["others"] and "并非第3.3.5条" in page["notice"]["others"]
    assert page["hits"] and all(h["clause_no"] != "3.3.5" for h in page["hits"])
    assert any("底模" in h["text"] for h in page["hits"][:3])


def test_a_standard_the_library_does_not_hold(client):
    page = search(client, "GB55032 3.3.5")
    notice = page["notice"]
    assert notice["kind"] == "standard_missing" and notice["code"] == "GB55032"
    assert notice["message"] == "条文库尚未收录 GB55032，查不到它的第3.3.5条。"
    assert page["hits"] == []
    # Named without a clause number, with words: said first, then the library's own clauses on those words.
    page = search(client, "GB 50204 混凝土养护")
    assert page["notice"]["kind"] == "standard_missing" and "尚未收录 GB 50204" in page["notice"]["message"]
    assert "混凝土养护" in page["notice"]["others"]
    assert page["hits"] and all(not h["code"].startswith("GB") for h in page["hits"])


def test_another_edition_of_a_held_standard_names_the_one_held(client):
    notice = search(client, "ZJ/T 101-2020 3.2.3")["notice"]
    assert notice["kind"] == "standard_missing"
    assert "收录的是 ZJ/T 101-2025" in notice["message"]


def test_held_clauses_and_ordinary_searches_carry_no_notice(client):
    page = search(client, "ZJT101 6.0.3")
    assert page["notice"] is None
    assert (page["hits"][0]["code"], page["hits"][0]["clause_no"]) == ("ZJ/T 101-2025", "6.0.3")
    # Grades of steel and pipe sizes look like codes but are not standards.
    for q in ("HRB400 钢筋 连接", "DN100 管道", "C30 混凝土 强度"):
        page = search(client, q)
        assert page["notice"] is None and page["hits"], q
    # A clause of a held standard that a filter hides is not "missing".
    page = search(client, "ZJT101 6.0.3", kind="case")
    assert page["notice"] is None


def test_a_number_searched_within_one_standard(client):
    page = search(client, "9.9.9", code="ZJT101")
    assert page["notice"]["kind"] == "clause_missing" and "ZJ/T 101-2025" in page["notice"]["message"]
    found = search(client, "6.0.3", code="ZJT101")
    assert found["notice"] is None and found["hits"][0]["clause_no"] == "6.0.3"


def test_cli_says_it_first_and_keeps_json_an_array(sample_env):
    r = CliRunner().invoke(app, ["search", "GB55032 3.3.5"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "⚠ 条文库尚未收录 GB55032，查不到它的第3.3.5条。"
    assert "没有找到相关条文" not in r.output
    r = CliRunner().invoke(app, ["search", "ZJT101 3.3.5 拆除底模", "--json"])
    assert r.exit_code == 0
    assert json.loads(r.stdout) and all(h["clause_no"] != "3.3.5" for h in json.loads(r.stdout))
    assert "没有第3.3.5条" in r.stderr
    r = CliRunner().invoke(app, ["search", "ZJT101 3.3.5 拆除底模"])
    lines = r.output.splitlines()
    assert lines[0].startswith("⚠ 条文库收录的《") and "并非第3.3.5条" in lines[1]
    assert "第3.3.5条" not in "\n".join(lines[2:])
