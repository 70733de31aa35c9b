"""Testing a leaked image for the mark of each copy of the page it shows (non-blind).

The image is warped onto the page (the homography from :mod:`watermark.locate`),
its tone and blur are matched to the original page, and, for each candidate
copy, the page as that copy showed it (the original with the copy's visible
stamp drawn again) is subtracted. What is left is the copy's mark, if it is
there, plus noise: JPEG, resampling, the print, the camera. Summed over each
pattern cell this gives a vector ρ, and the statistic is

    z = Σ s_k ρ_k / ‖ρ‖₂        (s = the candidate's ±1 cell values)

Why this statistic: for a copy that did not produce the image, its cell values
are independent fair signs (they come from an HMAC of a key the image never
saw), whatever ρ is. Hoeffding's inequality then bounds the chance of a high
score exactly, for any image, any attack and any page: P(z ≥ t) ≤ exp(−t²/2).
With n copies tested, naming someone who did not receive the page has
probability at most n·exp(−t²/2); :func:`threshold` picks t so that this is
below :data:`FALSE_ACCUSATION` (10⁻⁶). Nothing here is fitted to data, so the
bound does not depend on how attacks look — the bench checks it empirically.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .mark import CELL, grid_shape, pattern_bits

FALSE_ACCUSATION = 1e-6
"""Highest accepted chance of naming, in one trace, a copy that did not produce the image."""
BLURS = (0.0, 0.8, 1.4, 2.2, 3.2)
"""Gaussian blurs (page pixels) tried to match the image's sharpness."""
EDGE_SOFTNESS = 12.0
"""Residual weight falls as 1 / (1 + (gradient / this)²): page edges carry alignment error, not mark."""


def threshold(tests: int, risk: float = FALSE_ACCUSATION) -> float:
    """The score above which a copy is named when ``tests`` copies are tested."""
    return math.sqrt(2.0 * math.log(max(1, tests) / risk))


def false_accusation_bound(score: float, tests: int) -> float:
    """Upper bound on the chance that any of ``tests`` innocent copies scores ``score`` or more."""
    return min(1.0, tests * math.exp(-score * score / 2.0))


@dataclass
class Aligned:
    """A leaked image brought onto one page, tone and blur matched to it."""

    image: np.ndarray  # float32, page size: the leak, warped onto the page
    weight: np.ndarray  # float32, page size: 0 outside the leak, lower on page edges
    gain: float
    offset: float
    blur: float
    cells: int  # pattern cells the leak covers

    def blurred(self, page: np.ndarray) -> np.ndarray:
        """``page`` (float32) with the image's estimated blur."""
        if self.blur <= 0:
            return page
        return cv2.GaussianBlur(page, (0, 0), self.blur)


def _to_float(gray: np.ndarray) -> np.ndarray:
    return gray.astype(np.float32, copy=False)


def _robust_tone(reference: np.ndarray, leak: np.ndarray) -> tuple[float, float, float]:
    """leak ≈ gain · reference + offset, fitted on the pixels that agree (trimmed least squares);
    also returns the median absolute error of the fit."""
    keep = np.ones(reference.size, bool)
    gain, offset, error = 1.0, 0.0, math.inf
    for _ in range(3):
        design = np.stack([reference[keep], np.ones(int(keep.sum()), np.float32)], axis=1)
        (gain, offset), *_ = np.linalg.lstsq(design, leak[keep], rcond=None)
        residual = np.abs(leak - gain * reference - offset)
        error = float(np.median(residual))
        keep = residual <= 4.0 * error + 1.0
        if keep.sum() < 100:
            break
    return float(gain), float(offset), error


def align(leak_gray: np.ndarray, homography: np.ndarray, page_gray: np.ndarray) -> Aligned:
    """Warp ``leak_gray`` onto ``page_gray`` (both uint8) and fit tone (gain, offset) and blur."""
    height, width = page_gray.shape
    warped = cv2.warpPerspective(_to_float(leak_gray), homography, (width, height), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    inside = cv2.warpPerspective(np.ones(leak_gray.shape, np.uint8), homography, (width, height),
                                 flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    inside = cv2.erode(inside, np.ones((5, 5), np.uint8))  # interpolation at the leak's border is unreliable
    mask = inside.astype(bool)
    page = _to_float(page_gray)
    best = (math.inf, 0.0, 1.0, 0.0)
    step = 3  # the fit needs a sample, not every pixel
    sample = mask[::step, ::step]
    leak_sample = warped[::step, ::step][sample]
    if leak_sample.size < 100:
        return Aligned(warped, np.zeros_like(page), 1.0, 0.0, 0.0, 0)
    for sigma in BLURS:
        reference = (cv2.GaussianBlur(page, (0, 0), sigma) if sigma > 0 else page)[::step, ::step][sample]
        gain, offset, error = _robust_tone(reference, leak_sample)
        if error < best[0]:
            best = (error, float(sigma), gain, offset)
    _, sigma, gain, offset = best
    reference = cv2.GaussianBlur(page, (0, 0), sigma) if sigma > 0 else page
    gx = cv2.Sobel(reference, cv2.CV_32F, 1, 0, ksize=3) / 4
    gy = cv2.Sobel(reference, cv2.CV_32F, 0, 1, ksize=3) / 4
    weight = 1.0 / (1.0 + (gx * gx + gy * gy) * (gain * gain / EDGE_SOFTNESS ** 2))
    weight *= mask
    rows, cols = grid_shape(width, height)
    cells = int(np.count_nonzero(cv2.resize(mask.astype(np.uint8), (cols, rows), interpolation=cv2.INTER_NEAREST)))
    return Aligned(warped, weight.astype(np.float32), gain, offset, sigma, cells)


def cell_residual(aligned: Aligned, reference_gray: np.ndarray) -> np.ndarray:
    """ρ: the weighted residual (leak minus the page as a copy showed it) summed over each cell.

    Slow changes (uneven light, a print's tone) are removed cell-wise by
    subtracting each cell's neighbourhood mean; a few outlying cells (a finger,
    a glare, a mismatched edge) are clipped. All of it depends on the image
    and on what the copy showed, never on its key, so the bound holds.
    """
    height, width = reference_gray.shape
    reference = aligned.blurred(_to_float(reference_gray))
    residual = (aligned.image - aligned.gain * reference - aligned.offset) * aligned.weight
    rows, cols = grid_shape(width, height)
    padded = np.zeros((rows * CELL, cols * CELL), np.float32)
    padded[:height, :width] = residual
    weights = np.zeros_like(padded)
    weights[:height, :width] = aligned.weight
    rho = padded.reshape(rows, CELL, cols, CELL).sum(axis=(1, 3))
    mass = weights.reshape(rows, CELL, cols, CELL).sum(axis=(1, 3))
    local = cv2.boxFilter(rho, -1, (5, 5), normalize=False, borderType=cv2.BORDER_CONSTANT)
    local_mass = cv2.boxFilter(mass, -1, (5, 5), normalize=False, borderType=cv2.BORDER_CONSTANT)
    rho = rho - mass * local / np.maximum(local_mass, 1e-6)
    spread = float(np.median(np.abs(rho[mass > 0]))) if np.any(mass > 0) else 0.0
    if spread > 0:
        rho = np.clip(rho, -6 * spread, 6 * spread)
    return rho


def score(rho: np.ndarray, key: bytes, page_no: int, width: int, height: int) -> float:
    """z for one copy's key: the normalised correlation of its cell values with ρ."""
    norm = float(np.sqrt(np.sum(rho.astype(np.float64) ** 2)))
    if norm == 0:
        return 0.0
    bits = pattern_bits(key, page_no, width, height)
    return float(np.sum(bits * rho, dtype=np.float64) / norm)
