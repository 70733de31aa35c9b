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


def _reader(user: Actor, _obj: Any) -> bool:
    return _role(user) == Role.READER.value and user.clearance != "blocked"  # type: ignore[union-attr]


def _owner(user: Actor, obj: Any) -> bool:
    """The reader whose request (or item) this is."""
    return _role(user) == Role.READER.value and obj is not None and \
        getattr(obj, "reader_id", None) == user.id  # type: ignore[union-attr]


def _owner_or_staff(user: Actor, obj: Any) -> bool:
    return is_staff(user) or _owner(user, obj)


def _system(user: Actor, _obj: Any) -> bool:
    """Scheduled jobs act with no user."""
    return user is None


def _exhibition_editor(user: Actor, _obj: Any) -> bool:
    """Admins; archivists when the admin allows it (a setting); the system (demo loader, CLI)."""
    role = _role(user)
    if user is None or role == Role.ADMIN.value:
        return True
    if role == Role.ARCHIVIST.value:
        from .services.exhibitions import archivists_may_edit

        return archivists_may_edit()
    return False


def _own_account(user: Actor, obj: Any) -> bool:
    return _role(user) is not None and (obj is None or obj.id == user.id)  # type: ignore[union-attr]


# action -> predicate(user, obj)
POLICY: dict[str, Callable[[Actor, Any], bool]] = {
    "catalogue.view_file": _see_file,
    "catalogue.browse": _anyone,
    "catalogue.search_classified": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),  # search sees mode 03
    "account.edit_own": _own_account,
    "staff.enter": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "readers.review": _roles(Role.ARCHIVIST, Role.ADMIN),  # clear or block
    "audit.view": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "records.edit": _roles(Role.ARCHIVIST, Role.ADMIN),
    "records.import": _roles(Role.ARCHIVIST, Role.ADMIN),
    "users.manage_staff": _roles(Role.ADMIN),
    # Requests (the two-level review: archivists first, leaders for conditional files).
    "request.create": _reader,
    "request.view": _owner_or_staff,
    "request.withdraw": _owner,
    "request.message": _owner_or_staff,
    "request.view_letter": _owner_or_staff,
    "requests.queue": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "item.approve": _roles(Role.ARCHIVIST),
    "item.refuse": _roles(Role.ARCHIVIST),
    "item.forward": _roles(Role.ARCHIVIST),
    "item.leader_approve": _roles(Role.LEADER),
    "item.leader_refuse": _roles(Role.LEADER),
    "item.withdraw": _owner,
    "item.revoke": _roles(Role.ARCHIVIST, Role.LEADER),
    "item.expire": _system,
    "registers.export": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    # Exhibitions: everyone browses published ones; editors build, preview and publish them.
    "exhibitions.edit": _exhibition_editor,
    "exhibitions.settings": _roles(Role.ADMIN),
    # Reading copies: only the reader who holds the grant; staff review with a staff watermark.
    "reading.read": _owner,
    "reading.staff_review": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "reading.flags": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "jobs.manage": _roles(Role.ARCHIVIST, Role.ADMIN),
    # Naming the reader behind a leaked page is a serious act: leaders and admins only.
    "watermark.trace": _roles(Role.LEADER, Role.ADMIN),
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
