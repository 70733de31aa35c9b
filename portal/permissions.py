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
from .settings import ARCHIVISTS_MAY_EDIT_EXHIBITIONS, get_flag

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


def _system_or(*roles: Role) -> Callable[[Actor, Any], bool]:
    """Scheduled jobs (no user) or one of ``roles``."""
    wanted = {r.value for r in roles}
    return lambda user, _obj: user is None or _role(user) in wanted


def _owner_or(*roles: Role) -> Callable[[Actor, Any], bool]:
    wanted = {r.value for r in roles}
    return lambda user, obj: _role(user) in wanted or _owner(user, obj)


def _exhibition_editor(user: Actor, _obj: Any) -> bool:
    """Admins; archivists when the admin allows it (a setting); the system (demo loader, CLI)."""
    role = _role(user)
    if user is None or role == Role.ADMIN.value:
        return True
    if role == Role.ARCHIVIST.value:
        return get_flag(ARCHIVISTS_MAY_EDIT_EXHIBITIONS)
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
    "item.close": _system,  # the file became classified
    "registers.export": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    # Exhibitions: everyone browses published ones; editors build, preview and publish them.
    "exhibitions.edit": _exhibition_editor,
    "exhibitions.settings": _roles(Role.ADMIN),
    # Reading copies: only the reader who holds the grant; staff review with a staff watermark.
    "reading.read": _owner,
    "reading.staff_review": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "reading.flags": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "jobs.manage": _roles(Role.ARCHIVIST, Role.ADMIN),
    "system.health": _roles(Role.ADMIN),  # the admin home shows the health report
    # The staff workspace: figures for leaders and admins (archivists may read them), who read what.
    "statistics.view": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "reports.yearly": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "reading.log": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "notifications.read": lambda user, _obj: _role(user) is not None,
    # Copies (bản sao, bản sao có xác thực): the same two levels as reading; staff record payment
    # and hand paper copies over; only the orderer downloads; the fee schedule is the admin's.
    "copy.create": _reader,
    "copy.view": _owner_or_staff,
    "copy.withdraw": _owner,
    "copy.download": _owner,
    "copies.queue": _roles(Role.ARCHIVIST, Role.LEADER, Role.ADMIN),
    "copy.approve": _roles(Role.ARCHIVIST),
    "copy.refuse": _roles(Role.ARCHIVIST),
    "copy.forward": _roles(Role.ARCHIVIST),
    "copy.leader_approve": _roles(Role.LEADER),
    "copy.leader_refuse": _roles(Role.LEADER),
    "copy.pay": _system_or(Role.ARCHIVIST, Role.ADMIN),  # the system: a fully exempt order
    "copy.produce": _system_or(Role.ARCHIVIST, Role.ADMIN),  # the job; staff for paper-only files
    "copy.deliver": _owner_or(Role.ARCHIVIST, Role.ADMIN),  # the reader's first download; staff for paper
    "copy.expire": _system,
    "copy.close": _system,  # a file in the order became classified
    "fees.manage": _system_or(Role.ADMIN),  # the system: the demo loader
    # Reading-room visits: readers book their own; the desk (archivists) runs the day; staff keep the calendar.
    "visits.book": _reader,
    "visit.view": _owner_or_staff,
    "visit.change": _owner_or_staff,  # move (reader) or cancel (reader before the cut-off, staff with a reason)
    "calendar.manage": _roles(Role.ARCHIVIST, Role.ADMIN),
    "desk.operate": _roles(Role.ARCHIVIST, Role.ADMIN),
    "digitisation.queue": _roles(Role.ARCHIVIST, Role.ADMIN),
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
