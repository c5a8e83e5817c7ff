"""Who a chat user is: the bound account's ``Actor``, or None — through the assistant's binding desk.

Issuing codes is the station's business (``zhijian bind-code`` or the API);
this module only does what a chat channel needs: resolve a user, redeem a code
a user sends, show and end their own binding. Thin functions kept so every
channel (Telegram, WeCom) says it the same way.
"""

from __future__ import annotations

from assistant.core import Assistant
from assistant.store.actors import Actor
from assistant.store.bindings import BindingOut
from assistant.usecases.registry import BindingDesk


def actor_for(assistant: Assistant, channel: str, external_id: int | str) -> Actor | None:
    return assistant.bindings.actor_for(channel, external_id)


def redeem(assistant: Assistant, channel: str, external_id: int | str, code: str, display_name: str = ""
           ) -> BindingOut:
    """Bind with a one-time code; a ``StoreError`` with a Chinese reason when the code is no good."""
    return assistant.bindings.redeem(channel, external_id, code, display_name)


def status(assistant: Assistant, channel: str, external_id: int | str) -> BindingOut | None:
    return assistant.bindings.status(channel, external_id)


def unbind(assistant: Assistant, channel: str, external_id: int | str) -> BindingOut | None:
    return assistant.bindings.unbind(channel, external_id)


def describe(b: BindingOut) -> str:
    """'示例建工集团有限公司 · 示例建工联系人（企业用户）' — what a user is told they are bound as."""
    return BindingDesk.describe(b)
