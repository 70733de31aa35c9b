"""Reading a page image with Tesseract (through tesserocr): text, word boxes, confidence.

Tesseract's library comes with the ``tesserocr`` wheel; the Vietnamese model
(``vie.traineddata``) comes from the system package ``tesseract-ocr-vie``. When
either is missing, :func:`unavailable_reason` says so and nothing here is called:
the portal works without recognition and its jobs wait.

One recogniser (the model loaded once, about 0.3 s) is kept per thread of each
process; pages are read at :data:`OCR_DPI` at least. Nothing here knows Flask.
"""
from __future__ import annotations

import os
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

try:  # the portal must start without it
    import tesserocr
except ImportError:  # pragma: no cover - depends on the machine
    tesserocr = None

OCR_DPI = 300
LANGUAGE = "vie"
# Where Debian, Ubuntu and Fedora put the models.
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/usr/local/share/tessdata")
A4_WIDTH_INCHES = 8.27
# A page is never enlarged past this many pixels for reading (an A4 page at 300 dpi is 8.7 million).
MAX_PIXELS = 40_000_000

_local = threading.local()


@dataclass
class PageReading:
    """What was read on one page."""

    text: str
    words: list[list] = field(default_factory=list)  # [x0, y0, x1, y1, word], fractions of the page
    confidence: float | None = None  # mean word confidence 0–100
    dpi: int | None = None


def tessdata_dir(language: str = LANGUAGE) -> Path | None:
    """The folder holding ``<language>.traineddata``, or None."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS]
    for folder in candidates:
        if folder and (Path(folder) / f"{language}.traineddata").is_file():
            return Path(folder)
    return None


def unavailable_reason(language: str = LANGUAGE) -> str | None:
    """Why pages cannot be recognised here ("" never), or None when they can."""
    if tesserocr is None:
        return "tesserocr is not installed (pip install -r requirements.txt)"
    if tessdata_dir(language) is None:
        return (f"the Tesseract model {language}.traineddata is missing "
                f"(apt-get install tesseract-ocr tesseract-ocr-{language})")
    return None


def _api(language: str):
    api = getattr(_local, "api", None)
    if api is None or getattr(_local, "language", None) != language:
        folder = tessdata_dir(language)
        if tesserocr is None or folder is None:
            raise RuntimeError(unavailable_reason(language) or "OCR unavailable")
        api = tesserocr.PyTessBaseAPI(path=str(folder) + os.sep, lang=language, psm=tesserocr.PSM.AUTO)
        _local.api, _local.language = api, language
    return api


def source_dpi(image: Image.Image) -> float:
    """The resolution ``image`` was scanned at: what it declares, but never less than an A4 page's width gives.

    (Many files declare 72 dpi whatever they hold; a page narrower than A4 that declares more is believed.)
    """
    declared = image.info.get("dpi")
    try:
        value = float(declared[0]) if declared else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return max(value, image.width / A4_WIDTH_INCHES, 1.0)


def scale_for(image: Image.Image, dpi: int = OCR_DPI, max_pixels: int = MAX_PIXELS) -> float:
    """How much to enlarge ``image`` so it is read at ``dpi`` at least (never past ``max_pixels``)."""
    scale = max(1.0, dpi / source_dpi(image))
    room = (max_pixels / max(1, image.width * image.height)) ** 0.5
    return max(1.0, min(scale, room))


def recognise(image: Image.Image, language: str = LANGUAGE, dpi: int = OCR_DPI) -> PageReading:
    """Read ``image`` (already checked by :mod:`watermark.imaging`) at ``dpi`` at least."""
    scale = scale_for(image, dpi)
    resolution = round(source_dpi(image) * scale)
    gray = image.convert("L")
    if scale > 1.01:
        gray = gray.resize((round(gray.width * scale), round(gray.height * scale)), Image.Resampling.LANCZOS)
    width, height = gray.size
    api = _api(language)
    api.SetImage(gray)
    api.SetSourceResolution(resolution)
    api.Recognize()
    text = unicodedata.normalize("NFC", api.GetUTF8Text() or "")
    words: list[list] = []
    confidences: list[float] = []
    iterator = api.GetIterator()
    level = tesserocr.RIL.WORD
    if iterator is not None:
        for item in tesserocr.iterate_level(iterator, level):
            word = item.GetUTF8Text(level)
            box = item.BoundingBox(level)
            if not word or not word.strip() or box is None:
                continue
            x0, y0, x1, y1 = box
            confidences.append(float(item.Confidence(level)))
            words.append([round(x0 / width, 5), round(y0 / height, 5), round(x1 / width, 5), round(y1 / height, 5),
                          unicodedata.normalize("NFC", word.strip())])
    api.Clear()
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else 0.0
    return PageReading(text=text.strip(), words=words, confidence=confidence, dpi=resolution)


def real_text_layer(text: str) -> bool:
    """Whether a PDF page's text layer is real text (not empty, not a few stray glyphs)."""
    letters = sum(1 for c in text if c.isalpha())
    return letters >= 20
