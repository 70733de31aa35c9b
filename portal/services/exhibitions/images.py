"""Exhibition pictures: checked uploads, web derivatives with the archive's name, and their storage.

Every picture is checked by content (JPEG, PNG or WebP; size in bytes and in
pixels; decompression bombs refused — :mod:`watermark.imaging`) and turned once
into web derivatives (WebP, several widths and a thumbnail) with no metadata and
the archive's name in a corner. A catalogue page becomes derivatives when staff
choose it (rendered in a worker process); the raw scan is never served.
"""
from __future__ import annotations

import secrets
import shutil
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps
from sqlalchemy import exists, or_, select

from watermark import FONTS_DIR
from watermark.imaging import ImageRejected, open_checked

from ...errors import NotFound, ValidationError
from ...extensions import db
from ...models import Exhibition, ExhibitionImage, ExhibitionItem, RecordFile, ScanKind
from ..derivatives import render_pdf_page
from ..scans import scan_file_path
from .text import invalid

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
WEBP_QUALITY = 82
FONT_CANDIDATES = (
    FONTS_DIR / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)


# --- images: checks -------------------------------------------------------------------

def _bomb_error(field: str) -> ValidationError:
    limit = current_app.config["EXHIBITION_IMAGE_MAX_PIXELS"]
    return ValidationError(invalid().message, {field: [_(
        "Ảnh có quá nhiều điểm ảnh (tối đa %(mp)s triệu); hãy thu nhỏ ảnh rồi tải lên lại.",
        mp=format_decimal(limit / 1_000_000))]})


def _fake_error(field: str) -> ValidationError:
    return ValidationError(invalid().message, {field: [_(
        "Tệp này không phải ảnh JPEG, PNG hoặc WebP hợp lệ (có thể bị hỏng hoặc chỉ đổi đuôi tên).")]})


def read_upload(upload: BinaryIO, field: str = "image") -> bytes:
    """Read an uploaded image, refusing an empty or oversized one without reading it all."""
    limit = current_app.config["EXHIBITION_IMAGE_MAX_BYTES"]
    data = upload.read(limit + 1)
    if not data:
        raise ValidationError(invalid().message, {field: [_("Hãy chọn một tệp ảnh.")]})
    if len(data) > limit:
        raise ValidationError(invalid().message, {field: [_(
            "Ảnh quá lớn: tối đa %(mb)d MB.", mb=limit // (1 << 20))]})
    return data


def open_checked_image(data: bytes, field: str = "image") -> Image.Image:
    """Open image bytes after checking them by content; return the decoded image.

    Only JPEG, PNG and WebP are accepted whatever the file name says; a picture
    with more pixels than ``EXHIBITION_IMAGE_MAX_PIXELS`` (a decompression bomb)
    is refused before it is decoded.
    """
    try:
        return open_checked(data, ACCEPTED_FORMATS, current_app.config["EXHIBITION_IMAGE_MAX_PIXELS"])
    except ImageRejected as exc:
        raise (_bomb_error(field) if exc.reason == "too_large" else _fake_error(field)) from exc


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
    """One page of a stored scan as an image (a PDF page rendered in a worker process)."""
    if record.scan_kind == ScanKind.PDF.value:
        max_width = max(current_app.config["EXHIBITION_IMAGE_WIDTHS"])
        return render_pdf_page(scan_file_path(record.scan_path or "", None), page_no, max_width)
    scan = next((p for p in record.page_scans if p.page_no == page_no), None)
    if scan is None or not scan.source_name:
        raise NotFound(_("Không tìm thấy trang %(n)d của hồ sơ.", n=page_no))
    try:
        return open_checked(scan_file_path(record.scan_path or "", scan.source_name), None,
                            current_app.config["SCAN_MAX_PIXELS"])
    except ImageRejected as exc:
        raise ValidationError(invalid().message, {"page_no": [_("Trang quét quá lớn để trưng bày.")]}) from exc


def image_from_page(record: RecordFile, page_no: int) -> ExhibitionImage:
    """The web derivatives of one scanned page, made now (the caller commits)."""
    with render_page(record, page_no) as image:
        return _store_image(image, record, page_no)


def remove_image_folder(key: str) -> None:
    root = images_root().resolve()
    target = (root / key).resolve()
    if root in target.parents:
        shutil.rmtree(target, ignore_errors=True)


def _is_referenced(image_id: int) -> bool:
    cover = exists().where(Exhibition.cover_image_id == image_id)
    item = exists().where(ExhibitionItem.image_id == image_id)
    return bool(db.session.scalar(select(or_(cover, item))))


def discard_unused(images: list[ExhibitionImage | None]) -> None:
    """Delete replaced pictures (row and files) that nothing refers to any more."""
    for image in images:
        if image is None or _is_referenced(image.id):
            continue
        key = image.key
        db.session.delete(image)
        db.session.commit()
        remove_image_folder(key)


def commit_with_images(new_images: list[ExhibitionImage], replaced: list[ExhibitionImage | None] = ()) -> None:
    """Commit the session; on failure remove the derivatives made for this change; then drop replaced pictures."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for image in new_images:
            remove_image_folder(image.key)
        raise
    discard_unused(list(replaced))

