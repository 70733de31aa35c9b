"""Editing exhibitions: staff create, order, publish and delete exhibitions, sections and items.

Every change is written to the audit trail (object type ``exhibition``) in the
same transaction; these functions own the commit. A classified file can never
be placed in an exhibition.
"""
from __future__ import annotations

from typing import Any, BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...db import utcnow
from ...errors import ValidationError
from ...extensions import db
from ...models import (
    AccessMode, Exhibition, ExhibitionImage, ExhibitionItem, ExhibitionSection, ItemKind, RecordFile, User,
)
from ...permissions import Actor, require
from ... import settings
from ..audit import record_event
from ..records import on_mode_change
from .images import commit_with_images, image_from_page, image_from_upload, remove_image_folder, source_file
from .queries import publish_problems, shown_items
from .text import SLUG_RE, block, check_length, invalid, line, sanitize_html, slugify

OBJECT_TYPE = "exhibition"


def archivists_may_edit() -> bool:
    """Whether the admin lets archivists build exhibitions (admins always may)."""
    return settings.get_flag(settings.ARCHIVISTS_MAY_EDIT_EXHIBITIONS)


def set_archivists_may_edit(actor: User, allowed: bool) -> None:
    """The admin's switch: archivists may (or may not) create and edit exhibitions."""
    require(actor, "exhibitions.settings")
    key = settings.ARCHIVISTS_MAY_EDIT_EXHIBITIONS
    before = settings.set_flag(key, allowed)
    record_event(db.session, actor, "exhibitions.settings", "setting", key,
                 from_state="on" if before else "off", to_state="on" if allowed else "off")
    db.session.commit()


def _validate_exhibition(data: dict[str, Any], exhibition: Exhibition | None,
                         errors: ValidationError) -> dict[str, Any]:
    clean = {
        "title": line(data, "title"), "title_en": line(data, "title_en") or None,
        "summary": block(data, "summary"), "summary_en": block(data, "summary_en") or None,
    }
    check_length(errors, "title", clean["title"], 3, 300, _("Cần nhập tiêu đề (3–300 ký tự)."))
    check_length(errors, "title_en", clean["title_en"] or "", 0, 300,
                  _("Tiêu đề tiếng Anh quá dài (tối đa 300 ký tự)."))
    check_length(errors, "summary", clean["summary"], 10, 2000, _("Cần nhập phần giới thiệu (10–2000 ký tự)."))
    check_length(errors, "summary_en", clean["summary_en"] or "", 0, 2000,
                  _("Phần giới thiệu tiếng Anh quá dài (tối đa 2000 ký tự)."))
    slug = line(data, "slug").lower() or slugify(clean["title"])
    if not SLUG_RE.match(slug) or len(slug) > 80:
        errors.add("slug", _("Đường dẫn chỉ gồm chữ thường không dấu, chữ số và dấu gạch nối, tối đa 80 ký tự "
                             "(ví dụ: dong-nai-xua-va-nay)."))
    else:
        clash = db.session.scalar(select(Exhibition).where(Exhibition.slug == slug))
        if clash is not None and clash is not exhibition:
            errors.add("slug", _("Đường dẫn “%(slug)s” đã được dùng cho triển lãm khác.", slug=slug))
    clean["slug"] = slug
    return clean


def save_exhibition(actor: Actor, data: dict[str, Any], cover: BinaryIO | None = None,
                    exhibition: Exhibition | None = None, cover_source: RecordFile | None = None) -> Exhibition:
    """Create or edit an exhibition's slug, titles, summaries and (optionally) cover picture
    (``cover_source``: the file whose page it was cut from)."""
    require(actor, "exhibitions.edit")
    errors = invalid()
    clean = _validate_exhibition(data, exhibition, errors)
    new_image = None
    if cover is not None:
        try:
            new_image = image_from_upload(cover, "cover", cover_source)
        except ValidationError as error:
            for name, messages in error.fields.items():
                for message in messages:
                    errors.add(name, message)
    if errors.fields:
        if new_image is not None:
            db.session.expunge(new_image)
            remove_image_folder(new_image.key)
        raise errors
    created = exhibition is None
    exhibition = exhibition or Exhibition()
    changes = sorted(name for name, value in clean.items() if getattr(exhibition, name) != value)
    for name, value in clean.items():
        setattr(exhibition, name, value)
    old_cover = None
    if new_image is not None:
        old_cover, exhibition.cover = exhibition.cover, new_image
        changes.append("cover")
    db.session.add(exhibition)
    try:
        db.session.flush()
    except IntegrityError as exc:  # somebody took the slug a moment ago
        db.session.rollback()
        if new_image is not None:
            remove_image_folder(new_image.key)
        raise ValidationError(invalid().message, {"slug": [_("Đường dẫn “%(slug)s” đã được dùng cho triển lãm khác.",
                                                              slug=clean["slug"])]}) from exc
    record_event(db.session, actor, "exhibition.create" if created else "exhibition.update", OBJECT_TYPE,
                 exhibition.id, data={"slug": exhibition.slug, "changes": changes})
    commit_with_images([new_image] if new_image else [], [old_cover])
    return exhibition


def set_published(actor: Actor, exhibition: Exhibition, published: bool) -> None:
    """Publish (the public sees it) or unpublish (back to a draft)."""
    require(actor, "exhibitions.edit")
    if published == exhibition.is_published:
        return
    if published:
        problems = publish_problems(exhibition)
        if problems:
            raise ValidationError(_("Chưa thể công bố: %(problems)s", problems=" ".join(problems)))
        exhibition.published_at = utcnow()
    exhibition.is_published = published
    record_event(db.session, actor, "exhibition.publish" if published else "exhibition.unpublish", OBJECT_TYPE,
                 exhibition.id, from_state="draft" if published else "published",
                 to_state="published" if published else "draft", data={"slug": exhibition.slug})
    db.session.commit()


def set_featured(actor: Actor, exhibition: Exhibition, featured: bool) -> None:
    """Feature on the home page (shown there while published) or not."""
    require(actor, "exhibitions.edit")
    if featured == exhibition.is_featured:
        return
    exhibition.is_featured = featured
    record_event(db.session, actor, "exhibition.feature" if featured else "exhibition.unfeature", OBJECT_TYPE,
                 exhibition.id, data={"slug": exhibition.slug})
    db.session.commit()


def set_cover_from_item(actor: Actor, item: ExhibitionItem) -> None:
    """Use an item's picture (an uploaded image or a shown page) as the cover."""
    require(actor, "exhibitions.edit")
    exhibition = item.section.exhibition
    shown = next((s for s in shown_items(item.section) if s.item.id == item.id), None)
    if shown is None or shown.image is None:
        raise ValidationError(_("Mục này không có ảnh được phép công bố để làm ảnh bìa."))
    old_cover, exhibition.cover = exhibition.cover, shown.image
    record_event(db.session, actor, "exhibition.cover", OBJECT_TYPE, exhibition.id, data={"item": item.id})
    commit_with_images([], [old_cover] if old_cover is not shown.image else [])


# --- sections ---------------------------------------------------------------------------

def save_section(actor: Actor, exhibition: Exhibition, data: dict[str, Any],
                 section: ExhibitionSection | None = None) -> ExhibitionSection:
    """Add a section at the end, or edit one: heading and rich text (sanitised), in both languages."""
    require(actor, "exhibitions.edit")
    errors = invalid()
    clean = {
        "title": line(data, "title"), "title_en": line(data, "title_en") or None,
        "body": sanitize_html(block(data, "body")), "body_en": sanitize_html(block(data, "body_en")) or None,
    }
    check_length(errors, "title", clean["title"], 2, 300, _("Cần nhập tiêu đề phần (2–300 ký tự)."))
    check_length(errors, "title_en", clean["title_en"] or "", 0, 300,
                  _("Tiêu đề tiếng Anh quá dài (tối đa 300 ký tự)."))
    for name in ("body", "body_en"):
        check_length(errors, name, clean[name] or "", 0, 20000, _("Nội dung quá dài (tối đa 20000 ký tự)."))
    if errors.fields:
        raise errors
    created = section is None
    if section is None:
        section = ExhibitionSection(position=len(exhibition.sections))
        exhibition.sections.append(section)
    for name, value in clean.items():
        setattr(section, name, value)
    db.session.flush()
    record_event(db.session, actor, "exhibition.section_add" if created else "exhibition.section_update",
                 OBJECT_TYPE, exhibition.id, data={"section": section.id, "title": section.title})
    db.session.commit()
    return section


def _move(siblings: list, obj: Any, direction: str) -> bool:
    """Swap ``obj`` with its neighbour and renumber positions; False at either end."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Hướng di chuyển không hợp lệ."))
    ordered = list(siblings)
    index = ordered.index(obj)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, sibling in enumerate(ordered):
        sibling.position = position
    return True


def move_section(actor: Actor, section: ExhibitionSection, direction: str) -> bool:
    """Move a section up or down; returns False when it is already at that end."""
    require(actor, "exhibitions.edit")
    exhibition = section.exhibition
    if not _move(exhibition.sections, section, direction):
        return False
    record_event(db.session, actor, "exhibition.section_move", OBJECT_TYPE, exhibition.id,
                 data={"section": section.id, "direction": direction, "position": section.position})
    db.session.commit()
    db.session.expire(exhibition, ["sections"])
    return True


def delete_section(actor: Actor, section: ExhibitionSection) -> None:
    """Remove a section and its items."""
    require(actor, "exhibitions.edit")
    exhibition = section.exhibition
    images = [item.image for item in section.items]
    exhibition.sections.remove(section)
    for position, sibling in enumerate(exhibition.sections):
        sibling.position = position
    record_event(db.session, actor, "exhibition.section_delete", OBJECT_TYPE, exhibition.id,
                 data={"section": section.id, "title": section.title})
    commit_with_images([], images)


# --- items -----------------------------------------------------------------------------

def _item_text(data: dict[str, Any], errors: ValidationError, caption_required: bool) -> dict[str, Any]:
    clean = {
        "caption": block(data, "caption") or None, "caption_en": block(data, "caption_en") or None,
        "credit": line(data, "credit") or None, "credit_en": line(data, "credit_en") or None,
    }
    if caption_required and not clean["caption"]:
        errors.add("caption", _("Cần nhập chú thích ảnh (cũng là mô tả cho người khiếm thị)."))
    for name in ("caption", "caption_en"):
        check_length(errors, name, clean[name] or "", 0, 2000, _("Chú thích quá dài (tối đa 2000 ký tự)."))
    for name in ("credit", "credit_en"):
        check_length(errors, name, clean[name] or "", 0, 300, _("Nguồn ảnh quá dài (tối đa 300 ký tự)."))
    return clean


def _append_item(section: ExhibitionSection, kind: str) -> ExhibitionItem:
    item = ExhibitionItem(kind=kind, position=len(section.items))
    section.items.append(item)
    return item


def save_image_item(actor: Actor, section: ExhibitionSection, data: dict[str, Any],
                    upload: BinaryIO | None = None, item: ExhibitionItem | None = None) -> ExhibitionItem:
    """Add (picture required) or edit (picture optional) an image item: caption and credit."""
    require(actor, "exhibitions.edit")
    errors = invalid()
    clean = _item_text(data, errors, caption_required=True)
    if item is None and upload is None:
        errors.add("image", _("Hãy chọn một tệp ảnh."))
    source = source_file(str(data.get("source_file") or ""), errors)
    if errors.fields:
        raise errors
    new_image = image_from_upload(upload, "image", source) if upload is not None else None
    created = item is None
    item = item or _append_item(section, ItemKind.IMAGE.value)
    for name, value in clean.items():
        setattr(item, name, value)
    old_image = None
    if new_image is not None:
        old_image, item.image = item.image, new_image
    db.session.flush()
    record_event(db.session, actor, "exhibition.item_add" if created else "exhibition.item_update", OBJECT_TYPE,
                 section.exhibition_id, data={"item": item.id, "kind": item.kind, "new_image": new_image is not None})
    commit_with_images([new_image] if new_image else [], [old_image])
    return item


def save_file_item(actor: Actor, section: ExhibitionSection, data: dict[str, Any],
                   item: ExhibitionItem | None = None) -> ExhibitionItem:
    """Add or edit a catalogue-file item: the file (by code), an optional page, a curator's note.

    A classified file is refused. The chosen page becomes a web derivative now; for
    a conditional file it must be explicitly marked publishable.
    """
    require(actor, "exhibitions.edit")
    errors = invalid()
    clean = _item_text(data, errors, caption_required=False)
    code = line(data, "file_code")
    record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == code)) if code else None
    if not code:
        errors.add("file_code", _("Hãy nhập mã hồ sơ."))
    elif record is None:
        errors.add("file_code", _("Không có hồ sơ mã %(code)s trong mục lục.", code=code))
    elif record.is_classified:
        errors.add("file_code", _("Hồ sơ mật không bao giờ được đưa vào triển lãm."))
    raw_page = line(data, "page_no")
    page_no = int(raw_page) if raw_page.isdecimal() and len(raw_page) < 6 else None
    publishable = bool(data.get("page_publishable"))
    if raw_page and page_no is None:
        errors.add("page_no", _("Số trang phải là một số nguyên dương."))
    if record is not None and not record.is_classified and page_no is not None:
        if not record.is_digitised:
            errors.add("page_no", _("Hồ sơ này chưa được số hóa: để trống số trang để chỉ giới thiệu thông tin hồ sơ."))
        elif not 1 <= page_no <= (record.scan_pages or 0):
            errors.add("page_no", _("Hồ sơ có %(n)d trang: chọn một trang từ 1 đến %(n)d.", n=record.scan_pages or 0))
        elif record.mode == AccessMode.CONDITIONAL.value and not publishable:
            errors.add("page_publishable", _(
                "Hồ sơ tiếp cận có điều kiện: chỉ trưng bày được trang đã đánh dấu là được phép công bố. "
                "Hãy đánh dấu, hoặc để trống số trang để chỉ giới thiệu thông tin hồ sơ."))
    if errors.fields:
        raise errors
    assert record is not None
    if page_no is None or record.mode == AccessMode.OPEN.value:
        publishable = publishable and page_no is not None
    created = item is None
    same_page = item is not None and item.file_id == record.id and item.page_no == page_no and item.image is not None
    new_image = image_from_page(record, page_no) if page_no is not None and not same_page else None
    item = item or _append_item(section, ItemKind.FILE.value)
    for name, value in clean.items():
        setattr(item, name, value)
    old_image = None
    if new_image is not None or page_no is None:
        old_image, item.image = item.image, new_image
    item.file, item.page_no, item.page_publishable = record, page_no, publishable
    db.session.flush()
    record_event(db.session, actor, "exhibition.item_add" if created else "exhibition.item_update", OBJECT_TYPE,
                 section.exhibition_id, data={"item": item.id, "kind": item.kind, "file_code": record.file_code,
                                              "page": page_no, "page_publishable": publishable})
    commit_with_images([new_image] if new_image else [], [old_image])
    return item


def move_item(actor: Actor, item: ExhibitionItem, direction: str) -> bool:
    """Move an item up or down within its section; False when it is already at that end."""
    require(actor, "exhibitions.edit")
    section = item.section
    if not _move(section.items, item, direction):
        return False
    record_event(db.session, actor, "exhibition.item_move", OBJECT_TYPE, section.exhibition_id,
                 data={"item": item.id, "direction": direction, "position": item.position})
    db.session.commit()
    db.session.expire(section, ["items"])
    return True


def delete_item(actor: Actor, item: ExhibitionItem) -> None:
    """Remove an item (its picture goes too unless it is also the cover)."""
    require(actor, "exhibitions.edit")
    section = item.section
    image = item.image
    section.items.remove(item)
    for position, sibling in enumerate(section.items):
        sibling.position = position
    record_event(db.session, actor, "exhibition.item_delete", OBJECT_TYPE, section.exhibition_id,
                 data={"item": item.id, "kind": item.kind})
    commit_with_images([], [image])



@on_mode_change
def withdraw_classified_pictures(actor: Actor, record: RecordFile, old_mode: str, new_mode: str) -> None:
    """A file that became classified leaves every exhibition: its pages and the pictures cut from
    them are taken off items and covers, and their derivatives deleted (audited per exhibition)."""
    if new_mode != AccessMode.CLASSIFIED.value:
        return
    images = list(db.session.scalars(select(ExhibitionImage).where(ExhibitionImage.file_id == record.id)))
    if not images:
        return
    ids = {image.id for image in images}
    touched: set[int] = set()
    for item in db.session.scalars(select(ExhibitionItem).where(ExhibitionItem.image_id.in_(ids))):
        item.image = None
        touched.add(item.section.exhibition_id)
    for exhibition in db.session.scalars(select(Exhibition).where(Exhibition.cover_image_id.in_(ids))):
        exhibition.cover = None
        touched.add(exhibition.id)
    for exhibition_id in sorted(touched):
        record_event(db.session, actor, "exhibition.withdraw_file", OBJECT_TYPE, exhibition_id,
                     reason="reclassified", data={"file_id": record.id})
    keys = [image.key for image in images]
    for image in images:
        db.session.delete(image)
    db.session.commit()
    for key in keys:
        remove_image_folder(key)
