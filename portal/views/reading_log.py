"""Who read what: the reading log of one reader or of one file (staff)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..auth_session import current_actor
from ..services import reading_log
from .staff import staff_required

bp = Blueprint("reading_log", __name__, url_prefix="/nghiep-vu/nhat-ky-doc")


@bp.get("/doc-gia/<int:reader_id>")
@staff_required("reading.log")
def for_reader(reader_id: int):
    """Every open and page fetch of one account's reading copies."""
    user, log = reading_log.for_reader(current_actor(), reader_id)
    return render_template("staff/reading_log.html", log=log, reader=user, record=None)


@bp.get("/ho-so/<int:file_id>")
@staff_required("reading.log")
def for_file(file_id: int):
    """Every open and page fetch of one file's reading copies."""
    record, log = reading_log.for_file(current_actor(), file_id)
    return render_template("staff/reading_log.html", log=log, reader=None, record=record)
