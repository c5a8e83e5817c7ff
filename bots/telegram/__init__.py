"""The Telegram bot (python-telegram-bot v22): a thin adapter over ``assistant.core.Assistant``.

- ``app``: build the ``Application``, run it by long polling
- ``handlers``: updates -> the core -> messages; rate limit; errors
- ``render``: HTML escaping, citations in bold, splitting below 4096 characters
- ``keyboard``: choices <-> inline keyboards and callback data
- ``webhook``: the webhook route, for the API app or stand-alone
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots import lazy_exports

if TYPE_CHECKING:
    from bots.telegram.app import build_application, run_polling
    from bots.telegram.handlers import BotConfig, TelegramChannel

# Loaded on first use: every `zhijian` command imports this package to register `zhijian bot`, and
# python-telegram-bot costs a third of a second that a CLI command or an ingest job should not pay.
_EXPORTS = {"build_application": "bots.telegram.app", "run_polling": "bots.telegram.app",
            "BotConfig": "bots.telegram.handlers", "TelegramChannel": "bots.telegram.handlers"}
__all__ = ["BotConfig", "TelegramChannel", "build_application", "run_polling"]

__getattr__ = lazy_exports(__name__, _EXPORTS)
