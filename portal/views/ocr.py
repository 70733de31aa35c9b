"""Staff pages for the content of scans: reading progress per file, low confidence, re-run, correction."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth_session import current_actor
from ..dashboard import HealthResult, register_health_check
from ..caching import personal_blueprint
from ..errors import DomainError
from ..extensions import db
from ..forms import ConfirmForm
from ..models import RecordFile
from ..permissions import can
from ..redirects import redirect_back
from ..services import ocr

bp = Blueprint("ocr", __name__, url_prefix="/nghiep-vu/nhan-dang")
personal_blueprint(bp)  # private pages: never stored by a browser or proxy


def _staff_record(file_id: int) -> RecordFile:
    if not current_user.is_authenticated or not can(current_user, "records.edit"):
        abort(403)
    record = db.session.get(RecordFile, file_id)
    if record is None:
        abort(404)
    return record


@bp.get("/")
@login_required
def overview():
    """Every digitised file: pages read, mean confidence, the job's state; ``?thap=1``: low confidence only."""
    if not can(current_user, "records.edit"):
        abort(403)
    low = request.args.get("thap") == "1"
    rows = ocr.overview(current_actor(), low_only=low)
    return render_template("staff/ocr.html", rows=rows, low=low, unavailable=ocr.ocr_unavailable(),
                           form=ConfirmForm())


@bp.post("/ho-so/<int:file_id>/chay-lai")
@login_required
def rerun(file_id: int):
    """Read the file's pages again (corrected pages are kept)."""
    record = _staff_record(file_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ocr.rerun(current_actor(), record)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Đã xếp hàng nhận dạng lại hồ sơ %(code)s.", code=record.file_code), "success")
    return redirect_back("ocr.overview")


@bp.get("/ho-so/<int:file_id>")
@login_required
def file_pages(file_id: int):
    """The text read on each page of one file, with its confidence and the link to correct it."""
    record = _staff_record(file_id)
    progress = ocr.progress([record])[0] if record.scan_path else None
    return render_template("staff/ocr_file.html", record=record, pages=ocr.page_texts(record), progress=progress,
                           form=ConfirmForm())


@bp.route("/ho-so/<int:file_id>/trang/<int:page_no>", methods=["GET", "POST"])
@login_required
def correct(file_id: int, page_no: int):
    """Correct the recognised text of one page (audited; the search index follows)."""
    record = _staff_record(file_id)
    row = next((p for p in ocr.page_texts(record) if p.page_no == page_no), None)
    if row is None:
        abort(404)
    form = ConfirmForm()
    error = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            ocr.correct_page(current_actor(), record, page_no, request.form.get("text", ""))
        except DomainError as exc:
            error = exc.message
        else:
            flash(_("Đã lưu văn bản trang %(n)d.", n=page_no), "success")
            return redirect(url_for("ocr.file_pages", file_id=record.id))
    return render_template("staff/ocr_page.html", record=record, row=row, form=form, error=error), \
        400 if error else 200


@register_health_check("ocr_backlog", _l("Nhận dạng chữ (OCR)"), order=35)
def ocr_backlog_check() -> HealthResult:
    """Pages still waiting for their text; not ok when recognition cannot run or a job failed."""
    left = ocr.backlog()
    text = _("%(pages)d trang chờ nhận dạng (%(files)d hồ sơ); %(failed)d tác vụ lỗi",
             pages=left.pages, files=left.files, failed=left.failed)
    if left.unavailable:
        text = f"{text}. {left.unavailable}"
    return HealthResult(text, ok=left.unavailable is None and not left.failed,
                        link=url_for("ocr.overview") if left.pages or left.failed else None)
