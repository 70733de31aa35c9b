"""Truy vết bản đọc: leaders and admins upload images of a leaked page and learn whose copy it was."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from ..auth_session import current_actor
from ..errors import ValidationError
from ..forms import TraceForm, apply_errors
from ..services import tracing as tracing_svc
from .staff import staff_required

bp = Blueprint("tracing", __name__, url_prefix="/nghiep-vu/truy-vet")


@bp.route("/", methods=["GET", "POST"])
@staff_required("watermark.trace")
def trace():
    """The upload form, and on POST the answer for each image."""
    form = TraceForm()
    results = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        limit = current_app.config["TRACE_MAX_BYTES"]
        # One byte more than the limit is enough for the service to refuse an image as too large.
        images = [(upload.filename or "", upload.read(limit + 1)) for upload in form.images.data or []
                  if upload and upload.filename]
        try:
            results = tracing_svc.trace_images(current_actor(), images)
        except ValidationError as error:
            apply_errors(form, error)
    if request.method == "POST" and results is None:
        status = 400
    return render_template("staff/trace.html", form=form, results=results,
                           copy_time=tracing_svc.copy_time), status
