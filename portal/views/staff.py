"""The staff area: readers to clear, the audit trail, catalogue editing and imports."""
from __future__ import annotations

from functools import wraps
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth_session import current_actor
from .. import workflow
from ..caching import personal_blueprint
from ..dashboard import panels_for as dashboard_panels
from ..errors import DomainError, Refused, ValidationError
from ..extensions import db, limiter, user_or_address
from ..forms import (
    ConfirmForm, DecisionForm, FileForm, FondsForm, ImportForm, MessageForm, ReasonForm, RegisterExportForm, ScanUploadForm,
    apply_errors,
)
from ..models import Clearance, Fonds, ReadingCopy, RecordFile, Role
from ..permissions import can
from ..request_limits import accepts_upload
from ..services import accounts, audit, importer, records, uploads
from ..services import reading as reading_svc
from ..services import ocr as ocr_svc
from ..services import queue as queue_svc
from ..services import requests as requests_svc
from ..services.health import health_report
from ..workflow import ItemStatus

bp = Blueprint("staff", __name__, url_prefix="/nghiep-vu")
personal_blueprint(bp)  # private pages: never stored by a browser or proxy


def staff_required(action: str = "staff.enter"):
    """Only logged-in users that ``permissions.can`` allows ``action``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.get("/")
@staff_required()
def dashboard():
    """The home of the user's role: the panels registered for it (see portal/dashboard.py), and the
    system's health for who keeps it."""
    me = current_actor()
    health = health_report() if can(me, "system.health") else None
    return render_template("staff/dashboard.html", panels=dashboard_panels(me), health=health)


# --- readers ------------------------------------------------------------------

@bp.get("/doc-gia")
@staff_required("readers.review")
def readers():
    """Readers by clearance state (default: waiting)."""
    state = request.args.get("state", Clearance.PENDING.value)
    return render_template("staff/readers.html", readers=accounts.list_readers(state), state=state)


@bp.get("/doc-gia/<int:reader_id>")
@staff_required("readers.review")
def reader_detail(reader_id: int):
    """One reader's account fields, consents and history."""
    reader = accounts.get_reader(reader_id)
    return render_template("staff/reader_detail.html", reader=reader, form=ReasonForm(),
                           events=audit.events_for(db.session, "user", reader.id))


@bp.post("/doc-gia/<int:reader_id>/<action>")
@staff_required("readers.review")
def reader_clearance(reader_id: int, action: str):
    """Clear or block a reader (a reason is required to block)."""
    targets = {"xac-minh": Clearance.CLEARED.value, "khoa": Clearance.BLOCKED.value}
    if action not in targets:
        abort(404)
    reader = accounts.get_reader(reader_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            accounts.set_clearance(current_actor(), reader, targets[action], form.reason.data)
        except ValidationError as error:
            apply_errors(form, error)
            return render_template("staff/reader_detail.html", reader=reader, form=form,
                                   events=audit.events_for(db.session, "user", reader.id)), 400
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Đã xác minh tài khoản.") if action == "xac-minh" else _("Đã khóa tài khoản."), "success")
    return redirect(url_for("staff.reader_detail", reader_id=reader.id))


@bp.get("/nhat-ky")
@staff_required("audit.view")
def audit_trail():
    """The audit trail, newest first, optionally for one kind of object."""
    obj_type = (request.args.get("type") or "")[:40] or None
    action = (request.args.get("action") or "")[:60] or None
    page = int(request.args["page"]) if request.args.get("page", "").isdecimal() else 1
    page = max(1, min(page, 10_000))
    events = audit.events_for(db.session, obj_type, limit=100, offset=(page - 1) * 100, action=action)
    return render_template("staff/audit.html", events=events, obj_type=obj_type or "", action=action or "",
                           page=page, user_names=audit.user_names(db.session, events))


# --- catalogue editing --------------------------------------------------------------

@bp.route("/phong/moi", methods=["GET", "POST"])
@bp.route("/phong/<int:fonds_id>/sua", methods=["GET", "POST"])
@staff_required("records.edit")
def fonds_edit(fonds_id: int | None = None):
    """Create or edit a fonds."""
    fonds = db.session.get(Fonds, fonds_id) if fonds_id else None
    if fonds_id and fonds is None:
        abort(404)
    form = FondsForm(obj=fonds)
    if form.validate_on_submit():
        try:
            fonds = records.save_fonds(current_actor(), form.data, fonds)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Đã lưu phông."), "success")
            return redirect(url_for("public.fonds_detail", code=fonds.code))
    status = 400 if request.method == "POST" else 200
    return render_template("staff/fonds_form.html", form=form, fonds=fonds), status


@bp.route("/phong/<int:fonds_id>/ho-so/moi", methods=["GET", "POST"])
@bp.route("/ho-so/<int:file_id>/sua", methods=["GET", "POST"])
@staff_required("records.edit")
def file_edit(fonds_id: int | None = None, file_id: int | None = None):
    """Create or edit a file with every TT 05/2025 field."""
    record = db.session.get(RecordFile, file_id) if file_id else None
    if file_id and record is None:
        abort(404)
    fonds = record.fonds if record else db.session.get(Fonds, fonds_id)
    if fonds is None:
        abort(404)
    form = FileForm(obj=record)
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items()}
        chosen = request.form.get("fonds_id", "")
        target = db.session.get(Fonds, int(chosen)) if chosen.isdecimal() and len(chosen) <= 9 else fonds
        try:
            record = records.save_file(current_actor(), target or fonds, data, record)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Đã lưu hồ sơ."), "success")
            return redirect(url_for("public.file_detail", file_id=record.id))
    status = 400 if request.method == "POST" else 200
    all_fonds = list(db.session.scalars(select(Fonds).order_by(Fonds.code)))
    return render_template("staff/file_form.html", form=form, record=record, fonds=fonds,
                           all_fonds=all_fonds), status


@bp.route("/ho-so/<int:file_id>/ban-quet", methods=["GET", "POST"])
@accepts_upload("SCAN_MAX_BYTES")
@staff_required("records.edit")
def file_scan(file_id: int):
    """Attach or replace a file's scan: a PDF, or a ZIP of page images."""
    record = db.session.get(RecordFile, file_id)
    if record is None:
        abort(404)
    form = ScanUploadForm()
    if form.validate_on_submit():
        try:
            with uploads.upload_workspace() as folder:
                saved = uploads.save_upload(form.scan.data, folder)
                source = uploads.extract_zip(saved, folder / "pages") if uploads.is_zip(saved) else saved
                records.attach_scan(current_actor(), record, source)
        except DomainError as error:
            form.scan.errors = [error.message]
        else:
            flash(_("Đã lưu bản quét (%(n)d trang).", n=record.scan_pages or 0), "success")
            return redirect(url_for("public.file_detail", file_id=record.id))
    status = 400 if request.method == "POST" else 200
    return render_template("staff/file_scan.html", form=form, record=record), status


@bp.route("/nhap-du-lieu", methods=["GET", "POST"])
@accepts_upload("MAX_CONTENT_LENGTH")
@staff_required("records.import")
def import_manifest():
    """Run a manifest import from the browser: a CSV, or a ZIP with manifest and scans."""
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        try:
            with uploads.upload_workspace() as folder:
                saved = uploads.save_upload(form.manifest.data, folder)
                manifest = _find_manifest(uploads.extract_zip(saved, folder / "bundle")) \
                    if uploads.is_zip(saved) else saved
                report = importer.import_manifest(current_actor(), manifest)
        except DomainError as error:
            form.manifest.errors = [error.message]
    status = 400 if request.method == "POST" and report is None else 200
    return render_template("staff/import.html", form=form, report=report), status


def _find_manifest(folder: Path) -> Path:
    candidates = sorted(p for p in folder.rglob("*.csv") if p.name != "documents.csv")
    preferred = [p for p in candidates if p.name == "manifest.csv"]
    if not (preferred or candidates):
        raise ValidationError(_("Tệp ZIP không có manifest CSV."))
    return (preferred or candidates)[0]


# --- requests -----------------------------------------------------------------------

@bp.get("/yeu-cau")
@staff_required("requests.queue")
def queue():
    """Items to review, soonest due first; filters: status, mode, overdue, reader."""
    role = current_user.role
    default_status = ItemStatus.FORWARDED.value if role == Role.LEADER.value else ItemStatus.SUBMITTED.value
    filters = requests_svc.QueueFilters(
        status=request.args.get("status", default_status), mode=request.args.get("mode", ""),
        overdue=request.args.get("overdue") == "1", reader=request.args.get("reader", "")[:100])
    items = requests_svc.queue(current_actor(), filters)
    return render_template("staff/queue.html", items=items, filters=filters, is_overdue=requests_svc.is_overdue)


@bp.get("/yeu-cau/<int:request_id>")
@staff_required("requests.queue")
def request_detail(request_id: int):
    """A request with a decision form for each item, the timeline and the thread."""
    req = requests_svc.get_request(current_actor(), request_id)
    return _request_page(req)


def _request_page(req, form=None, message_form=None, failed_item=None, status=200):
    return render_template(
        "staff/request_detail.html", req=req, timeline=requests_svc.timeline(req),
        message_form=message_form or MessageForm(), decision_form=form or DecisionForm(), failed_item=failed_item,
        actions_for=lambda item: [a for a in workflow.actions_from(item.status, item.file.mode)
                                  if can(current_user, f"item.{a.value}", item)],
        is_overdue=requests_svc.is_overdue,
    ), status


@bp.post("/muc/<int:item_id>/<action>")
@staff_required("requests.queue")
def decide_item(item_id: int, action: str):
    """Approve, refuse, forward, leader-approve, leader-refuse or revoke one item."""
    me = current_actor()
    item = requests_svc.get_item(me, item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    version = int(form.version.data) if (form.version.data or "").isdecimal() else None
    try:
        requests_svc.decide(me, item, action, form.reason.data, expected_version=version)
    except Refused as error:
        flash(error.message, "error")
        db.session.refresh(item)
        return _request_page(item.request, form=form, failed_item=item.id,
                             status=409 if error.status_code == 409 else 400)
    flash(_("Đã ghi nhận quyết định cho hồ sơ %(code)s.", code=item.file.file_code), "success")
    return redirect(url_for("staff.request_detail", request_id=item.request_id))


@bp.post("/yeu-cau/<int:request_id>/tin-nhan")
@staff_required("requests.queue")
@limiter.limit(lambda: current_app.config["RATELIMIT_MESSAGE"], key_func=user_or_address)
def post_message(request_id: int):
    """A reply from staff in the request's thread."""
    me = current_actor()
    req = requests_svc.get_request(me, request_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            requests_svc.post_message(me, req, form.body.data)
        except ValidationError as error:
            apply_errors(form, error)
            return _request_page(req, message_form=form, status=400)
        flash(_("Đã gửi tin nhắn."), "success")
    return redirect(url_for("staff.request_detail", request_id=req.id) + "#trao-doi")


@bp.get("/so-dang-ky")
@staff_required("registers.export")
def registers():
    """Export the reader register or the request register for a date range (CSV for Excel)."""
    form = RegisterExportForm(request.args)
    kind = request.args.get("kind")
    if kind in ("doc-gia", "phieu") and form.validate():
        me = current_actor()
        try:
            export = requests_svc.reader_register_csv if kind == "doc-gia" else requests_svc.request_register_csv
            content = export(me, form.start.data, form.end.data)
        except ValidationError as error:
            form.end.errors = [error.message]
        else:
            name = f"so-dang-ky-{kind}-{form.start.data:%Y%m%d}-{form.end.data:%Y%m%d}.csv"
            return Response(content.encode("utf-8"), mimetype="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}"',
                                     "Cache-Control": "private, no-store"})
    status = 400 if kind and form.errors else 200
    return render_template("staff/registers.html", form=form), status


# --- online reading: flags and failed copies -----------------------------------------

@bp.get("/doc-truc-tuyen")
@staff_required("reading.flags")
def reading_watch():
    """Readers flagged for fetching faster than a person reads, and copies that failed to build."""
    me = current_actor()
    failed = reading_svc.failed_copies(me) if can(me, "jobs.manage") else []
    return render_template("staff/reading.html", flags=reading_svc.open_flags(me), failed=failed,
                           form=ConfirmForm())


@bp.post("/doc-truc-tuyen/canh-bao/<int:flag_id>")
@staff_required("reading.flags")
def resolve_flag(flag_id: int):
    if ConfirmForm().validate_on_submit():
        reading_svc.resolve_flag(current_actor(), flag_id)
        flash(_("Đã đánh dấu đã xem."), "success")
    return redirect(url_for("staff.reading_watch"))


@bp.post("/doc-truc-tuyen/ban-doc/<int:copy_id>/tao-lai")
@staff_required("jobs.manage")
def retry_copy(copy_id: int):
    """Build a failed reading copy again."""
    copy = db.session.get(ReadingCopy, copy_id)
    if copy is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        reading_svc.retry_copy(current_actor(), copy)
        flash(_("Đã đưa bản đọc vào hàng đợi để tạo lại."), "success")
    return redirect(url_for("staff.reading_watch"))


# --- background jobs ------------------------------------------------------------------------

@bp.get("/tac-vu")
@staff_required("jobs.manage")
def jobs_page():
    """Jobs that failed, wait for a retry, run, wait or look stuck, with their last error."""
    rows, stuck, state = queue_svc.jobs_for_staff(current_actor())
    return render_template("staff/jobs.html", jobs=rows, stuck=stuck, state=state, form=ConfirmForm(),
                           ocr_unavailable=ocr_svc.ocr_unavailable())


@bp.post("/tac-vu/<int:job_id>/chay-lai")
@staff_required("jobs.manage")
def retry_job(job_id: int):
    """Run a failed job again."""
    if ConfirmForm().validate_on_submit():
        queue_svc.retry_job(current_actor(), job_id)
        flash(_("Đã đưa công việc vào hàng đợi để chạy lại."), "success")
    return redirect(url_for("staff.jobs_page"))
