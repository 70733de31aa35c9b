"""The catalogue: validating TT 05/2025 metadata, saving fonds and files,
and the public queries over them (always through ``permissions.visible_files``)."""
from __future__ import annotations

import calendar
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import hooks, page_cache
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..db import utcnow
from ..models import Document, Fonds, HarvestDeletion, PageScan, RecordFile, User
from ..models.records import CONDITION_CODES, MODE_CODES, RELIABILITY_CODES, RETENTION_CODES
from ..permissions import can, is_staff, require, visible_files
from ..storage import disk_guard
from .audit import record_event
from .derivatives import render_derivatives
from .scans import ScanError, ScanInfo, inspect_scan, remove_scan_folder, store_scan
from .search import reindex as reindex_search

# What happens elsewhere when a file's access mode changes (reclassification): requests end or
# re-route their items, reading copies are purged, exhibitions withdraw pictures. Each owning
# module registers its reaction with :func:`on_mode_change`; this module imports none of them.
ModeChangeHook = Callable[[User | None, RecordFile, str, str], None]
MODE_CHANGED = "file.mode_changed"  # the event in portal/hooks.py

PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
FILE_CODE_RE = re.compile(r"^[\w.\-/]{1,80}$")
FONDS_CODE_RE = re.compile(r"^[\w.\-]{1,40}$")

# The file fields staff and manifests can set, in form order.
FILE_FIELDS = (
    "file_code", "inventory_no", "box_no", "file_no", "title", "start_date", "end_date",
    "retention", "mode", "language", "keywords", "document_count", "sheets", "pages",
    "condition", "info_symbol", "reliability", "notes",
)


def parse_partial_date(value: str, *, end: bool = False) -> date:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Returns the first day of the period, or the last when ``end`` is true, so
    a file dated "1975" sorts and filters as 1975-01-01 … 1975-12-31.
    Raises ``ValueError`` for anything else.
    """
    match = PARTIAL_DATE_RE.match(value.strip())
    if not match:
        raise ValueError(value)
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if year < 1000:
        raise ValueError(value)
    if month is None:
        return date(year, 12, 31) if end else date(year, 1, 1)
    if day is None:
        last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
        return date(year, month, last if end else 1)
    return date(year, month, day)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _int_field(errors: ValidationError, data: dict[str, Any], name: str) -> int | None:
    raw = _text(data, name)
    if raw == "":
        return None
    if not raw.isdecimal() or len(raw) > 7:
        errors.add(name, _("Phải là một số nguyên không âm."))
        return None
    return int(raw)


def validate_file_fields(data: dict[str, Any]) -> tuple[dict[str, Any], ValidationError]:
    """Check a file's metadata; return the cleaned values and the errors found.

    Used by the staff form and the manifest import, so both apply one rule set.
    """
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    clean: dict[str, Any] = {}
    file_code = _text(data, "file_code")
    if not file_code:
        errors.add("file_code", _("Cần có mã hồ sơ."))
    elif not FILE_CODE_RE.match(file_code):
        errors.add("file_code", _("Mã hồ sơ chỉ gồm chữ, số và các dấu . - / _ (tối đa 80 ký tự)."))
    clean["file_code"] = file_code
    for name, label in (("inventory_no", _("Mục lục số")), ("box_no", _("Hộp số")), ("file_no", _("Hồ sơ số"))):
        value = _text(data, name)
        if not value:
            errors.add(name, _("Cần nhập %(field)s.", field=label))
        elif len(value) > 20:
            errors.add(name, _("%(field)s quá dài.", field=label))
        clean[name] = value
    title = _text(data, "title")
    if len(title) < 3:
        errors.add("title", _("Cần nhập tiêu đề hồ sơ."))
    elif len(title) > 2000:
        errors.add("title", _("Tiêu đề quá dài."))
    clean["title"] = title

    for name in ("start_date", "end_date"):
        raw = _text(data, name)
        clean[name] = raw or None
        clean[name.replace("_date", "_sort")] = None
        if raw:
            try:
                clean[name.replace("_date", "_sort")] = parse_partial_date(raw, end=name == "end_date")
            except ValueError:
                errors.add(name, _("Ngày phải có dạng YYYY, YYYY-MM hoặc YYYY-MM-DD và có thật."))
    if clean["start_sort"] and clean["end_sort"] and clean["start_sort"] > clean["end_sort"]:
        errors.add("end_date", _("Ngày kết thúc phải sau ngày bắt đầu."))

    for name, codes, default in (
        ("retention", RETENTION_CODES, None), ("mode", MODE_CODES, None),
        ("condition", CONDITION_CODES, "01"), ("reliability", RELIABILITY_CODES, "02"),
    ):
        value = _text(data, name) or (default or "")
        if value.isdigit() and len(value) == 1:
            value = "0" + value  # spreadsheets eat the leading zero
        if value not in codes:
            errors.add(name, _("Mã không hợp lệ; chọn một trong: %(codes)s.", codes=", ".join(codes)))
        clean[name] = value

    language = _text(data, "language") or "Tiếng Việt"
    if len(language) > 60:
        errors.add("language", _("Ngôn ngữ quá dài."))
    clean["language"] = language
    keywords = [k.strip() for k in str(data.get("keywords") or "").split(";") if k.strip()]
    clean["keywords"] = "; ".join(keywords) or None
    for name in ("document_count", "sheets", "pages"):
        clean[name] = _int_field(errors, data, name)
    if clean["document_count"] is None:
        clean.pop("document_count")
    info_symbol = _text(data, "info_symbol")
    if len(info_symbol) > 80:
        errors.add("info_symbol", _("Ký hiệu thông tin quá dài."))
    clean["info_symbol"] = info_symbol or None
    notes = str(data.get("notes") or "").strip()
    if len(notes) > 5000:
        errors.add("notes", _("Ghi chú quá dài (tối đa 5000 ký tự)."))
    clean["notes"] = notes or None
    return clean, errors


def validate_fonds_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Check a fonds' code and name; raise :class:`ValidationError`."""
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    code = _text(data, "code")
    if not FONDS_CODE_RE.match(code):
        errors.add("code", _("Mã phông chỉ gồm chữ, số và các dấu . - _ (tối đa 40 ký tự)."))
    name = _text(data, "name")
    if len(name) < 3 or len(name) > 300:
        errors.add("name", _("Cần nhập tên phông (3–300 ký tự)."))
    if errors.fields:
        raise errors
    return {"code": code, "name": name, "description": str(data.get("description") or "").strip() or None}


def save_fonds(actor: User, data: dict[str, Any], fonds: Fonds | None = None) -> Fonds:
    """Create or edit a fonds."""
    require(actor, "records.edit")
    fields = validate_fonds_fields(data)
    clash = db.session.scalar(select(Fonds).where(Fonds.code == fields["code"]))
    if clash is not None and clash is not fonds:
        raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."), {"code": [_("Mã phông đã tồn tại.")]})
    created = fonds is None
    fonds = fonds or Fonds()
    for name, value in fields.items():
        setattr(fonds, name, value)
    db.session.add(fonds)
    db.session.flush()
    record_event(db.session, actor, "fonds.create" if created else "fonds.update", "fonds", fonds.id,
                 data={"code": fonds.code})
    if not created:
        fonds.updated_at = utcnow()  # the files' search documents carry the fonds name: their version moves
        reindex_search(fonds_id=fonds.id)  # the job row commits with the change (outbox)
    db.session.commit()
    return fonds


def on_mode_change(hook: ModeChangeHook) -> ModeChangeHook:
    """Register ``hook(actor, record, old_mode, new_mode)``, called after a file's mode changed and was committed."""
    return hooks.register(MODE_CHANGED)(hook)


def mode_changed(actor: User | None, record: RecordFile, old_mode: str | None, new_mode: str) -> None:
    """Run the registered reactions to a reclassification (after the change is committed)."""
    if old_mode is None or old_mode == new_mode:
        return
    record_event(db.session, actor, "file.reclassify", "file", record.id, from_state=old_mode, to_state=new_mode,
                 data={"file_code": record.file_code})
    db.session.commit()
    hooks.fire(MODE_CHANGED, actor, record, old_mode, new_mode)


def apply_file_fields(record: RecordFile, clean: dict[str, Any]) -> dict[str, Any]:
    """Copy cleaned fields onto ``record``; return what changed (old, new)."""
    changes = {}
    for name, value in clean.items():
        old = getattr(record, name, None)
        if old != value:
            changes[name] = [str(old) if old is not None else None, str(value) if value is not None else None]
            setattr(record, name, value)
    return changes


def save_file(actor: User, fonds: Fonds, data: dict[str, Any], record: RecordFile | None = None) -> RecordFile:
    """Create or edit a file's metadata from the staff form."""
    require(actor, "records.edit")
    clean, errors = validate_file_fields(data)
    if not errors.fields:
        clash = db.session.scalar(select(RecordFile).where(RecordFile.file_code == clean["file_code"]))
        if clash is not None and clash is not record:
            errors.add("file_code", _("Mã hồ sơ đã tồn tại."))
    if errors.fields:
        raise errors
    created = record is None
    record = record or RecordFile(fonds=fonds)
    record.fonds = fonds
    changes = apply_file_fields(record, clean)
    db.session.add(record)
    db.session.flush()
    record_event(db.session, actor, "file.create" if created else "file.update", "file", record.id,
                 data={"file_code": record.file_code, "changes": sorted(changes)})
    reindex_search([record.id])  # the job row commits with the change (outbox)
    db.session.commit()
    if not created and "mode" in changes:
        mode_changed(actor, record, changes["mode"][0], record.mode)
    return record


# --- public queries ---------------------------------------------------------

def _fonds_counts(user: Any) -> tuple[dict[int, int], dict[int, int]]:
    """(files ``user`` may see, all files) per fonds id; kept until the catalogue changes."""

    def count() -> tuple[dict[int, int], dict[int, int]]:
        group = select(RecordFile.fonds_id, func.count(RecordFile.id)).group_by(RecordFile.fonds_id)
        visible = dict(db.session.execute(visible_files(user, group)).all())
        every = dict(db.session.execute(group).all())
        return visible, every

    return page_cache.memo(("fonds_counts", is_staff(user)), count)


def _fonds_is_visible(fonds_id: int, visible: dict[int, int], every: dict[int, int]) -> bool:
    # A fonds holding only classified files would reveal that they exist: it is not listed.
    return visible.get(fonds_id, 0) > 0 or every.get(fonds_id, 0) == 0


def list_fonds(user: Any) -> list[tuple[Fonds, int]]:
    """Every fonds ``user`` may see, with the number of files ``user`` may see in it."""
    visible, every = _fonds_counts(user)
    fonds = db.session.scalars(select(Fonds).order_by(Fonds.code))
    return [(f, visible.get(f.id, 0)) for f in fonds if _fonds_is_visible(f.id, visible, every)]


def get_fonds(code: str, user: Any = None) -> Fonds:
    """The fonds with ``code``; with ``user``, NotFound when it holds only files they may not see."""
    fonds = db.session.scalar(select(Fonds).where(Fonds.code == code))
    if fonds is not None and user is not None:
        visible, every = _fonds_counts(user)
        if not _fonds_is_visible(fonds.id, visible, every):
            fonds = None
    if fonds is None:
        raise NotFound(_("Không tìm thấy phông."))
    return fonds


def list_files(user: Any, fonds: Fonds | None = None, page: int = 1, per_page: int = 25,
               mode: str | None = None, digitised: bool | None = None) -> tuple[list[RecordFile], int]:
    """One page of the files ``user`` may see, ordered by inventory, box and file number."""
    query = visible_files(user, select(RecordFile))
    if fonds is not None:
        query = query.where(RecordFile.fonds_id == fonds.id)
    if mode in MODE_CODES:
        query = query.where(RecordFile.mode == mode)
    if digitised is not None:
        query = query.where(RecordFile.scan_kind.is_not(None) if digitised else RecordFile.scan_kind.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = db.session.scalars(
        query.order_by(RecordFile.fonds_id, RecordFile.inventory_no, RecordFile.box_no, RecordFile.file_no,
                       RecordFile.id)
        .limit(per_page).offset((page - 1) * per_page)
    )
    return list(rows), total


def get_file(user: Any, file_id: int) -> RecordFile:
    """A file ``user`` may see, or :class:`NotFound` (also for classified files)."""
    record = db.session.get(RecordFile, file_id)
    if record is None or not can(user, "catalogue.view_file", record):
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return record


def get_file_by_code(user: Any, code: str) -> RecordFile:
    """The file with this file code if ``user`` may see it, or :class:`NotFound` (also for classified files)."""
    record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == code))
    if record is None or not can(user, "catalogue.view_file", record):
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return record


def renamed_file(user: Any, old_code: str) -> RecordFile | None:
    """The file that once carried ``old_code`` (renamed since), if ``user`` may see it; else None.

    Renaming leaves a trace of the old code (kept for harvesters, see services/oai.py); a
    citation or a bookmark with the old address still leads to the file.
    """
    file_id = db.session.scalar(select(HarvestDeletion.file_id).where(HarvestDeletion.file_code == old_code))
    record = db.session.get(RecordFile, file_id) if file_id is not None else None
    if record is None or record.file_code == old_code or not can(user, "catalogue.view_file", record):
        return None
    return record


def count_visible_files(user: Any) -> int:
    """How many files ``user`` may see (kept until the catalogue changes)."""
    return page_cache.memo(("visible_files", is_staff(user)), lambda: db.session.scalar(
        visible_files(user, select(func.count(RecordFile.id)))) or 0)


def replace_documents(record: RecordFile, rows: list[dict[str, Any]]) -> None:
    """Replace a file's documents with ``rows`` (already validated)."""
    record.documents.clear()
    for position, row in enumerate(rows):
        record.documents.append(Document(position=position, **row))
    record.document_count = len(rows)
    record.updated_at = utcnow()  # the search index compares this with what it applied


# --- scans ------------------------------------------------------------------

def check_scan_against_metadata(record_pages: int | None, info: ScanInfo) -> None:
    """Refuse a scan whose page count contradicts the catalogued page count."""
    if record_pages is not None and record_pages != info.pages:
        raise ScanError(_("Bản quét có %(scan)d trang nhưng hồ sơ ghi %(meta)d trang.",
                          scan=info.pages, meta=record_pages))


def put_scan(record: RecordFile, info: ScanInfo) -> tuple[str, str | None]:
    """Store ``info`` as ``record``'s scan inside the caller's transaction.

    Returns (new folder, old folder). The caller commits, then removes the old
    folder; on rollback it removes the new one.
    """
    check_scan_against_metadata(record.pages, info)
    new_path = store_scan(info, record.id)
    try:
        rendered = render_derivatives(info, Path(current_app.config["DATA_DIR"]) / new_path)
    except BaseException:
        remove_scan_folder(new_path)
        raise
    old_path = record.scan_path
    record.scan_kind, record.scan_path, record.scan_pages = info.kind, new_path, info.pages
    record.scan_sha256, record.scan_updated_at = info.sha256, utcnow()
    if record.pages is None:
        record.pages = info.pages
    record.page_scans.clear()
    db.session.flush()  # delete old page rows before the new ones reuse their numbers
    for (name, width, height), page in zip(info.page_sizes, rendered):
        record.page_scans.append(PageScan(page_no=page.page_no, source_name=name, width=width, height=height,
                                          deriv_width=page.width, deriv_height=page.height, gray=page.gray))
    return new_path, old_path


def attach_scan(actor: User, record: RecordFile, source: Path) -> RecordFile:
    """Attach or replace a file's scan (staff upload). All or nothing."""
    require(actor, "records.edit")
    info = inspect_scan(source)
    new_path = None
    try:
        with disk_guard():  # a full disk: the new folder goes, the row stays as it was
            new_path, old_path = put_scan(record, info)
        record_event(db.session, actor, "file.scan_replace" if old_path else "file.scan_attach", "file",
                     record.id, data={"pages": info.pages, "sha256": info.sha256})
        reindex_search([record.id])  # the job row commits with the change (outbox)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        remove_scan_folder(new_path)
        raise
    remove_scan_folder(old_path)
    hooks.fire("file.scan_attached", record=record, actor=actor)
    return record
