"""Access requests: the basket, submitting a request, deciding items, grants and
their expiry, the message thread, the queues and the registers.

"Who may" is asked of permissions.py, "whether the state allows it" of
workflow.py; this module applies the change, writes the audit event in the
same transaction, commits, and then sends the mail.
"""
from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from .. import hooks, labels, workflow
from ..db import utcnow
from ..deadlines import due_date, today_local
from ..errors import Conflict, DomainError, NotFound, ValidationError
from ..extensions import db
from ..localtime import format_date, format_datetime, utc_day_range
from ..models import (
    AccessMode, AccessRequest, AuditEvent, BasketEntry, Clearance, RecordFile, RequestItem, RequestMessage,
    Role, User,
)
from ..permissions import can, require
from ..storage import disk_guard
from ..workflow import Action, ItemStatus, RequestStatus
from ..urls import external_url
from . import attempts
from .audit import record_event
from .exhibitions import open_checked_image
from .records import on_mode_change
from .mail import send_mail
from .visits import booking

PURPOSES = ("01", "02", "03")
OFFICIAL_PURPOSES = ("02", "03")
# How a reader may use a file that has no scan yet (domain.md, "Files that are not digitised").
UNDIGITISED_USES = ("reading_room", "digitise")
FEE_CATEGORIES = tuple(f"{n:02d}" for n in range(1, 11))
LETTER_TYPES = {  # magic bytes → (mime type, extension)
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


# --- the basket ----------------------------------------------------------------

def basket(reader: User) -> list[BasketEntry]:
    """The reader's basket, oldest first, without files that became invisible."""
    entries = db.session.scalars(
        select(BasketEntry).where(BasketEntry.reader_id == reader.id).order_by(BasketEntry.id)
        .options(selectinload(BasketEntry.file))
    )
    return [e for e in entries if can(reader, "catalogue.view_file", e.file)]


def basket_file_ids(reader: Any) -> set[int]:
    """Ids of the files in the basket (for "already in basket" buttons)."""
    if not getattr(reader, "is_authenticated", False):
        return set()
    return set(db.session.scalars(select(BasketEntry.file_id).where(BasketEntry.reader_id == reader.id)))


def add_to_basket(reader: User, file_id: int) -> BasketEntry:
    """Put a visible file in the basket (idempotent). Classified or unknown: NotFound."""
    require(reader, "request.create")
    record = db.session.get(RecordFile, file_id)
    if record is None or not can(reader, "catalogue.view_file", record):
        raise NotFound(_("Không tìm thấy hồ sơ."))
    entry = db.session.scalar(select(BasketEntry).where(BasketEntry.reader_id == reader.id,
                                                        BasketEntry.file_id == file_id))
    if entry is not None:
        return entry
    entry = BasketEntry(reader_id=reader.id, file_id=file_id)
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:  # a double click raced us: the entry is there, which is what was wanted
        db.session.rollback()
        entry = db.session.scalar(select(BasketEntry).where(BasketEntry.reader_id == reader.id,
                                                            BasketEntry.file_id == file_id))
    return entry  # type: ignore[return-value]


def remove_from_basket(reader: User, file_id: int) -> None:
    """Take a file out of the basket (no error when it is not there)."""
    entry = db.session.scalar(select(BasketEntry).where(BasketEntry.reader_id == reader.id,
                                                        BasketEntry.file_id == file_id))
    if entry is not None:
        db.session.delete(entry)
        db.session.commit()


# --- submitting ------------------------------------------------------------------

def new_submit_token() -> str:
    """A token for one submit form; the same token twice makes one request."""
    return secrets.token_urlsafe(24)


def _check_letter(upload: FileStorage | None) -> tuple[bytes, str, str] | None:
    """Read an introduction letter and check it is really a PDF, JPEG or PNG."""
    if upload is None or not upload.filename:
        return None
    limit = current_app.config["LETTER_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."),
                              {"letter": [_("Giấy giới thiệu quá lớn (tối đa %(mb)d MB).", mb=limit // (1 << 20))]})
    for magic, (mime, ext) in LETTER_TYPES.items():
        if data.startswith(magic):
            if mime != "application/pdf":
                # The exhibitions' picture check: by content, pixels counted before decoding
                # (a 12000×12000 PNG of a few KB is a decompression bomb, refused here).
                open_checked_image(data, "letter").close()
                return data, mime, ext
            if _pdf_is_readable(data):
                return data, mime, ext
            break
    raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."),
                          {"letter": [_("Giấy giới thiệu phải là tệp PDF, JPEG hoặc PNG hợp lệ.")]})


def _pdf_is_readable(data: bytes) -> bool:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages) > 0
    except Exception:  # noqa: BLE001 - any parse failure means "not a real PDF"
        return False


def _clean(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit * 2]


def submit_request(reader: User, data: dict[str, Any], letter: FileStorage | None, token: str) -> AccessRequest:
    """Turn the basket into a request (Phiếu yêu cầu đọc tài liệu lưu trữ).

    A second call with the same ``token`` (a double click) returns the first
    request and changes nothing. Every problem with the form, the letter and the
    basket is reported at once, by field.
    """
    require(reader, "request.create")
    earlier = _request_with_token(reader, token)
    if earlier is not None:
        return earlier
    _check_may_submit(reader, token)
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    fields = _request_fields(data, errors)
    letter_data = _request_letter(letter, fields.purpose, errors)
    entries = _basket_for_request(reader, errors)
    uses, slot = _uses_and_visit(reader, data, entries, errors)
    if errors.fields:
        raise errors
    request, created = _store_request(reader, fields, letter_data, letter, entries, token, uses, slot)
    if created:
        _notify_submitted(request)
    return request


@dataclass
class _RequestFields:
    """The checked text fields of a request form."""

    purpose: str
    details: str
    topic: str
    fee: str
    notes: str


def _request_with_token(reader: User, token: str) -> AccessRequest | None:
    """The reader's request already made from this form (a double submit), if any."""
    if not token:
        return None
    existing = db.session.scalar(select(AccessRequest).where(AccessRequest.submit_token == token))
    return existing if existing is not None and existing.reader_id == reader.id else None


def _check_may_submit(reader: User, token: str) -> None:
    if not token or len(token) > 64:
        raise ValidationError(_("Biểu mẫu không hợp lệ; hãy tải lại trang."))
    if reader.email_confirmed_at is None:
        raise ValidationError(_("Hãy xác nhận địa chỉ email trước khi gửi phiếu yêu cầu."))


def _request_fields(data: dict[str, Any], errors: ValidationError) -> _RequestFields:
    """Purpose and its details, research topic, fee category and notes, each checked."""
    fields = _RequestFields(
        purpose=str(data.get("purpose") or ""), details=_clean(data.get("purpose_details"), 2000),
        topic=_clean(data.get("research_topic"), 1000), fee=str(data.get("fee_category") or ""),
        notes=_clean(data.get("notes"), 2000))
    if fields.purpose not in PURPOSES:
        errors.add("purpose", _("Hãy chọn mục đích sử dụng."))
    if fields.purpose in OFFICIAL_PURPOSES and len(fields.details) < 5:
        errors.add("purpose_details", _("Hãy ghi rõ nhiệm vụ công vụ (cơ quan, văn bản giao nhiệm vụ)."))
    if len(fields.topic) < 5:
        errors.add("research_topic", _("Hãy ghi chủ đề nghiên cứu (ít nhất 5 ký tự)."))
    if fields.fee not in FEE_CATEGORIES:
        errors.add("fee_category", _("Hãy chọn đối tượng thu phí."))
    for name, value, limit in (("purpose_details", fields.details, 2000), ("research_topic", fields.topic, 1000),
                               ("notes", fields.notes, 2000)):
        if len(value) > limit:
            errors.add(name, _("Quá dài (tối đa %(n)d ký tự).", n=limit))
    return fields


def _request_letter(letter: FileStorage | None, purpose: str,
                    errors: ValidationError) -> tuple[bytes, str, str] | None:
    """The checked introduction letter (content, mime type, extension); official purposes need one."""
    try:
        letter_data = _check_letter(letter)
    except ValidationError as error:
        letter_data = None
        for name, messages in error.fields.items():
            for message in messages:
                errors.add(name, message)
    if purpose in OFFICIAL_PURPOSES and letter_data is None and "letter" not in errors.fields:
        errors.add("letter", _("Mục đích công vụ cần kèm giấy giới thiệu (PDF, JPEG hoặc PNG)."))
    return letter_data


def _basket_for_request(reader: User, errors: ValidationError) -> list[BasketEntry]:
    """The basket's entries, each a file the reader may still request now."""
    entries = list(db.session.scalars(select(BasketEntry).where(BasketEntry.reader_id == reader.id)
                                      .order_by(BasketEntry.id).options(selectinload(BasketEntry.file))))
    if not entries:
        errors.add("basket", _("Giỏ hồ sơ đang trống; hãy thêm hồ sơ trước khi gửi phiếu."))
    for entry in entries:
        record = entry.file
        if record.mode not in (AccessMode.OPEN.value, AccessMode.CONDITIONAL.value):
            errors.add("basket", _("Hồ sơ %(code)s không thể yêu cầu đọc.", code=record.file_code)
                       if can(reader, "catalogue.view_file", record) else _("Một hồ sơ trong giỏ không còn tồn tại."))
        elif _open_item_exists(reader.id, record.id):
            errors.add("basket", _("Hồ sơ %(code)s đang được yêu cầu hoặc đang được đọc; hãy bỏ khỏi giỏ.",
                                   code=record.file_code))
    return entries


def _uses_and_visit(reader: User, data: dict[str, Any], entries: list[BasketEntry],
                    errors: ValidationError) -> tuple[dict[int, str], Any]:
    """How each file will be used (online; an undigitised one at the reading room or after digitisation),
    and the reading-room session chosen now, if any."""
    uses = {}
    for entry in entries:
        if entry.file.is_digitised:
            uses[entry.file_id] = "online"
            continue
        # Not said (an older client): the paper file is read at the reading room, the visit booked later.
        choice = str(data.get(f"use_{entry.file_id}") or "reading_room")
        if choice not in UNDIGITISED_USES:
            errors.add(f"use_{entry.file_id}", _("Hồ sơ %(code)s chưa số hóa: hãy chọn đọc tại phòng đọc hoặc "
                                                 "đề nghị số hóa.", code=entry.file.file_code))
        uses[entry.file_id] = choice
    room_count = sum(1 for use in uses.values() if use == "reading_room")
    slot = None
    if room_count and data.get("visit_slot"):  # no slot: the reader books the visit once the files are granted
        try:
            slot = booking.check_slot(reader, str(data.get("visit_slot") or ""), room_count)
        except ValidationError as error:
            for name, messages in error.fields.items():
                for message in messages:
                    errors.add(name, message)
    return uses, slot


def _store_request(reader: User, fields: _RequestFields, letter_data: tuple[bytes, str, str] | None,
                   letter: FileStorage | None, entries: list[BasketEntry], token: str,
                   uses: dict[int, str], slot: Any) -> tuple[AccessRequest, bool]:
    """Write the request, its letter and one item per basket entry in one transaction.

    Returns the request and whether this call created it: when the same form won
    a race in another process, that request is returned (not created here). On
    any other failure nothing stays behind (no row, no letter file).
    """
    now = utcnow()
    request = AccessRequest(
        reader_id=reader.id, status=RequestStatus.SUBMITTED.value, purpose=fields.purpose,
        purpose_details=fields.details or None, research_topic=fields.topic, fee_category=fields.fee,
        notes=fields.notes or None, submit_token=token, submitted_at=now,
    )
    db.session.add(request)
    letter_file: Path | None = None
    try:
        db.session.flush()
        request.code = f"YC-{now.year}-{request.id:06d}"
        if letter_data is not None:
            content, mime, ext = letter_data
            relative = f"letters/{request.code}-{secrets.token_hex(4)}.{ext}"
            letter_file = Path(current_app.config["DATA_DIR"]) / relative
            with disk_guard():  # a full disk: the partial letter is removed below, nothing commits
                letter_file.parent.mkdir(parents=True, exist_ok=True)
                letter_file.write_bytes(content)
            request.letter_path, request.letter_mime = relative, mime
            request.letter_name = (letter.filename or f"giay-gioi-thieu.{ext}")[:255]  # type: ignore[union-attr]
        record_event(db.session, reader, "request.submit", "request", request.id, to_state=request.status,
                     data={"code": request.code, "files": [e.file.file_code for e in entries]})
        for entry in entries:
            item = RequestItem(reader_id=reader.id, file_id=entry.file_id, status=ItemStatus.SUBMITTED.value,
                               mode=entry.file.mode, due_on=due_date(now, entry.file.mode), use=uses[entry.file_id])
            request.items.append(item)
            db.session.flush()
            record_event(db.session, reader, "item.submit", "item", item.id, to_state=item.status,
                         data={"request": request.code, "file_code": entry.file.file_code, "use": item.use})
            hooks.fire("item.submitted", item=item)  # e.g. the digitisation queue records a waiting reader
            db.session.delete(entry)
        if slot is not None:  # may refuse (the last seat went meanwhile): nothing of the request stays
            booking.book_visit(reader, slot, [i for i in request.items if i.use == "reading_room"], request.id)
        db.session.commit()
    except IntegrityError:
        # The same form arrived twice at once: the other submit won; return its request.
        db.session.rollback()
        if letter_file is not None:
            letter_file.unlink(missing_ok=True)
        existing = db.session.scalar(select(AccessRequest).where(AccessRequest.submit_token == token))
        if existing is None:
            raise
        return existing, False
    except BaseException:
        db.session.rollback()
        if letter_file is not None:
            letter_file.unlink(missing_ok=True)
        raise
    return request, True


def _open_item_exists(reader_id: int, file_id: int) -> bool:
    return db.session.scalar(select(RequestItem.id).where(
        RequestItem.reader_id == reader_id, RequestItem.file_id == file_id,
        RequestItem.status.in_([s.value for s in workflow.OPEN_STATUSES]),
    ).limit(1)) is not None


# --- reading requests ----------------------------------------------------------------

def get_request(user: User, request_id: int) -> AccessRequest:
    """A request the user may see; another reader's request is NotFound, not Forbidden."""
    request = db.session.get(AccessRequest, request_id)
    if request is None or not can(user, "request.view", request):
        raise NotFound(_("Không tìm thấy phiếu yêu cầu."))
    return request


def get_item(user: User, item_id: int) -> RequestItem:
    item = db.session.get(RequestItem, item_id)
    if item is None or not can(user, "request.view", item.request):
        raise NotFound(_("Không tìm thấy mục yêu cầu."))
    return item


def letter_file(request: AccessRequest) -> Path:
    """Where the request's introduction letter is stored."""
    return Path(current_app.config["DATA_DIR"]) / str(request.letter_path)


def my_requests(reader: User) -> list[AccessRequest]:
    """The reader's requests, newest first."""
    return list(db.session.scalars(
        select(AccessRequest).where(AccessRequest.reader_id == reader.id).order_by(AccessRequest.id.desc())
        .options(selectinload(AccessRequest.items).joinedload(RequestItem.file))  # two queries, not three
    ))


def timeline(request: AccessRequest) -> list[AuditEvent]:
    """Every audit event of the request and its items, oldest first."""
    item_ids = [str(i.id) for i in request.items]
    return list(db.session.scalars(
        select(AuditEvent).where(or_(
            and_(AuditEvent.object_type == "request", AuditEvent.object_id == str(request.id)),
            and_(AuditEvent.object_type == "item", AuditEvent.object_id.in_(item_ids)),
        )).order_by(AuditEvent.id)
    ))


# --- decisions -------------------------------------------------------------------------

def decide(actor: User | None, item: RequestItem, action: str, reason: str | None = None,
           expected_version: int | None = None) -> RequestItem:
    """Apply one workflow action to one item, audit it, commit, then notify.

    Two staff deciding the same item at once: the second gets :class:`Conflict`
    with the current state (optimistic locking on ``RequestItem.version``).
    """
    action_enum, reason = attempts.begin(Action, action, actor, "item", item, expected_version, reason,
                                         lambda: _current_state_message(item))
    # The file's mode now, not when it was requested: a file reclassified since is decided as it is today.
    target = workflow.transition(item.status, action, mode=item.file.mode, reason=reason,
                                 reader_cleared=item.reader.clearance == Clearance.CLEARED.value)
    previous = item.status
    now = utcnow()
    item.status = target.value
    if action_enum is Action.FORWARD:
        item.forwarded_by_id, item.forwarded_at, item.forward_opinion = actor.id, now, reason  # type: ignore[union-attr]
    elif target is ItemStatus.GRANTED:
        item.decided_by_id, item.decided_at, item.decision_reason = actor.id, now, reason  # type: ignore[union-attr]
        item.grant_starts_at, item.grant_ends_at = now, now + timedelta(days=grant_days())
    elif target is ItemStatus.REFUSED:  # by staff, or closed by the system (no actor)
        item.decided_by_id, item.decided_at, item.decision_reason = getattr(actor, "id", None), now, reason
    elif target in (ItemStatus.EXPIRED, ItemStatus.REVOKED, ItemStatus.WITHDRAWN):
        item.ended_at, item.end_reason = now, reason
        item.ended_by_id = actor.id if actor is not None else None
    request = item.request
    request.status = workflow.request_status(i.status for i in request.items).value
    record_event(db.session, actor, f"item.{action}", "item", item.id, from_state=previous, to_state=target.value,
                 reason=reason, data={"request": request.code, "file_code": item.file.file_code})
    attempts.commit(item, lambda: _current_state_message(item))
    told = hooks.fire("item.decided", item=item, action=action_enum)  # before the mail: hooks may shape the grant
    if not any(told):
        _notify_decision(item, action_enum)
    workflow.entered(item, target)
    return item


@on_mode_change
def follow_reclassification(actor: User | None, record: RecordFile, old_mode: str, new_mode: str) -> None:
    """A file's mode changed: its open items follow the file's mode now.

    Classified: every open item ends (undecided ones refused, grants revoked) with a reason the
    reader sees, which does not name the file. Conditional or open: undecided items take the
    new mode, so a file that became conditional needs the leader again (and gets its deadline).
    """
    items = list(db.session.scalars(select(RequestItem).where(
        RequestItem.file_id == record.id,
        RequestItem.status.in_([s.value for s in workflow.OPEN_STATUSES])).order_by(RequestItem.id)))
    if new_mode == AccessMode.CLASSIFIED.value:
        reason = _("Hồ sơ này không còn được cung cấp cho độc giả do thay đổi chế độ sử dụng tài liệu.")
        for item in items:
            try:
                decide(None, item, Action.CLOSE.value, reason)
            except Conflict:  # decided meanwhile: close what it is now
                if item.status in {s.value for s in workflow.OPEN_STATUSES}:
                    decide(None, item, Action.CLOSE.value, reason)
        return
    for item in items:
        if item.status not in {s.value for s in workflow.UNDECIDED_STATUSES} or item.mode == new_mode:
            continue
        record_event(db.session, actor, "item.mode_change", "item", item.id, from_state=item.mode, to_state=new_mode,
                     data={"request": item.request.code, "file_code": record.file_code})
        item.mode = new_mode
        if item.status == ItemStatus.SUBMITTED.value:
            item.due_on = due_date(item.request.submitted_at, new_mode)
    db.session.commit()


def grant_days() -> int:
    """The reading window in days: the configured length, never more than the legal 15."""
    config = current_app.config
    return max(1, min(int(config["GRANT_DAYS"]), int(config["GRANT_MAX_DAYS"])))


def _current_state_message(item: RequestItem) -> str:
    label = workflow.ITEM_LABELS[ItemStatus(item.status)]
    who = item.decided_by or item.forwarded_by
    return _("Mục này vừa được người khác xử lý; trạng thái hiện tại: %(state)s%(who)s.", state=label,
             who=f" ({who.full_name})" if who else "")


def withdraw_request(reader: User, request: AccessRequest) -> AccessRequest:
    """Withdraw a whole request while nothing in it is decided."""
    require(reader, "request.withdraw", request)
    if not workflow.request_can_withdraw(i.status for i in request.items):
        raise DomainError(_("Không thể rút phiếu vì đã có mục được giải quyết."))
    now = utcnow()
    held_by = {item.id: item.status for item in request.items}
    for item in request.items:
        target = workflow.transition(item.status, Action.WITHDRAW.value, mode=item.file.mode)
        record_event(db.session, reader, "item.withdraw", "item", item.id, from_state=item.status,
                     to_state=target.value, data={"request": request.code})
        item.status, item.ended_at, item.ended_by_id = target.value, now, reader.id
    previous = request.status
    request.status = workflow.request_status(i.status for i in request.items).value
    record_event(db.session, reader, "request.withdraw", "request", request.id, from_state=previous,
                 to_state=request.status, data={"code": request.code})
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(_("Phiếu vừa được cán bộ xử lý; hãy xem lại trạng thái.")) from exc
    for staff in _holders(request, held_by):
        send_mail(staff.email, _("Độc giả đã rút phiếu %(code)s", code=request.code), "request_withdrawn_staff",
                  request=request, link=external_url("staff.request_detail", request_id=request.id))
    for item in request.items:
        hooks.fire("item.decided", item=item, action=Action.WITHDRAW)
    return request


def _holders(request: AccessRequest, held_by: dict[int, str]) -> list[User]:
    """The staff whose queue held the request's items: archivists for submitted items, leaders (and the
    archivist who forwarded) for forwarded ones."""
    holders: dict[int, User] = {}
    statuses = set(held_by.values())
    if ItemStatus.SUBMITTED.value in statuses:
        holders.update((u.id, u) for u in _staff_to_notify(Role.ARCHIVIST))
    if ItemStatus.FORWARDED.value in statuses:
        holders.update((u.id, u) for u in _staff_to_notify(Role.LEADER))
        for item in request.items:
            if item.forwarded_by is not None and item.forwarded_by.is_active_account:
                holders[item.forwarded_by.id] = item.forwarded_by
    return list(holders.values())


# --- grants ------------------------------------------------------------------------

def active_grant(reader: Any, file_id: int) -> RequestItem | None:
    """The reader's current reading window for a file, if any.

    Checked on every access: a window that has ended is expired here and now,
    without waiting for ``flask requests expire``.
    """
    if not getattr(reader, "is_authenticated", False):
        return None
    if reader.clearance == Clearance.BLOCKED.value:
        return None  # suspended while the account is blocked (the window keeps running)
    items = db.session.scalars(select(RequestItem).where(
        RequestItem.reader_id == reader.id, RequestItem.file_id == file_id,
        RequestItem.status == ItemStatus.GRANTED.value,
    ))
    now = utcnow()
    for item in items:
        if item.grant_ends_at is None:
            continue  # granted, waiting for digitisation: no reading window yet
        if item.grant_ends_at > now:
            return item
        decide(None, item, Action.EXPIRE.value)
    return None


@dataclass
class ExpiryReport:
    expired: int = 0
    reminded: int = 0


def expire_and_remind(now: datetime | None = None) -> ExpiryReport:
    """End every window that is over, and remind readers two days before theirs ends."""
    now = now or utcnow()
    report = ExpiryReport()
    ended = list(db.session.scalars(select(RequestItem).where(
        RequestItem.status == ItemStatus.GRANTED.value, RequestItem.grant_ends_at <= now)))
    for item in ended:
        try:
            decide(None, item, Action.EXPIRE.value)
            report.expired += 1
        except Conflict:
            continue  # a staff member revoked it at the same moment
    soon = now + timedelta(days=current_app.config["GRANT_REMINDER_DAYS"])
    ending = list(db.session.scalars(select(RequestItem).where(
        RequestItem.status == ItemStatus.GRANTED.value, RequestItem.grant_ends_at <= soon,
        RequestItem.grant_ends_at > now, RequestItem.reminder_sent_at.is_(None))))
    for item in ending:
        item.reminder_sent_at = now
        record_event(db.session, None, "item.remind", "item", item.id, data={"request": item.request.code})
        db.session.commit()
        send_mail(item.reader.email, _("Sắp hết thời hạn đọc %(code)s", code=item.file.file_code), "grant_ending",
                  item=item, link=external_url("reader.request_detail", request_id=item.request_id))
        report.reminded += 1
    return report


# --- messages --------------------------------------------------------------------------

def post_message(author: User, request: AccessRequest, body: str) -> RequestMessage:
    """Add a message to the request's thread and tell the other side."""
    require(author, "request.message", request)
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."), {"body": [_("Hãy nhập nội dung tin nhắn.")]})
    if len(body) > 4000:
        raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."), {"body": [_("Tin nhắn quá dài (tối đa 4000 ký tự).")]})
    message = RequestMessage(request=request, author_id=author.id, body=body)
    db.session.add(message)
    db.session.flush()
    record_event(db.session, author, "request.message", "request", request.id, data={"message": message.id})
    db.session.commit()
    if author.id == request.reader_id:
        for staff in _staff_to_notify(Role.ARCHIVIST):
            send_mail(staff.email, _("Tin nhắn mới của độc giả về phiếu %(code)s", code=request.code),
                      "request_message", request=request, message=message,
                      link=external_url("staff.request_detail", request_id=request.id))
    else:
        send_mail(request.reader.email, _("Phòng đọc trả lời về phiếu %(code)s", code=request.code),
                  "request_message", request=request, message=message,
                  link=external_url("reader.request_detail", request_id=request.id))
    return message


# --- queues ------------------------------------------------------------------------------

@dataclass
class QueueFilters:
    status: str = ItemStatus.SUBMITTED.value
    mode: str = ""
    overdue: bool = False
    reader: str = ""


def queue(user: User, filters: QueueFilters) -> list[RequestItem]:
    """Items to review, soonest due first."""
    require(user, "requests.queue")
    query = (select(RequestItem).join(RequestItem.reader)
             .options(selectinload(RequestItem.request), selectinload(RequestItem.file),
                      selectinload(RequestItem.reader))
             .order_by(RequestItem.due_on, RequestItem.id))
    if filters.status in ItemStatus._value2member_map_:
        query = query.where(RequestItem.status == filters.status)
    if filters.mode in ("01", "02"):
        query = query.where(RequestItem.mode == filters.mode)
    if filters.overdue:
        query = query.where(RequestItem.due_on < today_local(),
                            RequestItem.status.in_([s.value for s in workflow.UNDECIDED_STATUSES]))
    if filters.reader.strip():
        needle = f"%{filters.reader.strip().lower()}%"
        query = query.where(or_(func.lower(User.full_name).like(needle), func.lower(User.email).like(needle)))
    return list(db.session.scalars(query.limit(500)))


def is_overdue(item: RequestItem) -> bool:
    """Still undecided after its due day."""
    return item.status in {s.value for s in workflow.UNDECIDED_STATUSES} and item.due_on < today_local()


# --- registers ------------------------------------------------------------------------------

def _range(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    # Year 1 or 9999 means "from the beginning" / "until now"; shifting them by a day or 7 hours overflows.
    start, end = max(start, date(1, 1, 2)), min(end, date(9999, 12, 30))
    # Dates are local days; stored times are UTC.
    return utc_day_range(start, end)


def _cell(value: Any) -> Any:
    """A cell Excel shows as text: a value typed by a reader that starts like a formula
    (=, +, -, @) gets a leading apostrophe, so opening the register never runs it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM makes Excel read UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _local(moment: datetime | None) -> str:
    return format_datetime(moment) if moment else ""


def reader_register_csv(actor: User, start: date, end: date) -> str:
    """Sổ đăng ký độc giả: readers registered between two dates, as Excel-friendly CSV."""
    require(actor, "registers.export")
    low, high = _range(start, end)
    readers = db.session.scalars(select(User).where(User.role == Role.READER.value, User.created_at >= low,
                                                    User.created_at < high).order_by(User.created_at))
    rows = []
    for n, reader in enumerate(readers, start=1):
        profile = reader.profile
        rows.append([n, _local(reader.created_at), reader.full_name,
                     profile.id_number if profile else "", reader.email, (profile.phone if profile else "") or "",
                     (profile.employer if profile else "") or "",
                     labels.label(labels.FEE_CATEGORY, profile.priority_category if profile else ""),
                     labels.label(labels.CLEARANCE, reader.clearance)])
    header = [_("STT"), _("Ngày đăng ký"), _("Họ và tên"), _("Số định danh / hộ chiếu"), _("Email"),
              _("Điện thoại"), _("Cơ quan công tác"), _("Đối tượng ưu tiên"), _("Trạng thái")]
    record_event(db.session, actor, "register.export_readers", "register", "readers",
                 data={"from": start.isoformat(), "to": end.isoformat(), "rows": len(rows)})
    db.session.commit()
    return _csv(header, rows)


def request_register_csv(actor: User, start: date, end: date) -> str:
    """Sổ đăng ký phiếu yêu cầu: one line per requested file, for requests in the range."""
    require(actor, "registers.export")
    low, high = _range(start, end)
    requests = db.session.scalars(
        select(AccessRequest).where(AccessRequest.submitted_at >= low, AccessRequest.submitted_at < high)
        .order_by(AccessRequest.submitted_at)
        .options(selectinload(AccessRequest.items).joinedload(RequestItem.file))  # two queries, not three
    )
    rows = []
    for request in requests:
        for item in request.items:
            decider = item.decided_by.full_name if item.decided_by else ""
            rows.append([request.code, _local(request.submitted_at), request.reader.full_name,
                         request.reader.profile.id_number if request.reader.profile else "",
                         labels.label(labels.PURPOSE, request.purpose), request.research_topic,
                         labels.label(labels.FEE_CATEGORY, request.fee_category), item.file.file_code,
                         item.file.title, labels.label(labels.MODE, item.mode),
                         labels.label(labels.ITEM_STATUS, item.status), format_date(item.due_on), decider,
                         _local(item.decided_at), item.decision_reason or "", _local(item.grant_ends_at)])
    header = [_("Mã phiếu"), _("Ngày gửi"), _("Độc giả"), _("Số định danh / hộ chiếu"), _("Mục đích"),
              _("Chủ đề nghiên cứu"), _("Đối tượng thu phí"), _("Mã hồ sơ"), _("Tiêu đề hồ sơ"), _("Chế độ"),
              _("Trạng thái"), _("Hạn giải quyết"), _("Người quyết định"), _("Ngày quyết định"), _("Lý do"),
              _("Hạn đọc đến")]
    record_event(db.session, actor, "register.export_requests", "register", "requests",
                 data={"from": start.isoformat(), "to": end.isoformat(), "rows": len(rows)})
    db.session.commit()
    return _csv(header, rows)


# --- notifications ------------------------------------------------------------------------

def _staff_to_notify(role: Role) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == role.value, User.is_active_account.is_(True))))


def _notify_submitted(request: AccessRequest) -> None:
    send_mail(request.reader.email, _("Đã nhận phiếu yêu cầu %(code)s", code=request.code), "request_submitted",
              request=request, link=external_url("reader.request_detail", request_id=request.id))
    for staff in _staff_to_notify(Role.ARCHIVIST):
        send_mail(staff.email, _("Phiếu yêu cầu mới %(code)s", code=request.code), "request_new_staff",
                  request=request, link=external_url("staff.request_detail", request_id=request.id))


def _notify_decision(item: RequestItem, action: Action) -> None:
    if action is Action.FORWARD:
        for leader in _staff_to_notify(Role.LEADER):
            send_mail(leader.email, _("Hồ sơ chờ lãnh đạo duyệt: %(code)s", code=item.request.code),
                      "item_forwarded", item=item, link=external_url("staff.request_detail", request_id=item.request_id))
        send_mail(item.reader.email, _("Hồ sơ %(file)s đã chuyển lãnh đạo duyệt, hạn %(due)s",
                                       file=item.file.file_code, due=item.due_on.strftime("%d/%m/%Y")),
                  "item_forwarded_reader", item=item,
                  link=external_url("reader.request_detail", request_id=item.request_id))
        return
    if action in (Action.APPROVE, Action.LEADER_APPROVE, Action.REFUSE, Action.LEADER_REFUSE, Action.REVOKE,
                  Action.CLOSE):
        send_mail(item.reader.email, _("Kết quả phiếu yêu cầu %(code)s", code=item.request.code), "item_decided",
                  item=item, link=external_url("reader.request_detail", request_id=item.request_id))
