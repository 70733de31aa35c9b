"""Sổ cấp bản sao, chứng thực: the copies issued in a date range (CSV and XLSX, labels not codes),
and a monthly summary of copies, pages and fees by fee category."""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...localtime import to_local, utc_day_range
from ...errors import ValidationError
from ...extensions import db
from ...labels import FEE_CATEGORY, PURPOSE
from ...models import CopyOrder, CopyOrderFile, User
from ...permissions import require
from ..audit import record_event
from . import labels


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    start, end = max(start, date(1, 1, 2)), min(end, date(9999, 12, 30))
    return utc_day_range(start, end)


def _local(moment: datetime | None) -> str:
    return to_local(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def issued(start: date, end: date) -> list[CopyOrder]:
    """Orders whose copy was produced in the range (Vietnam dates), oldest first."""
    low, high = _bounds(start, end)
    return list(db.session.scalars(
        select(CopyOrder).where(CopyOrder.produced_at >= low, CopyOrder.produced_at < high)
        .order_by(CopyOrder.produced_at)
        .options(selectinload(CopyOrder.files).selectinload(CopyOrderFile.file), selectinload(CopyOrder.payments))))


def header() -> list[str]:
    return [_("STT"), _("Mã phiếu"), _("Ngày cấp"), _("Người yêu cầu"), _("Số định danh / hộ chiếu"),
            _("Loại bản sao"), _("Hồ sơ"), _("Trang"), _("Số trang"), _("Số bộ"), _("Cách nhận"), _("Mục đích"),
            _("Đối tượng thu phí"), _("Số tiền (đồng)"), _("Số biên lai / mã giao dịch"), _("Người duyệt")]


def rows(orders: list[CopyOrder]) -> list[list[Any]]:
    out = []
    for n, order in enumerate(orders, start=1):
        payment = order.payments[-1] if order.payments else None
        out.append([
            n, order.code, _local(order.produced_at), order.reader.full_name,
            order.reader.profile.id_number if order.reader.profile else "", str(labels.KIND[order.kind]),
            "; ".join(f"{line.file.file_code} {line.file.title}" for line in order.files),
            "; ".join(f"{line.file.file_code}: {line.pages_spec}" for line in order.files), order.page_count,
            order.paper_sets if order.is_paper else "", str(labels.DELIVERY[order.delivery]),
            str(PURPOSE.get(order.purpose, order.purpose)), str(FEE_CATEGORY.get(order.fee_category, order.fee_category)),
            order.amount, (payment.receipt_no or payment.reference or "") if payment else "",
            order.decided_by.full_name if order.decided_by else "",
        ])
    return out


def _cell(value: Any) -> Any:
    """Text that starts like a formula gets an apostrophe: opening the register never runs it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _audit(actor: User, kind: str, start: date, end: date, count: int) -> None:
    record_event(db.session, actor, f"register.export_copies_{kind}", "register", "copies",
                 data={"from": start.isoformat(), "to": end.isoformat(), "rows": count})
    db.session.commit()


def register_csv(actor: User, start: date, end: date) -> str:
    """The register as CSV (UTF-8 with BOM so Excel reads Vietnamese)."""
    require(actor, "registers.export")
    data = rows(issued(start, end))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header())
    writer.writerows([_cell(v) for v in row] for row in data)
    _audit(actor, "csv", start, end, len(data))
    return buffer.getvalue()


def register_xlsx(actor: User, start: date, end: date) -> bytes:
    """The register and its monthly summary as an Excel workbook."""
    require(actor, "registers.export")
    orders = issued(start, end)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Sổ cấp bản sao")[:31]
    sheet.append([_("Sổ cấp bản sao, chứng thực từ %(a)s đến %(b)s", a=start.strftime("%d/%m/%Y"),
                    b=end.strftime("%d/%m/%Y"))])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows(orders):
        sheet.append([_cell(v) for v in row])
    summary = book.create_sheet(_("Tổng hợp theo tháng")[:31])
    summary.append(summary_header())
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for line in monthly_summary(orders):
        summary.append(line.as_row())
    buffer = io.BytesIO()
    book.save(buffer)
    _audit(actor, "xlsx", start, end, len(orders))
    return buffer.getvalue()


@dataclass
class SummaryLine:
    month: str
    fee_category: str
    plain: int = 0
    certified: int = 0
    pages: int = 0
    fees: int = 0

    def as_row(self) -> list[Any]:
        return [self.month, str(FEE_CATEGORY.get(self.fee_category, self.fee_category)), self.plain,
                self.certified, self.pages, self.fees]


def summary_header() -> list[str]:
    return [_("Tháng"), _("Đối tượng thu phí"), _("Bản sao"), _("Bản sao có xác thực"), _("Số trang"),
            _("Phí (đồng)")]


def monthly_summary(orders: list[CopyOrder]) -> list[SummaryLine]:
    """Copies, pages and fees per month (of issue, Vietnam time) and fee category."""
    lines: dict[tuple[str, str], SummaryLine] = defaultdict(lambda: SummaryLine("", ""))
    for order in orders:
        month = to_local(order.produced_at).strftime("%m/%Y")  # type: ignore[operator]
        line = lines[(month, order.fee_category)]
        line.month, line.fee_category = month, order.fee_category
        sets = order.paper_sets if order.is_paper else 1
        if order.kind == "certified":
            line.certified += sets
        else:
            line.plain += sets
        line.pages += order.page_count * sets
        line.fees += order.amount
    return sorted(lines.values(), key=lambda l: (l.month[3:], l.month[:2], l.fee_category))


def summary(actor: User, start: date, end: date) -> list[SummaryLine]:
    """The monthly summary for the register page."""
    require(actor, "registers.export")
    return monthly_summary(issued(start, end))
