"""Copy orders: building and submitting one (with its quote), deciding it, withdrawing it, the queue.

"Who may" is asked of permissions.py, "whether the state allows it" of
copy_workflow.py; :func:`apply` makes the change, writes the audit event in the
same transaction, commits, and then runs the hooks registered for the new status.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ...localtime import to_local
from ... import copy_workflow as wf
from ...copy_workflow import CopyAction, CopyStatus
from ...db import utcnow
from ...deadlines import add_working_days, holiday_set, today_local
from ...errors import Conflict, InvalidTransition, NotFound, ValidationError
from ...extensions import db
from ...labels import FEE_CATEGORY, PURPOSE
from ...models import AccessMode, AuditEvent, Clearance, CopyOrder, CopyOrderFile, RecordFile, RequestItem, User
from ...workflow import ItemStatus
from ...permissions import can, require
from .. import attempts
from ..audit import record_event
from ..records import on_mode_change
from . import fees
from .pages import format_pages, parse_pages

MAX_FILES = 10
MAX_PAGES = 2000
MAX_SETS = 20
OFFICIAL_PURPOSES = ("02", "03")


@dataclass
class OrderLine:
    """One file of an order being built, checked."""

    record: RecordFile
    pages: list[int]

    @property
    def spec(self) -> str:
        return format_pages(self.pages)


@dataclass
class Draft:
    """A checked order, not yet saved: what the reader sees before submitting."""

    lines: list[OrderLine]
    kind: str
    delivery: str
    paper_sets: int
    quote: fees.Quote
    mode: str
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return sum(len(line.pages) for line in self.lines)


def file_pages(record: RecordFile) -> int:
    """How many pages a file has to copy from: its scan, else the catalogued count."""
    return int(record.scan_pages or 0) if record.is_digitised else int(record.pages or 0)


def orderable_file(user: User | None, file_id: int) -> RecordFile:
    """A file a reader may order copies of; classified or unknown: NotFound (it does not exist for them)."""
    record = db.session.get(RecordFile, file_id)
    if record is None or not can(user, "catalogue.view_file", record) or record.is_classified:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return record


def _file_by_code(reader: User, code: str) -> RecordFile | None:
    record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == code.strip()[:80]))
    if record is None or record.is_classified or not can(reader, "catalogue.view_file", record):
        return None
    return record


def _leader_grant_held(reader: User, file_id: int) -> bool:
    """The reader holds an active reading grant a leader approved for this file."""
    return db.session.scalar(select(RequestItem.id).where(
        RequestItem.reader_id == reader.id, RequestItem.file_id == file_id, RequestItem.status == ItemStatus.GRANTED.value,
        RequestItem.forwarded_at.is_not(None), RequestItem.grant_ends_at > utcnow()).limit(1)) is not None


def check_order(reader: User, data: dict[str, Any], rows: list[tuple[str, str]]) -> Draft:
    """Check an order form (``rows``: file code and pages typed) and price it; saves nothing."""
    require(reader, "copy.create")
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    kind = str(data.get("kind") or "")
    if kind not in fees.KINDS:
        errors.add("kind", _("Hãy chọn loại bản sao."))
    delivery = str(data.get("delivery") or "")
    if delivery not in fees.DELIVERIES:
        errors.add("delivery", _("Hãy chọn cách nhận bản sao."))
    raw_sets = str(data.get("paper_sets") or "1").strip()
    sets = int(raw_sets) if raw_sets.isdecimal() and len(raw_sets) < 4 else 0
    if delivery in ("post", "pickup") and not 1 <= sets <= MAX_SETS:
        errors.add("paper_sets", _("Số bộ bản giấy từ 1 đến %(n)d.", n=MAX_SETS))
    sets = sets if delivery in ("post", "pickup") and sets else 1
    address = str(data.get("postal_address") or "").strip()
    if delivery == "post" and len(address) < 10:
        errors.add("postal_address", _("Hãy ghi địa chỉ nhận bưu phẩm (số nhà, đường, phường/xã, tỉnh)."))
    if len(address) > 500:
        errors.add("postal_address", _("Quá dài (tối đa %(n)d ký tự).", n=500))
    purpose = str(data.get("purpose") or "")
    if purpose not in PURPOSE:
        errors.add("purpose", _("Hãy chọn mục đích sử dụng."))
    details = str(data.get("purpose_details") or "").strip()
    if purpose in OFFICIAL_PURPOSES and len(details) < 5:
        errors.add("purpose_details", _("Hãy ghi rõ nhiệm vụ công vụ (cơ quan, văn bản giao nhiệm vụ)."))
    fee_category = str(data.get("fee_category") or "")
    if fee_category not in FEE_CATEGORY:
        errors.add("fee_category", _("Hãy chọn đối tượng thu phí."))
    for name in ("purpose_details", "notes"):
        if len(str(data.get(name) or "")) > 2000:
            errors.add(name, _("Quá dài (tối đa %(n)d ký tự).", n=2000))

    lines: list[OrderLine] = []
    seen: set[int] = set()
    for n, (code, spec) in enumerate(rows):
        if not code.strip():
            continue
        record = _file_by_code(reader, code)
        if record is None:
            errors.add(f"files-{n}-code", _("Không tìm thấy hồ sơ mã %(code)s.", code=code.strip()[:80]))
            continue
        if record.id in seen:
            errors.add(f"files-{n}-code", _("Hồ sơ %(code)s đã có trong phiếu.", code=record.file_code))
            continue
        seen.add(record.id)
        try:
            pages = parse_pages(spec, file_pages(record))
        except ValidationError as error:
            errors.add(f"files-{n}-pages", error.message)
            continue
        if not record.is_digitised and delivery == "download":
            errors.add("delivery", _("Hồ sơ %(code)s chưa được số hóa: chỉ sao được bản giấy (gửi bưu điện hoặc nhận "
                                     "tại phòng đọc), hoặc sau khi hồ sơ được số hóa.", code=record.file_code))
        lines.append(OrderLine(record, pages))
    if not lines and not any(key.startswith("files-") for key in errors.fields):
        errors.add("files", _("Hãy chọn ít nhất một hồ sơ và các trang cần sao."))
    if len(lines) > MAX_FILES:
        errors.add("files", _("Mỗi phiếu sao tối đa %(n)d hồ sơ.", n=MAX_FILES))
    total = sum(len(line.pages) for line in lines)
    if total > MAX_PAGES:
        errors.add("files", _("Mỗi phiếu sao tối đa %(n)d trang.", n=MAX_PAGES))
    schedule = None
    try:
        schedule = fees.current_schedule()
    except NotFound as error:
        errors.add("files", error.message)
    if errors.fields:
        raise errors
    assert schedule is not None
    quote = fees.compute_quote(schedule, kind=kind, delivery=delivery, pages=total, sets=sets,
                               fee_category=fee_category)
    needs_leader = any(line.record.mode == AccessMode.CONDITIONAL.value
                       and not _leader_grant_held(reader, line.record.id) for line in lines)
    values = {"purpose": purpose, "purpose_details": details or None, "fee_category": fee_category,
              "postal_address": address if delivery == "post" else None,
              "notes": str(data.get("notes") or "").strip() or None}
    return Draft(lines, kind, delivery, sets, quote, wf.CONDITIONAL_MODE if needs_leader else wf.OPEN_MODE, values)


def submit_order(reader: User, data: dict[str, Any], rows: list[tuple[str, str]], token: str,
                 quoted_amount: int | None) -> CopyOrder:
    """Save a checked order (Phiếu yêu cầu sao). ``quoted_amount`` is the price the reader saw: if the
    price changed meanwhile (a new schedule came into force) nothing is saved and the new price is shown.

    The same ``token`` twice (a double click) returns the first order.
    """
    require(reader, "copy.create")
    if token:
        existing = db.session.scalar(select(CopyOrder).where(CopyOrder.submit_token == token))
        if existing is not None and existing.reader_id == reader.id:
            return existing
    if not token or len(token) > 64:
        raise ValidationError(_("Biểu mẫu không hợp lệ; hãy tải lại trang."))
    draft = check_order(reader, data, rows)
    if quoted_amount != draft.quote.amount:
        raise ValidationError(_("Giá đã được tính lại: %(amount)s đ. Hãy xem lại rồi gửi phiếu.",
                                amount=f"{draft.quote.amount:,}".replace(",", ".")), {"price": ["changed"]})
    now = utcnow()
    due = add_working_days(to_local(now).date(), wf.DEADLINE_WORKING_DAYS[draft.mode], holiday_set())
    order = CopyOrder(reader_id=reader.id, status=CopyStatus.SUBMITTED.value, kind=draft.kind,
                      delivery=draft.delivery, paper_sets=draft.paper_sets, mode=draft.mode, due_on=due,
                      submit_token=token, submitted_at=now, fee_schedule_id=draft.quote.schedule_id,
                      amount=draft.quote.amount, quote_lines=draft.quote.lines, **draft.values)
    for position, line in enumerate(draft.lines):
        order.files.append(CopyOrderFile(file_id=line.record.id, position=position, pages_spec=line.spec,
                                         page_count=len(line.pages), mode=line.record.mode))
    db.session.add(order)
    try:
        db.session.flush()
        order.code = f"SC-{now.year}-{order.id:06d}"
        record_event(db.session, reader, "copy.submit", "copy_order", order.id, to_state=order.status,
                     data={"code": order.code, "amount": order.amount, "schedule": draft.quote.schedule_id,
                           "files": {line.record.file_code: line.spec for line in draft.lines}})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(select(CopyOrder).where(CopyOrder.submit_token == token))
        if existing is None:
            raise
        return existing
    wf.run_hooks(order, CopyStatus.SUBMITTED, CopyAction.APPROVE)
    return order


def new_submit_token() -> str:
    """A token for one order form; the same token twice makes one order."""
    return secrets.token_urlsafe(24)


# --- transitions ---------------------------------------------------------------------------

# Actions that give the reader something from the files: none may happen once a file is classified.
_NEEDS_FILES_AVAILABLE = frozenset({CopyAction.APPROVE, CopyAction.LEADER_APPROVE, CopyAction.PAY,
                                    CopyAction.PRODUCE, CopyAction.DELIVER})

def apply(actor: User | None, order: CopyOrder, action: str, reason: str | None = None, *,
          expected_version: int | None = None, changes: Callable[[CopyOrder], None] | None = None,
          data: dict[str, Any] | None = None) -> CopyOrder:
    """Apply one workflow action: check who and whether, change, audit, commit, run the hooks.

    ``changes`` sets the fields the action brings (a payment, a tracking number).
    Two staff acting at once: the second gets :class:`Conflict` (optimistic locking).
    """
    action_enum, reason = attempts.begin(CopyAction, action, actor, "copy", order, expected_version, reason,
                                         lambda: _current_state(order))
    if action_enum in _NEEDS_FILES_AVAILABLE and any(line.file.is_classified for line in order.files):
        # Reclassification closes open orders (follow_reclassification); this catches the one
        # acted on in the same moment, so a classified file is never approved, copied or handed over.
        raise InvalidTransition(_("Hồ sơ trong phiếu không còn được cung cấp do thay đổi chế độ sử dụng tài liệu."))
    target = wf.transition(order.status, action, mode=order.mode, reason=reason,
                           reader_cleared=order.reader.clearance == Clearance.CLEARED.value)
    previous, now = order.status, utcnow()
    order.status = target.value
    actor_id = actor.id if actor is not None else None
    if action_enum is CopyAction.FORWARD:
        order.forwarded_by_id, order.forwarded_at, order.forward_opinion = actor_id, now, reason
    elif action_enum in (CopyAction.APPROVE, CopyAction.LEADER_APPROVE, CopyAction.REFUSE, CopyAction.LEADER_REFUSE,
                         CopyAction.CLOSE):
        order.decided_by_id, order.decided_at, order.decision_reason = actor_id, now, reason
    elif target is CopyStatus.PAID:
        order.paid_at = now
    elif target is CopyStatus.PRODUCED:
        order.produced_at = now
    elif target is CopyStatus.DELIVERED:
        order.delivered_at = now
    elif target in (CopyStatus.WITHDRAWN, CopyStatus.EXPIRED):
        order.ended_at = now
    if changes is not None:
        changes(order)
    record_event(db.session, actor, f"copy.{action_enum.value}", "copy_order", order.id, from_state=previous,
                 to_state=target.value, reason=reason, data={"code": order.code, **(data or {})})
    attempts.commit(order, lambda: _current_state(order))
    wf.run_hooks(order, target, action_enum)
    db.session.refresh(order)  # a hook (a job run inline, a free order settled) may have moved it on
    return order


CLOSED_REASON = _l("Hồ sơ trong phiếu không còn được cung cấp do thay đổi chế độ sử dụng tài liệu; "
                    "phí đã nộp (nếu có) sẽ được hoàn lại.")


@on_mode_change
def follow_reclassification(actor: User | None, record: RecordFile, old_mode: str, new_mode: str) -> None:
    """A file's mode changed: orders still under way that hold it follow the file's mode now.

    Classified: every such order ends (refused by the system, a produced copy deleted by the
    hook on "refused") with a reason that does not name the file. Conditional: an undecided order
    that an archivist alone could approve now needs the leader (and gets the longer deadline),
    unless the reader holds a leader-approved grant for the file.
    """
    active = list(db.session.scalars(select(CopyOrder).join(CopyOrderFile).where(
        CopyOrderFile.file_id == record.id,
        CopyOrder.status.in_([s.value for s in wf.ACTIVE])).order_by(CopyOrder.id)))
    if new_mode == AccessMode.CLASSIFIED.value:
        for order in active:
            try:
                apply(None, order, CopyAction.CLOSE.value, str(CLOSED_REASON))
            except Conflict:  # acted on meanwhile: close what it is now
                if order.status in {s.value for s in wf.ACTIVE}:
                    apply(None, order, CopyAction.CLOSE.value, str(CLOSED_REASON))
        return
    for order in active:
        if order.status != CopyStatus.SUBMITTED.value or order.mode == wf.CONDITIONAL_MODE:
            continue
        if new_mode != AccessMode.CONDITIONAL.value or _leader_grant_held(order.reader, record.id):
            continue
        record_event(db.session, actor, "copy.mode_change", "copy_order", order.id, from_state=order.mode,
                     to_state=wf.CONDITIONAL_MODE, data={"code": order.code, "file_code": record.file_code})
        order.mode = wf.CONDITIONAL_MODE
        order.due_on = add_working_days(to_local(order.submitted_at).date(),
                                        wf.DEADLINE_WORKING_DAYS[wf.CONDITIONAL_MODE], holiday_set())
    db.session.commit()


def _current_state(order: CopyOrder) -> str:
    return _("Phiếu sao vừa được người khác xử lý; trạng thái hiện tại: %(state)s.",
             state=wf.LABELS[CopyStatus(order.status)])


def withdraw(reader: User, order: CopyOrder) -> CopyOrder:
    """The reader withdraws an order before paying."""
    return apply(reader, order, CopyAction.WITHDRAW.value)


# --- reading orders --------------------------------------------------------------------------

def get_order(user: User | None, order_id: int) -> CopyOrder:
    """An order the user may see; another reader's order is NotFound, not Forbidden."""
    order = db.session.get(CopyOrder, order_id)
    if order is None or not can(user, "copy.view", order):
        raise NotFound(_("Không tìm thấy phiếu sao."))
    return order


def my_orders(reader: User) -> list[CopyOrder]:
    """The reader's copy orders, newest first."""
    return list(db.session.scalars(select(CopyOrder).where(CopyOrder.reader_id == reader.id)
                                   .order_by(CopyOrder.id.desc())
                                   .options(selectinload(CopyOrder.files).selectinload(CopyOrderFile.file))))


def timeline(order: CopyOrder) -> list[AuditEvent]:
    """The order's audit events, oldest first."""
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "copy_order", AuditEvent.object_id == str(order.id)).order_by(AuditEvent.id)))


@dataclass
class QueueFilters:
    status: str = CopyStatus.SUBMITTED.value
    overdue: bool = False
    reader: str = ""


def queue(user: User, filters: QueueFilters) -> list[CopyOrder]:
    """Orders for staff, soonest due first."""
    require(user, "copies.queue")
    query = (select(CopyOrder).join(CopyOrder.reader)
             .options(selectinload(CopyOrder.files).selectinload(CopyOrderFile.file), selectinload(CopyOrder.reader))
             .order_by(CopyOrder.due_on, CopyOrder.id))
    if filters.status in CopyStatus._value2member_map_:
        query = query.where(CopyOrder.status == filters.status)
    if filters.overdue:
        query = query.where(CopyOrder.due_on < today_local(),
                            CopyOrder.status.in_([s.value for s in wf.UNDECIDED]))
    if filters.reader.strip():
        needle = f"%{filters.reader.strip().lower()[:100]}%"
        query = query.where(or_(func.lower(User.full_name).like(needle), func.lower(User.email).like(needle),
                                func.lower(CopyOrder.code).like(needle)))
    return list(db.session.scalars(query.limit(500)))


def is_overdue(order: CopyOrder) -> bool:
    """Still undecided after its due day."""
    return order.status in {s.value for s in wf.UNDECIDED} and order.due_on < today_local()


def counts_by_status(user: User) -> dict[str, int]:
    """How many orders are in each status (the queue's tabs)."""
    require(user, "copies.queue")
    rows = db.session.execute(select(CopyOrder.status, func.count()).group_by(CopyOrder.status))
    return {status: count for status, count in rows}


def ended_before(moment: datetime) -> list[CopyOrder]:
    """Orders waiting for payment since before ``moment`` (to expire)."""
    return list(db.session.scalars(select(CopyOrder).where(
        CopyOrder.status == CopyStatus.APPROVED.value, CopyOrder.decided_at < moment)))


def files_for_rows(reader: User, rows: list[tuple[str, str]]) -> dict[str, RecordFile]:
    """The files named in the form's rows that the reader may order (for page counts and document lists)."""
    found = {}
    for code, _pages in rows:
        record = _file_by_code(reader, code) if code.strip() else None
        if record is not None:
            found[code.strip()] = record
    return found
