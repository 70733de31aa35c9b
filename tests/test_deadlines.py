"""Working-day deadlines across weekends and Vietnamese public holidays (Tết)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.config import Config
from portal.deadlines import add_working_days, due_date, holiday_set

HOLIDAYS = holiday_set(Config.PUBLIC_HOLIDAYS)


@pytest.mark.parametrize("start,days,expected", [
    (date(2026, 11, 16), 1, date(2026, 11, 17)),  # Monday → Tuesday
    (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday → Monday
    (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Saturday → Monday
    (date(2026, 11, 20), 7, date(2026, 12, 1)),  # Friday + 7 → Tuesday after next
    (date(2026, 2, 13), 1, date(2026, 2, 23)),  # Friday before Tết Bính Ngọ → Monday after it
    (date(2026, 2, 12), 7, date(2026, 3, 2)),  # Thursday before Tết: Feb 13, 23–27, Mar 2
    (date(2026, 2, 18), 1, date(2026, 2, 23)),  # submitted during Tết
    (date(2026, 4, 29), 1, date(2026, 5, 4)),  # 30/4 and 1/5, then the weekend
    (date(2026, 8, 31), 1, date(2026, 9, 3)),  # Quốc khánh 1–2/9
    (date(2025, 12, 31), 1, date(2026, 1, 5)),  # New Year 1–2/1/2026, then the weekend
])
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days, HOLIDAYS) == expected


def test_due_date_counts_in_vietnam_time_and_by_mode():
    # 2026-11-20 18:30 UTC is already Saturday 01:30 in Vietnam.
    late_friday_utc = datetime(2026, 11, 20, 18, 30)
    assert due_date(late_friday_utc, "01", HOLIDAYS) == date(2026, 11, 23)
    assert due_date(datetime(2026, 11, 20, 3, 0), "01", HOLIDAYS) == date(2026, 11, 23)
    assert due_date(datetime(2026, 11, 20, 3, 0), "02", HOLIDAYS) == date(2026, 12, 1)


def test_holiday_table_covers_tet_every_configured_year():
    for year, days in Config.PUBLIC_HOLIDAYS.items():
        parsed = [date.fromisoformat(d) for d in days]
        assert all(d.year == year for d in parsed)
        assert sum(1 for d in parsed if d.month in (1, 2) and d.day != 1) >= 5  # at least five Tết days
