"""The WeCom (企业微信) self-built application channel: a thin adapter over ``assistant.core.Assistant``.

- ``crypto``: WeCom's callback signatures and AES-256-CBC message encryption
- ``wire``: the callback's XML in and the passive reply's XML out
- ``replay``: stale timestamps and reused (timestamp, nonce) pairs refused
- ``client``: gettoken (cached), message/send, menu/create — retried, token refreshed
- ``handlers``: messages and menu clicks -> the core -> replies; binding; rate limit
- ``render``: replies as text/markdown messages within WeCom's byte limits, choices numbered
- ``callback``: the callback URL (GET verification, POST messages) with the 5-second window
- ``app``: build from the settings, mount in the API app or run alone; ``cli``: ``zhijian wecom``
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots import lazy_exports

if TYPE_CHECKING:
    from bots.wecom.app import (
        build_callback,
        is_configured,
        missing_settings,
        mount_wecom,
        wecom_app,
        wecom_router,
    )
    from bots.wecom.callback import WeComCallback
    from bots.wecom.handlers import ChannelConfig, WeComChannel

# Where WeCom posts callbacks unless configured otherwise (the CLI's default, so it lives here, not in callback).
DEFAULT_PATH = "/wecom/callback"

# Loaded on first use, so that registering `zhijian wecom` does not import the channel (see bots.telegram).
_EXPORTS = {**dict.fromkeys(("build_callback", "is_configured", "missing_settings", "mount_wecom", "wecom_app",
                             "wecom_router"), "bots.wecom.app"),
            "WeComCallback": "bots.wecom.callback",
            "ChannelConfig": "bots.wecom.handlers", "WeComChannel": "bots.wecom.handlers"}
__all__ = ["DEFAULT_PATH", "ChannelConfig", "WeComCallback", "WeComChannel", "build_callback", "is_configured",
           "missing_settings", "mount_wecom", "wecom_app", "wecom_router"]

__getattr__ = lazy_exports(__name__, _EXPORTS)
