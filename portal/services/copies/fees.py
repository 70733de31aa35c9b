"""The fee schedule (biểu phí sao tài liệu): versions with an effective-from date, and quotes.

A schedule version is never edited: the admin saves a new one. An order keeps the
amount it was quoted and the version it came from, so a new schedule changes no
existing order. Amounts are whole đồng; a reduction is rounded half up to the đồng.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...deadlines import today_local
from ...errors import NotFound, ValidationError
from ...extensions import db
from ...labels import FEE_CATEGORY
from ...models import FeeSchedule, User
from ...permissions import require
from ..audit import record_event

PRICE_FIELDS = ("page_plain_digital", "page_plain_paper", "page_certified_digital", "page_certified_paper",
                "certification_fee", "postage")
MAX_PRICE = 10_000_000
KINDS, DELIVERIES = ("plain", "certified"), ("download", "post", "pickup")


@dataclass
class Quote:
    """The price of an order, line by line (labels are codes; templates translate them)."""

    amount: int
    lines: list[dict[str, Any]] = field(default_factory=list)
    schedule_id: int = 0


def compute_quote(schedule: FeeSchedule, *, kind: str, delivery: str, pages: int, sets: int,
                  fee_category: str) -> Quote:
    """The amount for ``pages`` pages: per page × sets, certification per set, minus the category's
    reduction (rounded half up), plus postage when sent by post (never reduced)."""
    paper = delivery in ("post", "pickup")
    copies = max(1, sets) if paper else 1
    price = getattr(schedule, f"page_{kind}_{'paper' if paper else 'digital'}")
    lines: list[dict[str, Any]] = [{"item": "pages", "quantity": pages * copies, "unit": price,
                                    "amount": pages * copies * price}]
    if kind == "certified":
        lines.append({"item": "certification", "quantity": copies, "unit": schedule.certification_fee,
                      "amount": copies * schedule.certification_fee})
    subtotal = sum(line["amount"] for line in lines)
    percent = int((schedule.reductions or {}).get(fee_category, 0) or 0)
    if percent:
        discount = int((Decimal(subtotal) * Decimal(percent) / Decimal(100)).quantize(Decimal(1), ROUND_HALF_UP))
        lines.append({"item": "reduction", "quantity": percent, "unit": 0, "amount": -discount})
    if delivery == "post":
        lines.append({"item": "postage", "quantity": 1, "unit": schedule.postage, "amount": schedule.postage})
    return Quote(amount=sum(line["amount"] for line in lines), lines=lines, schedule_id=schedule.id)


def schedule_on(day: date | None = None) -> FeeSchedule | None:
    """The version in force on ``day`` (Vietnam date; default today): the latest effective one."""
    day = day or today_local()
    return db.session.scalar(select(FeeSchedule).where(FeeSchedule.effective_from <= day)
                             .order_by(FeeSchedule.effective_from.desc(), FeeSchedule.version.desc()).limit(1))


def current_schedule() -> FeeSchedule:
    """Today's schedule, or a clear error when the admin has not published one."""
    schedule = schedule_on()
    if schedule is None:
        raise NotFound(_("Lưu trữ chưa ban hành biểu phí sao tài liệu; tạm thời chưa nhận phiếu sao."))
    return schedule


def all_schedules() -> list[FeeSchedule]:
    """Every version, newest first."""
    return list(db.session.scalars(select(FeeSchedule).order_by(FeeSchedule.version.desc())))


def _amount(data: dict[str, Any], name: str, errors: ValidationError) -> int:
    raw = str(data.get(name) if data.get(name) is not None else "").strip().replace(".", "").replace(" ", "")
    if not raw.isdecimal() or int(raw) > MAX_PRICE:
        errors.add(name, _("Hãy nhập số tiền là số nguyên đồng, từ 0 đến %(max)s.", max=f"{MAX_PRICE:,}".replace(",", ".")))
        return 0
    return int(raw)


def save_schedule(actor: User | None, data: dict[str, Any], *, is_example: bool = False,
                  allow_past: bool = False) -> FeeSchedule:
    """Publish a new version. ``data``: the six prices, ``effective_from`` (a date),
    ``reduction_XX`` (percent per fee category) and ``decision`` (the deciding text)."""
    require(actor, "fees.manage")
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    prices = {name: _amount(data, name, errors) for name in PRICE_FIELDS}
    reductions: dict[str, int] = {}
    for code in FEE_CATEGORY:
        raw = str(data.get(f"reduction_{code}") or "0").strip()
        if not raw.isdecimal() or int(raw) > 100:
            errors.add(f"reduction_{code}", _("Mức giảm là số phần trăm từ 0 đến 100."))
        elif int(raw):
            reductions[code] = int(raw)
    effective = data.get("effective_from")
    if not isinstance(effective, date):
        errors.add("effective_from", _("Hãy chọn ngày áp dụng."))
    elif not allow_past and effective < today_local():
        errors.add("effective_from", _("Ngày áp dụng không được trước hôm nay; biểu phí đã áp dụng không sửa lại được."))
    decision = str(data.get("decision") or "").strip()
    if len(decision) > 1000:
        errors.add("decision", _("Quá dài (tối đa %(n)d ký tự).", n=1000))
    if errors.fields:
        raise errors
    version = (db.session.scalar(select(func.max(FeeSchedule.version))) or 0) + 1
    schedule = FeeSchedule(version=version, effective_from=effective, reductions=reductions, is_example=is_example,
                           decision=decision or None, created_by_id=actor.id if actor else None, **prices)
    db.session.add(schedule)
    db.session.flush()
    record_event(db.session, actor, "fees.publish", "fee_schedule", schedule.id,
                 data={"version": version, "effective_from": effective.isoformat(), **prices,  # type: ignore[union-attr]
                       "reductions": reductions, "example": is_example})
    db.session.commit()
    return schedule
