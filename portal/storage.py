"""The disk under DATA_DIR: telling a full disk from other I/O errors, and how much is free.

Every writer of files under DATA_DIR removes its partial file when a write
fails (scans, letters, reading copies, uploads); :func:`disk_guard` turns the
"no space left" error into :class:`~portal.errors.StorageFull`, whose message
says what happened in the user's language, so views show it like any other
domain error and the portal keeps serving.
"""
from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from .errors import StorageFull

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(exc: BaseException) -> bool:
    """True for "no space left on device" and "disk quota exceeded"."""
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS


def disk_full_message() -> str:
    """What a user is told when the disk is full."""
    return _("Ổ lưu trữ của phòng đọc đã đầy nên thao tác chưa được thực hiện; không có gì được lưu dở. "
             "Vui lòng báo quản trị viên giải phóng dung lượng rồi thử lại.")


@contextmanager
def disk_guard() -> Iterator[None]:
    """Raise :class:`StorageFull` instead of a full disk's ``OSError`` (the caller cleans up as usual)."""
    try:
        yield
    except OSError as exc:
        if is_disk_full(exc):
            raise StorageFull(disk_full_message()) from exc
        raise


@dataclass
class DiskState:
    """Space under DATA_DIR."""

    path: str
    total_bytes: int
    free_bytes: int
    low: bool  # below DISK_MIN_FREE_MB


def disk_state() -> DiskState:
    """How much space is left under DATA_DIR."""
    folder = Path(current_app.config["DATA_DIR"])
    usage = shutil.disk_usage(folder)
    minimum = int(current_app.config.get("DISK_MIN_FREE_MB", 500)) * 1024 * 1024
    return DiskState(path=folder.name, total_bytes=usage.total, free_bytes=usage.free, low=usage.free < minimum)
