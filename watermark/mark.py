"""The invisible mark: a faint, smooth, key-dependent ±1 pattern added to the page's luminance.

Why this design. Tracing is non-blind: the portal keeps every page derivative and
knows every copy it made, so the tracer can subtract the original page and look
for a known pattern in what is left. That lets the mark be a plain additive
spread-spectrum pattern — the most robust kind — instead of a blind, decodable
payload. The pattern is a grid of pseudo-random ±1 values, one per
:data:`CELL` × :data:`CELL` pixel cell of the 150 dpi derivative, upsampled
bilinearly: low enough in frequency to survive JPEG at quality 30, halving
the size, a screenshot or a print-and-scan blur, and smooth, so it reads as
the mottling that scanned paper already has rather than as a texture.

The amplitude follows the page: full strength where there is ink or texture to
hide it, about half on flat paper, where the eye sees small changes best
(contrast masking). The mean stays zero so the page keeps its tone.

Keys: one per copy, ``HMAC-SHA256(secret, "reading-copy:<id>")``; each page
draws its bits from ``HMAC(key, "page:<n>")``, so pages of one copy carry
different patterns and averaging many pages reveals nothing. Knowing other
copies' keys tells nothing about this one.
"""
from __future__ import annotations

import hashlib
import hmac
import threading

import cv2
import numpy as np
from PIL import Image

MARK_VERSION = 1
"""Stored on each copy: which scheme (cell size, key derivation) marked it."""
CELL = 8
"""Pattern cell, in pixels of the 150 dpi reading derivative (about 1.4 mm)."""
STRENGTH = 2.4
"""Peak amplitude in grey levels where the page has ink or texture."""
FLAT_SHARE = 0.45
"""Share of :data:`STRENGTH` used on flat paper."""
ACTIVITY_FULL = 12.0
"""Local mean absolute Laplacian (grey levels) at which full strength is reached."""


def copy_key(secret: str | bytes, copy_id: int) -> bytes:
    """The mark key of one copy, derived from the configured secret and the copy's id."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, f"reading-copy:{copy_id}".encode(), hashlib.sha256).digest()


def grid_shape(width: int, height: int) -> tuple[int, int]:
    """(rows, columns) of pattern cells covering a page of ``width`` × ``height`` pixels."""
    return -(-height // CELL), -(-width // CELL)


def pattern_bits(key: bytes, page_no: int, width: int, height: int) -> np.ndarray:
    """The ±1 cell values (int8, rows × columns) of one page of one copy."""
    seed = hmac.new(key, f"page:{page_no}".encode(), hashlib.sha256).digest()
    rng = np.random.Generator(np.random.PCG64(int.from_bytes(seed, "big")))
    rows, cols = grid_shape(width, height)
    return (rng.integers(0, 2, size=(rows, cols), dtype=np.int8) * 2 - 1).astype(np.int8)


def pattern_field(bits: np.ndarray, width: int, height: int) -> np.ndarray:
    """The smooth field (float32, height × width) drawn bilinearly through the cell values."""
    rows, cols = bits.shape
    field = cv2.resize(bits.astype(np.float32), (cols * CELL, rows * CELL), interpolation=cv2.INTER_LINEAR)
    return field[:height, :width]


def amplitude_grid(array: np.ndarray) -> np.ndarray:
    """Amplitude per pattern cell: full where the page is busy, :data:`FLAT_SHARE` of it on flat paper.

    ``array`` is the page as pixels: grey (H × W), RGB (H × W × 3) or RGBX (H × W × 4).
    Measured on a quarter-size grey page (the mean absolute Laplacian around each cell),
    which is what keeps the whole mark within a few milliseconds: the page is shrunk by an
    exact factor of 4 first and only then turned grey (turning a whole colour page grey, or
    a fractional shrink, costs several times more on an A4 page).
    """
    height, width = array.shape[:2]
    rows, cols = grid_shape(width, height)
    h4, w4 = max(4, height - height % 4), max(4, width - width % 4)
    small = cv2.resize(array[:h4, :w4], (max(1, w4 // 4), max(1, h4 // 4)), interpolation=cv2.INTER_AREA)
    if small.ndim == 3:
        small = cv2.cvtColor(small, cv2.COLOR_RGBA2GRAY if small.shape[2] == 4 else cv2.COLOR_RGB2GRAY)
    laplacian = cv2.convertScaleAbs(cv2.Laplacian(small, cv2.CV_16S, ksize=1))
    activity = cv2.resize(cv2.blur(laplacian, (5, 5)), (cols, rows), interpolation=cv2.INTER_AREA)
    activity = activity.astype(np.float32) * 4.0
    share = FLAT_SHARE + (1.0 - FLAT_SHARE) * np.minimum(activity * (1.0 / ACTIVITY_FULL), 1.0)
    return (STRENGTH * share).astype(np.float32)


def mark_delta(array: np.ndarray, key: bytes, page_no: int) -> np.ndarray:
    """The signed change (float32, height × width) the mark makes to a page's luminance."""
    height, width = array.shape[:2]
    bits = pattern_bits(key, page_no, width, height)
    return pattern_field(bits * amplitude_grid(array), width, height)


class _Scratch(threading.local):
    """Full-page work planes kept per thread between pages: a copy's pages share one size, and a
    fresh 9 MB plane per page costs more in page faults than the arithmetic done in it."""

    def __init__(self) -> None:
        self.planes: dict[str, np.ndarray] = {}

    def plane(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        plane = self.planes.get(name)
        if plane is None or plane.shape != shape or plane.dtype != dtype:
            plane = self.planes[name] = np.empty(shape, dtype)
        return plane


_scratch = _Scratch()


def _biased_delta(array: np.ndarray, key: bytes, page_no: int) -> np.ndarray:
    """The change rounded to whole grey levels and offset by 128 (uint8, height × width; a scratch
    plane, valid until the thread's next page).

    One 8-bit plane instead of a float one: the page then takes the mark in a single
    saturating pass (page + plane − 128). 128 is even, so rounding the offset value
    rounds as rounding the change itself would (half to even).
    """
    height, width = array.shape[:2]
    bits = pattern_bits(key, page_no, width, height)
    rows, cols = bits.shape
    field = _scratch.plane("field", (rows * CELL, cols * CELL), np.float32)
    cv2.resize(bits * amplitude_grid(array) + np.float32(128), (cols * CELL, rows * CELL), dst=field,
               interpolation=cv2.INTER_LINEAR)
    return cv2.convertScaleAbs(field[:height, :width], dst=_scratch.plane("delta", (height, width), np.uint8))


def embed(page: Image.Image, key: bytes, page_no: int) -> Image.Image:
    """Return ``page`` ("L" or "RGB") with the invisible mark of ``key`` for page ``page_no`` added."""
    if page.mode == "L":
        array = np.asarray(page)
        # Saturating add, rounded: white paper stays white where the pattern would push it over.
        return Image.fromarray(cv2.addWeighted(array, 1.0, _biased_delta(array, key, page_no), 1.0, -128.0),
                               mode="L")
    # Colour: the same change on each channel, which is the change of luminance alone. Pillow keeps
    # RGB pixels as four bytes, so the page is taken and given back as RGBX (a plain copy each way,
    # no repacking), and the one 8-bit plane is widened to four channels for one saturating add.
    width, height = page.size
    array = np.frombuffer(page.tobytes("raw", "RGBX"), np.uint8).reshape(height, width, 4)
    plane = cv2.cvtColor(_biased_delta(array, key, page_no), cv2.COLOR_GRAY2RGBA,
                         dst=_scratch.plane("rgbx", (height, width, 4), np.uint8))
    cv2.addWeighted(array, 1.0, plane, 1.0, -128.0, dst=plane)
    return Image.frombytes("RGB", (width, height), plane, "raw", "RGBX")


def psnr(reference: np.ndarray, other: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB between two uint8 images of the same shape."""
    error = np.mean((reference.astype(np.float64) - other.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255.0 ** 2 / error))
