"""Burning the watermark into page pixels.

Every page of a reading copy carries, in its pixels (never as a removable PDF
layer): the archive's name centred in the bottom margin, and a diagonal, tiled,
semi-transparent line saying who is reading — name, account id, request code and
date-time — so that a leaked page can be traced. In the same pass, when the
copy has a mark key, the invisible mark (:mod:`watermark.mark`) names the copy
even in a crop that holds no full line of the visible stamp.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont

from . import FONTS_DIR
from .encoding import STANDARD, PageEncoding, encode_page
from .mark import embed
from .render import READING_DPI

FONT_FILE = FONTS_DIR / "DejaVuSans.ttf"
TRACE_ANGLE = 30
TRACE_OPACITY = 70  # of 255: readable text underneath, unmistakable stamp on top
TRACE_INK = 90  # gray level of the diagonal text
NAME_INK = 20


@dataclass(frozen=True)
class Stamp:
    """What goes on every page of one reading copy."""

    archive_name: str
    reader_name: str
    account_id: int
    request_code: str
    issued_at: datetime
    mark_key: bytes | None = None  # the copy's invisible-mark key (watermark.mark.copy_key); None: no mark

    @property
    def trace_line(self) -> str:
        """The diagonal line: who reads, which account, which request, when."""
        return (f"{self.reader_name} · TK {self.account_id} · {self.request_code} · "
                f"{self.issued_at:%d/%m/%Y %H:%M}")


class EncodedPage(NamedTuple):
    """One page of a copy as the PDF holds it: JPEG bytes, pixels, mode ("L"/"RGB") and size in points."""

    jpeg: bytes
    width: int
    height: int
    mode: str
    width_pt: float
    height_pt: float


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), size)


def draw_trace_mask(size: tuple[int, int], text: str) -> Image.Image:
    """An L-mode mask of the tiled diagonal text for a page of ``size``."""
    width, height = size
    font_size = max(14, width // 45)
    font = _font(font_size)
    diagonal = int((width ** 2 + height ** 2) ** 0.5) + font_size * 4
    canvas = Image.new("L", (diagonal, diagonal), 0)
    draw = ImageDraw.Draw(canvas)
    line = f"{text}     "
    line_width = max(1, int(draw.textlength(line, font=font)))
    row_gap = font_size * 6
    for row, y in enumerate(range(0, diagonal, row_gap)):
        offset = -(row % 2) * line_width // 2
        for x in range(offset, diagonal, line_width):
            draw.text((x, y), line, font=font, fill=TRACE_OPACITY)
    rotated = canvas.rotate(TRACE_ANGLE, resample=Image.BILINEAR)
    left, top = (diagonal - width) // 2, (diagonal - height) // 2
    return rotated.crop((left, top, left + width, top + height))


_trace_mask = lru_cache(maxsize=8)(draw_trace_mask)  # a copy's pages share one size: built once per copy


def stamp_visible(page: Image.Image, trace_line: str, archive_name: str,
                  mask: Image.Image | None = None) -> Image.Image:
    """Return ``page`` with the visible stamp burned in (grayscale pages stay grayscale).

    A function of the two texts only, so the tracer can draw again exactly what a
    copy showed from what the copy row keeps (``mask``: the line's mask, if the
    caller keeps its own cache of :func:`draw_trace_mask`).
    """
    page = page.copy()
    mask = mask if mask is not None else _trace_mask(page.size, trace_line)
    ink = TRACE_INK if page.mode == "L" else (TRACE_INK, TRACE_INK, TRACE_INK)
    page.paste(ink, (0, 0), mask)

    # The archive's name, centred in the bottom margin, on a light band so it reads on any page.
    draw = ImageDraw.Draw(page)
    font = _font(max(12, page.width // 48))
    box = archive_name_box(page.size, archive_name)
    band = 245 if page.mode == "L" else (245, 245, 245)
    draw.rectangle(box, fill=band)
    pad = max(4, font.size // 3)
    draw.text((box[0] + pad, box[1] + pad // 2), archive_name, font=font,
              fill=NAME_INK if page.mode == "L" else (NAME_INK,) * 3)
    return page


def archive_name_box(size: tuple[int, int], archive_name: str) -> tuple[float, float, float, float]:
    """The light band (left, top, right, bottom) holding the archive's name on a page of ``size``."""
    width, height = size
    font = _font(max(12, width // 48))
    text_width = font.getlength(archive_name)
    ascent, descent = font.getmetrics()
    x = (width - text_width) / 2
    y = height - (ascent + descent) - max(8, height // 150)
    pad = max(4, font.size // 3)
    return (x - pad, y - pad // 2, x + text_width + pad, y + ascent + descent + pad // 2)


def stamp_image(page: Image.Image, stamp: Stamp, page_no: int = 1) -> Image.Image:
    """Return page ``page_no`` of a copy with its visible stamp and, if keyed, its invisible mark.

    The mark goes on last, over the stamp, so that the tracer's reference (the
    page with the visible stamp drawn again) differs from a served page by the
    mark alone.
    """
    stamped = stamp_visible(page, stamp.trace_line, stamp.archive_name)
    if stamp.mark_key is not None:
        stamped = embed(stamped, stamp.mark_key, page_no)
    return stamped


def decode_page(data: bytes) -> Image.Image:
    """A page derivative's JPEG bytes as an "L" or "RGB" image (the stamp's starting point)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        # A new image either way: closing the file must not close what we return.
        return image.convert("RGB") if image.mode not in ("L", "RGB") else image.copy()


def stamp_jpeg(data: bytes, stamp: Stamp, encoding: PageEncoding = STANDARD, page_no: int = 1) -> EncodedPage:
    """Decode a page JPEG, stamp (and mark) it as page ``page_no``, encode it as ``encoding`` says."""
    return encoded_page(stamp_image(decode_page(data), stamp, page_no), encoding)


def encoded_page(stamped: Image.Image, encoding: PageEncoding) -> EncodedPage:
    """A stamped page at the derivative's resolution, encoded for the copy; the page keeps its
    printed size (the derivative's pixels at :data:`~watermark.render.READING_DPI`) whatever the encoding."""
    jpeg, width, height = encode_page(stamped, encoding)
    return EncodedPage(jpeg, width, height, stamped.mode,
                       stamped.width * 72 / READING_DPI, stamped.height * 72 / READING_DPI)
