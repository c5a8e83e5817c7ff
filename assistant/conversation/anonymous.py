"""Conversation ids for people without an account (the web page before signing in).

For an anonymous caller the id is the only key to the conversation, so the server issues it: 144
random bits plus a keyed tag. An id the server did not issue (made up, guessed, truncated) is not
continued; a fresh one is issued instead. The conversation is stored under a keyed hash of the id,
so the stored key does not reveal the id either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "a"
STORAGE_PREFIX = "anon-"  # every anonymous conversation's stored key starts so (accounts' and chats' never do)
_NONCE_BYTES = 18  # 24 url-safe characters
_TAG_CHARS = 16


def _tag(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, f"anonymous-conversation:{nonce}".encode(), hashlib.sha256).hexdigest()[:_TAG_CHARS]


def issue(secret: bytes) -> str:
    """A new id to give the browser (41 characters of [A-Za-z0-9_-])."""
    nonce = secrets.token_urlsafe(_NONCE_BYTES)
    return f"{PREFIX}{nonce}{_tag(secret, nonce)}"


def storage_key(secret: bytes, public_id: str | None) -> str | None:
    """The key the conversation is stored under, or None when ``public_id`` was not issued by this installation."""
    if not public_id or not public_id.startswith(PREFIX):
        return None
    body = public_id[len(PREFIX):]
    nonce, tag = body[:-_TAG_CHARS], body[-_TAG_CHARS:]
    if len(nonce) != 24 or not hmac.compare_digest(tag, _tag(secret, nonce)):
        return None
    digest = hmac.new(secret, f"anonymous-storage:{public_id}".encode(), hashlib.sha256).hexdigest()[:40]
    return f"{STORAGE_PREFIX}{digest}"
