"""The reading-room calendar: settings, opening hours per weekday, closed days
(the public holidays table plus closures staff add) and the slots readers book.

A slot is one session (morning or afternoon) of one open day; it has as many
seats as the settings say. Times are Vietnam time (UTC+7 all year).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ...db import utcnow
from ...localtime import naive_local_to_utc, to_local
from ...deadlines import holiday_set
from ...errors import NotFound, ValidationError
from ...extensions import db
from ...models import OpeningHours, RoomClosure, RoomSettings, User, Visit
from ...permissions import require
from ..audit import record_event

SESSIONS = ("am", "pm")
# Mondays to Fridays 7:30–11:30 and 13:30–16:30; closed at weekends (changed by staff in the browser).
DEFAULT_HOURS = (time(7, 30), time(11, 30), time(13, 30), time(16, 30))
SETTING_LIMITS = {  # field → (lowest, highest)
    "seats": (1, 200), "max_files_per_visit": (1, 10), "visits_per_week": (1, 14),
    "change_cutoff_hours": (0, 168), "booking_days_ahead": (1, 180), "digitise_working_days": (1, 120),
}


def now_local() -> datetime:
    """Now, as a naive wall-clock time in the archive's zone."""
    return to_local(utcnow()).replace(tzinfo=None)


def room_settings() -> RoomSettings:
    """The settings row; when none is stored yet (the migration stores one), the defaults are
    added to the current transaction, which the caller's commit keeps or its rollback drops."""
    settings = db.session.get(RoomSettings, 1)
    if settings is None:
        settings = RoomSettings(id=1, seats=8, max_files_per_visit=10, visits_per_week=2, change_cutoff_hours=24,
                                booking_days_ahead=30, digitise_working_days=15,
                                address=current_app.config["READING_ROOM_ADDRESS"])
        db.session.add(settings)
        db.session.flush()
    return settings


def opening_hours() -> dict[int, OpeningHours]:
    """Hours of the seven weekdays (0 = Monday); missing ones get the defaults, as for the settings."""
    rows = {row.weekday: row for row in db.session.scalars(select(OpeningHours))}
    if len(rows) < 7:
        for weekday in range(7):
            if weekday not in rows:
                row = OpeningHours(weekday=weekday)
                if weekday < 5:
                    row.morning_opens, row.morning_closes, row.afternoon_opens, row.afternoon_closes = DEFAULT_HOURS
                db.session.add(row)
                rows[weekday] = row
        db.session.flush()
    return rows


def session_hours(hours: OpeningHours, session: str) -> tuple[time, time] | None:
    """(opens, closes) of one session of a weekday, or None when that session is closed."""
    opens, closes = ((hours.morning_opens, hours.morning_closes) if session == "am"
                     else (hours.afternoon_opens, hours.afternoon_closes))
    return (opens, closes) if opens and closes else None


def closures(start: date, end: date) -> dict[date, RoomClosure]:
    """Closures staff added between two days (inclusive)."""
    rows = db.session.scalars(select(RoomClosure).where(RoomClosure.day >= start, RoomClosure.day <= end))
    return {row.day: row for row in rows}


def closed_reason(day: date) -> str | None:
    """Why the room is closed on ``day`` (a public holiday, a closure, no hours), or None when open."""
    if day in holiday_set():
        return _("Ngày nghỉ lễ")
    closure = db.session.scalar(select(RoomClosure).where(RoomClosure.day == day))
    if closure is not None:
        return closure.reason
    hours = opening_hours()[day.weekday()]
    if not any(session_hours(hours, s) for s in SESSIONS):
        return _("Phòng đọc không mở cửa ngày này")
    return None


@dataclass
class Slot:
    """One bookable session of one day and how many of its seats are taken."""

    day: date
    session: str
    opens: time
    closes: time
    seats: int
    taken: int

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}|{self.session}"

    @property
    def free(self) -> int:
        return max(0, self.seats - self.taken)

    @property
    def starts_local(self) -> datetime:
        return datetime.combine(self.day, self.opens)

    @property
    def ends_local(self) -> datetime:
        return datetime.combine(self.day, self.closes)

    @property
    def starts_utc(self) -> datetime:
        return naive_local_to_utc(self.starts_local)

    @property
    def ends_utc(self) -> datetime:
        return naive_local_to_utc(self.ends_local)


def taken_seats(day: date, session: str) -> int:
    """Seats held in a slot (cancelled visits gave theirs back)."""
    return db.session.scalar(select(func.count(Visit.id)).where(
        Visit.day == day, Visit.session == session, Visit.seat_no.is_not(None))) or 0


def parse_slot(raw: str) -> tuple[date, str]:
    """``"2026-12-03|am"`` → (day, session), or :class:`ValidationError`."""
    try:
        day_text, session = str(raw or "").split("|", 1)
        day = date.fromisoformat(day_text)
    except ValueError as exc:
        message = _("Hãy chọn ngày và buổi đến phòng đọc.")
        raise ValidationError(message, {"visit_slot": [message]}) from exc
    if session not in SESSIONS:
        message = _("Hãy chọn ngày và buổi đến phòng đọc.")
        raise ValidationError(message, {"visit_slot": [message]})
    return day, session


def slot_for(day: date, session: str) -> Slot:
    """The slot of (day, session), or :class:`ValidationError` when the room is closed then."""
    reason = closed_reason(day)
    hours = session_hours(opening_hours()[day.weekday()], session)
    if reason or hours is None:
        message = _("Phòng đọc đóng cửa vào buổi đã chọn (%(reason)s); hãy chọn buổi khác.",
                    reason=reason or _("buổi này không mở cửa"))
        raise ValidationError(message, {"visit_slot": [message]})
    return Slot(day, session, hours[0], hours[1], room_settings().seats, taken_seats(day, session))


def upcoming_slots(start: date | None = None, days: int | None = None) -> list[Slot]:
    """Every open session from ``start`` (today) for the booking horizon, full ones included;
    sessions that have already begun are left out."""
    settings = room_settings()
    start = start or now_local().date()
    days = settings.booking_days_ahead if days is None else days
    end = start + timedelta(days=days)
    hours = opening_hours()
    holidays = holiday_set()
    closed = closures(start, end)
    counts = dict(((d, s), n) for d, s, n in db.session.execute(
        select(Visit.day, Visit.session, func.count(Visit.id)).where(
            Visit.day >= start, Visit.day <= end, Visit.seat_no.is_not(None)).group_by(Visit.day, Visit.session)))
    now = now_local()
    slots = []
    day = start
    while day <= end:
        if day not in holidays and day not in closed:
            for session in SESSIONS:
                span = session_hours(hours[day.weekday()], session)
                if span is None or datetime.combine(day, span[0]) <= now:
                    continue
                slots.append(Slot(day, session, span[0], span[1], settings.seats, counts.get((day, session), 0)))
        day += timedelta(days=1)
    return slots


# --- staff: keeping the calendar ------------------------------------------------------------

def _parse_time(raw: Any, field: str, errors: ValidationError) -> time | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        errors.add(field, _("Giờ không hợp lệ (dạng 07:30)."))
        return None


def save_calendar(actor: User, data: dict[str, Any]) -> RoomSettings:
    """Store the settings and the weekly hours from the staff form (all or nothing)."""
    require(actor, "calendar.manage")
    settings = room_settings()
    hours = opening_hours()
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    values: dict[str, int] = {}
    for name, (low, high) in SETTING_LIMITS.items():
        try:
            value = int(str(data.get(name, "")).strip())
        except ValueError:
            errors.add(name, _("Hãy nhập một số."))
            continue
        if not low <= value <= high:
            errors.add(name, _("Phải từ %(low)d đến %(high)d.", low=low, high=high))
        values[name] = value
    address = str(data.get("address") or "").strip()
    if not 5 <= len(address) <= 1000:
        errors.add("address", _("Hãy ghi địa chỉ phòng đọc (5–1000 ký tự)."))
    new_hours: dict[int, tuple[time | None, ...]] = {}
    for weekday in range(7):
        spans = []
        for session in SESSIONS:
            opens = _parse_time(data.get(f"h{weekday}_{session}_opens"), f"h{weekday}_{session}", errors)
            closes = _parse_time(data.get(f"h{weekday}_{session}_closes"), f"h{weekday}_{session}", errors)
            if (opens is None) != (closes is None) or (opens and closes and opens >= closes):
                errors.add(f"h{weekday}_{session}", _("Giờ mở cửa phải trước giờ đóng cửa; để trống cả hai nếu nghỉ."))
            spans += [opens, closes]
        if spans[1] and spans[2] and spans[1] > spans[2]:
            errors.add(f"h{weekday}_pm", _("Buổi chiều phải bắt đầu sau buổi sáng."))
        new_hours[weekday] = tuple(spans)
    if errors.fields:
        db.session.rollback()
        raise errors
    before = {name: getattr(settings, name) for name in SETTING_LIMITS}
    for name, value in values.items():
        setattr(settings, name, value)
    settings.address = address
    for weekday, spans in new_hours.items():
        row = hours[weekday]
        row.morning_opens, row.morning_closes, row.afternoon_opens, row.afternoon_closes = spans
    record_event(db.session, actor, "calendar.save", "reading_room", 1,
                 data={"before": before, "after": values,
                       "hours": {w: [t.strftime("%H:%M") if t else None for t in s] for w, s in new_hours.items()}})
    db.session.commit()
    return settings


def add_closure(actor: User, raw_day: Any, reason: str) -> RoomClosure:
    """Close the room on a day (the visits already booked that day stay for staff to handle)."""
    require(actor, "calendar.manage")
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    day = raw_day if isinstance(raw_day, date) else None
    if day is None:
        try:
            day = date.fromisoformat(str(raw_day or ""))
        except ValueError:
            errors.add("day", _("Hãy chọn ngày."))
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        errors.add("reason", _("Hãy ghi lý do (2–200 ký tự)."))
    if day is not None and db.session.scalar(select(RoomClosure.id).where(RoomClosure.day == day)):
        errors.add("day", _("Ngày này đã có trong danh sách ngày nghỉ."))
    if errors.fields:
        raise errors
    closure = RoomClosure(day=day, reason=reason, created_by_id=actor.id)
    db.session.add(closure)
    db.session.flush()
    record_event(db.session, actor, "calendar.closure_add", "reading_room", 1,
                 data={"day": day.isoformat(), "reason": reason})  # type: ignore[union-attr]
    db.session.commit()
    return closure


def remove_closure(actor: User, closure_id: int) -> None:
    """Open the room again on a day that was closed."""
    require(actor, "calendar.manage")
    closure = db.session.get(RoomClosure, closure_id)
    if closure is None:
        raise NotFound(_("Không tìm thấy ngày nghỉ."))
    record_event(db.session, actor, "calendar.closure_remove", "reading_room", 1,
                 data={"day": closure.day.isoformat(), "reason": closure.reason})
    db.session.delete(closure)
    db.session.commit()


def upcoming_closures() -> list[RoomClosure]:
    """Closures from today on, for the staff page."""
    return list(db.session.scalars(select(RoomClosure).where(RoomClosure.day >= now_local().date())
                                   .order_by(RoomClosure.day)))


def upcoming_holidays(limit: int = 12) -> list[date]:
    """Public holidays from today on (from the configured table)."""
    today = now_local().date()
    return sorted(d for d in holiday_set() if d >= today)[:limit]
