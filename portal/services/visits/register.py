"""Sổ theo dõi độc giả đọc tại phòng đọc: the visits of a date range, with labels
(not codes), as CSV (Excel reads its BOM) and as an XLSX workbook (openpyxl)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...localtime import to_local
from ... import labels
from ...errors import ValidationError
from ...extensions import db
from ...models import User, Visit, VisitFile
from ...permissions import require
from ..audit import record_event
from .transitions import LABELS, SESSION_LABELS, VisitStatus

MAX_DAYS = 3660


def _local(moment: datetime | None) -> str:
    return to_local(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _cell(value: Any) -> Any:
    """Text a reader typed that starts like a formula gets an apostrophe, so opening the file runs nothing."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def header() -> list[str]:
    return [_("STT"), _("Ngày"), _("Buổi"), _("Mã lượt đọc"), _("Họ và tên độc giả"), _("Số định danh / hộ chiếu"),
            _("Giấy tờ đã kiểm tra"), _("Cơ quan công tác"), _("Mã phiếu"), _("Mục đích"), _("Hồ sơ phục vụ"),
            _("Số hồ sơ đã giao"), _("Giờ vào"), _("Giờ ra"), _("Trạng thái")]


def rows(actor: User, start: date, end: date) -> list[list[Any]]:
    """One line per visit between two days (inclusive), in order of day and session."""
    require(actor, "registers.export")
    if end < start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if (end - start).days > MAX_DAYS:
        raise ValidationError(_("Khoảng thời gian quá dài (tối đa 10 năm)."))
    visits = db.session.scalars(
        select(Visit).where(Visit.day >= start, Visit.day <= end).order_by(Visit.day, Visit.session, Visit.id)
        .options(selectinload(Visit.files).selectinload(VisitFile.file), selectinload(Visit.reader)))
    lines = []
    for n, visit in enumerate(visits, start=1):
        profile = visit.reader.profile
        request = visit.request
        lines.append([
            n, visit.day.strftime("%d/%m/%Y"), str(SESSION_LABELS[visit.session]), visit.code,
            visit.reader.full_name, profile.id_number if profile else "", visit.id_document_seen or "",
            (profile.employer if profile else "") or "", request.code if request else "",
            str(labels.PURPOSE.get(request.purpose, request.purpose)) if request else "",
            "; ".join(f"{vf.file.file_code} – {vf.file.title}" for vf in visit.files),
            sum(1 for vf in visit.files if vf.handed_at), _local(visit.checked_in_at), _local(visit.checked_out_at),
            str(LABELS[VisitStatus(visit.status)]),
        ])
    return lines


def _audit(actor: User, start: date, end: date, count: int, kind: str) -> None:
    record_event(db.session, actor, "register.export_visits", "register", "visits",
                 data={"from": start.isoformat(), "to": end.isoformat(), "rows": count, "format": kind})
    db.session.commit()


def visits_csv(actor: User, start: date, end: date) -> str:
    """The register as CSV text."""
    lines = rows(actor, start, end)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header())
    writer.writerows([_cell(value) for value in line] for line in lines)
    _audit(actor, start, end, len(lines), "csv")
    return buffer.getvalue()


def visits_xlsx(actor: User, start: date, end: date) -> bytes:
    """The register as an Excel workbook, a title line above the labelled columns."""
    lines = rows(actor, start, end)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Sổ theo dõi")[:31]
    sheet.append([_("Sổ theo dõi độc giả đọc tại phòng đọc, từ %(start)s đến %(end)s",
                    start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y"))])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(line)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for column, width in zip("ABCDEFGHIJKLMNO", (5, 12, 12, 16, 26, 18, 18, 24, 16, 14, 60, 10, 17, 17, 16)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    _audit(actor, start, end, len(lines), "xlsx")
    return buffer.getvalue()
