"""Who may do what: one readable policy table used by views, services and templates.

"When" an action is allowed (the state of an object) is not decided here; that
belongs to the workflow. This module only answers "is this kind of person
allowed to try".
"""
from __future__ import annotations

from typing import Any, Callable

from flask_login import AnonymousUserMixin
from sqlalchemy import Select

from .errors import NotPermitted
from .models import AccessMode, RecordFile, Role, User

Actor = User | AnonymousUserMixin | None


def _role(user: Actor) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role  # type: ignore[union-attr]


def is_staff(user: Actor) -> bool:
    """Archivist, leader or admin."""
    return _role(user) in {Role.ARCHIVIST.value, Role.LEADER.value, Role.ADMIN.value}


def _roles(*roles: Role) -> Callable[[Actor, Any], bool]:
    wanted = {r.value for r in roles}
    return lambda user, _obj: _role(user) in wanted


def _anyone(_user: Actor, _obj: Any) -> bool:
    return True


def _see_file(user: Actor, obj: Any) -> bool:
    # Classified files do not exist for anyone outside staff.
    if isinstance(obj, RecordFile) and obj.mode == AccessMode.CLASSIFIED.value:
        return is_staff(user)
    return True


def _own_account(user: Actor, obj: Any) -> bool:
    return _role(user) is not None and (obj is None or obj.id == user.id)  # type: ignore[union-attr]


# action -> predicate(user, obj)
POLICY: dict[str, Callable[[Actor, Any], bool]] = {
    "catalogue.view_file": _see_file,
    "catalogue.browse": _anyone,
    "account.edit_own": _own_account,
    "staff.enter": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "readers.review": _roles(Role.ARCHIVIST, Role.ADMIN),  # clear or block
    "audit.view": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "records.edit": _roles(Role.ARCHIVIST, Role.ADMIN),
    "records.import": _roles(Role.ARCHIVIST, Role.ADMIN),
    "users.manage_staff": _roles(Role.ADMIN),
}


def can(user: Actor, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may perform ``action`` (on ``obj``). Unknown actions: no."""
    rule = POLICY.get(action)
    return bool(rule and rule(user, obj))


def require(user: Actor, action: str, obj: Any = None) -> None:
    """Raise :class:`NotPermitted` unless :func:`can` allows it."""
    if not can(user, action, obj):
        from flask_babel import gettext as _

        raise NotPermitted(_("Bạn không có quyền thực hiện thao tác này."))


def visible_files(user: Actor, query: Select) -> Select:
    """Restrict a query over :class:`RecordFile` to what ``user`` may see.

    Every list, count and lookup of files for the public goes through here, so
    classified files cannot leak through one forgotten query.
    """
    if is_staff(user):
        return query
    return query.where(RecordFile.mode != AccessMode.CLASSIFIED.value)
