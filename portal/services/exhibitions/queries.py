"""Who sees which exhibition, picture and item; the public and staff queries.

A classified file (mode 03) is never shown, and one that becomes classified
later is hidden from the public (its page is not served). A conditional file
(02) is shown by its metadata, with a page only when staff explicitly marked
that page as publishable.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from ...errors import NotFound
from ...extensions import db
from ...models import AccessMode, Exhibition, ExhibitionImage, ExhibitionItem, ExhibitionSection, ItemKind, RecordFile
from ...permissions import Actor, can, require
from .images import image_path


# --- who sees what ---------------------------------------------------------------

def image_is_displayable(image: ExhibitionImage | None) -> bool:
    """Whether a picture may be shown at all: never from a classified file, and from a
    conditional file only when an item marks that page as publishable."""
    if image is None:
        return False
    record = image.file
    if record is None:
        return True
    if record.mode == AccessMode.CLASSIFIED.value:
        return False
    if record.mode == AccessMode.CONDITIONAL.value:
        marked = exists().where(ExhibitionItem.image_id == image.id, ExhibitionItem.page_publishable.is_(True))
        return bool(db.session.scalar(select(marked)))
    return True


def _in_published_exhibition(image: ExhibitionImage) -> bool:
    as_cover = exists().where(Exhibition.cover_image_id == image.id, Exhibition.is_published.is_(True))
    as_item = (exists().where(ExhibitionItem.image_id == image.id,
                              ExhibitionItem.section_id == ExhibitionSection.id,
                              ExhibitionSection.exhibition_id == Exhibition.id,
                              Exhibition.is_published.is_(True)))
    return bool(db.session.scalar(select(or_(as_cover, as_item))))


def image_to_serve(user: Actor, key: str, name: str) -> tuple[Path, bool]:
    """The derivative file to send and whether it is public (cacheable by anyone).

    Published pictures are public; editors also get the pictures of drafts (for
    the preview), privately. Anything else does not exist.
    """
    image = db.session.scalar(select(ExhibitionImage).where(ExhibitionImage.key == key))
    allowed = {"thumb.webp"} | {f"w{w}.webp" for w in (image.widths if image else [])}
    if image is None or name not in allowed or not image_is_displayable(image):
        raise NotFound(_("Không tìm thấy ảnh."))
    public = _in_published_exhibition(image)
    if not public and not can(user, "exhibitions.edit"):
        raise NotFound(_("Không tìm thấy ảnh."))
    path = image_path(image, name)
    if not path.is_file():
        raise NotFound(_("Không tìm thấy ảnh."))
    return path, public


def image_has_source(key: str) -> bool:
    """Whether the picture was made from (or cut from) a catalogue file's page."""
    return db.session.scalar(select(ExhibitionImage.file_id).where(ExhibitionImage.key == key)) is not None


def cover_image(exhibition: Exhibition) -> ExhibitionImage | None:
    """The cover, if it may be shown."""
    return exhibition.cover if image_is_displayable(exhibition.cover) else None


@dataclass
class ShownItem:
    """An item as a page shows it: the picture that may be shown, the file, and — in an
    editor's preview only — why the item is hidden from the public."""

    item: ExhibitionItem
    image: ExhibitionImage | None
    file: RecordFile | None
    hidden_reason: str | None = None

    @property
    def can_request(self) -> bool:
        return self.file is not None and self.hidden_reason is None and \
            self.file.mode in (AccessMode.OPEN.value, AccessMode.CONDITIONAL.value)


def shown_items(section: ExhibitionSection, preview: bool = False) -> list[ShownItem]:
    """The items of ``section`` the public may see (with ``preview``, hidden ones flagged)."""
    shown: list[ShownItem] = []
    for item in section.items:
        if item.kind == ItemKind.IMAGE.value:
            if item.image is not None:
                shown.append(ShownItem(item, item.image, None))
            continue
        record = item.file
        if record is None:
            continue
        if record.is_classified:
            if preview:
                shown.append(ShownItem(item, None, record, _(
                    "Hồ sơ này nay là hồ sơ mật: công chúng không thấy mục này. Hãy xóa mục khỏi triển lãm.")))
            continue
        page_ok = record.mode == AccessMode.OPEN.value or item.page_publishable
        shown.append(ShownItem(item, item.image if page_ok else None, record))
    return shown


# --- public queries ---------------------------------------------------------------

def published_exhibitions() -> list[Exhibition]:
    """Every published exhibition: featured first, then the newest."""
    return list(db.session.scalars(
        select(Exhibition).where(Exhibition.is_published.is_(True))
        .order_by(Exhibition.is_featured.desc(), Exhibition.published_at.desc(), Exhibition.id.desc())))


def featured_exhibitions(limit: int | None = None) -> list[Exhibition]:
    """Published and featured exhibitions for the home page, newest first."""
    limit = limit or current_app.config["EXHIBITIONS_FEATURED_ON_HOME"]
    return list(db.session.scalars(
        select(Exhibition).where(Exhibition.is_published.is_(True), Exhibition.is_featured.is_(True))
        .order_by(Exhibition.published_at.desc(), Exhibition.id.desc()).limit(limit)))


def get_for_view(user: Actor, slug: str) -> tuple[Exhibition, bool]:
    """A published exhibition, or — for an editor — a draft as a preview. Returns (exhibition, preview)."""
    exhibition = db.session.scalar(select(Exhibition).where(Exhibition.slug == slug))
    if exhibition is None:
        raise NotFound(_("Không tìm thấy triển lãm."))
    if exhibition.is_published:
        return exhibition, False
    if can(user, "exhibitions.edit"):
        return exhibition, True
    raise NotFound(_("Không tìm thấy triển lãm."))


def item_for_request(user: Actor, slug: str, item_id: int) -> ExhibitionItem:
    """A file item of a visible exhibition whose file may be requested; else NotFound."""
    exhibition, preview = get_for_view(user, slug)
    item = db.session.get(ExhibitionItem, item_id)
    if item is None or item.section.exhibition_id != exhibition.id:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    shown = next((s for s in shown_items(item.section, preview) if s.item.id == item.id), None)
    if shown is None or not shown.can_request:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return item


# --- staff queries ------------------------------------------------------------------

def list_for_staff(actor: Actor) -> list[Exhibition]:
    require(actor, "exhibitions.edit")
    return list(db.session.scalars(select(Exhibition).order_by(Exhibition.updated_at.desc(), Exhibition.id.desc())))


def get_exhibition(actor: Actor, exhibition_id: int) -> Exhibition:
    require(actor, "exhibitions.edit")
    exhibition = db.session.get(Exhibition, exhibition_id)
    if exhibition is None:
        raise NotFound(_("Không tìm thấy triển lãm."))
    return exhibition


def get_section(actor: Actor, section_id: int) -> ExhibitionSection:
    require(actor, "exhibitions.edit")
    section = db.session.get(ExhibitionSection, section_id)
    if section is None:
        raise NotFound(_("Không tìm thấy phần triển lãm."))
    return section


def get_item(actor: Actor, item_id: int) -> ExhibitionItem:
    require(actor, "exhibitions.edit")
    item = db.session.get(ExhibitionItem, item_id)
    if item is None:
        raise NotFound(_("Không tìm thấy mục triển lãm."))
    return item


def publish_problems(exhibition: Exhibition) -> list[str]:
    """What stops the exhibition from being published (empty: it can be)."""
    problems = []
    if cover_image(exhibition) is None:
        problems.append(_("Chưa có ảnh bìa."))
    if not exhibition.sections:
        problems.append(_("Chưa có phần nào."))
    elif not any(shown_items(section) for section in exhibition.sections):
        problems.append(_("Chưa có ảnh hay hồ sơ nào để trưng bày."))
    return problems

