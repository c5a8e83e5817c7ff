"""Who a WeCom member is, through the shared binding functions — the only module of the channel that calls them.

A member is known by their UserID within the one enterprise the application
belongs to; the binding channel is "wecom". Kept in one place so that when the
binding functions move (e.g. onto ``Assistant``) only this file changes.
"""

from __future__ import annotations

from assistant.core import Assistant
from assistant.store.actors import Actor
from assistant.store.bindings import BindingOut
from bots import binding

CHANNEL = "wecom"


def actor(assistant: Assistant, user_id: str) -> Actor | None:
    return binding.actor_for(assistant, CHANNEL, user_id)


def redeem(assistant: Assistant, user_id: str, code: str) -> BindingOut:
    """Bind with a one-time code; a ``StoreError`` with a Chinese reason when the code is no good."""
    return binding.redeem(assistant, CHANNEL, user_id, code, display_name=user_id)


def status(assistant: Assistant, user_id: str) -> BindingOut | None:
    return binding.status(assistant, CHANNEL, user_id)


def unbind(assistant: Assistant, user_id: str) -> BindingOut | None:
    return binding.unbind(assistant, CHANNEL, user_id)


def describe(bound: BindingOut) -> str:
    return binding.describe(bound)
