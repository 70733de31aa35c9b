"""Booking a visit to the reading room, moving and cancelling it.

Capacity holds under concurrency in two ways: on PostgreSQL every booking takes
a row lock on the settings row first, so bookings are counted one after the
other; and each visit holds a numbered seat that is unique per (day, session),
so even without the lock two readers cannot hold the same last seat — the
second insert fails and that reader is told the slot is full.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ... import hooks
from ...db import utcnow
from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...models import AccessRequest, RequestItem, RoomSettings, User, Visit, VisitFile
from ...permissions import can, is_staff, require
from ...workflow import OPEN_STATUSES, ItemStatus
from ..audit import record_event
from .calendar import Slot, now_local, opening_hours, parse_slot, room_settings, session_hours, slot_for
from .transitions import ACTIVE_STATUSES, VisitAction, VisitStatus, visit_transition


def _slot_error(message: str) -> ValidationError:
    return ValidationError(message, {"visit_slot": [message]})


def week_visits(reader_id: int, day: date, exclude_id: int | None = None) -> int:
    """The reader's visits (booked, present or done) in the Monday-to-Sunday week of ``day``."""
    monday = day - timedelta(days=day.weekday())
    query = select(func.count(Visit.id)).where(
        Visit.reader_id == reader_id, Visit.day >= monday, Visit.day < monday + timedelta(days=7),
        Visit.status.in_([s.value for s in ACTIVE_STATUSES]))
    if exclude_id is not None:
        query = query.where(Visit.id != exclude_id)
    return db.session.scalar(query) or 0


def check_slot(reader: User, raw: str, file_count: int, exclude_id: int | None = None) -> Slot:
    """Every rule a booking must meet, checked before anything is written.

    Refused with a message on the ``visit_slot`` field: a slot in the past or
    beyond the booking horizon, a closed day or session, a full slot, more files
    than a visit allows, more visits in the week than the setting allows.
    """
    settings = room_settings()
    day, session = parse_slot(raw)
    if file_count > settings.max_files_per_visit:
        raise _slot_error(_("Mỗi lượt đọc tại phòng đọc được phục vụ tối đa %(n)d hồ sơ; hãy bớt hồ sơ "
                            "hoặc gửi thành nhiều phiếu.", n=settings.max_files_per_visit))
    today = now_local().date()
    if day < today:
        raise _slot_error(_("Ngày đã chọn đã qua; hãy chọn một buổi sắp tới."))
    if day > today + timedelta(days=settings.booking_days_ahead):
        raise _slot_error(_("Chỉ đặt lịch trước tối đa %(n)d ngày.", n=settings.booking_days_ahead))
    slot = slot_for(day, session)
    if slot.starts_local <= now_local():
        raise _slot_error(_("Buổi đã chọn đã bắt đầu hoặc đã qua; hãy chọn một buổi sắp tới."))
    if slot.free <= 0:
        raise _slot_error(_("Buổi đã chọn đã hết chỗ; hãy chọn buổi khác."))
    if week_visits(reader.id, day, exclude_id) >= settings.visits_per_week:
        raise _slot_error(_("Mỗi độc giả được đặt tối đa %(n)d lượt đọc mỗi tuần; tuần đã chọn đã đủ.",
                            n=settings.visits_per_week))
    return slot


def _lock_calendar() -> RoomSettings:
    """Serialise bookings: a row lock on the settings row (PostgreSQL; SQLite serialises writers anyway)."""
    room_settings()
    return db.session.scalars(select(RoomSettings).where(RoomSettings.id == 1).with_for_update()).one()


def _take_seat(reader: User, slot: Slot, exclude_id: int | None = None) -> int:
    """Under the lock: count again, then the lowest free seat number of the slot."""
    settings = _lock_calendar()
    if week_visits(reader.id, slot.day, exclude_id) >= settings.visits_per_week:
        raise _slot_error(_("Mỗi độc giả được đặt tối đa %(n)d lượt đọc mỗi tuần; tuần đã chọn đã đủ.",
                            n=settings.visits_per_week))
    held = set(db.session.scalars(select(Visit.seat_no).where(
        Visit.day == slot.day, Visit.session == slot.session, Visit.seat_no.is_not(None))))
    for seat in range(1, settings.seats + 1):
        if seat not in held:
            return seat
    raise _slot_error(_("Buổi đã chọn vừa hết chỗ; hãy chọn buổi khác."))


def book_visit(reader: User, slot: Slot, items: Sequence[RequestItem], request_id: int | None) -> Visit:
    """Book ``slot`` for the reader's items, inside the caller's transaction (the caller commits).

    A seat taken meanwhile by someone else is a :class:`ValidationError` on
    ``visit_slot``; the caller rolls back everything it wrote.
    """
    require(reader, "visits.book")
    seat = _take_seat(reader, slot)
    visit = Visit(reader_id=reader.id, request_id=request_id, day=slot.day, session=slot.session, seat_no=seat,
                  status=VisitStatus.BOOKED.value)
    db.session.add(visit)
    for item in items:
        if item.visit_file is not None:  # its earlier visit was cancelled or missed: the file moves to this one
            visit.files.append(item.visit_file)
        else:
            visit.files.append(VisitFile(item=item, file_id=item.file_id))
    try:
        db.session.flush()
    except IntegrityError as exc:  # the seat went to another reader's booking after all
        db.session.rollback()
        raise _slot_error(_("Buổi đã chọn vừa hết chỗ; hãy chọn buổi khác.")) from exc
    visit.code = f"LD-{slot.day.year}-{visit.id:06d}"
    record_event(db.session, reader, "visit.book", "visit", visit.id, to_state=visit.status,
                 data={"code": visit.code, "day": slot.day.isoformat(), "session": slot.session, "seat": seat,
                       "files": [item.file.file_code for item in items]})
    return visit


def items_to_book(request: AccessRequest) -> list[RequestItem]:
    """The request's reading-room items, pending or granted, that have no visit coming."""
    waiting = []
    for item in request.items:
        if item.use != "reading_room" or ItemStatus(item.status) not in OPEN_STATUSES:
            continue
        visit = item.visit_file.visit if item.visit_file is not None else None
        if visit is None or visit.status in (VisitStatus.CANCELLED.value, VisitStatus.NO_SHOW.value):
            waiting.append(item)
    return waiting


def book_later(reader: User, request: AccessRequest, raw_slot: str) -> Visit:
    """Book a visit for a request's reading-room files that have none (booked after submitting,
    or again after a cancelled or missed visit)."""
    require(reader, "request.view", request)
    items = items_to_book(request)
    if not items:
        raise ValidationError(_("Phiếu này không có hồ sơ nào cần đặt lịch đọc tại phòng đọc."))
    slot = check_slot(reader, raw_slot, len(items))
    try:
        visit = book_visit(reader, slot, items, request.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    hooks.fire("visit.booked", visit=visit)
    return visit


# --- the reader's visits ------------------------------------------------------------------------

def get_visit(user: User, visit_id: int) -> Visit:
    """A visit the user may see; another reader's visit does not exist for them (NotFound)."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or not can(user, "visit.view", visit):
        raise NotFound(_("Không tìm thấy lượt đọc."))
    return visit


def my_visits(reader: User) -> list[Visit]:
    """The reader's visits, the coming ones first."""
    visits = list(db.session.scalars(select(Visit).where(Visit.reader_id == reader.id)
                                     .options(selectinload(Visit.files).selectinload(VisitFile.file))))
    today = now_local().date()
    return sorted(visits, key=lambda v: (v.day < today, v.day if v.day >= today else -v.day.toordinal(),
                                         v.session))


def slot_of(visit: Visit) -> Slot:
    """The visit's slot (its hours as they stand in the calendar)."""
    span = session_hours(opening_hours()[visit.day.weekday()], visit.session)
    opens, closes = span or (datetime.min.time(), datetime.max.time().replace(microsecond=0))
    return Slot(visit.day, visit.session, opens, closes, room_settings().seats, 0)


def change_deadline(visit: Visit) -> datetime:
    """Until when (Vietnam time) the reader may move or cancel the visit."""
    return slot_of(visit).starts_local - timedelta(hours=room_settings().change_cutoff_hours)


def reader_may_change(visit: Visit) -> bool:
    """Booked, and before the cut-off."""
    return visit.status == VisitStatus.BOOKED.value and now_local() < change_deadline(visit)


def _check_cutoff(visit: Visit) -> None:
    if now_local() >= change_deadline(visit):
        raise ValidationError(_("Đã quá thời hạn đổi hoặc hủy lịch (%(hours)d giờ trước buổi đọc); "
                                "hãy liên hệ phòng đọc.", hours=room_settings().change_cutoff_hours))


def _commit(visit: Visit) -> None:
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(_("Lượt đọc vừa được thay đổi; hãy xem lại.")) from exc


def move_visit(reader: User, visit: Visit, raw_slot: str) -> Visit:
    """Move a booked visit to another slot with a free seat, before the cut-off."""
    require(reader, "visit.change", visit)
    visit_transition(visit.status, VisitAction.MOVE.value)
    _check_cutoff(visit)
    owner = visit.reader  # staff may move a visit for the reader: the reader's weekly limit applies
    slot = check_slot(owner, raw_slot, len(visit.files), exclude_id=visit.id)
    if (slot.day, slot.session) == (visit.day, visit.session):
        raise _slot_error(_("Đây là buổi đã đặt; hãy chọn buổi khác."))
    before = f"{visit.day.isoformat()}|{visit.session}"
    visit.seat_no = None  # give the old seat back before taking the new one
    db.session.flush()
    seat = _take_seat(owner, slot, exclude_id=visit.id)
    visit.day, visit.session, visit.seat_no = slot.day, slot.session, seat
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise _slot_error(_("Buổi đã chọn vừa hết chỗ; hãy chọn buổi khác.")) from exc
    for visit_file in visit.files:  # a reading-room grant lasts until the end of the visit's day
        if visit_file.item.status == ItemStatus.GRANTED.value:
            visit_file.item.grant_ends_at = slot.ends_utc
    record_event(db.session, reader, "visit.move", "visit", visit.id, from_state=visit.status,
                 to_state=visit.status, data={"from": before, "to": slot.key, "seat": seat})
    _commit(visit)
    hooks.fire("visit.changed", visit=visit, action=VisitAction.MOVE)
    return visit


def cancel_visit(actor: User | None, visit: Visit, reason: str | None = None) -> Visit:
    """Cancel a booked visit and give its seat back.

    The reader may until the cut-off; staff at any time with a reason; the
    system (``actor`` None) when none of the visit's files is still pending or granted.
    """
    if actor is not None:
        require(actor, "visit.change", visit)
    rule = visit_transition(visit.status, VisitAction.CANCEL.value)
    reason = (reason or "").strip() or None
    if actor is not None and not is_staff(actor):
        _check_cutoff(visit)
    elif actor is not None and not reason:
        message = _("Cần ghi lý do hủy lịch.")
        raise ValidationError(message, {"reason": [message]})
    previous = visit.status
    visit.status, visit.ended_at, visit.end_reason = rule.target.value, utcnow(), reason
    if not rule.holds_seat:
        visit.seat_no = None  # the seat goes back to the slot
    record_event(db.session, actor, "visit.cancel", "visit", visit.id, from_state=previous,
                 to_state=visit.status, reason=reason, data={"code": visit.code})
    _commit(visit)
    hooks.fire("visit.changed", visit=visit, action=VisitAction.CANCEL)
    return visit


def visit_for_item(item: RequestItem) -> Visit | None:
    """The visit a reading-room item is booked on."""
    return db.session.scalar(select(Visit).join(VisitFile).where(VisitFile.item_id == item.id))
