"""Settings stored in the database, read by services and permissions alike.

This module sits below both: it knows the settings table and nothing else, so a
permission that depends on a setting (archivists may edit exhibitions) does not
import the service that changes it. Writing does not commit: the service that
changes a setting checks who may, writes the audit event and commits.
"""
from __future__ import annotations

from .extensions import db
from .models.settings import Setting

# Keys, one constant per setting.
ARCHIVISTS_MAY_EDIT_EXHIBITIONS = "exhibitions_archivists_may_edit"


def get_flag(key: str) -> bool:
    """Whether the on/off setting ``key`` is on (a missing row is off)."""
    row = db.session.get(Setting, key)
    return row is not None and row.value == "1"


def set_flag(key: str, on: bool) -> bool:
    """Turn the setting ``key`` on or off in the session (no commit); return its previous value."""
    row = db.session.get(Setting, key)
    before = row is not None and row.value == "1"
    if row is None:
        row = Setting(key=key, value="0")
        db.session.add(row)
    row.value = "1" if on else "0"
    return before
