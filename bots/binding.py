"""Who a chat user is: the bound account's ``Actor``, or None — through the store's binding service.

Issuing codes is the station's business (``zhijian bind-code`` or the API);
this module only does what a chat channel needs: resolve a user, redeem a code
a user sends, show and end their own binding. Every call is one short
transaction on the assistant's database.
"""

from __future__ import annotations

from assistant.core import Assistant
from assistant.store import bindings
from assistant.store.actors import Actor
from assistant.store.bindings import BindingOut
from assistant.store.db import session_scope


def actor_for(assistant: Assistant, channel: str, external_id: int | str) -> Actor | None:
    with session_scope(assistant.db) as session:
        return bindings.actor_for_binding(session, channel, str(external_id))


def redeem(assistant: Assistant, channel: str, external_id: int | str, code: str, display_name: str = ""
           ) -> BindingOut:
    """Bind with a one-time code; a ``StoreError`` with a Chinese reason when the code is no good."""
    with session_scope(assistant.db) as session:
        return bindings.redeem_code(session, channel, str(external_id), code, display_name=display_name,
                                    now=assistant.clock())


def status(assistant: Assistant, channel: str, external_id: int | str) -> BindingOut | None:
    with session_scope(assistant.db) as session:
        return bindings.binding_for(session, channel, str(external_id))


def unbind(assistant: Assistant, channel: str, external_id: int | str) -> BindingOut | None:
    with session_scope(assistant.db) as session:
        return bindings.unbind_self(session, channel, str(external_id), now=assistant.clock())


def describe(b: BindingOut) -> str:
    """'示例建工集团有限公司 · 示例建工联系人（企业用户）' — what a user is told they are bound as."""
    firm = f"{b.enterprise_name} · " if b.enterprise_name else ""
    return f"{firm}{b.name}（{b.role_label}）"
