"""Binding a chat user to an account with a one-time code: who may issue, single use, expiry, rebinding,
deactivated accounts; and the `zhijian bind-code` / `bindings` / `unbind` commands."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from assistant.store import accounts, bindings
from assistant.store.db import session_scope
from assistant.store.errors import InvalidInput, PermissionDenied
from assistant.store.models import Account, BindingCode
from assistant.store.models.base import utcnow
from tests.plugins.assistant import run_cli
from tests.plugins.bots import NOW

TG = "telegram"


def _issue(engine, actor, account, **kw):
    with session_scope(engine) as s:
        return bindings.issue_code(s, actor, account, now=kw.pop("now", NOW), **kw)


def _redeem(engine, user, code, now=NOW):
    with session_scope(engine) as s:
        return bindings.redeem_code(s, TG, str(user), code, display_name="@someone", now=now)


def _actor(engine, user):
    with session_scope(engine) as s:
        return bindings.actor_for_binding(s, TG, str(user))


def test_issue_redeem_once_and_act_as_the_account(engine, w):
    issued = _issue(engine, w.inspector, "boss")
    assert bindings.looks_like_code(issued.code) and issued.enterprise_name == "示例建工集团有限公司"
    with session_scope(engine) as s:  # only the hash is kept
        row = s.scalars(select(BindingCode)).one()
        assert issued.code.replace("-", "") not in row.code_hash and row.code_hash == bindings.hash_code(issued.code)
    assert _actor(engine, 11) is None
    out = _redeem(engine, 11, issued.code.lower())
    assert (out.login, out.enterprise_name, out.display_name) == ("boss", "示例建工集团有限公司", "@someone")
    actor = _actor(engine, 11)
    assert (actor.account_id, actor.enterprise_id) == (w.contractor.account_id, w.builder_id)
    with pytest.raises(InvalidInput, match="无效或已被使用"):
        _redeem(engine, 12, issued.code)


def test_who_may_issue(engine, w, admin):
    with pytest.raises(PermissionDenied, match="只有质监站监督员或管理员"):
        _issue(engine, w.contractor, "boss")
    with pytest.raises(PermissionDenied, match="监督员只能为企业用户签发"):
        _issue(engine, w.inspector, "insp2")
    assert _issue(engine, admin, "insp2").role_label  # an admin may bind staff accounts too
    with pytest.raises(InvalidInput, match="有效期"):
        _issue(engine, admin, "boss", hours=0)


def test_expiry_and_a_new_code_voiding_the_old(engine, w):
    old = _issue(engine, w.inspector, "boss", hours=1)
    with pytest.raises(InvalidInput, match="已过期"):
        _redeem(engine, 21, old.code, now=NOW + timedelta(hours=2))
    first = _issue(engine, w.inspector, "boss")
    second = _issue(engine, w.inspector, "boss")
    with pytest.raises(InvalidInput, match="已过期"):
        _redeem(engine, 21, first.code)
    assert _redeem(engine, 21, second.code).login == "boss"
    with pytest.raises(InvalidInput, match="格式不对"):
        _redeem(engine, 21, "hello")


def test_rebinding_replaces_and_deactivation_stops_the_binding(engine, w, admin):
    _redeem(engine, 31, _issue(engine, w.inspector, "boss").code)
    _redeem(engine, 31, _issue(engine, w.inspector, "out").code)
    with session_scope(engine) as s:
        assert [b.login for b in bindings.list_bindings(s)] == ["out"]
    with session_scope(engine) as s:
        s.get(Account, w.outsider.account_id).active = False
    assert _actor(engine, 31) is None
    with session_scope(engine) as s:
        assert accounts.account_row(s, "out").active is False
    with session_scope(engine) as s:
        gone = bindings.unbind_self(s, TG, "31", now=NOW)
    assert gone is not None and gone.login == "out"


def test_cli_bind_code_bindings_and_unbind(cli_db):
    from assistant.config import get_settings
    from assistant.store.db import get_engine

    out = json.loads(run_cli("bind-code", "jiangong", "--json").stdout)
    assert bindings.looks_like_code(out["code"]) and out["login"] == "jiangong"
    text = run_cli("bind-code", "jiangong", "--hours", "2").stdout
    assert "绑定码：" in text and "/bind " in text
    fresh = text.split("绑定码：", 1)[1].split()[0]
    _redeem(get_engine(get_settings()), 41, fresh, now=utcnow())
    listed = json.loads(run_cli("bindings", "--json").stdout)
    assert [(b["login"], b["external_id"]) for b in listed] == [("jiangong", "41")]
    assert "jiangong" in run_cli("bindings").stdout
    run_cli("unbind", str(listed[0]["id"]))
    assert json.loads(run_cli("bindings", "--json").stdout) == []
    assert "错误" in run_cli("bind-code", "nobody", ok=False).stderr


def test_cli_bot_needs_a_token(cli_db, monkeypatch):
    from assistant.config import get_settings

    monkeypatch.delenv("ZHIJIAN_TELEGRAM_TOKEN", raising=False)
    get_settings.cache_clear()
    result = run_cli("bot", ok=False)
    assert "ZHIJIAN_TELEGRAM_TOKEN" in result.stderr and "@BotFather" in result.stderr
