"""Legal deadlines in working days (Monday–Friday minus Vietnamese public holidays).

The holiday table is configuration (``PUBLIC_HOLIDAYS`` in config.py), because
the government fixes the exact days off, Tết above all, each year.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable

from flask import current_app

from .localtime import local_today, to_local

# Working days to decide an item, by the file's access mode (domain.md).
DEADLINE_WORKING_DAYS = {"01": 1, "02": 7}


def holiday_set(table: dict[int, Iterable[str]] | None = None) -> frozenset[date]:
    """Public holidays from the config table ``{year: ["YYYY-MM-DD", ...]}``."""
    table = current_app.config["PUBLIC_HOLIDAYS"] if table is None else table
    return frozenset(date.fromisoformat(day) for days in table.values() for day in days)


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: frozenset[date]) -> date:
    """The date ``days`` working days after ``start`` (the start day itself is not counted).

    Submitted on Friday with 1 working day → due Monday; submitted during Tết →
    counting starts on the first working day after it.
    """
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            remaining -= 1
    return current


def due_date(submitted_at: datetime, mode: str, holidays: frozenset[date] | None = None) -> date:
    """The last day to decide an item of ``mode`` submitted at ``submitted_at`` (Vietnam time)."""
    holidays = holiday_set() if holidays is None else holidays
    local_day = to_local(submitted_at).date()  # stored UTC; the day counts in the archive's zone
    return add_working_days(local_day, DEADLINE_WORKING_DAYS[mode], holidays)


def today_local() -> date:
    """Today's date in the archive's zone."""
    return local_today()
