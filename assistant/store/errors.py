"""Domain errors of the structured store.

Every rule a service enforces fails with a ``StoreError`` carrying a Chinese
``message`` for the user, a stable machine ``code`` and an HTTP ``status`` hint,
so the API can map them to problem+json and the bot can just print the message.
A service raises before it writes, and the caller's session is rolled back.
"""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """Base of all store errors; ``message`` is what a user reads."""

    status: int = 400
    code: str = "store_error"

    def __init__(self, message: str, *, code: str | None = None, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.detail = detail

    def to_problem(self) -> dict[str, Any]:
        """RFC 9457 problem body (``type`` left to the API layer)."""
        return {"title": self.message, "status": self.status, "code": self.code, **self.detail}


class InvalidInput(StoreError):
    """A value the user typed is malformed or outside the rules (date, phone, code …)."""

    status = 422
    code = "invalid_input"


class InvalidCreditCode(InvalidInput):
    code = "invalid_credit_code"


class InvalidDate(InvalidInput):
    code = "invalid_date"


class CalendarUnavailable(InvalidInput):
    """The date lies in a year whose official holiday arrangement is not known yet."""

    code = "calendar_unavailable"


class NotFound(StoreError):
    status = 404
    code = "not_found"


class AmbiguousMatch(StoreError):
    """A name matched several records about equally well."""

    status = 409
    code = "ambiguous"


class Conflict(StoreError):
    status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class DuplicateActiveBooking(Conflict):
    code = "duplicate_active_booking"


class CapacityFull(Conflict):
    code = "capacity_full"


class OpenRectification(Conflict):
    code = "open_rectification"


class AlreadyExists(Conflict):
    code = "already_exists"


class PermissionDenied(StoreError):
    status = 403
    code = "forbidden"


class SchemaNotReady(StoreError):
    """The database has not been migrated to the version this code expects."""

    status = 503
    code = "schema_not_ready"


class StoreBusy(StoreError):
    """The database stayed locked longer than we are willing to wait."""

    status = 503
    code = "busy"


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or written (server down, file read-only); the cause is in the log."""

    status = 503
    code = "db_unavailable"


class StorageUnavailable(StoreError):
    """The server's data directory cannot be written (read-only mount, permissions, a full disk)."""

    status = 503
    code = "storage_unavailable"
