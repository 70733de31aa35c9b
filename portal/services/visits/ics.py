"""An iCalendar (RFC 5545) file for one visit, written by hand.

Why not a package: the file is one VEVENT with fixed fields, and the three
rules that matter are small and tested here — CRLF line ends, TEXT escaping
(backslash, semicolon, comma, newline; §3.3.11) and folding lines longer than
75 octets without splitting a UTF-8 character (§3.1). Times are written in UTC
(``Z``), so no VTIMEZONE block is needed and every client shows Vietnam time
correctly.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, continuation lines starting with a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # the leading space of a continuation line is one of its 75 octets
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    """A naive UTC datetime as an RFC 5545 UTC DATE-TIME."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


def calendar(uid: str, starts_utc: datetime, ends_utc: datetime, stamp_utc: datetime, summary: str,
             location: str, description: str, sequence: int = 0, cancelled: bool = False,
             url: str | None = None) -> bytes:
    """The .ics bytes of one event (METHOD:PUBLISH; a cancelled event keeps its UID)."""
    lines: Iterable[str] = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Luu tru lich su//Phong doc truc tuyen//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{utc_stamp(stamp_utc)}",
        f"DTSTART:{utc_stamp(starts_utc)}",
        f"DTEND:{utc_stamp(ends_utc)}",
        f"SEQUENCE:{max(0, sequence)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(description)}",
        *([f"URL:{url}"] if url else []),
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
