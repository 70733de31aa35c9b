"""How the public catalogue is found and cited: a file's citation, its schema.org description,
its page's meta description, and the sitemap.

Everything here describes what a visitor may see; a classified file never appears, whoever
asks (a staff member fetching the sitemap gets the public one).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..urls import external_url
from ..extensions import db
from ..localtime import format_partial_date
from ..models import Fonds, RecordFile
from ..models.records import AccessMode
from . import exhibitions

PUBLIC_MODES = (AccessMode.OPEN.value, AccessMode.CONDITIONAL.value)


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute link from the configured public address (never the request's Host header)."""
    return external_url(endpoint, **values)


def file_url(record: RecordFile) -> str:
    """The stable, readable address of a file's page: ``…/ho-so/<file code>``."""
    return absolute_url("public.file_detail", code=record.file_code)


def date_span(record: RecordFile) -> str:
    """The file's dates as people write them: ``03/2020 – 15/12/2020``, or one date."""
    start, end = format_partial_date(record.start_date), format_partial_date(record.end_date)
    if start and end and start != end:
        return f"{start} – {end}"
    return start or end


@dataclass(frozen=True)
class Citation:
    """A file's citation in Vietnamese archival order, its parts kept for display and copying."""

    parts: tuple[str, ...]
    url: str

    @property
    def text(self) -> str:
        return ", ".join(self.parts) + ". " + self.url


def citation(record: RecordFile) -> Citation:
    """Archive, fonds, inventory, file code, title, dates; then the stable URL."""
    parts = [
        current_app.config["ARCHIVE_NAME"],
        _("Phông %(name)s", name=record.fonds.name),
        _("Mục lục số %(no)s", no=record.inventory_no),
        _("Hồ sơ %(code)s", code=record.file_code),
        f"“{record.title}”",
    ]
    span = date_span(record)
    if span:
        parts.append(span)
    return Citation(tuple(parts), file_url(record))


def meta_description(record: RecordFile) -> str:
    """One sentence for search engines: what the file is, where it is kept, its dates."""
    span = date_span(record)
    text = _("Hồ sơ %(code)s, phông %(fonds)s, %(archive)s", code=record.file_code, fonds=record.fonds.name,
             archive=current_app.config["ARCHIVE_NAME"])
    if span:
        text += f" ({span})"
    text += ": " + record.title
    return text if len(text) <= 300 else text[:297].rstrip() + "…"


def _iso_date(value: str | None) -> str | None:
    return value or None  # catalogued as YYYY, YYYY-MM or YYYY-MM-DD: already ISO 8601


def json_ld(record: RecordFile) -> dict[str, Any]:
    """The file as schema.org ``ArchiveComponent`` (a ``CreativeWork``) held by the archive."""
    archive = current_app.config["ARCHIVE_NAME"]
    start, end = _iso_date(record.start_date), _iso_date(record.end_date)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": ["ArchiveComponent", "CreativeWork"],
        "@id": file_url(record),
        "url": file_url(record),
        "name": record.title,
        "identifier": record.file_code,
        "description": meta_description(record),
        "inLanguage": record.language,
        "isPartOf": {"@type": "Collection", "name": record.fonds.name, "identifier": record.fonds.code,
                     "url": absolute_url("public.fonds_detail", code=record.fonds.code)},
        "holdingArchive": {"@type": "ArchiveOrganization", "name": archive, "url": absolute_url("public.home")},
        "conditionsOfAccess": str(_("Công khai") if record.mode == AccessMode.OPEN.value
                                  else _("Tiếp cận có điều kiện")),
    }
    if start or end:
        data["temporalCoverage"] = f"{start or '..'}/{end or '..'}"
    if record.keyword_list:
        data["keywords"] = record.keyword_list
    return data


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None


def sitemap_entries() -> list[SitemapEntry]:
    """Home, fonds, public files (open and conditional, never classified) and published exhibitions."""
    entries = [SitemapEntry(absolute_url("public.home"), None),
               SitemapEntry(absolute_url("public.fonds_index"), None),
               SitemapEntry(absolute_url("exhibitions.index"), None)]
    for fonds in db.session.scalars(select(Fonds).order_by(Fonds.code)):
        entries.append(SitemapEntry(absolute_url("public.fonds_detail", code=fonds.code), fonds.updated_at))
    files = db.session.execute(
        select(RecordFile.file_code, RecordFile.updated_at).where(RecordFile.mode.in_(PUBLIC_MODES))
        .order_by(RecordFile.file_code))
    for code, updated in files:
        entries.append(SitemapEntry(absolute_url("public.file_detail", code=code), updated))
    for exhibition in exhibitions.published_exhibitions():
        entries.append(SitemapEntry(absolute_url("exhibitions.detail", slug=exhibition.slug), exhibition.updated_at))
    return entries


# Areas of people's own accounts, staff work and reading copies: nothing for a crawler.
ROBOTS_DISALLOW = ("/tai-khoan/", "/ca-nhan/", "/phieu-yeu-cau/", "/nghiep-vu/", "/doc/", "/ban-doc/", "/lang/",
                   "/tim-kiem")
