"""Domain errors raised by services and turned into messages by views."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; ``message`` is already translated."""

    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist, or does not exist for this user."""

    status_code = 404


class NotPermitted(DomainError):
    """The user may not do this."""

    status_code = 403


class ValidationError(DomainError):
    """Input is invalid; ``fields`` maps a field name to its messages."""

    status_code = 400

    def __init__(self, message: str = "", fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}

    def add(self, field: str, message: str) -> None:
        """Record one more message for ``field``."""
        self.fields.setdefault(field, []).append(message)


class InvalidTransition(DomainError):
    """The object's current state does not allow this action."""

    status_code = 409


class Conflict(DomainError):
    """Somebody else changed the object first."""

    status_code = 409


class StorageFull(DomainError):
    """The disk under DATA_DIR is full: nothing was saved (see :mod:`portal.storage`)."""

    status_code = 507
