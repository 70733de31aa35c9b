"""How a stamped page is encoded for the reading copy: resolution and JPEG settings.

Only baseline or progressive JPEG (DCTDecode) is used: every PDF reader and
pdf.js decode it, including on old phones. The page is stamped and marked at
the resolution of its derivative (so the leak tracer's reference, drawn from the
derivative, matches it), then brought down to the encoding's resolution and
compressed once. The choice was measured with ``bench/page_encoding.py``
(size per page, and Tesseract text of the reading page against the master page).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from .render import READING_DPI

A4_LONG_SIDE_IN = 11.69
"""Long side of an A4 sheet in inches: resolutions are stated for an A4 page."""


@dataclass(frozen=True)
class PageEncoding:
    """Resolution (dots per inch of an A4 page, never above the derivative's) and JPEG settings."""

    name: str
    dpi: int
    quality: int
    progressive: bool = True
    optimize: bool = True  # optimised Huffman tables: smaller, and lossless

    @property
    def long_side(self) -> int:
        """Most pixels along a page's long side (A4 at :attr:`dpi`)."""
        return round(A4_LONG_SIDE_IN * self.dpi)

    def scale_for(self, width: int, height: int) -> float:
        """Factor (≤ 1) bringing a ``width`` × ``height`` page down to this encoding; never up."""
        return min(1.0, self.long_side / max(1, width, height))


BASELINE = PageEncoding("baseline", dpi=READING_DPI, quality=80, progressive=False, optimize=False)
"""The encoding before issue 19: the 150 dpi derivative as it is, JPEG quality 80 (about 0.5 MB a typed page)."""
STANDARD = PageEncoding("standard", dpi=120, quality=45)
"""What readers get: 120 dpi on A4 (about a phone's full width in device pixels), progressive JPEG quality 45.

Not lower: at quality 40 the leak tracer found the page of a cropped quarter-page leak in 8 of 12
trials (12 of 12 at the baseline's 80, 11 of 12 at 45; ``bench/watermark``): block artefacts cost it
the features it locates the page by."""
DATA_SAVER = PageEncoding("data-saver", dpi=100, quality=40)
"""The data saver: 100 dpi, quality 40; still read as the master by OCR (bench/page_encoding.py).

A leak from it traces a little less surely than from the standard file (``bench/watermark``, 12 trials
each: the page as served 12, JPEG 30 11, a cropped quarter 10): the price of the lighter page, which
the reader chose."""
ENCODINGS = {encoding.name: encoding for encoding in (BASELINE, STANDARD, DATA_SAVER)}


def resize_for(image: Image.Image, encoding: PageEncoding) -> Image.Image:
    """``image`` brought down to ``encoding``'s resolution (the same image when already small enough)."""
    scale = encoding.scale_for(image.width, image.height)
    if scale >= 0.999:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.LANCZOS, reducing_gap=3.0)


def encode_page(image: Image.Image, encoding: PageEncoding) -> tuple[bytes, int, int]:
    """``image`` ("L" or "RGB") resized and compressed as ``encoding`` says: (jpeg, width, height)."""
    image = resize_for(image, encoding)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=encoding.quality, optimize=encoding.optimize,
               progressive=encoding.progressive)
    return out.getvalue(), image.width, image.height
