"""Channels installed as entry points and configured in the settings (one loader for every group).

The packages above the core (api, bots) plug into it through entry-point groups, so that
``assistant`` never imports them; a plugin's factory takes the settings and returns None
when that channel is not configured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from assistant.config import Settings

log = logging.getLogger(__name__)


def configured_plugins(group: str, settings: Settings, what: str = "channel") -> list[Any]:
    """What each factory of ``group`` returns for ``settings``, in name order; uninstallable ones are skipped."""
    out: list[Any] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            factory: Callable[[Settings], Any] = ep.load()
        except ImportError as exc:
            log.warning("%s %s not available: %s", what, ep.name, exc)
            continue
        made = factory(settings)
        if made is not None:
            out.append(made)
    return out
