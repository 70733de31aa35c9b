"""Local time: the one place that turns stored UTC into the archive's zone and writes it for people.

Times are stored as naive UTC (``db.utcnow``). What a person reads, on a page, in a
mail, in a register or on a stamped page, is in the configured zone
(``BABEL_DEFAULT_TIMEZONE``, Vietnam by default) and written one way per language:
Vietnamese ``02/12/2026 08:51``, English ``2 Dec 2026, 08:51``; never a two-digit
year, never month-first. Day boundaries of the zone (registers, deadlines) come
from here too, so no module adds "7 hours" of its own.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context, has_request_context
from flask_babel import get_locale

from .db import utcnow

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
# English month abbreviations, fixed: the process locale must not change what readers see.
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def zone() -> ZoneInfo:
    """The archive's time zone (config ``BABEL_DEFAULT_TIMEZONE``)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def to_local(moment: datetime) -> datetime:
    """``moment`` (naive means UTC) as an aware datetime in the archive's zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone())


def local_now() -> datetime:
    """Now, in the archive's zone (follows ``db.utcnow``, so frozen clocks apply)."""
    return to_local(utcnow())


def local_today() -> date:
    """Today's date in the archive's zone."""
    return local_now().date()


def naive_local_to_utc(local: datetime) -> datetime:
    """A naive wall-clock time in the archive's zone as the naive-UTC moment it is (as stored)."""
    return local.replace(tzinfo=zone()).astimezone(timezone.utc).replace(tzinfo=None)


def utc_start_of(day: date) -> datetime:
    """The naive-UTC moment the local ``day`` begins: for comparing with stored times."""
    start = datetime.combine(day, time.min, tzinfo=zone())
    return start.astimezone(timezone.utc).replace(tzinfo=None)


def utc_day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """Naive-UTC ``[start, end)`` covering the local days ``first`` … ``last``."""
    return utc_start_of(first), utc_start_of(last + timedelta(days=1))


def utc_offset_label() -> str:
    """The zone's offset now, as people write it: ``UTC+7``."""
    offset = local_now().utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _language(locale: str | None) -> str:
    if locale:
        return locale[:2]
    if has_request_context() or has_app_context():
        found = get_locale()
        if found is not None:
            return found.language
    return "vi"


def format_date(value: date | datetime | None, locale: str | None = None) -> str:
    """A day for people: ``02/12/2026`` (vi) or ``2 Dec 2026`` (en); a datetime is taken to local time first."""
    if value is None:
        return ""
    day = to_local(value).date() if isinstance(value, datetime) else value
    if _language(locale) == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def format_datetime(value: datetime | None, locale: str | None = None) -> str:
    """A moment for people, in local time: ``02/12/2026 08:51`` (vi) or ``2 Dec 2026, 08:51`` (en)."""
    if value is None:
        return ""
    local = to_local(value)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if _language(locale) == "en":
        return f"{format_date(local.date(), 'en')}, {clock}"
    return f"{format_date(local.date(), 'vi')} {clock}"


def format_partial_date(value: str | None, locale: str | None = None) -> str:
    """A catalogued date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) for people.

    Vietnamese ``15/03/2020``, ``03/2020``, ``2020``; English ``15 Mar 2020``, ``Mar 2020``,
    ``2020``. Anything else is shown as it was catalogued.
    """
    if not value:
        return ""
    parts = value.split("-")
    if not all(p.isdigit() for p in parts) or len(parts) > 3 or len(parts[0]) != 4:
        return value
    numbers = [int(p) for p in parts] + [0, 0]
    year, month, day = numbers[0], numbers[1] or None, numbers[2] or None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return value
    english = _language(locale) == "en"
    if day is None:
        return f"{_MONTHS_EN[month - 1]} {year}" if english else f"{month:02d}/{year:04d}"
    return f"{day} {_MONTHS_EN[month - 1]} {year}" if english else f"{day:02d}/{month:02d}/{year:04d}"


def datetime_filter(value: datetime | None, _format: str | None = None) -> str:
    """Jinja ``|datetimeformat``: one format whatever the template asked (``'short'`` was ambiguous)."""
    return format_datetime(value)


def date_filter(value: date | datetime | None, _format: str | None = None) -> str:
    """Jinja ``|dateformat``: one format whatever the template asked."""
    return format_date(value)
