"""Mails at each step of a copy order, registered as hooks on the copy workflow."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ... import copy_workflow as wf
from ...copy_workflow import CopyAction, CopyStatus
from ...extensions import db
from ...models import CopyOrder, Role, User
from ...urls import external_url
from ..mail import send_mail


def _link(endpoint: str, **values: Any) -> str:
    return external_url(endpoint, **values)


def _staff(role: Role) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == role.value, User.is_active_account.is_(True))))


def _to_reader(order: CopyOrder, subject: str) -> None:
    send_mail(order.reader.email, subject, "copy_order", order=order,
              link=_link("copies.order_detail", order_id=order.id))


@wf.on_enter(CopyStatus.SUBMITTED)
def _submitted(order: CopyOrder, _action: CopyAction) -> None:
    _to_reader(order, _("Đã nhận phiếu yêu cầu sao %(code)s", code=order.code))
    for staff in _staff(Role.ARCHIVIST):
        send_mail(staff.email, _("Phiếu yêu cầu sao mới %(code)s", code=order.code), "copy_order_staff",
                  order=order, link=_link("copies.staff_detail", order_id=order.id))


@wf.on_enter(CopyStatus.FORWARDED)
def _forwarded(order: CopyOrder, _action: CopyAction) -> None:
    for leader in _staff(Role.LEADER):
        send_mail(leader.email, _("Phiếu sao chờ lãnh đạo duyệt: %(code)s", code=order.code), "copy_order_staff",
                  order=order, link=_link("copies.staff_detail", order_id=order.id))


@wf.on_enter(CopyStatus.APPROVED)
def _approved(order: CopyOrder, _action: CopyAction) -> None:
    _to_reader(order, _("Phiếu sao %(code)s đã được đồng ý", code=order.code))


for _status, _subject in ((CopyStatus.PAID, "paid"), (CopyStatus.REFUSED, "refused"), (CopyStatus.PRODUCED, "produced"),
                          (CopyStatus.DELIVERED, "delivered"), (CopyStatus.EXPIRED, "expired")):
    def _hook(order: CopyOrder, action: CopyAction, kind: str = _subject) -> None:
        if kind == "delivered" and order.delivery == "download":
            return  # the reader fetched it themselves
        if kind == "paid" and order.amount == 0:
            return  # nothing was paid: the "approved" mail said so
        subjects = {"paid": _("Đã nhận phí phiếu sao %(code)s", code=order.code),
                    "refused": _("Phiếu sao %(code)s không được đồng ý", code=order.code),
                    "produced": _("Bản sao %(code)s đã sẵn sàng", code=order.code),
                    "delivered": _("Bản sao %(code)s đã được giao", code=order.code),
                    "expired": _("Phiếu sao %(code)s đã hết hạn", code=order.code)}
        _to_reader(order, subjects[kind])

    wf.on_enter(_status)(_hook)
