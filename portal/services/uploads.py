"""Receiving uploaded files safely: temporary folders and ZIP extraction."""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from ..errors import ValidationError
from ..storage import disk_guard

ZIP_MAX_FILES = 5000


@contextmanager
def upload_workspace() -> Iterator[Path]:
    """A temporary folder under DATA_DIR, removed afterwards whatever happens."""
    root = Path(current_app.config["DATA_DIR"]) / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_upload(upload: FileStorage, folder: Path) -> Path:
    """Write an uploaded file into ``folder`` under a safe name."""
    name = secure_filename(upload.filename or "") or "upload"
    target = folder / name
    with disk_guard():  # the workspace (and so the partial file) is removed by upload_workspace
        upload.save(target)
    return target


def extract_zip(archive: Path, dest: Path) -> Path:
    """Extract ``archive`` into ``dest``, refusing path tricks and zip bombs."""
    limit = current_app.config["SCAN_MAX_BYTES"] * 2
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.infolist() if not m.is_dir()]
            if len(members) > ZIP_MAX_FILES:
                raise ValidationError(_("Tệp ZIP có quá nhiều tệp."))
            if sum(m.file_size for m in members) > limit:
                raise ValidationError(_("Nội dung tệp ZIP quá lớn."))
            for member in members:
                path = PurePosixPath(member.filename)
                if path.is_absolute() or ".." in path.parts or member.filename.startswith("\\"):
                    raise ValidationError(_("Tệp ZIP chứa đường dẫn không hợp lệ."))
                if path.name.startswith(".") or "__MACOSX" in path.parts:
                    continue
                target = dest.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with disk_guard(), bundle.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("Tệp ZIP bị hỏng.")) from exc
    return dest


def is_zip(path: Path) -> bool:
    return zipfile.is_zipfile(path)
