"""Producing a copy in the background: the selected pages from the print-quality scan, the marks,
the certification block and, for a certified copy, the archive's signature.

Registered on the "paid" status: an order whose files are all digitised is queued
for the job at once; an order with a paper-only file is produced by staff by hand
(photocopied) and marked produced in the staff screen.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, func, select

from ...localtime import local_now
from ...urls import external_url
from ... import copy_workflow as wf
from ... import jobs
from ...copy_workflow import CopyAction, CopyStatus
from ...db import utcnow
from ...errors import InvalidTransition, NotFound
from ...extensions import db
from ...models import CopyOrder, Job, JobStatus, ScanKind, User
from ...permissions import require
from ..audit import record_event
from . import orders, signing
from .document import CopyText, SourcePage, build_copy
from .pages import parse_pages

PRODUCE_JOB = "copy_order.produce"


def issued_dir() -> Path:
    """Where produced copies are kept until their download window ends."""
    return Path(current_app.config["DATA_DIR"]) / "copies-issued"


def verify_url(code: str) -> str:
    """The public verification address printed on a certified copy."""
    return external_url("copies.verify", ma=code)


def sources_of(order: CopyOrder) -> list[SourcePage]:
    """Every selected page, in order, from the best scan kept: the original PDF page or page image
    (never the 150 dpi reading derivative)."""
    data_dir = Path(current_app.config["DATA_DIR"])
    sources: list[SourcePage] = []
    for line in order.files:
        record = line.file
        folder = data_dir / str(record.scan_path)
        pages = parse_pages(line.pages_spec, orders.file_pages(record))
        if record.scan_kind == ScanKind.PDF.value:
            sources += [SourcePage(folder / "original.pdf", record.file_code, pdf_page=n) for n in pages]
        else:
            names = {scan.page_no: scan.source_name for scan in record.page_scans}
            sources += [SourcePage(folder / str(names[n]), record.file_code) for n in pages]
    return sources


def _local_date(order: CopyOrder) -> str:
    return local_now().strftime("%d/%m/%Y")


def copy_text(order: CopyOrder) -> CopyText:
    """The words on the copy. They are the archive's official text, in Vietnamese whatever the
    reader's language, like any certified copy the archive issues on paper."""
    archive = current_app.config["ARCHIVE_NAME"]
    text = CopyText(archive_name=archive, order_code=order.code or "", title=f"Bản sao {order.code}",
                    subject=f"{archive} - bản sao tài liệu lưu trữ")
    if order.kind == "certified":
        text.certification_title = "BẢN SAO CÓ XÁC THỰC"
        text.certification = [f"{archive} chứng thực bản sao này đúng với tài liệu lưu trữ đang bảo quản."]
        for line in order.files:
            text.certification.append(f"Hồ sơ {line.file.file_code}: {line.file.title}")
            text.certification.append(f"Trang: {line.pages_spec} ({line.page_count} trang)")
        text.certification += [f"Ngày cấp: {_local_date(order)}   Mã bản sao: {order.code}",
                               "Bản sao được ký số. Kiểm tra tại:", verify_url(order.code or "")]
        text.verify_url = verify_url(order.code or "")
    return text


def produce_file(order: CopyOrder) -> tuple[Path, str, int, bool, list[str], str]:
    """Build (and sign) the order's PDF; returns (path, sha256, pages, PDF/A passed, findings, signer)."""
    folder = issued_dir()
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{order.code}-{secrets.token_hex(6)}.pdf"
    unsigned = out.with_suffix(".unsigned.pdf")
    built = build_copy(sources_of(order), copy_text(order), unsigned if order.kind == "certified" else out)
    signer = ""
    if order.kind == "certified":
        setup = signing.signing_setup()
        archive = current_app.config["ARCHIVE_NAME"]
        signing.sign_pdf(setup, unsigned, reason=f"Bản sao có xác thực {order.code}", location=archive,
                         name=archive)
        unsigned.replace(out)
        signer = archive
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return out, digest, built.pages, built.pdfa_passed, built.pdfa_findings, signer


@jobs.handler(PRODUCE_JOB)
def produce(order_id: int) -> None:
    """Background job: produce the copy and move the order to "produced" (idempotent)."""
    order = db.session.get(CopyOrder, order_id)
    if order is None or order.status != CopyStatus.PAID.value:
        return
    if any(line.file.is_classified for line in order.files):  # reclassified after payment, before this ran
        orders.apply(None, order, CopyAction.CLOSE.value, str(orders.CLOSED_REASON))
        return
    path, digest, pages, pdfa_passed, findings, signer = produce_file(order)
    relative = path.relative_to(Path(current_app.config["DATA_DIR"])).as_posix()
    days = int(current_app.config["COPY_DOWNLOAD_DAYS"])

    def store(target: CopyOrder) -> None:
        target.pdf_path, target.pdf_sha256, target.pdf_pages, target.pdf_size = relative, digest, pages, path.stat().st_size
        target.pdfa_passed, target.signer = pdfa_passed, signer or None
        target.production_note = "; ".join(findings)[:4000] or None
        target.download_until = utcnow() + timedelta(days=days) if target.delivery == "download" else None

    try:
        orders.apply(None, order, CopyAction.PRODUCE.value, changes=store,
                     data={"sha256": digest, "pages": pages, "pdfa_2b": pdfa_passed})
    except Exception:
        path.unlink(missing_ok=True)
        raise


@wf.on_enter(CopyStatus.PAID)
def _queue_production(order: CopyOrder, _action: CopyAction) -> None:
    if all(line.file.is_digitised for line in order.files):
        # The job finds its order by the job's subject: writing the job id back onto the order
        # would race the job itself (it may have finished already, in another session).
        jobs.submit(PRODUCE_JOB, {"order_id": order.id}, subject=("copy_order", order.id))


def mark_produced_by_hand(actor: User, order: CopyOrder, expected_version: int | None = None) -> CopyOrder:
    """Staff: a paper-only order was photocopied and certified by hand."""
    return orders.apply(actor, order, CopyAction.PRODUCE.value, expected_version=expected_version,
                        data={"by_hand": True})


def production_job(order: CopyOrder) -> Job | None:
    """The order's production job row, if any (staff see its state and error)."""
    return db.session.scalar(select(Job).where(Job.subject_type == "copy_order", Job.subject_id == str(order.id))
                             .order_by(Job.id.desc()).limit(1))


def retry_production(actor: User, order: CopyOrder) -> None:
    """Staff: run a failed production again."""
    require(actor, "jobs.manage")
    if order.status != CopyStatus.PAID.value:
        raise InvalidTransition(_("Chỉ làm lại bản sao của phiếu đã nộp phí mà chưa làm xong."))
    record_event(db.session, actor, "copy.retry_production", "copy_order", order.id, data={"code": order.code})
    db.session.commit()
    job = production_job(order)
    if job is not None:
        jobs.retry(job.id)
    else:
        _queue_production(order, CopyAction.PAY)


def failed_productions(actor: User) -> list[CopyOrder]:
    """Paid orders whose production job failed."""
    require(actor, "jobs.manage")
    failed = select(Job.subject_id).where(Job.subject_type == "copy_order", Job.status == JobStatus.FAILED.value)
    return list(db.session.scalars(select(CopyOrder).where(
        CopyOrder.status == CopyStatus.PAID.value, func.cast(CopyOrder.id, String).in_(failed))))


def staff_copy_file(actor: User, order: CopyOrder) -> Path:
    """The produced PDF for staff (to check, or to print a paper copy); audited."""
    require(actor, "copies.queue")
    if not order.pdf_path or order.purged_at is not None:
        raise NotFound(_("Bản sao chưa được làm hoặc đã bị xóa."))
    path = Path(current_app.config["DATA_DIR"]) / order.pdf_path
    if not path.exists():
        raise NotFound(_("Bản sao chưa được làm hoặc đã bị xóa."))
    record_event(db.session, actor, "copy.staff_open", "copy_order", order.id, data={"code": order.code})
    db.session.commit()
    return path
