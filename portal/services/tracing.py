"""Leak tracing (truy vết bản đọc): which reader's copy a leaked page image came from.

Staff (leaders, admins) hand in images — a page as served, a screenshot, a crop,
a photo of a screen or of a print. For each image the portal finds the page it
shows among every digitised file (:mod:`watermark.locate`), aligns it, and tests
the invisible mark of every copy ever made of that page, purged copies included
(the page is drawn again from its derivative and what the copy row keeps). A
copy is named only when its score passes the threshold that keeps the chance of
naming someone who did not receive the page below one in a million
(:mod:`watermark.detect`). Every trace is written to the audit trail.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps
from sqlalchemy import select

from watermark.imaging import ImageRejected, open_checked
from watermark import detect, locate
from watermark.mark import copy_key
from watermark.render import deriv_name
from watermark.stamp import decode_page, draw_trace_mask, stamp_visible

from ..errors import ValidationError
from ..extensions import db
from ..models import ReadingCopy, RecordFile, User
from ..permissions import require
from .audit import record_event
from .reading import mark_secret

FEATURES_FILE = "features-v1.npz"
SIMILAR_PAGES = 0.2
"""Pages whose alignment agrees within this of the best one are tested too (shared boilerplate)."""


@dataclass
class Suspect:
    """A copy whose mark the image carries."""

    copy: ReadingCopy
    score: float
    false_bound: float  # upper bound on the chance this naming is wrong

    @property
    def confidence(self) -> float:
        return 1.0 - self.false_bound


@dataclass
class TraceResult:
    """What one image told: the page it shows (or none), the copies named, the evidence."""

    name: str
    sha256: str
    record: RecordFile | None = None
    page_no: int | None = None
    coverage: float = 0.0
    tested: int = 0
    threshold: float = 0.0
    best_other: float | None = None
    suspects: list[Suspect] = field(default_factory=list)
    error: str | None = None

    @property
    def matched(self) -> bool:
        return bool(self.suspects)


# --- the page index -------------------------------------------------------------------

_index_lock = threading.Lock()
_index_cache: dict[str, tuple[tuple, locate.PageIndex]] = {}


def _scan_folder(record: RecordFile) -> Path:
    return Path(current_app.config["DATA_DIR"]) / str(record.scan_path)


def page_image(record: RecordFile, page_no: int) -> Image.Image:
    """The page's reading derivative, decoded as the copy build decodes it."""
    return decode_page((_scan_folder(record) / deriv_name(page_no)).read_bytes())


def _gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image if image.mode == "L" else image.convert("L"))


def file_features(record: RecordFile) -> dict[int, locate.Features]:
    """The ORB features of every page of a file, computed once and kept beside its derivatives."""
    path = _scan_folder(record) / FEATURES_FILE
    newest = max((_scan_folder(record) / deriv_name(p.page_no)).stat().st_mtime for p in record.page_scans)
    if path.exists() and path.stat().st_mtime >= newest:
        return locate.load_features(path)
    pages = {p.page_no: locate.features(_gray(page_image(record, p.page_no))) for p in record.page_scans}
    locate.save_features(path, pages)
    return pages


def _digitised_files() -> list[RecordFile]:
    return list(db.session.scalars(select(RecordFile).where(RecordFile.scan_path.is_not(None))
                                   .order_by(RecordFile.id)))


def page_index() -> locate.PageIndex:
    """One index over every page of every digitised file, rebuilt when a scan changes."""
    records = [r for r in _digitised_files() if r.page_scans]
    signature = tuple((r.id, str(r.scan_path), len(r.page_scans), str(r.scan_updated_at)) for r in records)
    key = str(Path(current_app.config["DATA_DIR"]).resolve())
    with _index_lock:
        cached = _index_cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        entries = [((r.id, page_no), feats) for r in records for page_no, feats in file_features(r).items()]
        index = locate.PageIndex(entries)
        _index_cache[key] = (signature, index)
        return index


def build_features(progress=None) -> int:
    """Compute the page features of every digitised file now (CLI), so the first trace is quick."""
    count = 0
    for record in _digitised_files():
        if record.page_scans:
            count += len(file_features(record))
        if progress:
            progress(1)
    return count


# --- tracing --------------------------------------------------------------------------

_mask_lock = threading.Lock()
_masks: OrderedDict[tuple[tuple[int, int], str], Image.Image] = OrderedDict()


def _stamp_mask(size: tuple[int, int], text: str) -> Image.Image:
    """A copy's diagonal-line mask, kept in a small LRU: drawing one takes longer than testing a copy."""
    key = (size, text)
    with _mask_lock:
        if key in _masks:
            _masks.move_to_end(key)
            return _masks[key]
    mask = draw_trace_mask(size, text)
    with _mask_lock:
        _masks[key] = mask
        while len(_masks) > current_app.config["TRACE_MASK_CACHE"]:
            _masks.popitem(last=False)
    return mask


def reference_page(page: Image.Image, copy: ReadingCopy) -> np.ndarray:
    """The page as ``copy`` showed it, without its invisible mark (grey levels)."""
    text = copy.stamp_text or ""
    return _gray(stamp_visible(page, text, copy.stamp_archive or "", mask=_stamp_mask(page.size, text)))


def _decode_upload(data: bytes) -> np.ndarray:
    try:
        with open_checked(data, None, current_app.config["TRACE_MAX_PIXELS"]) as image:
            upright = ImageOps.exif_transpose(image)  # a phone photo taken sideways
            return np.asarray(upright.convert("L"))
    except ImageRejected as exc:
        if exc.reason == "too_large":
            raise ValidationError(_("Ảnh quá lớn.")) from exc
        raise ValidationError(_("Tệp không phải là ảnh đọc được (PNG, JPEG, WebP…).")) from exc


def _copies_of(record: RecordFile, page_no: int) -> list[ReadingCopy]:
    """Every marked copy ever made of the file that has this page, purged ones included."""
    return list(db.session.scalars(select(ReadingCopy).where(
        ReadingCopy.file_id == record.id, ReadingCopy.mark_version.is_not(None),
        ReadingCopy.stamp_text.is_not(None), ReadingCopy.pages >= page_no,
    ).order_by(ReadingCopy.id)))


def trace_image(name: str, data: bytes, index: locate.PageIndex | None = None) -> TraceResult:
    """Find the page an image shows and the copies whose mark it carries (no audit, no permission)."""
    result = TraceResult(name=name, sha256=hashlib.sha256(data).hexdigest())
    gray = _decode_upload(data)
    index = index or page_index()
    records: dict[int, RecordFile] = {}

    def original(key: tuple[int, int]) -> np.ndarray:
        file_id, page_no = key
        records.setdefault(file_id, db.session.get(RecordFile, file_id))
        return _gray(page_image(records[file_id], page_no))

    found = index.locate(gray, original)
    if not found:
        return result
    best = found[0]
    pages = [m for m in found if m.agreement >= best.agreement - SIMILAR_PAGES]
    scored: list[tuple[float, ReadingCopy]] = []
    secret = mark_secret()
    for match in pages:
        file_id, page_no = match.page
        record = records.get(file_id) or db.session.get(RecordFile, file_id)
        page = page_image(record, page_no)
        aligned = detect.align(gray, match.homography, _gray(page))
        for copy in _copies_of(record, page_no):
            rho = detect.cell_residual(aligned, reference_page(page, copy))
            scored.append((detect.score(rho, copy_key(secret, copy.id), page_no, page.width, page.height), copy))
    file_id, page_no = best.page
    result.record, result.page_no, result.coverage = records.get(file_id), page_no, best.coverage
    result.tested = len(scored)
    result.threshold = detect.threshold(len(scored))
    scored.sort(key=lambda pair: -pair[0])
    result.suspects = [Suspect(copy, z, detect.false_accusation_bound(z, len(scored)))
                       for z, copy in scored if z >= result.threshold]
    others = [z for z, _copy in scored if z < result.threshold]
    result.best_other = others[0] if others else None
    return result


def trace_images(actor: User | None, images: list[tuple[str, bytes]]) -> list[TraceResult]:
    """Trace each image and audit it; ``actor`` is None only for the CLI.

    An image that cannot be read gets its error in its result; the others are
    traced all the same.
    """
    if actor is not None:
        require(actor, "watermark.trace")
    if not images:
        raise ValidationError(_("Hãy chọn ít nhất một ảnh."), {"images": [_("Hãy chọn ít nhất một ảnh.")]})
    most = current_app.config["TRACE_MAX_IMAGES"]
    if actor is not None and len(images) > most:
        message = _("Mỗi lần truy vết tối đa %(n)d ảnh.", n=most)
        raise ValidationError(message, {"images": [message]})
    index = page_index()
    results = []
    for name, data in images:
        try:
            if len(data) > current_app.config["TRACE_MAX_BYTES"]:
                raise ValidationError(_("Ảnh quá lớn."))
            result = trace_image(name, data, index)
        except ValidationError as error:
            result = TraceResult(name=name, sha256=hashlib.sha256(data).hexdigest(), error=error.message)
        results.append(result)
        record_event(db.session, actor, "watermark.trace", "trace_image", result.sha256[:16], data={
            "image": name[:200], "sha256": result.sha256, "error": result.error,
            "file_id": result.record.id if result.record else None, "page": result.page_no,
            "tested": result.tested, "threshold": round(result.threshold, 2),
            "named": [{"copy_id": s.copy.id, "user_id": s.copy.user_id, "score": round(s.score, 1)}
                      for s in result.suspects],
            "best_other": round(result.best_other, 2) if result.best_other is not None else None,
        }, to_state="named" if result.suspects else "no_match")
    db.session.commit()
    return results


def copy_time(copy: ReadingCopy) -> datetime | None:
    """When the copy was made (its pages carry this moment)."""
    return copy.built_at or copy.created_at
