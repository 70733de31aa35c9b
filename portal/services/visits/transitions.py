"""The visit workflow: statuses, actions and the one transition table (like
:mod:`portal.workflow` for request items)::

    booked ──move──▶ booked
       │──cancel──▶ cancelled          (reader before the cut-off; staff; the system when
       │                                 no file of the visit is still granted or pending)
       │──no_show──▶ no_show           (staff, once the session has begun)
       └──check_in──▶ present ──check_out──▶ done   (staff; check-out once every file is back)
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...errors import InvalidTransition


class VisitStatus(str, enum.Enum):
    BOOKED = "booked"
    PRESENT = "present"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class VisitAction(str, enum.Enum):
    MOVE = "move"
    CANCEL = "cancel"
    NO_SHOW = "no_show"
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"


@dataclass(frozen=True)
class VisitRule:
    """One legal transition of a visit."""

    source: VisitStatus
    action: VisitAction
    target: VisitStatus
    holds_seat: bool  # whether the visit still holds its seat afterwards


S, A = VisitStatus, VisitAction
TRANSITIONS: tuple[VisitRule, ...] = (
    VisitRule(S.BOOKED, A.MOVE, S.BOOKED, holds_seat=True),
    VisitRule(S.BOOKED, A.CANCEL, S.CANCELLED, holds_seat=False),
    VisitRule(S.BOOKED, A.NO_SHOW, S.NO_SHOW, holds_seat=True),
    VisitRule(S.BOOKED, A.CHECK_IN, S.PRESENT, holds_seat=True),
    VisitRule(S.PRESENT, A.CHECK_OUT, S.DONE, holds_seat=True),
)
_BY_KEY = {(rule.source, rule.action): rule for rule in TRANSITIONS}

ACTIVE_STATUSES = frozenset({S.BOOKED, S.PRESENT, S.DONE})  # count against seats and the weekly limit

LABELS = {
    S.BOOKED: _l("Đã đặt lịch"), S.PRESENT: _l("Đang đọc tại phòng"), S.DONE: _l("Đã đọc xong"),
    S.CANCELLED: _l("Đã hủy"), S.NO_SHOW: _l("Không đến"),
}
SESSION_LABELS = {"am": _l("Buổi sáng"), "pm": _l("Buổi chiều")}


def visit_transition(status: str, action: str) -> VisitRule:
    """The rule for (status, action), or :class:`InvalidTransition` saying why not."""
    try:
        rule = _BY_KEY.get((VisitStatus(status), VisitAction(action)))
    except ValueError:
        rule = None
    if rule is None:
        label = LABELS.get(VisitStatus(status), status) if status in VisitStatus._value2member_map_ else status
        raise InvalidTransition(_("Không thể thực hiện thao tác này khi lượt đọc đang ở trạng thái \"%(state)s\".",
                                  state=label))
    return rule


def visit_actions_from(status: str) -> list[VisitAction]:
    """The actions the table allows from ``status`` (for buttons)."""
    return [rule.action for rule in TRANSITIONS if rule.source.value == status]
