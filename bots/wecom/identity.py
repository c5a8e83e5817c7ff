"""Who a WeCom member is, through the assistant's binding desk — the only module of the channel that asks.

A member is known by their UserID within the one enterprise the application
belongs to; the binding channel is "wecom".
"""

from __future__ import annotations

from assistant.core import Assistant
from assistant.store.actors import Actor
from assistant.store.bindings import BindingOut
from assistant.usecases.registry import BindingDesk

CHANNEL = "wecom"


def actor(assistant: Assistant, user_id: str) -> Actor | None:
    return assistant.bindings.actor_for(CHANNEL, user_id)


def redeem(assistant: Assistant, user_id: str, code: str) -> BindingOut:
    """Bind with a one-time code; a ``StoreError`` with a Chinese reason when the code is no good."""
    return assistant.bindings.redeem(CHANNEL, user_id, code, display_name=user_id)


def status(assistant: Assistant, user_id: str) -> BindingOut | None:
    return assistant.bindings.status(CHANNEL, user_id)


def unbind(assistant: Assistant, user_id: str) -> BindingOut | None:
    return assistant.bindings.unbind(CHANNEL, user_id)


def describe(bound: BindingOut) -> str:
    return BindingDesk.describe(bound)
