"""The attacks a leaked page goes through, as pure functions of a grayscale image (uint8 arrays).

Each takes the served page (and a seeded random generator, so a run is repeatable)
and returns what the archive would be handed: an image that is not the page any
more, but a JPEG of it, a smaller copy, a crop, a skewed photo, a scan of a print.
"""
from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image


def jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    """Encode with Pillow at ``quality`` and decode again."""
    out = io.BytesIO()
    Image.fromarray(gray).save(out, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("L"))


def served(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The page as the viewer received it (already a JPEG inside the PDF)."""
    return gray


def jpeg30(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Saved again as a JPEG at quality 30."""
    return jpeg(gray, 30)


def downscale50(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Halved in each direction (area average), then saved as a JPEG at quality 75."""
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    return jpeg(small, 75)


def crop_quarter(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A quarter of the page (half the width, half the height) at a random place, as PNG.

    Half the width of the page is shorter than one line of the diagonal stamp, so the
    crop never holds a whole visible line (name, account, request and time together).
    """
    height, width = gray.shape
    h, w = height // 2, width // 2
    top = int(rng.integers(0, height - h + 1))
    left = int(rng.integers(0, width - w + 1))
    return gray[top:top + h, left:left + w].copy()


def rotate_perspective(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotated by 3° (either way) with a slight perspective (corners moved up to 2 %), JPEG 85."""
    height, width = gray.shape
    angle = float(rng.choice([-3.0, 3.0]))
    centre = np.array([width / 2, height / 2])
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    theta = np.deg2rad(angle)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    moved = (corners - centre) @ rotation.T + centre
    moved += rng.uniform(-0.02, 0.02, size=(4, 2)) * [width, height]
    moved -= moved.min(axis=0)
    size = np.ceil(moved.max(axis=0)).astype(int)
    matrix = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    warped = cv2.warpPerspective(gray, matrix, (int(size[0]), int(size[1])), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return jpeg(warped, 85)


def print_scan(gray: np.ndarray, rng: np.random.Generator, page_dpi: float = 110.0) -> np.ndarray:
    """Printed and scanned at 150 dpi: toner spread (blur), lower contrast, sensor noise, a slight skew."""
    scale = 150.0 / page_dpi
    size = (round(gray.shape[1] * scale), round(gray.shape[0] * scale))
    image = cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC).astype(np.float32)
    image = cv2.GaussianBlur(image, (0, 0), 1.2)
    contrast = float(rng.uniform(0.75, 0.9))
    image = 128 + (image - 128) * contrast + float(rng.uniform(-10, 10))
    image += rng.normal(0, 4.0, image.shape).astype(np.float32)
    angle = float(rng.uniform(-1.0, 1.0))
    matrix = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), angle, 1.0)
    image = cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return jpeg(np.clip(image, 0, 255).astype(np.uint8), 85)


def average(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Two readers' copies of the same page averaged pixel by pixel (collusion)."""
    return ((first.astype(np.uint16) + second.astype(np.uint16) + 1) // 2).astype(np.uint8)
