"""Page derivatives: each scanned page rendered once to a reading image and a thumbnail.

PDF pages are rendered with pypdfium2 and page images decoded with Pillow. These
are plain functions over paths so they can run in separate processes: pdfium is
not thread-safe, so callers use a process pool (see portal/services/derivatives.py).
"""
from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageOps

from .imaging import ImageRejected, open_checked, render_pdf_page

READING_DPI = 150
THUMB_WIDTH = 200
JPEG_QUALITY = 82


@dataclass(frozen=True)
class PageResult:
    page_no: int
    width: int
    height: int
    gray: bool


def _disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class RenderError(Exception):
    """A page could not be rendered; ``page_no`` says which."""

    def __init__(self, page_no: int, message: str) -> None:
        super().__init__(f"page {page_no}: {message}")
        self.page_no = page_no


def deriv_name(page_no: int) -> str:
    """Relative path of a page's reading derivative inside the scan folder."""
    return f"pages/{page_no:04d}.jpg"


def thumb_name(page_no: int) -> str:
    """Relative path of a page's thumbnail inside the scan folder."""
    return f"thumbs/{page_no:04d}.jpg"


def is_grayscale(image: Image.Image) -> bool:
    """True when an RGB image has no colour (every pixel R = G = B, within JPEG noise)."""
    if image.mode in ("1", "L", "LA", "I", "F"):
        return True
    rgb = image.convert("RGB")
    small = rgb.resize((max(1, rgb.width // 8), max(1, rgb.height // 8)))
    r, g, b = small.split()
    spread = max(ImageChops.difference(r, g).getextrema()[1], ImageChops.difference(g, b).getextrema()[1])
    return spread <= 12


def _save(image: Image.Image, folder: Path, page_no: int) -> PageResult:
    gray = is_grayscale(image)
    image = image.convert("L" if gray else "RGB")
    (folder / "pages").mkdir(exist_ok=True)
    (folder / "thumbs").mkdir(exist_ok=True)
    image.save(folder / deriv_name(page_no), "JPEG", quality=JPEG_QUALITY, optimize=True)
    thumb = image.copy()
    thumb.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 2))
    thumb.save(folder / thumb_name(page_no), "JPEG", quality=75)
    return PageResult(page_no, image.width, image.height, gray)


def render_pdf_pages(pdf_path: str, folder: str, page_numbers: list[int], max_pixels: int,
                     dpi: int = READING_DPI) -> list[PageResult]:
    """Render the given 1-based pages of a PDF into ``folder`` (run in its own process)."""
    out = Path(folder)
    results = []
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        for page_no in page_numbers:
            try:
                image = render_pdf_page(pdf, page_no, dpi / 72, max_pixels)
                results.append(_save(image, out, page_no))
            except ImageRejected as exc:
                raise RenderError(page_no, "empty page size") from exc
            except Exception as exc:  # pdfium raises PdfiumError and friends
                if _disk_full(exc):
                    raise  # not a broken page: the caller reports a full disk
                raise RenderError(page_no, str(exc)) from exc
    finally:
        pdf.close()
    return results


def render_image_pages(sources: list[tuple[int, str]], folder: str, max_pixels: int) -> list[PageResult]:
    """Decode page images (1-based page number, path) into derivatives in ``folder``."""
    out = Path(folder)
    results = []
    for page_no, source in sources:
        try:
            with open_checked(source, None, max_pixels) as opened:
                image = ImageOps.exif_transpose(opened)
            # Scans made at a higher resolution are brought down to about 150 dpi (never up):
            # by the resolution the image declares, else by the pixel count of A3 at 150 dpi.
            dpi = image.info.get("dpi", (0, 0))[0] or 0
            factor = READING_DPI / dpi if dpi > READING_DPI * 1.15 else 1.0
            a3_pixels = 2480 * 1754 * 2
            if image.width * image.height * factor ** 2 > a3_pixels:
                factor = (a3_pixels / (image.width * image.height)) ** 0.5
            if factor < 1.0:
                image = image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))),
                                     Image.LANCZOS)
            if image.mode not in ("L", "RGB"):
                image = image.convert("RGB") if image.mode in ("RGBA", "P", "CMYK", "LA") else image.convert("L")
            results.append(_save(image, out, page_no))
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken files
            if _disk_full(exc):
                raise  # not a broken page: the caller reports a full disk
            raise RenderError(page_no, str(exc)) from exc
    return results
