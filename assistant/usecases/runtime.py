"""What every use-case shares: the settings, the station's rules, the clock and the database.

Built once by ``Assistant`` from one ``Settings`` object, so a web form, a chat
turn, a bot message and a CLI command made in one installation follow the same
rules and the same notion of "now".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from assistant.config import Settings
from assistant.store.db import get_engine, session_scope
from assistant.store.rules import StoreRules


@dataclass
class Runtime:
    settings: Settings
    rules: StoreRules
    clock: Callable[[], datetime]
    _db: Engine | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def db(self) -> Engine:
        """The database engine, opened on first use (a channel that only answers questions never opens it)."""
        if self._db is None:
            with self._lock:
                if self._db is None:
                    self._db = get_engine(self.settings)
        return self._db

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends normally, rolled back on any error."""
        with session_scope(self.db) as session:
            yield session

    def now(self) -> datetime:
        return self.clock()
