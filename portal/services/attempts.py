"""The steps every workflow action takes around its transition table, in one place.

Reading requests (services/requests.py) and copy orders (services/copies/orders.py) both
accept an action only when it names one of their actions, the actor may try it, nobody acted
in between (optimistic locking on the row's version) and its reason is of a sane length; and
both turn a lost race at commit into :class:`Conflict` with the state as it is now.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..permissions import require

MAX_REASON = 2000
E = TypeVar("E", bound=enum.Enum)


def begin(actions: type[E], action: str, actor: Any, prefix: str, subject: Any, expected_version: int | None,
          reason: str | None, current_state: Callable[[], str]) -> tuple[E, str | None]:
    """Check an attempt before the transition table is asked; return the action and the cleaned reason.

    Unknown action: :class:`NotFound`. Not allowed (``"<prefix>.<action>"`` in permissions.py):
    :class:`NotPermitted`. A stale form (``expected_version``): :class:`Conflict` saying the state now.
    """
    try:
        chosen = actions(action)
    except ValueError as exc:
        raise NotFound(_("Thao tác không tồn tại.")) from exc
    require(actor, f"{prefix}.{chosen.value}", subject)
    if expected_version is not None and expected_version != subject.version:
        raise Conflict(current_state())
    cleaned = (reason or "").strip() or None
    if cleaned and len(cleaned) > MAX_REASON:
        raise ValidationError(_("Lý do quá dài (tối đa 2000 ký tự)."))
    return chosen, cleaned


def commit(subject: Any, current_state: Callable[[], str]) -> None:
    """Commit the transition; another actor's commit in between becomes :class:`Conflict`."""
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        db.session.refresh(subject)
        raise Conflict(current_state()) from exc
