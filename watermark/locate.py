"""Finding which page an image shows, and where: ORB features, a voting index, a homography.

Why ORB (OpenCV, BSD, no model files): it is fast, its binary descriptors are
small enough to keep for every page, and with an 8-level pyramid it matches a
page shown at half to about twice its derivative's size — screenshots, scans
and phone photos of a screen fall in that range once the query is brought to a
page-like size. Text pages repeat the same glyphs, so single matches mean
little: the index only *votes* for a few candidate pages (descriptor nearest
neighbours with a ratio test), and a candidate is accepted only when RANSAC
finds a homography with enough inliers.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

INDEX_FEATURES = 4000
"""ORB features kept per page derivative."""
QUERY_FEATURES = 3000
"""ORB features taken from a query image."""
QUERY_MAX_SIDE = 2000
"""Queries larger than this are brought down first (a phone photo is much larger than a page)."""
RATIO = 0.8
MIN_INLIERS = 40
"""Fewest RANSAC inliers for "this image shows that page"."""
CANDIDATES = 5
SMALL_QUERY = 1200
"""Images whose longer side is shorter than this are always also tried at twice their size."""
RESCALES = (1.0, 0.6, 2.0)
"""Sizes an image is tried at: as given, smaller (a page zoomed in a viewer), larger (a page saved small)."""
MORE_RESCALES = (0.78, 1.4)
"""Tried too while no page at all is found: the vote needs a size within about 10 % of the page's
(a print scanned at 150 dpi of a 110 dpi page is 1.36 times its size)."""
REFINE_TOLERANCE = 0.04
"""Once a page is found, the image is voted with again at the pages' scale unless a size within this
share of it was tried already."""
MIN_AGREEMENT = 0.5
STRONG_AGREEMENT = 0.8
"""Lowest pixel correlation between an aligned image and its page for "this image shows that page"."""
VOTE_TILES = 6
VOTE_PER_TILE = 20
"""The coarse index keeps, per page, the strongest few features of each tile of a 6 × 6 grid
(so a crop anywhere still finds some), and a query votes with its strongest ones."""
QUERY_VOTERS = 1500
LSH_PROBES = 1
"""Neighbouring hash buckets the vote also looks in. With none, a viewer screenshot brought to 94 %
of the page's size had its page among the first five candidates in 8 of 13 trials; with one,
in 13 of 13 (about 70 ms more per vote on 128 pages)."""


@dataclass(frozen=True)
class Features:
    """Keypoint positions (N × 2, float32, pixels) and ORB descriptors (N × 32, uint8) of one image,
    strongest first."""

    points: np.ndarray
    descriptors: np.ndarray
    width: int
    height: int

    def voters(self) -> np.ndarray:
        """The descriptors the coarse index keeps: the strongest few in each tile of the page."""
        if not len(self.points):
            return self.descriptors
        tile_x = np.minimum((self.points[:, 0] * VOTE_TILES / self.width).astype(int), VOTE_TILES - 1)
        tile_y = np.minimum((self.points[:, 1] * VOTE_TILES / self.height).astype(int), VOTE_TILES - 1)
        tile = tile_y * VOTE_TILES + tile_x
        keep = np.zeros(len(tile), bool)
        for value in np.unique(tile):
            keep[np.flatnonzero(tile == value)[:VOTE_PER_TILE]] = True
        return self.descriptors[keep]


@dataclass(frozen=True)
class PageMatch:
    """Where a query lies on a page: ``homography`` maps query pixels to page pixels."""

    page: Hashable
    homography: np.ndarray
    inliers: int
    coverage: float  # share of the page the query covers
    agreement: float = 0.0  # pixel correlation once aligned (see agreement())


def _orb(count: int) -> cv2.ORB:
    return cv2.ORB_create(nfeatures=count, scaleFactor=1.2, nlevels=8, edgeThreshold=15, patchSize=31,
                          fastThreshold=10)


def features(gray: np.ndarray, count: int = INDEX_FEATURES) -> Features:
    """ORB features of a grayscale uint8 image."""
    keypoints, descriptors = _orb(count).detectAndCompute(gray, None)
    if descriptors is None:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), gray.shape[1], gray.shape[0])
    order = np.argsort([-k.response for k in keypoints], kind="stable")
    points = np.array([k.pt for k in keypoints], np.float32).reshape(-1, 2)[order]
    descriptors = descriptors[order]
    return Features(points, descriptors, gray.shape[1], gray.shape[0])


def query_features(gray: np.ndarray) -> tuple[Features, float]:
    """Features of a query, and the factor its coordinates were scaled by to get them."""
    scale = min(1.0, QUERY_MAX_SIDE / max(gray.shape))
    if scale < 1.0:
        gray = cv2.resize(gray, (round(gray.shape[1] * scale), round(gray.shape[0] * scale)),
                          interpolation=cv2.INTER_AREA)
    return features(gray, QUERY_FEATURES), scale


def save_features(path: Path, pages: dict[int, Features]) -> None:
    """Write the features of a file's pages (page number → features) to one ``.npz``."""
    arrays: dict[str, np.ndarray] = {}
    for page_no, feats in pages.items():
        arrays[f"p{page_no}_pts"] = feats.points
        arrays[f"p{page_no}_desc"] = feats.descriptors
        arrays[f"p{page_no}_size"] = np.array([feats.width, feats.height], np.int32)
    tmp = path.with_name(path.name + ".part.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def load_features(path: Path) -> dict[int, Features]:
    """Read what :func:`save_features` wrote."""
    pages: dict[int, Features] = {}
    with np.load(path) as data:
        for name in data.files:
            if name.endswith("_pts"):
                page_no = int(name[1:-4])
                width, height = data[f"p{page_no}_size"]
                pages[page_no] = Features(data[name], data[f"p{page_no}_desc"], int(width), int(height))
    return pages


class PageIndex:
    """Every page's descriptors stacked, each labelled with its page, for voting."""

    def __init__(self, pages: Iterable[tuple[Hashable, Features]]) -> None:
        self.pages: dict[Hashable, Features] = {}
        stacks = []
        for key, feats in pages:
            self.pages[key] = feats
            stacks.append(feats.voters())
        self.keys = list(self.pages)
        self.labels = np.concatenate([np.full(len(stack), i, np.int32) for i, stack in enumerate(stacks)]) \
            if stacks else np.zeros(0, np.int32)
        self.descriptors = np.concatenate(stacks) if stacks else np.zeros((0, 32), np.uint8)
        self._matcher: cv2.FlannBasedMatcher | None = None

    def candidates(self, query: Features, top: int = CANDIDATES) -> list[Hashable]:
        """The pages most of the query's strongest descriptors point to (nearest neighbour by
        locality-sensitive hashing, passing the ratio test), most votes first."""
        voters = query.descriptors[:QUERY_VOTERS]
        if len(voters) < 2 or len(self.descriptors) < 2:
            return []
        if self._matcher is None:
            self._matcher = cv2.FlannBasedMatcher(
                {"algorithm": 6, "table_number": 4, "key_size": 16, "multi_probe_level": LSH_PROBES}, {"checks": 32})
            self._matcher.add([self.descriptors])
            self._matcher.train()
        votes = np.zeros(len(self.keys), np.int64)
        for pair in self._matcher.knnMatch(voters, k=2):
            if len(pair) == 2 and pair[0].distance < RATIO * pair[1].distance:
                votes[self.labels[pair[0].trainIdx]] += 1
        order = np.argsort(-votes, kind="stable")[:top]
        return [self.keys[i] for i in order if votes[i] > 0]

    def locate(self, gray: np.ndarray, page_image: Callable[[Hashable], np.ndarray]) -> list[PageMatch]:
        """The pages ``gray`` (uint8) may show and where, best first: candidates that RANSAC confirms
        and whose pixels agree with the image once aligned (``page_image(key)`` gives them).

        Text pages are lattices of similar glyphs and official letters share whole
        paragraphs (the demo even has the same letter in two files), so a homography
        with many inliers can be wrong and two pages can both fit an image; the pixel
        check (:func:`agreement`) ranks them and rules out the false ones. An image much smaller
        than the pages (a page saved at half size, a small screenshot) is tried again at twice
        its size and a zoomed-in screenshot at 0.6 of it, where ORB's pyramid meets the page's;
        once any page is found, the image is voted with once more at exactly the pages' scale.
        """
        found: dict[Hashable, PageMatch] = {}
        tried: list[float] = []  # the scales voted at, after query_features' own shrinking
        for upscale in RESCALES + MORE_RESCALES:
            if upscale in MORE_RESCALES and found:
                break
            if not _new_scale(upscale, gray, tried):
                continue  # a large image is shrunk to QUERY_MAX_SIDE whatever it was scaled by
            tried.append(self._try_scale(gray, upscale, page_image, found))
            # Stop early only for an image about the size of a page: a small one may match a page
            # that shares its text at scale 1 and the page it really shows only at scale 2.
            if any(m.agreement >= STRONG_AGREEMENT for m in found.values()) and max(gray.shape) >= SMALL_QUERY:
                break
        if found:
            # The vote is sharp only within a few per cent of the pages' own scale: viewer
            # screenshots showing the page at 117 % put the right page first in 7 of 25 trials
            # as they were, and in 24 of 25 brought to the page's own scale.
            # Any page found, even one that only shares a letter's text, tells that scale:
            # vote again there.
            best = max(found.values(), key=lambda m: m.agreement)
            upscale = page_scale(best.homography)
            if 0.1 <= upscale <= 4.0 and _new_scale(upscale, gray, tried):
                self._try_scale(gray, upscale, page_image, found)
        return sorted(found.values(), key=lambda m: -m.agreement)

    def _try_scale(self, gray: np.ndarray, upscale: float, page_image: Callable[[Hashable], np.ndarray],
                   found: dict[Hashable, PageMatch]) -> float:
        """Vote with ``gray`` resized by ``upscale``, add the candidates that align to ``found``, and
        return the scale the features were taken at."""
        query = gray if upscale == 1.0 else cv2.resize(
            gray, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC if upscale > 1 else cv2.INTER_AREA)
        feats, scale = query_features(query)
        for key in self.candidates(feats):
            match = match_page(feats, self.pages[key], key, scale * upscale)
            if match is None:
                continue
            score = agreement(gray, match.homography, page_image(key))
            if score >= MIN_AGREEMENT and (key not in found or score > found[key].agreement):
                found[key] = replace(match, agreement=score)
        return scale * upscale


def _new_scale(upscale: float, gray: np.ndarray, tried: list[float]) -> bool:
    """Whether voting with ``gray`` resized by ``upscale`` differs from every scale in ``tried``."""
    effective = min(upscale, QUERY_MAX_SIDE / max(gray.shape))
    return all(abs(effective / t - 1.0) > REFINE_TOLERANCE for t in tried)


def page_scale(homography: np.ndarray) -> float:
    """Page pixels per image pixel of a homography from an image to a page (its mean linear scale)."""
    return float(np.sqrt(abs(np.linalg.det(homography[:2, :2]))))


def agreement(gray: np.ndarray, homography: np.ndarray, page: np.ndarray, tile: int = 48) -> float:
    """How well the image, warped onto the page, matches it: the median correlation over the page's
    textured tiles that the image covers.

    Tile by tile, so that what lies around the page in a photo (a desk, a hand, a
    screen's frame), uneven light and a tone change do not count against a true
    match, while a wrong page that only shares a text lattice scores near zero.
    """
    height, width = page.shape
    warped = cv2.warpPerspective(gray.astype(np.float32), homography, (width, height), flags=cv2.INTER_LINEAR)
    inside = cv2.warpPerspective(np.ones(gray.shape, np.uint8), homography, (width, height),
                                 flags=cv2.INTER_NEAREST)
    a = cv2.GaussianBlur(warped, (0, 0), 1.5)
    b = cv2.GaussianBlur(page.astype(np.float32), (0, 0), 1.5)
    rows, cols = height // tile, width // tile
    if rows == 0 or cols == 0:
        return 0.0

    def tiles(x: np.ndarray) -> np.ndarray:
        return x[:rows * tile, :cols * tile].reshape(rows, tile, cols, tile).swapaxes(1, 2).reshape(rows * cols, -1)

    ta, tb, covered = tiles(a), tiles(b), tiles(inside).min(axis=1) > 0
    ta = ta - ta.mean(axis=1, keepdims=True)
    tb = tb - tb.mean(axis=1, keepdims=True)
    energy_b = (tb * tb).sum(axis=1)
    textured = covered & (energy_b > (8.0 ** 2) * tile * tile)
    if textured.sum() < 4:
        return 0.0
    energy_a = (ta * ta).sum(axis=1)
    ncc = (ta * tb).sum(axis=1) / np.sqrt(np.maximum(energy_a * energy_b, 1e-6))
    return float(np.median(ncc[textured]))


def match_page(query: Features, page: Features, key: Hashable, scale: float = 1.0) -> PageMatch | None:
    """Homography from the query image to ``page`` if RANSAC finds a plausible one.

    ``query`` holds the features of the image resized by ``scale``; the homography
    returned maps pixels of the image itself.
    """
    if len(query.descriptors) < 4 or len(page.descriptors) < 4:
        return None
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    good = [p[0] for p in matcher.knnMatch(query.descriptors, page.descriptors, k=2)
            if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    src = query.points[[m.queryIdx for m in good]]
    dst = page.points[[m.trainIdx for m in good]]
    homography, mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 4.0, maxIters=5000, confidence=0.999)
    if homography is None:
        return None
    inliers = int(mask.sum())
    if inliers < MIN_INLIERS or not _plausible(homography, query):
        return None
    if scale != 1.0:  # the features were taken on a resized image
        homography = homography @ np.diag([scale, scale, 1.0])
    corners = np.array([[0, 0], [query.width, 0], [query.width, query.height], [0, query.height]],
                       np.float32).reshape(-1, 1, 2) / np.float32(scale)
    projected = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    projected[:, 0] = projected[:, 0].clip(0, page.width)
    projected[:, 1] = projected[:, 1].clip(0, page.height)
    coverage = float(cv2.contourArea(projected) / (page.width * page.height))
    return PageMatch(key, homography, inliers, coverage)


def _plausible(homography: np.ndarray, query: Features) -> bool:
    """Reject degenerate fits: a flip, a collapse, or a wild perspective."""
    corners = np.array([[0, 0], [query.width, 0], [query.width, query.height], [0, query.height]],
                       np.float32).reshape(-1, 1, 2)
    projected = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    if cv2.contourArea(projected) < 1.0 or not cv2.isContourConvex(projected.astype(np.float32)):
        return False
    det = np.linalg.det(homography[:2, :2])
    return bool(det > 0 and abs(homography[2, 0]) < 0.01 and abs(homography[2, 1]) < 0.01)
