"""Opening untrusted pictures and PDF pages: the one place for the checks.

Scans, exhibition pictures and request letters all come from outside. Each is
checked by content (the format Pillow recognises, not the file name) and by
size *before* it is decoded, so a decompression bomb (a small PNG that unpacks
to gigabytes) is refused cheaply. PDF pages are rendered and read with pdfium,
which is not thread-safe: the functions here are plain functions over paths so
that callers run them in worker processes (``portal/services/derivatives.py``).
Nothing here knows Flask; callers turn :class:`ImageRejected` into a message in
the user's language.
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Iterable

import pypdfium2 as pdfium
from PIL import Image


class ImageRejected(Exception):
    """An image cannot be accepted; ``reason`` is ``"too_large"`` or ``"not_image"``."""

    def __init__(self, reason: str, width: int = 0, height: int = 0) -> None:
        super().__init__(f"{reason} ({width}x{height})")
        self.reason, self.width, self.height = reason, width, height


def _open(source: bytes | Path | str, formats: Iterable[str] | None) -> Image.Image:
    fp = io.BytesIO(source) if isinstance(source, bytes) else source
    return Image.open(fp, formats=tuple(formats) if formats else None)


def probe_image(source: bytes | Path | str, formats: Iterable[str] | None, max_pixels: int) -> tuple[str, int, int]:
    """Check an image by content without decoding it; return ``(format, width, height)``.

    Raises :class:`ImageRejected` for a picture of another format, a broken one, or
    one with more than ``max_pixels`` pixels (or none).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open(source, formats) as probe:
                fmt, (width, height) = probe.format, probe.size
                if width * height > max_pixels or width < 1 or height < 1:
                    raise ImageRejected("too_large", width, height)
                probe.verify()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("too_large") from exc
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken or disguised files
        raise ImageRejected("not_image") from exc
    return str(fmt), width, height


def open_checked(source: bytes | Path | str, formats: Iterable[str] | None, max_pixels: int) -> Image.Image:
    """Check an image like :func:`probe_image`, then decode it fully; return the loaded image."""
    probe_image(source, formats, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _open(source, formats)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("too_large") from exc
    except Exception as exc:  # noqa: BLE001 - truncated data shows only when decoding
        raise ImageRejected("not_image") from exc
    return image


def render_pdf_page(pdf: pdfium.PdfDocument, page_no: int, scale: float, max_pixels: int) -> Image.Image:
    """Render one 1-based page of an open PDF at ``scale`` (never beyond ``max_pixels``)."""
    page = pdf[page_no - 1]
    try:
        width_pt, height_pt = page.get_size()
        pixels = width_pt * scale * height_pt * scale
        if pixels > max_pixels:  # an absurd page size: render smaller rather than explode
            scale *= (max_pixels / pixels) ** 0.5
        if width_pt * scale < 1 or height_pt * scale < 1:
            raise ImageRejected("too_large", 0, 0)
        bitmap = page.render(scale=scale, grayscale=False)
        try:
            return bitmap.to_pil().copy()
        finally:
            bitmap.close()
    finally:
        page.close()


def render_pdf_page_file(pdf_path: str, page_no: int, max_width: int, max_dpi: int, max_pixels: int) -> Image.Image:
    """One page of a PDF file as an RGB image at most ``max_width`` wide and ``max_dpi`` (run in a process)."""
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[page_no - 1]
        scale = min(max_width / max(1.0, page.get_width()), max_dpi / 72)
        page.close()
        return render_pdf_page(pdf, page_no, scale, max_pixels).convert("RGB")
    finally:
        pdf.close()


def pdf_page_texts(pdf_path: str) -> list[str]:
    """The text layer of every page of a PDF, in order (run in a process; empty strings for image pages)."""
    pdf = pdfium.PdfDocument(pdf_path)
    texts = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                texts.append(textpage.get_text_range() or "")
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
    return texts


def pdf_page_words(pdf_path: str, page_no: int) -> tuple[str, list[list]]:
    """The text layer of one PDF page and its words with boxes (run in a process).

    Boxes are ``[x0, y0, x1, y1, word]`` as fractions of the page (top-left origin).
    """
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[page_no - 1]
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            text = textpage.get_text_range() or "" if count else ""
            words: list[list] = []
            current: list[str] = []
            box: list[float] | None = None
            for index in range(count):
                char = textpage.get_text_range(index, 1)
                if not char or char.isspace():
                    if current and box is not None:
                        words.append([*box, "".join(current)])
                    current, box = [], None
                    continue
                left, bottom, right, top = textpage.get_charbox(index)
                x0, y0 = left / max(width, 1.0), 1 - top / max(height, 1.0)
                x1, y1 = right / max(width, 1.0), 1 - bottom / max(height, 1.0)
                current.append(char)
                box = [x0, y0, x1, y1] if box is None else [min(box[0], x0), min(box[1], y0),
                                                           max(box[2], x1), max(box[3], y1)]
            if current and box is not None:
                words.append([*box, "".join(current)])
        finally:
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return text, [[round(v, 5) for v in w[:4]] + [w[4]] for w in words]
