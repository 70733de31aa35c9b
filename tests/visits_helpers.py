"""Shared pieces of the visit tests: a frozen clock for the reading-room calendar and a submit helper."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.models import User
from portal.services import requests as requests_svc
from portal.services.visits import calendar

# Monday 7 December 2026, 08:00 in Vietnam: the morning session has begun, the afternoon not yet.
MONDAY_0800_VN = datetime(2026, 12, 7, 8, 0)


class Clock:
    """The calendar's idea of now (Vietnam time), settable by a test."""

    def __init__(self, local: datetime) -> None:
        self.local = local

    def utc(self) -> datetime:
        return self.local - timedelta(hours=7)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    value = Clock(MONDAY_0800_VN)
    monkeypatch.setattr(calendar, "utcnow", value.utc)
    return value


def submit(reader_id: int, file_ids: list[int], token: str, uses: dict[int, str] | None = None,
           slot: str | None = None, purpose: str = "01"):
    """Put files in the reader's basket and submit a request (inside a request context)."""
    reader = db.session.get(User, reader_id)
    for file_id in file_ids:
        requests_svc.add_to_basket(reader, file_id)
    data = {"purpose": purpose, "research_topic": "Lịch sử địa phương Biên Hòa", "fee_category": "10",
            "purpose_details": "Sở Nội vụ giao nhiệm vụ" if purpose != "01" else None}
    data.update({f"use_{fid}": use for fid, use in (uses or {}).items()})
    if slot:
        data["visit_slot"] = slot
    letter = None
    if purpose != "01":
        buffer = io.BytesIO()
        Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
        buffer.seek(0)
        letter = FileStorage(buffer, filename="giay-gioi-thieu.png")
    return requests_svc.submit_request(reader, data, letter, token)
