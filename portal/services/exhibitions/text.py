"""Exhibition text: rich text sanitised by nh3, slugs, and the small field helpers the editors share."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import nh3
from flask_babel import gettext as _

from ...errors import ValidationError

# Rich text: the tags the staff editor accepts; everything else is removed by nh3.
ALLOWED_TAGS = {"p", "h2", "h3", "strong", "em", "a", "ul", "ol", "li", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def invalid(message: str | None = None) -> ValidationError:
    """The form-level error that field errors are added to."""
    return ValidationError(message or _("Vui lòng sửa các lỗi bên dưới."))


def sanitize_html(html: str | None) -> str:
    """Staff rich text reduced to the allowed tags, with scripts and event handlers gone."""
    cleaned = nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                        clean_content_tags={"script", "style"}, link_rel="noopener noreferrer nofollow")
    return cleaned.strip()


def slugify(text: str) -> str:
    """``"Đồng Nai xưa và nay"`` → ``"dong-nai-xua-va-nay"``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].strip("-")


def line(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def block(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return str(value).replace("\r\n", "\n").strip() if value is not None else ""


def check_length(errors: ValidationError, name: str, value: str, low: int, high: int, message: str) -> None:
    if not low <= len(value) <= high:
        errors.add(name, message)

