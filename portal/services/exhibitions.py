"""Online exhibitions: staff build them, everyone browses the published ones.

The rules that matter, in one place:

- Rich text is sanitised by nh3 (a maintained library) on save and again when shown.
- Every picture is checked by content (Pillow: JPEG, PNG or WebP; size in bytes and
  in pixels; decompression bombs refused) and turned once into web derivatives
  (WebP, several widths and a thumbnail) with no metadata and the archive's name in
  a corner. A catalogue page is turned into derivatives when staff choose it; the
  raw scan is never served.
- A classified file (mode 03) can never be placed in an exhibition, and one that
  becomes classified later is hidden from the public (and its page is not served).
  A conditional file (02) is shown by its metadata, with a page only when staff
  explicitly marked that page as publishable.
- Every change is written to the audit trail (object type ``exhibition``) in the
  same transaction; these functions own the commit.
"""
from __future__ import annotations

import io
import re
import secrets
import shutil
import threading
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Callable

import nh3
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..db import utcnow
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import (
    AccessMode, Exhibition, ExhibitionImage, ExhibitionItem, ExhibitionSection, ExhibitionSetting, ItemKind,
    RecordFile, User,
)
from ..permissions import Actor, can, require
from .audit import record_event
from .records import on_mode_change
from .scans import scan_file_path

ARCHIVISTS_MAY_EDIT = "exhibitions_archivists_may_edit"
OBJECT_TYPE = "exhibition"

# Rich text: the tags the staff editor accepts; everything else is removed by nh3.
ALLOWED_TAGS = {"p", "h2", "h3", "strong", "em", "a", "ul", "ol", "li", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WEBP_QUALITY = 82
FONT_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "watermark" / "fonts" / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)

# pdfium is not thread-safe; the web server may be.
_pdfium_lock = threading.Lock()


def _invalid(message: str | None = None) -> ValidationError:
    return ValidationError(message or _("Vui lòng sửa các lỗi bên dưới."))


# --- settings -------------------------------------------------------------------

def archivists_may_edit() -> bool:
    """Whether the admin lets archivists build exhibitions (admins always may)."""
    row = db.session.get(ExhibitionSetting, ARCHIVISTS_MAY_EDIT)
    return row is not None and row.value == "1"


def set_archivists_may_edit(actor: User, allowed: bool) -> None:
    """The admin's switch: archivists may (or may not) create and edit exhibitions."""
    require(actor, "exhibitions.settings")
    row = db.session.get(ExhibitionSetting, ARCHIVISTS_MAY_EDIT)
    before = row is not None and row.value == "1"
    if row is None:
        row = ExhibitionSetting(key=ARCHIVISTS_MAY_EDIT, value="0")
        db.session.add(row)
    row.value = "1" if allowed else "0"
    record_event(db.session, actor, "exhibitions.settings", "setting", ARCHIVISTS_MAY_EDIT,
                 from_state="on" if before else "off", to_state="on" if allowed else "off")
    db.session.commit()


# --- text -------------------------------------------------------------------------

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


def _line(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _block(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return str(value).replace("\r\n", "\n").strip() if value is not None else ""


def _check_length(errors: ValidationError, name: str, value: str, low: int, high: int, message: str) -> None:
    if not low <= len(value) <= high:
        errors.add(name, message)


# --- images: checks -------------------------------------------------------------------

def _bomb_error(field: str) -> ValidationError:
    limit = current_app.config["EXHIBITION_IMAGE_MAX_PIXELS"]
    return ValidationError(_invalid().message, {field: [_(
        "Ảnh có quá nhiều điểm ảnh (tối đa %(mp)s triệu); hãy thu nhỏ ảnh rồi tải lên lại.",
        mp=format_decimal(limit / 1_000_000))]})


def _fake_error(field: str) -> ValidationError:
    return ValidationError(_invalid().message, {field: [_(
        "Tệp này không phải ảnh JPEG, PNG hoặc WebP hợp lệ (có thể bị hỏng hoặc chỉ đổi đuôi tên).")]})


def read_upload(upload: BinaryIO, field: str = "image") -> bytes:
    """Read an uploaded image, refusing an empty or oversized one without reading it all."""
    limit = current_app.config["EXHIBITION_IMAGE_MAX_BYTES"]
    data = upload.read(limit + 1)
    if not data:
        raise ValidationError(_invalid().message, {field: [_("Hãy chọn một tệp ảnh.")]})
    if len(data) > limit:
        raise ValidationError(_invalid().message, {field: [_(
            "Ảnh quá lớn: tối đa %(mb)d MB.", mb=limit // (1 << 20))]})
    return data


def open_checked_image(data: bytes, field: str = "image") -> Image.Image:
    """Open image bytes after checking them by content; return the decoded image.

    Only JPEG, PNG and WebP are accepted whatever the file name says; a picture
    with more pixels than ``EXHIBITION_IMAGE_MAX_PIXELS`` (a decompression bomb)
    is refused before it is decoded.
    """
    max_pixels = current_app.config["EXHIBITION_IMAGE_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                width, height = probe.size
                if width * height > max_pixels or width < 1 or height < 1:
                    raise _bomb_error(field)
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb_error(field) from exc
    except Exception as exc:  # Pillow raises many types for broken or disguised files
        raise _fake_error(field) from exc
    return image


# --- images: derivatives ------------------------------------------------------------

@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES:
        if candidate.is_file():
            return ImageFont.truetype(str(candidate), size)
    return ImageFont.load_default(size)  # pragma: no cover - the font is vendored


def stamp_archive_name(image: Image.Image, text: str) -> Image.Image:
    """The archive's name in the bottom-right corner, white on a translucent band."""
    width, height = image.size
    size = max(8, round(width / 60))
    margin = max(3, size // 2)
    font = _font(size)
    probe = ImageDraw.Draw(image)
    box = probe.textbbox((0, 0), text, font=font)
    if box[2] - box[0] > width - 4 * margin:  # a narrow picture: a smaller font that fits
        size = max(6, int(size * (width - 4 * margin) / max(1, box[2] - box[0])))
        font = _font(size)
        box = probe.textbbox((0, 0), text, font=font)
    text_w, text_h = box[2] - box[0], box[3] - box[1]
    pad = max(2, size // 3)
    left, top = width - text_w - 2 * pad - margin, height - text_h - 2 * pad - margin
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((left, top, left + text_w + 2 * pad, top + text_h + 2 * pad), fill=(0, 0, 0, 120))
    draw.text((left + pad - box[0], top + pad - box[1]), text, font=font, fill=(255, 255, 255, 235))
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def _normalise(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied), RGB on white, with every metadata chunk dropped."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    clean = image.convert("RGB")
    clean.info = {}
    return clean


def write_derivatives(image: Image.Image, folder: Path) -> tuple[list[int], int, int]:
    """Write ``w<width>.webp`` for each configured width (no upscaling) and ``thumb.webp``.

    Returns the widths written and the largest derivative's size.
    """
    config = current_app.config
    name = config["ARCHIVE_NAME"]
    image = _normalise(image)
    width, height = image.size
    widths = sorted({min(int(w), width) for w in config["EXHIBITION_IMAGE_WIDTHS"]})
    largest = (width, height)
    for target in widths:
        size = (target, max(1, round(height * target / width)))
        resized = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        stamp_archive_name(resized, name).save(folder / f"w{target}.webp", "WEBP", quality=WEBP_QUALITY)
        largest = size
    thumb = image.copy()
    thumb.thumbnail((config["EXHIBITION_THUMB_SIZE"],) * 2, Image.Resampling.LANCZOS, reducing_gap=3.0)
    stamp_archive_name(thumb, name).save(folder / "thumb.webp", "WEBP", quality=WEBP_QUALITY)
    return widths, largest[0], largest[1]


def images_root() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "exhibitions"


def image_path(image: ExhibitionImage, name: str) -> Path:
    return images_root() / image.key / name


def _store_image(image: Image.Image, record: RecordFile | None = None, page_no: int | None = None) -> ExhibitionImage:
    """Write the derivatives into a new folder and add their row to the session (no commit)."""
    key = secrets.token_hex(8)
    root = images_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f"{key}.part"
    tmp.mkdir()
    try:
        widths, width, height = write_derivatives(image, tmp)
        tmp.rename(root / key)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    row = ExhibitionImage(key=key, widths=widths, width=width, height=height,
                          file_id=record.id if record is not None else None, page_no=page_no)
    db.session.add(row)
    return row


def image_from_upload(upload: BinaryIO, field: str = "image", source: RecordFile | None = None,
                      page_no: int | None = None) -> ExhibitionImage:
    """Check an uploaded picture and store its derivatives (the caller commits).

    A picture cut from a catalogue file's page names that file (``source``): it is then
    checked against the file's mode whenever it is served, and withdrawn with it.
    """
    data = read_upload(upload, field)
    with open_checked_image(data, field) as image:
        return _store_image(image, source, page_no)


def source_file(code: str, errors: ValidationError, field: str = "source_file") -> RecordFile | None:
    """The catalogue file a picture was cut from, by code (blank: none); classified or unknown is an error."""
    code = code.strip()
    if not code:
        return None
    record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == code))
    if record is None or record.is_classified:
        errors.add(field, _("Không có hồ sơ mã %(code)s có thể trưng bày.", code=code))
        return None
    return record


def render_page(record: RecordFile, page_no: int) -> Image.Image:
    """One page of a stored scan as an image (a PDF page rendered with pdfium)."""
    max_width = max(current_app.config["EXHIBITION_IMAGE_WIDTHS"])
    if record.scan_kind == "pdf":
        import pypdfium2 as pdfium

        with _pdfium_lock:
            pdf = pdfium.PdfDocument(str(scan_file_path(record.scan_path or "", None)))
            try:
                page = pdf[page_no - 1]
                scale = min(max_width / max(1.0, page.get_width()), 300 / 72)
                bitmap = page.render(scale=scale)
                image = bitmap.to_pil().convert("RGB")
                bitmap.close()
                page.close()
            finally:
                pdf.close()
        return image
    scan = next((p for p in record.page_scans if p.page_no == page_no), None)
    if scan is None or not scan.source_name:
        raise NotFound(_("Không tìm thấy trang %(n)d của hồ sơ.", n=page_no))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(scan_file_path(record.scan_path or "", scan.source_name)) as source:
            if source.width * source.height > current_app.config["SCAN_MAX_PIXELS"]:
                raise ValidationError(_invalid().message, {"page_no": [_("Trang quét quá lớn để trưng bày.")]})
            source.load()
            return source.copy()


def image_from_page(record: RecordFile, page_no: int) -> ExhibitionImage:
    """The web derivatives of one scanned page, made now (the caller commits)."""
    with render_page(record, page_no) as image:
        return _store_image(image, record, page_no)


def _remove_image_folder(key: str) -> None:
    root = images_root().resolve()
    target = (root / key).resolve()
    if root in target.parents:
        shutil.rmtree(target, ignore_errors=True)


def _is_referenced(image_id: int) -> bool:
    cover = exists().where(Exhibition.cover_image_id == image_id)
    item = exists().where(ExhibitionItem.image_id == image_id)
    return bool(db.session.scalar(select(or_(cover, item))))


def _discard_unused(images: list[ExhibitionImage | None]) -> None:
    """Delete replaced pictures (row and files) that nothing refers to any more."""
    for image in images:
        if image is None or _is_referenced(image.id):
            continue
        key = image.key
        db.session.delete(image)
        db.session.commit()
        _remove_image_folder(key)


def _commit(new_images: list[ExhibitionImage], replaced: list[ExhibitionImage | None] = ()) -> None:
    """Commit; on failure remove the derivatives made for this change; then drop replaced pictures."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for image in new_images:
            _remove_image_folder(image.key)
        raise
    _discard_unused(list(replaced))


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
        _remove_image_folder(key)


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


# --- exhibitions ----------------------------------------------------------------------

def _validate_exhibition(data: dict[str, Any], exhibition: Exhibition | None,
                         errors: ValidationError) -> dict[str, Any]:
    clean = {
        "title": _line(data, "title"), "title_en": _line(data, "title_en") or None,
        "summary": _block(data, "summary"), "summary_en": _block(data, "summary_en") or None,
    }
    _check_length(errors, "title", clean["title"], 3, 300, _("Cần nhập tiêu đề (3–300 ký tự)."))
    _check_length(errors, "title_en", clean["title_en"] or "", 0, 300,
                  _("Tiêu đề tiếng Anh quá dài (tối đa 300 ký tự)."))
    _check_length(errors, "summary", clean["summary"], 10, 2000, _("Cần nhập phần giới thiệu (10–2000 ký tự)."))
    _check_length(errors, "summary_en", clean["summary_en"] or "", 0, 2000,
                  _("Phần giới thiệu tiếng Anh quá dài (tối đa 2000 ký tự)."))
    slug = _line(data, "slug").lower() or slugify(clean["title"])
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
    errors = _invalid()
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
            _remove_image_folder(new_image.key)
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
            _remove_image_folder(new_image.key)
        raise ValidationError(_invalid().message, {"slug": [_("Đường dẫn “%(slug)s” đã được dùng cho triển lãm khác.",
                                                              slug=clean["slug"])]}) from exc
    record_event(db.session, actor, "exhibition.create" if created else "exhibition.update", OBJECT_TYPE,
                 exhibition.id, data={"slug": exhibition.slug, "changes": changes})
    _commit([new_image] if new_image else [], [old_cover])
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
    _commit([], [old_cover] if old_cover is not shown.image else [])


# --- sections ---------------------------------------------------------------------------

def save_section(actor: Actor, exhibition: Exhibition, data: dict[str, Any],
                 section: ExhibitionSection | None = None) -> ExhibitionSection:
    """Add a section at the end, or edit one: heading and rich text (sanitised), in both languages."""
    require(actor, "exhibitions.edit")
    errors = _invalid()
    clean = {
        "title": _line(data, "title"), "title_en": _line(data, "title_en") or None,
        "body": sanitize_html(_block(data, "body")), "body_en": sanitize_html(_block(data, "body_en")) or None,
    }
    _check_length(errors, "title", clean["title"], 2, 300, _("Cần nhập tiêu đề phần (2–300 ký tự)."))
    _check_length(errors, "title_en", clean["title_en"] or "", 0, 300,
                  _("Tiêu đề tiếng Anh quá dài (tối đa 300 ký tự)."))
    for name in ("body", "body_en"):
        _check_length(errors, name, clean[name] or "", 0, 20000, _("Nội dung quá dài (tối đa 20000 ký tự)."))
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
    _commit([], images)


# --- items -----------------------------------------------------------------------------

def _item_text(data: dict[str, Any], errors: ValidationError, caption_required: bool) -> dict[str, Any]:
    clean = {
        "caption": _block(data, "caption") or None, "caption_en": _block(data, "caption_en") or None,
        "credit": _line(data, "credit") or None, "credit_en": _line(data, "credit_en") or None,
    }
    if caption_required and not clean["caption"]:
        errors.add("caption", _("Cần nhập chú thích ảnh (cũng là mô tả cho người khiếm thị)."))
    for name in ("caption", "caption_en"):
        _check_length(errors, name, clean[name] or "", 0, 2000, _("Chú thích quá dài (tối đa 2000 ký tự)."))
    for name in ("credit", "credit_en"):
        _check_length(errors, name, clean[name] or "", 0, 300, _("Nguồn ảnh quá dài (tối đa 300 ký tự)."))
    return clean


def _append_item(section: ExhibitionSection, kind: str) -> ExhibitionItem:
    item = ExhibitionItem(kind=kind, position=len(section.items))
    section.items.append(item)
    return item


def save_image_item(actor: Actor, section: ExhibitionSection, data: dict[str, Any],
                    upload: BinaryIO | None = None, item: ExhibitionItem | None = None) -> ExhibitionItem:
    """Add (picture required) or edit (picture optional) an image item: caption and credit."""
    require(actor, "exhibitions.edit")
    errors = _invalid()
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
    _commit([new_image] if new_image else [], [old_image])
    return item


def save_file_item(actor: Actor, section: ExhibitionSection, data: dict[str, Any],
                   item: ExhibitionItem | None = None) -> ExhibitionItem:
    """Add or edit a catalogue-file item: the file (by code), an optional page, a curator's note.

    A classified file is refused. The chosen page becomes a web derivative now; for
    a conditional file it must be explicitly marked publishable.
    """
    require(actor, "exhibitions.edit")
    errors = _invalid()
    clean = _item_text(data, errors, caption_required=False)
    code = _line(data, "file_code")
    record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == code)) if code else None
    if not code:
        errors.add("file_code", _("Hãy nhập mã hồ sơ."))
    elif record is None:
        errors.add("file_code", _("Không có hồ sơ mã %(code)s trong mục lục.", code=code))
    elif record.is_classified:
        errors.add("file_code", _("Hồ sơ mật không bao giờ được đưa vào triển lãm."))
    raw_page = _line(data, "page_no")
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
    _commit([new_image] if new_image else [], [old_image])
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
    _commit([], [image])


# --- the demo ---------------------------------------------------------------------------

DEMO_TEXT = {
    "UBND-DN": {
        "slug": "dong-nai-xua-va-nay",
        "title": "Đồng Nai xưa và nay qua tài liệu lưu trữ",
        "title_en": "Đồng Nai past and present in the archives",
        "summary": "Từ ngày thành lập tỉnh năm 1976 đến những năm gần đây, hồ sơ của Ủy ban nhân dân tỉnh kể lại "
                   "những quyết định đã làm nên diện mạo Đồng Nai hôm nay.",
        "summary_en": "From the founding of the province in 1976 to recent years, the files of the Provincial "
                      "People's Committee tell of the decisions that shaped Đồng Nai as it is today.",
    },
    "THC-BH": {
        "slug": "bien-hoa-1956-1975",
        "title": "Biên Hòa 1956–1975 qua hồ sơ Tòa Hành chánh",
        "title_en": "Biên Hòa 1956–1975 in the records of the Province Office",
        "summary": "Phúc trình, công văn và sự vụ văn thư của Tòa Hành chánh tỉnh Biên Hòa cho thấy đời sống "
                   "hành chính của tỉnh trong gần hai mươi năm.",
        "summary_en": "Reports, letters and service notes of the Biên Hòa Province Office show the province's "
                      "administrative life over almost twenty years.",
    },
    "SNV": {
        "slug": "cong-tac-van-thu-luu-tru",
        "title": "Công tác văn thư, lưu trữ qua các thời kỳ",
        "title_en": "Records management through the years",
        "summary": "Kế hoạch, báo cáo và công văn của Sở Nội vụ về chỉnh lý, bảo quản và phát huy giá trị tài liệu "
                   "lưu trữ của tỉnh.",
        "summary_en": "Plans, reports and letters of the Department of Home Affairs on arranging, preserving and "
                      "promoting the province's archives.",
    },
}


def _demo_text(fonds_code: str, fonds_name: str) -> dict[str, str]:
    if fonds_code in DEMO_TEXT:
        return DEMO_TEXT[fonds_code]
    return {
        "slug": slugify(f"tu-kho-luu-tru {fonds_code}"),
        "title": f"Từ kho lưu trữ: {fonds_name}",
        "title_en": f"From the archive: {fonds_name}",
        "summary": f"Một số hồ sơ tiêu biểu của phông {fonds_name}, giới thiệu bằng thông tin hồ sơ và trang tài liệu "
                   "được số hóa.",
        "summary_en": f"A selection of files from the {fonds_name} fonds, shown by their description and a digitised "
                      "page.",
    }


def _jpeg(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=88)
    buffer.seek(0)
    return buffer


def _demo_exhibition(text: dict[str, str], files: list[RecordFile], archive: str) -> Exhibition:
    """One demo exhibition: a cover from the first open file's first page, sections by period."""
    cover_file = next(f for f in files if f.mode == AccessMode.OPEN.value)
    with render_page(cover_file, 1) as page:
        width, height = page.size
        cover = page.crop((0, 0, width, min(height, round(width * 0.6))))
    exhibition = save_exhibition(None, text, cover=_jpeg(cover), cover_source=cover_file)
    groups = [files[i:i + 3] for i in range(0, len(files), 3)][:3]
    for number, group in enumerate(groups):
        years = sorted({y for f in group for y in ((f.start_date or "")[:4], (f.end_date or "")[:4]) if y})
        period = f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else "")
        section = save_section(None, exhibition, {
            "title": f"Giai đoạn {period}" if period else f"Phần {number + 1}",
            "title_en": f"The years {period}" if period else f"Part {number + 1}",
            "body": f"<p>Các hồ sơ dưới đây ghi lại công việc của <strong>{group[0].fonds.name}</strong> "
                    f"{'trong những năm ' + period if period else ''} qua văn bản gốc: tờ trình, quyết định, "
                    "kế hoạch, báo cáo và công văn.</p><p>Muốn đọc toàn văn, bấm <em>Yêu cầu đọc hồ sơ này</em>: "
                    "hồ sơ vào giỏ của bạn, và bản đọc được cấp sau khi phiếu yêu cầu được duyệt.</p>",
            "body_en": f"<p>The files below record the work of <strong>{group[0].fonds.name}</strong>"
                       f"{' in ' + period if period else ''} through the original documents: submissions, "
                       "decisions, plans, reports and letters.</p><p>To read a whole file, choose <em>Request to "
                       "read this file</em>: it goes into your basket, and a reading copy is granted once the "
                       "request is approved.</p>",
        })
        if number == 0:
            first = group[0] if group[0].mode == AccessMode.OPEN.value else cover_file
            with render_page(first, 1) as page:
                width, height = page.size
                detail = page.crop((0, 0, width, max(1, height // 3)))
            save_image_item(None, section, {
                "caption": f"Phần đầu trang 1 của hồ sơ {first.file_code}: tên cơ quan, số, ký hiệu và quốc hiệu.",
                "caption_en": f"The head of page 1 of file {first.file_code}: issuing body, number and reference, "
                              "and the national motto.",
                "credit": archive, "credit_en": archive, "source_file": first.file_code,
            }, upload=_jpeg(detail))
        for record in group:
            is_open = record.mode == AccessMode.OPEN.value
            save_file_item(None, section, {
                "file_code": record.file_code, "page_no": "1" if is_open else "",
                "caption": None if is_open else "Hồ sơ tiếp cận có điều kiện: chỉ giới thiệu thông tin hồ sơ; "
                                                 "việc đọc cần lãnh đạo Lưu trữ duyệt.",
                "caption_en": None if is_open else "A conditional-access file: shown by its description only; "
                                                   "reading it needs the archive director's approval.",
            })
    set_published(None, exhibition, True)
    return exhibition


def create_demo_exhibitions(echo: Callable[[str], object] = print) -> list[Exhibition]:
    """Two published exhibitions built from digitised demo files (never classified), the first featured.

    Does nothing when exhibitions exist already, or when there are too few open digitised files.
    """
    if db.session.scalar(select(func.count(Exhibition.id))):
        echo("Đã có triển lãm: bỏ qua triển lãm mẫu.")
        return []
    candidates = list(db.session.scalars(
        select(RecordFile).where(RecordFile.scan_kind.is_not(None), RecordFile.scan_pages > 0,
                                 RecordFile.mode.in_([AccessMode.OPEN.value, AccessMode.CONDITIONAL.value]))
        .order_by(RecordFile.start_sort, RecordFile.file_code)))
    by_fonds: dict[int, list[RecordFile]] = {}
    for record in candidates:
        by_fonds.setdefault(record.fonds_id, []).append(record)

    def open_count(files: list[RecordFile]) -> int:
        return sum(f.mode == AccessMode.OPEN.value for f in files)

    groups = sorted((files for files in by_fonds.values() if open_count(files)), key=open_count, reverse=True)
    if len(groups) == 1 and open_count(groups[0]) >= 2:  # one fonds: split it in two, each with open files
        files = groups[0]
        opens = [i for i, record in enumerate(files) if record.mode == AccessMode.OPEN.value]
        cut = opens[len(opens) // 2]
        groups = [files[:cut], files[cut:]]
    if len(groups) < 2 or any(open_count(g) == 0 for g in groups[:2]):
        echo("Chưa đủ hồ sơ công khai đã số hóa để dựng triển lãm mẫu.")
        return []
    archive = current_app.config["ARCHIVE_NAME"]
    made = []
    for number, files in enumerate(groups[:2]):
        fonds = files[0].fonds
        chosen = _pick_demo_files(files)
        text = dict(_demo_text(fonds.code, fonds.name))
        if db.session.scalar(select(Exhibition.id).where(Exhibition.slug == text["slug"])):
            text["slug"] = f"{text['slug']}-{number + 1}"
        exhibition = _demo_exhibition(text, chosen, archive)
        if number == 0:
            set_featured(None, exhibition, True)
        made.append(exhibition)
        echo(f"Triển lãm mẫu: {exhibition.title} (/trien-lam/{exhibition.slug}"
             f"{', nổi bật' if exhibition.is_featured else ''}).")
    return made


def _pick_demo_files(files: list[RecordFile]) -> list[RecordFile]:
    """Up to nine files in date order, at most two of them conditional, starting with an open one."""
    picked: list[RecordFile] = []
    conditional = 0
    for record in files:
        if record.mode == AccessMode.CONDITIONAL.value:
            if conditional >= 2 or not picked:
                continue
            conditional += 1
        picked.append(record)
        if len(picked) == 9:
            break
    return picked
