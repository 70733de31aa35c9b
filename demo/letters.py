"""A document (văn bản) of the demo archive: its catalogue entry and the text printed on its pages.

The real texts (:mod:`.corpus`) and the generated ones (:mod:`.generate`) both
produce :class:`Letter` objects; :mod:`.pages` lays them out and draws the scans.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# How a page looks: an administrative document since 1976 (national motto,
# NĐ 30/2020 layout), a typewritten document of the 1955–1975 Biên Hòa
# province office, or a news item printed from a government web portal.
STYLES = ("admin", "rvn", "news")


@dataclass
class Para:
    """One paragraph of the body. ``kind``: body, heading (bold), center (bold, centred), item (no indent)."""

    text: str
    kind: str = "body"


@dataclass
class Letter:
    """One document: the fields of ``documents.csv`` and what is printed on paper."""

    doc_type: str  # tên loại: Công văn, Quyết định, Kế hoạch …
    issuer: str  # cơ quan ban hành, as catalogued ("UBND tỉnh Đồng Nai")
    summary: str  # trích yếu
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD
    number: str = ""
    notation: str = ""
    style: str = "admin"
    agency: list[str] = field(default_factory=list)  # issuer block, top left; the last line is the issuing body
    place_date: str = ""  # "Đồng Nai, ngày 28 tháng 9 năm 2020"
    heading: str = ""  # KẾ HOẠCH, QUYẾT ĐỊNH … (empty for a công văn)
    subject: list[str] = field(default_factory=list)  # trích yếu as printed, line by line
    recipients: list[str] = field(default_factory=list)  # Kính gửi
    body: list[Para] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)  # Nơi nhận
    signature: list[str] = field(default_factory=list)  # "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    signer: str = ""
    source: str = ""  # the corpus file a real document came from

    @property
    def reference(self) -> str:
        """Số/ký hiệu as printed after "Số:"."""
        if self.notation:
            return f"{self.number or '      '}/{self.notation}"
        return self.number


def nfc(text: str) -> str:
    """Vietnamese in precomposed form: one code point per letter, which every font draws."""
    return unicodedata.normalize("NFC", text)


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def long_date(value: str, place: str) -> str:
    """"Đồng Nai, ngày 28 tháng 9 năm 2020" from ``2020-09-28`` (blanks for unknown parts)."""
    parts = value.split("-")
    year = parts[0]
    month = str(int(parts[1])) if len(parts) > 1 else "    "
    day = f"{int(parts[2]):02d}" if len(parts) > 2 else "    "
    # NĐ 30/2020: days below 10 and months below 3 are written with a leading zero.
    if len(parts) > 1 and int(parts[1]) < 3:
        month = f"{int(parts[1]):02d}"
    return f"{place}, ngày {day} tháng {month} năm {year}"


def short_date(value: str) -> str:
    """"28/9/2020" for a reference inside a sentence."""
    parts = value.split("-")
    if len(parts) == 3:
        return f"{int(parts[2]):02d}/{int(parts[1])}/{parts[0]}"
    if len(parts) == 2:
        return f"{int(parts[1])}/{parts[0]}"
    return parts[0]
