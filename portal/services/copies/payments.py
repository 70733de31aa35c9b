"""Payments for copy orders, behind one small interface.

Today staff record what they received: at the desk (a receipt number), a bank
transfer or an online-payment reference they checked. Every payment, whatever
its source, is a :class:`Payment` handed to :func:`record_payment`. An online
payment provider added later implements :class:`PaymentSource` (turn the
provider's verified confirmation into a :class:`Payment`) and calls
:func:`record_payment` with no user, as the system; nothing else changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from flask_babel import gettext as _

from ... import copy_workflow as wf
from ...copy_workflow import CopyAction, CopyStatus
from ...errors import ValidationError
from ...models import CopyOrder, CopyPayment, User
from ...permissions import require
from . import orders

STAFF_METHODS = ("desk", "transfer", "online")


@dataclass(frozen=True)
class Payment:
    """What was paid for an order: whole đồng, how, and the papers that prove it."""

    amount: int
    method: str
    reference: str | None = None  # transfer or online transaction reference
    receipt_no: str | None = None  # the archive's receipt (biên lai)


class PaymentSource(Protocol):
    """Where payments come from: staff entry today; an online provider later."""

    def payment_for(self, order: CopyOrder, data: dict[str, Any]) -> Payment:
        """Check ``data`` for ``order`` and return the payment, or raise ValidationError."""
        ...


class StaffEntry:
    """A payment typed in by staff: the amount must be the quote; a receipt or a reference is required."""

    def payment_for(self, order: CopyOrder, data: dict[str, Any]) -> Payment:
        errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
        method = str(data.get("method") or "")
        if method not in STAFF_METHODS:
            errors.add("method", _("Hãy chọn hình thức nộp phí."))
        raw = str(data.get("amount") or "").strip().replace(".", "").replace(" ", "")
        amount = int(raw) if raw.isdecimal() and len(raw) < 12 else -1
        if amount != order.amount:
            errors.add("amount", _("Số tiền phải đúng bằng số đã báo giá: %(amount)s đ.",
                                   amount=f"{order.amount:,}".replace(",", ".")))
        reference = str(data.get("reference") or "").strip()[:120] or None
        receipt = str(data.get("receipt_no") or "").strip()[:60] or None
        if method == "desk" and not receipt:
            errors.add("receipt_no", _("Hãy ghi số biên lai."))
        if method in ("transfer", "online") and not reference:
            errors.add("reference", _("Hãy ghi mã giao dịch."))
        if errors.fields:
            raise errors
        return Payment(amount=amount, method=method, reference=reference, receipt_no=receipt)


def record_payment(actor: User | None, order: CopyOrder, payment: Payment,
                   expected_version: int | None = None) -> CopyOrder:
    """Record ``payment`` and move the order to "paid" (which queues the production)."""

    def add(target: CopyOrder) -> None:
        target.payments.append(CopyPayment(amount=payment.amount, method=payment.method, reference=payment.reference,
                                           receipt_no=payment.receipt_no,
                                           recorded_by_id=actor.id if actor is not None else None))

    return orders.apply(actor, order, CopyAction.PAY.value, expected_version=expected_version, changes=add,
                        data={"amount": payment.amount, "method": payment.method, "receipt_no": payment.receipt_no,
                              "reference": payment.reference})


def record_staff_payment(actor: User, order: CopyOrder, data: dict[str, Any],
                         expected_version: int | None = None) -> CopyOrder:
    """Staff record what they received (the desk form)."""
    require(actor, "copy.pay", order)
    return record_payment(actor, order, StaffEntry().payment_for(order, data), expected_version)


def settle_if_free(order: CopyOrder) -> None:
    """An approved order that costs nothing (a full exemption) is paid by the system at once."""
    if order.amount == 0 and order.status == "approved":
        record_payment(None, order, Payment(amount=0, method="exempt"))


@wf.on_enter(CopyStatus.APPROVED)
def _settle_free_order(order: CopyOrder, _action: CopyAction) -> None:
    settle_if_free(order)
