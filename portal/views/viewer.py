"""The reading-copy viewer and the bytes behind it.

The PDF is served only to the user the copy was made for, while their grant is
active (or, for staff review copies, while the copy is fresh), with range
requests, no caching and inline disposition; every open and range is logged.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth_session import current_actor
from ..caching import personal_blueprint
from ..errors import NotFound
from ..extensions import db, limiter, user_or_address
from ..forms import ConfirmForm, DataSaverForm
from ..models import AccessKind, ReadingCopyStatus, RecordFile
from ..permissions import can
from ..services import ocr, reading

bp = Blueprint("viewer", __name__)
personal_blueprint(bp)  # private pages: never stored by a browser or proxy

# pdf.js needs its worker ('self'), WebAssembly for image decoders, and nothing inline.
VIEWER_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _viewer_page(copy, title: str, back_url: str, is_staff_copy: bool, search_url: str | None = None):
    actor = current_actor()
    variant = reading.served_variant(actor, copy)
    response = render_template("viewer/viewer.html", copy=copy, title=title, back_url=back_url,
                               pdf_url=url_for("viewer.pdf", copy_id=copy.id, v=variant or "standard"),
                               pdf_length=reading.variant_size(copy, variant),
                               layout=reading.copy_layout(copy, variant),
                               is_staff_copy=is_staff_copy, data_saver=actor.data_saver,
                               saver_available=bool(copy.saver_path), saver_form=DataSaverForm(),
                               search_url=search_url)
    reading.log_access(actor, copy, AccessKind.OPEN, None, None, 0, request.remote_addr, variant)
    return _with_viewer_headers(response)


def _with_viewer_headers(body):
    from flask import make_response

    response = make_response(body)
    response.headers["Content-Security-Policy"] = VIEWER_CSP
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/doc/<int:item_id>")
@login_required
def read(item_id: int):
    """The reader's viewer for one granted item (or 'preparing' while the copy is built)."""
    item = reading.reader_item(current_actor(), item_id)
    if not reading.grant_is_active(item):
        return render_template("viewer/ended.html", item=item,
                               undecided=item.status in ("submitted", "forwarded")), 403
    copy = reading.copy_of_item(item)
    if copy is None or copy.status != ReadingCopyStatus.READY.value:
        return _with_viewer_headers(render_template("viewer/preparing.html", item=item, copy=copy))
    return _viewer_page(copy, item.file.title, url_for("reader.request_detail", request_id=item.request_id), False,
                        url_for("viewer.search_inside", item_id=item.id))


@bp.get("/doc/<int:item_id>/tim-kiem")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_PAGE_SEARCH"], key_func=user_or_address)
def search_inside(item_id: int):
    """Search inside the file being read: JSON hits by page (snippet, word boxes), for the grant holder only.

    Rate-limited, so it is a way to find a passage, not to pull the whole text out word by word.
    """
    item = reading.reader_item(current_actor(), item_id)
    if not reading.grant_is_active(item):
        abort(403)
    response = jsonify(ocr.search_in_file(item.file, request.args.get("q", "")))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/ban-doc/<int:copy_id>.pdf")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_READING"], key_func=user_or_address)
def pdf(copy_id: int):
    """The copy's bytes: range requests, no caching, inline, logged.

    A top-level navigation (``Sec-Fetch-Dest: document``: the address typed or
    opened in a tab) is refused, so the browser's own PDF viewer, with its
    Download and Print buttons, never gets the bytes; only the portal's viewer
    (a fetch from its script) does.
    """
    if request.headers.get("Sec-Fetch-Dest", "").lower() in ("document", "iframe", "frame", "embed", "object"):
        return render_template("error.html", status=403, message=_(
            "Bản đọc chỉ mở được trong trình xem của phòng đọc trực tuyến.")), 403, {"Cache-Control": "private, no-store"}
    actor = current_actor()
    copy = reading.copy_for_serving(actor, copy_id)
    variant = reading.served_variant(actor, copy, request.args.get("v"))
    response = send_file(reading.variant_path(copy, variant), mimetype="application/pdf", conditional=True,
                         etag=False, max_age=0, last_modified=None)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = 'inline; filename="ban-doc.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    start = end = None
    if response.status_code == 206 and response.content_range is not None:
        start, end = response.content_range.start, response.content_range.stop
    reading.log_access(actor, copy, AccessKind.RANGE if start is not None else AccessKind.FULL, start, end,
                       response.content_length or 0, request.remote_addr, variant)
    return response


@bp.route("/nghiep-vu/ho-so/<int:file_id>/xem", methods=["GET", "POST"])
@login_required
def staff_view(file_id: int):
    """Staff review of a file's pages in the same viewer, with a staff watermark."""
    record = db.session.get(RecordFile, file_id)
    if record is None:
        abort(404)
    if not can(current_actor(), "reading.staff_review", record):
        abort(403)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            reading.request_staff_copy(current_actor(), record)
        except NotFound as error:
            flash(error.message, "error")
            return redirect(url_for("public.file_detail", file_id=record.id))
        return redirect(url_for("viewer.staff_view", file_id=record.id))
    copy = reading.latest_staff_copy(current_actor(), record)
    if copy is None or copy.status != ReadingCopyStatus.READY.value:
        return _with_viewer_headers(render_template("viewer/preparing.html", item=None, copy=copy, record=record,
                                                    form=ConfirmForm()))
    return _viewer_page(copy, record.title, url_for("public.file_detail", file_id=record.id), True)
