"""The copy-order workflow: statuses, actions and the one transition table.

As for reading requests (portal/workflow.py), nothing else decides whether a
transition is legal; permissions.py decides who may try; the order service
applies it, writes the audit event in the same transaction, commits, and then
runs the hooks registered for the new status (mails, production), which the
modules that own that work register here, so this module imports none of them::

    submitted ──approve (archivist; open file, or a leader grant held)──▶ approved ──pay──▶ paid
        │  ├──refuse──▶ refused                                          │  └─expire (unpaid)─▶ expired
        │  └──forward (conditional)──▶ forwarded ──leader_approve──▶ approved
        │                                   └──leader_refuse──▶ refused
        └──withdraw (also from forwarded, approved)──▶ withdrawn
    paid ──produce (the job; staff for paper-only files)──▶ produced ──deliver──▶ delivered
                                                               └──expire (never fetched)──▶ expired
    close (the system, when a file in the order becomes classified):
        submitted / forwarded / approved / paid / produced ──▶ refused, with the reason the reader reads
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import hooks
from .errors import InvalidTransition, ValidationError


class CopyStatus(str, enum.Enum):
    SUBMITTED = "submitted"  # chờ cán bộ phòng đọc xử lý
    FORWARDED = "forwarded"  # chờ lãnh đạo duyệt
    APPROVED = "approved"  # chờ nộp phí
    PAID = "paid"  # đang làm bản sao
    PRODUCED = "produced"  # bản sao đã sẵn sàng
    DELIVERED = "delivered"  # đã tải về / đã gửi / đã nhận
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class CopyAction(str, enum.Enum):
    APPROVE = "approve"
    FORWARD = "forward"
    LEADER_APPROVE = "leader_approve"
    REFUSE = "refuse"
    LEADER_REFUSE = "leader_refuse"
    WITHDRAW = "withdraw"
    PAY = "pay"
    PRODUCE = "produce"
    DELIVER = "deliver"
    EXPIRE = "expire"
    CLOSE = "close"  # a file in the order became classified: the system ends the order, with a reason


OPEN_MODE, CONDITIONAL_MODE = "01", "02"
BOTH = frozenset({OPEN_MODE, CONDITIONAL_MODE})
# Working days to decide an order (domain.md, Copies): 2 for open files, 7 when a leader decides.
DEADLINE_WORKING_DAYS = {OPEN_MODE: 2, CONDITIONAL_MODE: 7}


@dataclass(frozen=True)
class Rule:
    """One legal transition: from a status, by an action, to a status."""

    source: CopyStatus
    action: CopyAction
    target: CopyStatus
    modes: frozenset[str] = BOTH
    needs_reason: bool = False
    needs_cleared_reader: bool = False


S, A = CopyStatus, CopyAction
TRANSITIONS: tuple[Rule, ...] = (
    Rule(S.SUBMITTED, A.APPROVE, S.APPROVED, modes=frozenset({OPEN_MODE}), needs_cleared_reader=True),
    Rule(S.SUBMITTED, A.FORWARD, S.FORWARDED, modes=frozenset({CONDITIONAL_MODE}), needs_reason=True),
    Rule(S.SUBMITTED, A.REFUSE, S.REFUSED, needs_reason=True),
    Rule(S.FORWARDED, A.LEADER_APPROVE, S.APPROVED, needs_cleared_reader=True),
    Rule(S.FORWARDED, A.LEADER_REFUSE, S.REFUSED, needs_reason=True),
    Rule(S.SUBMITTED, A.WITHDRAW, S.WITHDRAWN),
    Rule(S.FORWARDED, A.WITHDRAW, S.WITHDRAWN),
    Rule(S.APPROVED, A.WITHDRAW, S.WITHDRAWN),
    Rule(S.APPROVED, A.PAY, S.PAID),
    Rule(S.APPROVED, A.EXPIRE, S.EXPIRED),
    Rule(S.PAID, A.PRODUCE, S.PRODUCED),
    Rule(S.PRODUCED, A.DELIVER, S.DELIVERED),
    Rule(S.PRODUCED, A.EXPIRE, S.EXPIRED),
    *(Rule(source, A.CLOSE, S.REFUSED, needs_reason=True)
      for source in (S.SUBMITTED, S.FORWARDED, S.APPROVED, S.PAID, S.PRODUCED)),
)
_BY_KEY = {(rule.source, rule.action): rule for rule in TRANSITIONS}

UNDECIDED = frozenset({S.SUBMITTED, S.FORWARDED})
# Orders still under way: a file in one of them cannot be ordered again by the same reader.
ACTIVE = frozenset({S.SUBMITTED, S.FORWARDED, S.APPROVED, S.PAID, S.PRODUCED})

LABELS = {
    S.SUBMITTED: _l("Chờ xử lý"), S.FORWARDED: _l("Chờ lãnh đạo duyệt"), S.APPROVED: _l("Chờ nộp phí"),
    S.PAID: _l("Đang làm bản sao"), S.PRODUCED: _l("Bản sao đã sẵn sàng"), S.DELIVERED: _l("Đã giao"),
    S.REFUSED: _l("Từ chối"), S.WITHDRAWN: _l("Đã rút"), S.EXPIRED: _l("Hết hạn"),
}


def find_rule(status: str, action: str) -> Rule | None:
    """The rule for (status, action), or None when the table has none."""
    try:
        return _BY_KEY.get((CopyStatus(status), CopyAction(action)))
    except ValueError:
        return None


def transition(status: str, action: str, *, mode: str, reason: str | None = None,
               reader_cleared: bool = True) -> CopyStatus:
    """The status an order moves to, or :class:`InvalidTransition` saying why not.

    A missing reason where one is required is bad input: :class:`ValidationError`.
    """
    rule = find_rule(status, action)
    if rule is None:
        label = LABELS.get(CopyStatus(status), status) if status in CopyStatus._value2member_map_ else status
        raise InvalidTransition(_("Không thể thực hiện thao tác này khi phiếu sao đang ở trạng thái \"%(state)s\".",
                                  state=label))
    if mode not in rule.modes:
        if rule.action is CopyAction.APPROVE:
            raise InvalidTransition(_("Phiếu có hồ sơ tiếp cận có điều kiện phải chuyển lãnh đạo duyệt."))
        raise InvalidTransition(_("Chỉ phiếu có hồ sơ tiếp cận có điều kiện mới chuyển lãnh đạo duyệt."))
    if rule.needs_reason and not (reason or "").strip():
        message = _("Cần ghi lý do hoặc ý kiến.")
        raise ValidationError(message, {"reason": [message]})
    if rule.needs_cleared_reader and not reader_cleared:
        raise InvalidTransition(_("Tài khoản độc giả chưa được xác minh; chỉ duyệt sau khi xác minh."))
    return rule.target


def actions_from(status: str, mode: str) -> list[CopyAction]:
    """The actions the table allows from ``status`` for an order of ``mode`` (for buttons)."""
    return [r.action for r in TRANSITIONS if r.source.value == status and mode in r.modes]


# --- hooks: work a transition causes elsewhere, registered by the module that owns it ---------------

Hook = Callable[[Any, CopyAction], None]


def _event(status: CopyStatus) -> str:
    return f"copy.entered.{status.value}"


def on_enter(status: CopyStatus) -> Callable[[Hook], Hook]:
    """Register ``hook(order, action)`` to run after an order entered ``status`` and was committed."""
    return hooks.register(_event(status))


def run_hooks(order: Any, status: CopyStatus, action: CopyAction) -> None:
    """Run the hooks of ``status`` (the caller has committed the transition)."""
    hooks.fire(_event(status), order, action)
