"""The yearly report on use of records sent to the Sở Nội vụ, as a table, an XLSX and a printable page.

Each row is one figure (lượt người khai thác; lượt hồ sơ, tài liệu phục vụ;
copies and certified copies; by purpose; fees) split into online and at the
reading room. The numbers come from *sources* keyed by row: this module
provides the online reading ones; the modules for reading-room visits, copies
and fees register theirs with :func:`register_source` and the row fills in.
A row nobody provides shows "—" (not 0: "we do not count this here yet" is not
"none were issued").
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from sqlalchemy import distinct, func, select

from .. import labels
from ..extensions import db
from ..models import AccessKind, AccessRequest, ReadingAccess, ReadingCopy, ReadingCopyKind, RecordFile, RequestItem, User
from ..permissions import require
from .audit import record_event
from ..localtime import to_local
from .statistics import Period
from .statistics import reading as reading_figures

ONLINE, READING_ROOM = "online", "reading_room"
Counts = dict[str, int]  # channel (online | reading_room) → number
Source = Callable[[int], Counts]


@dataclass(frozen=True)
class RowSpec:
    key: str
    number: str
    label: object
    unit: object


ROWS: tuple[RowSpec, ...] = (
    RowSpec("readers.visits", "1", _l("Lượt người khai thác sử dụng tài liệu"), _l("lượt")),
    RowSpec("readers.people", "1.1", _l("Số người khai thác sử dụng tài liệu"), _l("người")),
    RowSpec("files.served", "2", _l("Lượt hồ sơ phục vụ"), _l("lượt hồ sơ")),
    RowSpec("documents.served", "2.1", _l("Lượt tài liệu (văn bản) phục vụ"), _l("lượt văn bản")),
    RowSpec("pages.read", "2.2", _l("Trang tài liệu đã đọc trực tuyến"), _l("trang")),
    *(RowSpec(f"purpose.{code}", f"3.{n}", _l("Lượt hồ sơ phục vụ – mục đích: %(purpose)s", purpose=text),
              _l("lượt hồ sơ")) for n, (code, text) in enumerate(labels.PURPOSE.items(), start=1)),
    RowSpec("copies.plain", "4", _l("Bản sao tài liệu lưu trữ đã cấp"), _l("bản")),
    RowSpec("copies.certified", "5", _l("Bản chứng thực tài liệu lưu trữ đã cấp"), _l("bản")),
    RowSpec("fees", "6", _l("Phí khai thác, sử dụng tài liệu đã thu"), _l("đồng")),
)

_SOURCES: dict[str, list[Source]] = {}


def register_source(key: str, source: Source) -> Source:
    """Provide numbers for the row ``key`` (its channels are added to other sources' for the same row)."""
    sources = _SOURCES.setdefault(key, [])
    if source not in sources:
        sources.append(source)
    return source


@dataclass
class ReportRow:
    key: str
    number: str
    label: str
    unit: str
    online: int | None
    reading_room: int | None

    @property
    def total(self) -> int | None:
        if self.online is None and self.reading_room is None:
            return None
        return (self.online or 0) + (self.reading_room or 0)


@dataclass
class YearlyReport:
    year: int
    archive_name: str
    rows: list[ReportRow]


# --- the online reading room's own sources ---------------------------------------------------------

def _bounds(year: int):
    return Period(date(year, 1, 1), date(year, 12, 31)).utc_bounds()


def _reader_days(year: int) -> Counts:
    """A visit online is one reader reading on one Vietnam day (opening the viewer)."""
    low, high = _bounds(year)
    rows = db.session.execute(select(ReadingAccess.user_id, ReadingAccess.at)
                              .join(ReadingCopy, ReadingCopy.id == ReadingAccess.copy_id)
                              .where(ReadingCopy.kind == ReadingCopyKind.READER.value, ReadingAccess.kind == AccessKind.OPEN.value,
                                     ReadingAccess.at >= low, ReadingAccess.at < high))
    return {ONLINE: len({(user_id, to_local(at).date()) for user_id, at in rows})}


def _people(year: int) -> Counts:
    low, high = _bounds(year)
    count = db.session.scalar(select(func.count(distinct(ReadingAccess.user_id)))
                              .join(ReadingCopy, ReadingCopy.id == ReadingAccess.copy_id)
                              .where(ReadingCopy.kind == ReadingCopyKind.READER.value, ReadingAccess.kind == AccessKind.OPEN.value,
                                     ReadingAccess.at >= low, ReadingAccess.at < high)) or 0
    return {ONLINE: count}


def _granted(year: int, purpose: str | None = None):
    """Items granted in the year; a digitised file is served online, a paper one at the reading room."""
    low, high = _bounds(year)
    query = (select(RecordFile.scan_kind.is_not(None), func.count(RequestItem.id),
                    func.coalesce(func.sum(RecordFile.document_count), 0))
             .join(RecordFile, RecordFile.id == RequestItem.file_id)
             .join(AccessRequest, AccessRequest.id == RequestItem.request_id)
             .where(RequestItem.decided_at >= low, RequestItem.decided_at < high,
                    RequestItem.grant_starts_at.is_not(None))
             .group_by(RecordFile.scan_kind.is_not(None)))
    if purpose is not None:
        query = query.where(AccessRequest.purpose == purpose)
    files: Counts = {ONLINE: 0, READING_ROOM: 0}
    documents: Counts = {ONLINE: 0, READING_ROOM: 0}
    for digitised, count, docs in db.session.execute(query):
        channel = ONLINE if digitised else READING_ROOM
        files[channel] += count
        documents[channel] += int(docs or 0)
    return files, documents


def _pages(year: int) -> Counts:
    totals, _figure = reading_figures(Period(date(year, 1, 1), date(year, 12, 31)))
    return {ONLINE: totals.pages}


register_source("readers.visits", _reader_days)
register_source("readers.people", _people)
register_source("files.served", lambda year: _granted(year)[0])
register_source("documents.served", lambda year: _granted(year)[1])
register_source("pages.read", _pages)
for _code in labels.PURPOSE:
    register_source(f"purpose.{_code}", lambda year, code=_code: _granted(year, code)[0])


# --- the report --------------------------------------------------------------------------------------

def build(actor: User, year: int, archive_name: str) -> YearlyReport:
    """Every row of the report for ``year``."""
    require(actor, "reports.yearly")
    rows = []
    for spec in ROWS:
        online = reading_room = None
        for source in _SOURCES.get(spec.key, []):
            counts = source(year)
            if ONLINE in counts:
                online = (online or 0) + counts[ONLINE]
            if READING_ROOM in counts:
                reading_room = (reading_room or 0) + counts[READING_ROOM]
        rows.append(ReportRow(spec.key, spec.number, str(spec.label), str(spec.unit), online, reading_room))
    return YearlyReport(year, archive_name, rows)


HEADER = (_l("STT"), _l("Chỉ tiêu"), _l("Đơn vị tính"), _l("Trực tuyến"), _l("Tại phòng đọc"), _l("Tổng số"))


def to_xlsx(actor: User, report: YearlyReport) -> bytes:
    """The report as an Excel workbook: title rows, then one row per figure; "—" where nobody counts."""
    require(actor, "reports.yearly")
    book = Workbook()
    sheet = book.active
    sheet.title = _("Báo cáo %(year)d", year=report.year)
    sheet["A1"] = report.archive_name
    sheet["A2"] = _("BÁO CÁO THỐNG KÊ KHAI THÁC, SỬ DỤNG TÀI LIỆU LƯU TRỮ NĂM %(year)d", year=report.year)
    sheet["A1"].font = Font(bold=True)
    sheet["A2"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([str(h) for h in HEADER])
    thin = Side(style="thin")
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in report.rows:
        sheet.append([row.number, row.label, row.unit, *("—" if v is None else v
                                                        for v in (row.online, row.reading_room, row.total))])
    for line in sheet.iter_rows(min_row=4, max_row=sheet.max_row, max_col=len(HEADER)):
        for cell in line:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.column >= 4:
                cell.number_format = "#,##0"
                cell.alignment = Alignment(horizontal="right")
    for column, width in zip("ABCDEF", (6, 58, 14, 14, 16, 12)):
        sheet.column_dimensions[column].width = width
    sheet.append([])
    sheet.append([_("Ghi chú: \"—\" là chỉ tiêu chưa được phòng đọc trực tuyến theo dõi.")])
    buffer = io.BytesIO()
    book.save(buffer)
    record_event(db.session, actor, "report.export_yearly", "report", report.year)
    db.session.commit()
    return buffer.getvalue()
