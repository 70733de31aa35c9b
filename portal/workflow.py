"""The request workflow: statuses, actions and the one transition table.

Nothing else in the code decides whether a transition is legal. Services call
:func:`transition` to learn the next status (or get :class:`InvalidTransition`),
permissions.py decides *who* may try, and the service writes the audit event
in the same transaction.

An item (one requested file) moves like this::

    submitted ──approve (open file)──────────────▶ granted ──expire──▶ expired
        │  ├──refuse─────────────────────────────▶ refused     └──revoke──▶ revoked
        │  └──forward (conditional file)──▶ forwarded ──leader_approve──▶ granted
        │                                      └──leader_refuse──▶ refused
        └──withdraw (also from forwarded)──▶ withdrawn

    close (the system, when the file becomes classified): submitted / forwarded ──▶ refused,
                                                         granted ──▶ revoked

A request's status follows from its items (:func:`request_status`).

What happens *because* an item entered a status (a reading copy is built on
``granted``, purged after ``revoked``) belongs to the module that owns that
work: it registers a hook with :func:`on_enter`, and the request service calls
:func:`entered` after the transition is committed. The workflow imports none
of them.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import hooks
from .errors import InvalidTransition, ValidationError


class ItemStatus(str, enum.Enum):
    SUBMITTED = "submitted"  # chờ cán bộ phòng đọc xử lý
    FORWARDED = "forwarded"  # chờ lãnh đạo duyệt
    GRANTED = "granted"  # được đọc trong thời hạn
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    REVOKED = "revoked"


class RequestStatus(str, enum.Enum):
    SUBMITTED = "submitted"  # nothing decided yet
    IN_PROGRESS = "in_progress"  # some items decided
    COMPLETED = "completed"  # every item decided
    WITHDRAWN = "withdrawn"


class Action(str, enum.Enum):
    APPROVE = "approve"
    REFUSE = "refuse"
    FORWARD = "forward"
    LEADER_APPROVE = "leader_approve"
    LEADER_REFUSE = "leader_refuse"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    REVOKE = "revoke"
    CLOSE = "close"  # the file became classified: the system ends the item, with a reason


OPEN_MODE, CONDITIONAL_MODE, CLASSIFIED_MODE = "01", "02", "03"
ANY_MODE = frozenset({OPEN_MODE, CONDITIONAL_MODE, CLASSIFIED_MODE})


@dataclass(frozen=True)
class Rule:
    """One legal transition: from a status, by an action, to a status."""

    source: ItemStatus
    action: Action
    target: ItemStatus
    modes: frozenset[str] = frozenset({OPEN_MODE, CONDITIONAL_MODE})  # file modes it applies to
    needs_reason: bool = False
    needs_cleared_reader: bool = False


S, A = ItemStatus, Action
TRANSITIONS: tuple[Rule, ...] = (
    Rule(S.SUBMITTED, A.APPROVE, S.GRANTED, modes=frozenset({OPEN_MODE}), needs_cleared_reader=True),
    Rule(S.SUBMITTED, A.REFUSE, S.REFUSED, needs_reason=True),
    Rule(S.SUBMITTED, A.FORWARD, S.FORWARDED, modes=frozenset({CONDITIONAL_MODE}), needs_reason=True),
    Rule(S.FORWARDED, A.LEADER_APPROVE, S.GRANTED, needs_cleared_reader=True),
    Rule(S.FORWARDED, A.LEADER_REFUSE, S.REFUSED, needs_reason=True),
    Rule(S.SUBMITTED, A.WITHDRAW, S.WITHDRAWN, modes=ANY_MODE),
    Rule(S.FORWARDED, A.WITHDRAW, S.WITHDRAWN, modes=ANY_MODE),
    Rule(S.GRANTED, A.EXPIRE, S.EXPIRED, modes=ANY_MODE),
    Rule(S.GRANTED, A.REVOKE, S.REVOKED, needs_reason=True),
    Rule(S.SUBMITTED, A.CLOSE, S.REFUSED, modes=ANY_MODE, needs_reason=True),
    Rule(S.FORWARDED, A.CLOSE, S.REFUSED, modes=ANY_MODE, needs_reason=True),
    Rule(S.GRANTED, A.CLOSE, S.REVOKED, modes=ANY_MODE, needs_reason=True),
)
_BY_KEY = {(rule.source, rule.action): rule for rule in TRANSITIONS}

# Items that still hold (or may still get) the file: a new request for the same file waits for them.
OPEN_STATUSES = frozenset({S.SUBMITTED, S.FORWARDED, S.GRANTED})
UNDECIDED_STATUSES = frozenset({S.SUBMITTED, S.FORWARDED})

ITEM_LABELS = {
    S.SUBMITTED: _l("Chờ xử lý"), S.FORWARDED: _l("Chờ lãnh đạo duyệt"), S.GRANTED: _l("Được đọc"),
    S.REFUSED: _l("Từ chối"), S.WITHDRAWN: _l("Đã rút"), S.EXPIRED: _l("Hết hạn đọc"), S.REVOKED: _l("Bị thu hồi"),
}
REQUEST_LABELS = {
    RequestStatus.SUBMITTED: _l("Đã gửi"), RequestStatus.IN_PROGRESS: _l("Đang giải quyết"),
    RequestStatus.COMPLETED: _l("Đã giải quyết"), RequestStatus.WITHDRAWN: _l("Đã rút"),
}


def find_rule(status: str, action: str) -> Rule | None:
    """The rule for (status, action), or None when the table has none."""
    try:
        return _BY_KEY.get((ItemStatus(status), Action(action)))
    except ValueError:
        return None


def transition(status: str, action: str, *, mode: str, reason: str | None = None,
               reader_cleared: bool = True) -> ItemStatus:
    """The status an item moves to, or :class:`InvalidTransition` saying why not.

    A missing reason where one is required is bad input, not a state problem:
    :class:`ValidationError`.
    """
    rule = find_rule(status, action)
    if rule is None:
        label = ITEM_LABELS.get(ItemStatus(status), status) if status in ItemStatus._value2member_map_ else status
        raise InvalidTransition(_("Không thể thực hiện thao tác này khi mục đang ở trạng thái \"%(state)s\".",
                                  state=label))
    if mode not in rule.modes:
        if mode == CLASSIFIED_MODE:
            raise InvalidTransition(_("Hồ sơ này nay là hồ sơ mật: không thể cấp quyền đọc hay chuyển duyệt."))
        if rule.action is Action.APPROVE:
            raise InvalidTransition(_("Hồ sơ tiếp cận có điều kiện phải chuyển lãnh đạo duyệt."))
        raise InvalidTransition(_("Chỉ hồ sơ tiếp cận có điều kiện mới chuyển lãnh đạo duyệt."))
    if rule.needs_reason and not (reason or "").strip():
        message = _("Cần ghi lý do hoặc ý kiến.")
        raise ValidationError(message, {"reason": [message]})
    if rule.needs_cleared_reader and not reader_cleared:
        raise InvalidTransition(_("Tài khoản độc giả chưa được xác minh; chỉ cấp quyền đọc sau khi xác minh."))
    return rule.target


def actions_from(status: str, mode: str) -> list[Action]:
    """The actions the table allows from ``status`` for a file of ``mode`` (for buttons)."""
    return [r.action for r in TRANSITIONS if r.source.value == status and mode in r.modes]


def request_status(item_statuses: Iterable[str]) -> RequestStatus:
    """A request's status from its items' statuses."""
    statuses = [ItemStatus(s) for s in item_statuses]
    if statuses and all(s is S.WITHDRAWN for s in statuses):
        return RequestStatus.WITHDRAWN
    undecided = [s for s in statuses if s in UNDECIDED_STATUSES]
    if len(undecided) == len(statuses):
        return RequestStatus.SUBMITTED
    return RequestStatus.IN_PROGRESS if undecided else RequestStatus.COMPLETED


def request_can_withdraw(item_statuses: Iterable[str]) -> bool:
    """A request can be withdrawn while nothing in it is decided."""
    statuses = list(item_statuses)
    return bool(statuses) and all(ItemStatus(s) in UNDECIDED_STATUSES for s in statuses)


# --- side effects of entering a status -------------------------------------------------

ItemHook = Callable[[Any], None]


def _event(status: ItemStatus) -> str:
    return f"item.entered.{status.value}"


def on_enter(*statuses: ItemStatus) -> Callable[[ItemHook], ItemHook]:
    """Register ``hook(item)`` to run after an item has entered one of ``statuses`` (and it was committed)."""

    def register(hook: ItemHook) -> ItemHook:
        for status in statuses:
            hooks.register(_event(status))(hook)
        return hook

    return register


def entered(item: Any, status: ItemStatus) -> None:
    """Run the hooks registered for ``status``, in registration order (called by the request service)."""
    hooks.fire(_event(status), item)
