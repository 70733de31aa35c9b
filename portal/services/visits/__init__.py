"""Reading-room visits and digitisation on demand: the calendar, booking, the
desk's day, the digitisation queue and the visits register.

Importing the package registers its hooks (grant mails with the .ics, the
reading copy after a scan arrives).
"""
from . import booking, calendar, desk, digitisation, notify, register  # noqa: F401

__all__ = ["booking", "calendar", "desk", "digitisation", "notify", "register"]
