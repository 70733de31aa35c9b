"""Checking and storing scans (a PDF or a folder of page images).

A scan is checked completely before anything is stored, and stored into a
fresh folder that only becomes the file's scan when the database commit
succeeds; on any failure the folder is removed, so nothing is left half-done.
Page rendering (derivatives) belongs to the reading-copy work, not here.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from flask import current_app
from flask_babel import gettext as _

from watermark.imaging import ImageRejected, probe_image

from ..errors import Refused
from ..models import ScanKind

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
IMAGE_FORMATS = {"PNG", "JPEG", "TIFF"}


class ScanError(Refused):
    """The scan cannot be accepted; ``message`` says why in the user's language."""


@dataclass
class ScanInfo:
    """What a checked scan holds."""

    kind: str  # a ScanKind value
    source: Path
    pages: int
    sha256: str
    # (stored name or None for PDF pages, width px, height px) per page
    page_sizes: list[tuple[str | None, int, int]] = field(default_factory=list)
    image_files: list[Path] = field(default_factory=list)


def _natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdecimal() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def inspect_scan(path: Path) -> ScanInfo:
    """Check a scan: a PDF file, one image, or a folder of page images."""
    if path.is_dir():
        images = sorted((p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
                         and p.suffix.lower() in IMAGE_SUFFIXES), key=_natural_key)
        if not images:
            raise ScanError(_("Thư mục bản quét không có ảnh trang nào (PNG, JPEG hoặc TIFF)."))
        return inspect_images(images)
    if not path.is_file():
        raise ScanError(_("Không tìm thấy bản quét: %(name)s", name=path.name))
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return inspect_pdf(path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return inspect_images([path])
    raise ScanError(_("Bản quét phải là tệp PDF hoặc thư mục ảnh trang."))


def inspect_pdf(path: Path) -> ScanInfo:
    """Check a PDF: real, not encrypted, not empty, within the size and page limits."""
    config = current_app.config
    size = path.stat().st_size
    if size == 0:
        raise ScanError(_("Tệp PDF rỗng."))
    if size > config["SCAN_MAX_BYTES"]:
        raise ScanError(_("Tệp bản quét quá lớn (tối đa %(mb)d MB).", mb=config["SCAN_MAX_BYTES"] // (1 << 20)))
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise ScanError(_("Tệp PDF được mã hóa; hãy nộp bản không mã hóa."))
            pages = len(pdf.pages)
            if pages == 0:
                raise ScanError(_("Tệp PDF không có trang nào."))
            if pages > config["SCAN_MAX_PAGES"]:
                raise ScanError(_("Tệp PDF có %(n)d trang, vượt giới hạn %(max)d trang.",
                                  n=pages, max=config["SCAN_MAX_PAGES"]))
            sizes = []
            for page in pdf.pages:
                box = page.mediabox
                width_pt, height_pt = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
                # Pixels at the 150 dpi reading resolution.
                width, height = round(abs(width_pt) * 150 / 72), round(abs(height_pt) * 150 / 72)
                if width * height > config["SCAN_MAX_PIXELS"] or width == 0 or height == 0:
                    raise ScanError(_("Kích thước trang PDF bất thường."))
                sizes.append((None, width, height))
    except pikepdf.PasswordError as exc:
        raise ScanError(_("Tệp PDF được mã hóa; hãy nộp bản không mã hóa.")) from exc
    except pikepdf.PdfError as exc:
        raise ScanError(_("Tệp PDF bị hỏng hoặc không đúng định dạng.")) from exc
    return ScanInfo(kind=ScanKind.PDF.value, source=path, pages=pages, sha256=_sha256([path]), page_sizes=sizes)


def inspect_images(images: list[Path]) -> ScanInfo:
    """Check page images by content: real PNG/JPEG/TIFF, sane size, not a decompression bomb."""
    config = current_app.config
    if len(images) > config["SCAN_MAX_PAGES"]:
        raise ScanError(_("Bản quét có %(n)d trang, vượt giới hạn %(max)d trang.",
                          n=len(images), max=config["SCAN_MAX_PAGES"]))
    sizes: list[tuple[str | None, int, int]] = []
    total = 0
    for number, path in enumerate(images, start=1):
        total += path.stat().st_size
        if total > config["SCAN_MAX_BYTES"]:
            raise ScanError(_("Tệp bản quét quá lớn (tối đa %(mb)d MB).", mb=config["SCAN_MAX_BYTES"] // (1 << 20)))
        try:
            fmt, width, height = probe_image(path, None, config["SCAN_MAX_PIXELS"])
        except ImageRejected as exc:
            if exc.reason == "too_large":
                raise ScanError(_("Trang %(n)d (%(name)s) quá lớn (%(w)d×%(h)d điểm ảnh).",
                                  n=number, name=path.name, w=exc.width, h=exc.height)) from exc
            raise ScanError(_("Trang %(n)d (%(name)s) không phải ảnh hợp lệ hoặc bị hỏng.",
                              n=number, name=path.name)) from exc
        if fmt not in IMAGE_FORMATS:
            raise ScanError(_("Trang %(n)d (%(name)s) không phải ảnh PNG, JPEG hoặc TIFF.", n=number, name=path.name))
        sizes.append((f"p{number:04d}{path.suffix.lower()}", width, height))
    return ScanInfo(kind=ScanKind.IMAGES.value, source=images[0].parent, pages=len(images), sha256=_sha256(images),
                    page_sizes=sizes, image_files=images)


def scans_root() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "scans"


def store_scan(info: ScanInfo, file_id: int) -> str:
    """Copy a checked scan into a new folder; return its path relative to DATA_DIR.

    The folder is new every time, so replacing a scan never touches the old
    one until the caller has committed and calls :func:`remove_scan_folder`.
    """
    relative = f"scans/{file_id}-{secrets.token_hex(4)}"
    target = Path(current_app.config["DATA_DIR"]) / relative
    tmp = target.with_name(target.name + ".part")
    tmp.mkdir(parents=True)
    try:
        if info.kind == ScanKind.PDF.value:
            shutil.copyfile(info.source, tmp / "original.pdf")
        else:
            for (name, _w, _h), source in zip(info.page_sizes, info.image_files):
                shutil.copyfile(source, tmp / str(name))
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return relative


def remove_scan_folder(relative: str | None) -> None:
    """Delete a stored scan folder (after its replacement committed, or on rollback)."""
    if not relative:
        return
    root = Path(current_app.config["DATA_DIR"]).resolve()
    target = (root / relative).resolve()
    if root in target.parents:  # never delete outside DATA_DIR
        shutil.rmtree(target, ignore_errors=True)


def scan_file_path(relative: str, name: str | None) -> Path:
    """The stored file of one page image, or the original PDF when ``name`` is None."""
    return Path(current_app.config["DATA_DIR"]) / relative / (name or "original.pdf")
