"""API tokens: only hashes stored, expiry, deactivated accounts, demo tokens, and the tokens CLI."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import text, update
from typer.testing import CliRunner

from assistant.cli import app as cli
from assistant.store.actors import Actor
from assistant.store.db import session_scope
from assistant.store.models import Account, ApiToken
from assistant.store.models.base import utcnow
from assistant.store.tokens import issue_token, seed_demo_tokens

from .conftest import assert_problem


def test_tokens_are_stored_only_as_hashes(client, api_app, demo):
    issued = client.post("/v1/accounts/li/tokens", json={"label": "李工手机"}, headers=demo.auth("admin"))
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    plain = issued.json()["token"]
    assert plain.startswith("zj_") and len(plain) >= 40
    with api_app.state.services.assistant.db.connect() as conn:
        stored = [tuple(map(str, r)) for r in conn.execute(text("SELECT * FROM api_tokens")).all()]
    assert not any(plain in field for row in stored for field in row)
    assert any(hashlib.sha256(plain.encode()).hexdigest() in row for row in stored)
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {plain}"}).json()
    assert me["role"] == "inspector" and me["name"] == "李监督（示例）"
    listed = client.get("/v1/tokens", headers=demo.auth("admin")).json()
    assert plain not in json.dumps(listed) and any(t["prefix"] == plain[:10] for t in listed)


def test_expired_tokens_and_deactivated_accounts_stop_working(client, api_app, demo):
    engine = api_app.state.services.assistant.db
    with session_scope(engine) as s:
        old = issue_token(s, Actor.system(), "wang", expires_days=1, now=utcnow() - timedelta(days=2)).token
    assert_problem(client.get("/v1/me", headers={"Authorization": f"Bearer {old}"}), 401, "unauthenticated")
    with session_scope(engine) as s:
        fresh = issue_token(s, Actor.system(), "wang").token
        s.execute(update(Account).where(Account.login == "wang").values(active=False))
    body = assert_problem(client.get("/v1/me", headers={"Authorization": f"Bearer {fresh}"}), 401)
    assert "停用" in body["detail"]


def test_demo_tokens_are_reissued_and_old_ones_revoked(api_app, demo):
    engine = api_app.state.services.assistant.db
    with session_scope(engine) as s:
        again = seed_demo_tokens(s)
    assert set(again) == {"admin", "inspector", "contractor", "expert"}
    assert again["admin"] != demo.tokens["admin"]
    with engine.connect() as conn:
        live = conn.execute(text("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL AND label = '演示令牌'"))
        assert live.scalar_one() == 4


def test_tokens_cli_issue_list_revoke(data_dir):
    runner = CliRunner()
    assert runner.invoke(cli, ["seed-demo"]).exit_code == 0
    issued = runner.invoke(cli, ["tokens", "issue", "zhang", "--label", "张工", "--json"])
    assert issued.exit_code == 0, issued.output
    token = json.loads(issued.output)["token"]
    listed = runner.invoke(cli, ["tokens", "list", "--json"])
    rows = json.loads(listed.output)
    assert token not in listed.output and rows[0]["prefix"] == token[:10] and rows[0]["label"] == "张工"
    human = runner.invoke(cli, ["tokens", "list"])
    assert "张监督（示例）" in human.output and "有效" in human.output
    revoked = runner.invoke(cli, ["tokens", "revoke", str(rows[0]["id"])])
    assert revoked.exit_code == 0 and "已撤销" in revoked.output
    twice = runner.invoke(cli, ["tokens", "revoke", str(rows[0]["id"])])
    assert twice.exit_code == 1 and "已于" in twice.output
    missing = runner.invoke(cli, ["tokens", "issue", "nobody"])
    assert missing.exit_code == 1 and "未找到账号" in missing.output
    from assistant.config import get_settings
    from assistant.store.db import get_engine
    with session_scope(get_engine(get_settings())) as s:
        assert s.query(ApiToken).filter(ApiToken.revoked_at.is_not(None)).count() == 1
