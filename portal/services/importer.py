"""Manifest import: a UTF-8 CSV of files (one row per file), an optional
``documents.csv`` beside it, and scans referenced by relative path.

Each row is its own transaction: a bad row is reported with its line number
and reason and leaves nothing behind; good rows go in; importing the same
manifest again updates files by ``file_code`` instead of duplicating them.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flask_babel import gettext as _
from sqlalchemy import select

from .. import hooks
from ..errors import DomainError, Refused, StorageFull, ValidationError
from ..extensions import db
from ..models import Fonds, RecordFile, User
from ..permissions import require
from ..storage import disk_guard
from .audit import record_event
from .records import (
    apply_file_fields, mode_changed, parse_partial_date, put_scan, replace_documents,
    validate_file_fields,
)
from .scans import inspect_scan, remove_scan_folder
from .search import reindex as reindex_search

MANIFEST_COLUMNS = (
    "fonds_code", "fonds_name", "inventory_no", "box_no", "file_no", "file_code", "title",
    "start_date", "end_date", "retention", "mode", "language", "keywords", "sheets", "pages",
    "condition", "notes", "scan",
)
# Columns a manifest may add for the remaining TT 05 fields.
OPTIONAL_COLUMNS = ("info_symbol", "reliability", "document_count")
DOCUMENT_COLUMNS = ("file_code", "number", "notation", "date", "type", "issuer", "summary", "first_page", "pages")


@dataclass
class RowError:
    """One refused row: which file, which line, why."""

    source: str  # "manifest" or "documents"
    line: int
    reason: str
    file_code: str = ""


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    documents: int = 0
    scans: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ManifestError(Refused):
    """The manifest as a whole cannot be read (encoding, missing columns)."""


def _read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV with their physical line numbers (header is line 1)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(_("%(name)s không phải tệp CSV mã hóa UTF-8.", name=path.name)) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ManifestError(_("%(name)s thiếu cột: %(cols)s", name=path.name, cols=", ".join(missing)))
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:  # more cells than header columns
            row[" extra"] = "x"
            row.pop(None)
        line = reader.line_num
        cleaned = {k: (v or "").strip() for k, v in row.items()}
        if any(cleaned.values()):
            rows.append((line, cleaned))
    return rows


def count_rows(manifest: Path) -> int:
    """How many data rows ``manifest`` has (for a progress bar)."""
    return len(_read_csv(manifest, MANIFEST_COLUMNS))


def _field_messages(errors: ValidationError) -> str:
    return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.fields.items())


def _validate_document(row: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    problems = []
    clean: dict[str, Any] = {
        "number": row.get("number") or None,
        "notation": row.get("notation") or None,
        "doc_type": row.get("type") or None,
        "issuer": row.get("issuer") or None,
        "summary": row.get("summary", ""),
        "date": row.get("date") or None,
    }
    if not clean["summary"]:
        problems.append(_("thiếu trích yếu (summary)"))
    if clean["date"]:
        try:
            parse_partial_date(clean["date"])
        except ValueError:
            problems.append(_("ngày văn bản phải có dạng YYYY, YYYY-MM hoặc YYYY-MM-DD"))
    for name in ("first_page", "pages"):
        raw = row.get(name, "")
        if raw and (not raw.isdecimal() or int(raw) < 1 or len(raw) > 6):
            problems.append(_("%(col)s phải là số nguyên dương", col=name))
            clean[name] = None
        else:
            clean[name] = int(raw) if raw else None
    for name, limit in (("number", 40), ("notation", 80), ("doc_type", 80), ("issuer", 300)):
        if clean[name] and len(clean[name]) > limit:
            problems.append(_("%(col)s quá dài", col=name))
    return clean, problems


def import_manifest(actor: User | None, manifest: Path,
                    progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import ``manifest``; ``actor`` is None only for the CLI and the demo loader.

    ``progress`` is called with 1 after each row, for a progress bar.
    """
    if actor is not None:
        require(actor, "records.import")
    report = ImportReport()
    rows = _read_csv(manifest, MANIFEST_COLUMNS)

    documents: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    documents_path = manifest.with_name("documents.csv")
    if documents_path.exists():
        for line, row in _read_csv(documents_path, DOCUMENT_COLUMNS):
            clean, problems = _validate_document(row)
            code = row.get("file_code", "")
            if not code:
                problems.append(_("thiếu mã hồ sơ (file_code)"))
            if problems:
                report.errors.append(RowError("documents", line, "; ".join(problems), code))
            else:
                documents[code].append((line, clean))

    seen: dict[str, int] = {}
    line = 0
    try:
        with disk_guard():
            for line, row in rows:
                code = row.get("file_code", "")
                if code in seen:
                    report.errors.append(RowError("manifest", line, _("mã hồ sơ trùng với dòng %(n)d", n=seen[code]),
                                                  code))
                else:
                    seen[code] = line
                    _import_row(actor, manifest, line, row, documents.pop(code, []), report)
                if progress:
                    progress(1)
            line = 0
            _import_other_documents(actor, documents, report)
    except StorageFull as exc:
        # Each row is all or nothing (its scan folder is removed on rollback): the rows before
        # this one are in, the rest are not. Index what is in, and say where to resume.
        reindex_search(file_codes=list(seen))
        db.session.commit()
        where = _("Ổ lưu trữ đã đầy khi nhập dòng %(line)d; các dòng trước đó đã được nhập, từ dòng này "
                  "trở đi chưa có gì được lưu.", line=line) if line else exc.message
        raise StorageFull(where + " " + _("Hãy giải phóng dung lượng rồi nhập lại cùng tệp: "
                                          "các dòng đã nhập sẽ được giữ nguyên.")) from exc
    # Rows commit one by one; if the process dies before this line, the index check
    # (search.check_index) finds the files the index lacks and queues them.
    reindex_search(file_codes=[*seen, *documents])
    db.session.commit()
    return report


def _import_other_documents(actor: User | None, documents: dict[str, list[tuple[int, dict[str, Any]]]],
                            report: ImportReport) -> None:
    """Documents for files already in the catalogue but not in this manifest."""
    for code, docs in documents.items():
        record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == code))
        if record is None:
            for line, _doc in docs:
                report.errors.append(RowError("documents", line, _("không có hồ sơ mã %(code)s", code=code), code))
            continue
        problem = _document_pages_problem(record.scan_pages, docs)
        if problem:
            report.errors.append(RowError("documents", docs[0][0], problem, code))
            continue
        replace_documents(record, [d for _l, d in docs])
        record_event(db.session, actor, "file.import_documents", "file", record.id, data={"count": len(docs)})
        db.session.commit()
        report.documents += len(docs)


def _documents_differ(record: RecordFile, rows: list[dict[str, Any]]) -> bool:
    current = [{name: getattr(doc, name) for name in rows[0]} for doc in record.documents] if rows else []
    return current != rows


def _document_pages_problem(scan_pages: int | None, docs: list[tuple[int, dict[str, Any]]]) -> str | None:
    if scan_pages is None:
        return None
    for line, doc in docs:
        last = (doc["first_page"] or 1) + (doc["pages"] or 1) - 1
        if doc["first_page"] and last > scan_pages:
            return _("documents.csv dòng %(line)d: văn bản kết thúc ở trang %(last)d nhưng bản quét chỉ có "
                     "%(pages)d trang", line=line, last=last, pages=scan_pages)
    return None


def _import_row(actor: User | None, manifest: Path, line: int, row: dict[str, str],
                docs: list[tuple[int, dict[str, Any]]], report: ImportReport) -> None:
    """Import one manifest row in its own transaction; record an error instead of raising."""
    code = row.get("file_code", "")
    if " extra" in row:
        report.errors.append(RowError("manifest", line, _("dòng có nhiều cột hơn tiêu đề"), code))
        return
    data = {name: row.get(name, "") for name in MANIFEST_COLUMNS + OPTIONAL_COLUMNS if name in row}
    clean, errors = validate_file_fields(data)
    fonds_code, fonds_name = row.get("fonds_code", ""), row.get("fonds_name", "")
    if not fonds_code:
        errors.add("fonds_code", _("Cần có mã phông."))
    scan_info = None
    scan_rel = row.get("scan", "")
    if scan_rel and not errors.fields:
        source = (manifest.parent / scan_rel).resolve()
        if manifest.parent.resolve() not in source.parents:
            errors.add("scan", _("Đường dẫn bản quét phải nằm trong thư mục của manifest."))
        else:
            try:
                scan_info = inspect_scan(source)
            except DomainError as exc:
                errors.add("scan", exc.message)
    if errors.fields:
        report.errors.append(RowError("manifest", line, _field_messages(errors), code))
        return

    new_scan = None
    try:
        fonds = db.session.scalar(select(Fonds).where(Fonds.code == fonds_code))
        if fonds is None:
            if not fonds_name:
                raise ValidationError(_("Phông %(code)s chưa có; cần tên phông (fonds_name).", code=fonds_code))
            fonds = Fonds(code=fonds_code, name=fonds_name)
            db.session.add(fonds)
            db.session.flush()
            record_event(db.session, actor, "fonds.create", "fonds", fonds.id, data={"code": fonds_code})
        elif fonds_name and fonds.name != fonds_name:
            fonds.name = fonds_name
        record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == code))
        created = record is None
        if created:
            record = RecordFile(fonds=fonds)
            db.session.add(record)
        record.fonds = fonds
        if clean.get("pages") is None and record.scan_pages:
            clean["pages"] = record.scan_pages  # an empty cell keeps the page count the scan gave
        changes = apply_file_fields(record, clean)
        db.session.flush()
        old_scan = None
        if scan_info is not None and scan_info.sha256 != record.scan_sha256:
            new_scan, old_scan = put_scan(record, scan_info)
            changes["scan"] = [old_scan, new_scan]
            report.scans += 1
        if docs and _documents_differ(record, [d for _l, d in docs]):
            problem = _document_pages_problem(record.scan_pages, docs)
            if problem:
                raise ValidationError(problem)
            replace_documents(record, [d for _l, d in docs])
            changes["documents"] = [None, str(len(docs))]
        if created or changes:
            record_event(db.session, actor, "file.import_create" if created else "file.import_update", "file",
                         record.id, data={"file_code": code, "line": line, "changes": sorted(changes)})
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        remove_scan_folder(new_scan)
        report.errors.append(RowError("manifest", line, exc.message, code))
        return
    except BaseException:
        db.session.rollback()
        remove_scan_folder(new_scan)
        raise
    remove_scan_folder(old_scan)
    if not created and "mode" in changes:
        mode_changed(actor, record, changes["mode"][0], record.mode)
    if new_scan is not None:
        hooks.fire("file.scan_attached", record=record, actor=actor)
    report.documents += len(docs)
    if created:
        report.created += 1
    elif changes:
        report.updated += 1
    else:
        report.unchanged += 1
