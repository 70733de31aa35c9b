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

    Measured on a quarter-size grey page (the mean absolute Laplacian around each cell),
    which is what keeps the whole mark within a few milliseconds: the page is turned grey
    first and then shrunk by an exact factor of 4 (a colour or a fractional shrink costs
    ten times more on an A4 page).
    """
    height, width = array.shape[:2]
    rows, cols = grid_shape(width, height)
    grey = cv2.cvtColor(array, cv2.COLOR_RGB2GRAY) if array.ndim == 3 else array
    h4, w4 = max(4, height - height % 4), max(4, width - width % 4)
    small = cv2.resize(grey[:h4, :w4], (max(1, w4 // 4), max(1, h4 // 4)), interpolation=cv2.INTER_AREA)
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


def embed(page: Image.Image, key: bytes, page_no: int) -> Image.Image:
    """Return ``page`` ("L" or "RGB") with the invisible mark of ``key`` for page ``page_no`` added."""
    array = np.asarray(page)
    delta = mark_delta(array, key, page_no)
    if array.ndim == 2:
        # Saturating add, rounded: white paper stays white where the pattern would push it over.
        return Image.fromarray(cv2.add(array, delta, dtype=cv2.CV_8U), mode=page.mode)
    # Colour: the same saturating, rounded add, as two 8-bit steps (add the rise, take away the fall);
    # a pixel has only one of them, so the result is the same as one mixed-type add at a third of its cost.
    rise = cv2.convertScaleAbs(cv2.max(delta, 0.0))
    fall = cv2.convertScaleAbs(cv2.min(delta, 0.0))
    marked = cv2.subtract(cv2.add(array, cv2.merge([rise, rise, rise])), cv2.merge([fall, fall, fall]))
    return Image.fromarray(marked, mode=page.mode)


def psnr(reference: np.ndarray, other: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB between two uint8 images of the same shape."""
    error = np.mean((reference.astype(np.float64) - other.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255.0 ** 2 / error))
