"""The Telegram bot (python-telegram-bot v22): a thin adapter over ``assistant.core.Assistant``.

- ``app``: build the ``Application``, run it by long polling
- ``handlers``: updates -> the core -> messages; rate limit; errors
- ``render``: HTML escaping, citations in bold, splitting below 4096 characters
- ``keyboard``: choices <-> inline keyboards and callback data
- ``webhook``: the webhook route, for the API app or stand-alone
"""

from bots.telegram.app import build_application, run_polling
from bots.telegram.handlers import BotConfig, TelegramChannel

__all__ = ["BotConfig", "TelegramChannel", "build_application", "run_polling"]
