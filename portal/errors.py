"""Domain errors raised by services.

Two kinds, so that views never inspect status codes:

- :class:`NotFound` and :class:`NotPermitted` end the request: views let them
  through and the one handler in ``portal/web.py`` answers 404 or 403 with the
  message in the user's language.
- :class:`Refused` and its kinds (bad input, a state that does not allow the
  action, somebody else was first) are for the user to act on: views catch
  ``Refused`` and show the message beside the form.
"""
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


class Refused(DomainError):
    """The action was refused for a reason the user can act on; views show it on the page."""


class ValidationError(Refused):
    """Input is invalid; ``fields`` maps a field name to its messages."""

    status_code = 400

    def __init__(self, message: str = "", fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}

    def add(self, field: str, message: str) -> None:
        """Record one more message for ``field``."""
        self.fields.setdefault(field, []).append(message)


class InvalidTransition(Refused):
    """The object's current state does not allow this action."""

    status_code = 409


class Conflict(Refused):
    """Somebody else changed the object first."""

    status_code = 409


class StorageFull(DomainError):
    """The disk under DATA_DIR is full: nothing was saved (see :mod:`portal.storage`)."""

    status_code = 507
