"""Page selection for a copy: ranges typed by a reader (``1-3, 7, 10-12``) checked against a file's pages.

Pure functions: the messages are translated, nothing else touches Flask.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ...errors import ValidationError

_PART = re.compile(r"^\s*(\d{1,6})\s*(?:[-–]\s*(\d{1,6})\s*)?$")
MAX_SPEC_LENGTH = 400


def parse_pages(spec: str | None, total: int) -> list[int]:
    """The pages ``spec`` selects, in order, or :class:`ValidationError` saying what is wrong.

    Empty means every page. Page numbers start at 1 and stop at ``total``; a
    range runs low to high; no page may be named twice.
    """
    text = (spec or "").strip()
    if total <= 0:
        raise ValidationError(_("Hồ sơ này chưa có trang nào để sao."))
    if not text:
        return list(range(1, total + 1))
    if len(text) > MAX_SPEC_LENGTH:
        raise ValidationError(_("Dãy trang quá dài (tối đa %(n)d ký tự).", n=MAX_SPEC_LENGTH))
    pages: list[int] = []
    seen: set[int] = set()
    for part in text.split(","):
        match = _PART.match(part)
        if match is None:
            raise ValidationError(_("\"%(part)s\" không phải số trang hoặc dãy trang (ví dụ: 1-3, 7).",
                                    part=part.strip()[:20]))
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        if low < 1 or high < 1:
            raise ValidationError(_("Số trang bắt đầu từ 1."))
        if high < low:
            raise ValidationError(_("Dãy trang %(low)d-%(high)d bị ngược; hãy viết từ trang nhỏ đến trang lớn.",
                                    low=low, high=high))
        if high > total:
            raise ValidationError(_("Hồ sơ chỉ có %(total)d trang; không có trang %(page)d.", total=total, page=high))
        for page in range(low, high + 1):
            if page in seen:
                raise ValidationError(_("Trang %(page)d được chọn hai lần.", page=page))
            seen.add(page)
            pages.append(page)
    return pages


def format_pages(pages: list[int]) -> str:
    """Pages as compact ranges: ``[1, 2, 3, 7]`` → ``1-3, 7``."""
    parts: list[str] = []
    start = prev = None
    for page in pages:
        if start is None:
            start = prev = page
        elif page == prev + 1:  # type: ignore[operator]
            prev = page
        else:
            parts.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = page
    if start is not None:
        parts.append(f"{start}-{prev}" if start != prev else str(start))
    return ", ".join(parts)
