"""Copies: the reader's order form and orders, the staff queue, payments, paper hand-over and fee
schedule, the copy register, and the public verification page /xac-thuc."""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth_session import current_actor
from .. import copy_workflow
from ..deadlines import today_local
from ..errors import DomainError, NotPermitted, ValidationError
from ..extensions import db, limiter, user_or_address
from ..forms import (
    ConfirmForm,
    CopyHandOverForm,
    CopyOrderForm,
    CopyPaymentForm,
    DecisionForm,
    FeeScheduleForm,
    RegisterExportForm,
    VerifyUploadForm,
    apply_errors,
)
from ..labels import FEE_CATEGORY
from ..permissions import can
from ..dashboard import HealthResult, register_health_check, register_panel
from ..services.copies import delivery, fees, figures, labels, orders, payments, production, register, verification

bp = Blueprint("copies", __name__)
MAX_ROWS = orders.MAX_FILES


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(copy_labels=labels, copy_workflow=copy_workflow,
                                       copy_overdue=orders.is_overdue)


def _staff(action: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _version(form) -> int | None:
    raw = form.version.data or ""
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


# --- the reader ---------------------------------------------------------------------------------

def _rows() -> list[tuple[str, str]]:
    """The file rows typed in the order form (``files-N-code``, ``files-N-pages``)."""
    rows = []
    for n in range(MAX_ROWS + 1):
        code = (request.form.get(f"files-{n}-code") or "")[:80]
        pages = (request.form.get(f"files-{n}-pages") or "")[:400]
        rows.append((code, pages))
    while rows and not rows[-1][0].strip() and not rows[-1][1].strip():
        rows.pop()
    return rows


@bp.route("/ban-sao/dat", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_SUBMIT"], methods=["POST"], key_func=user_or_address)
def order_form():
    """Build a copy order; "Tính giá" shows the price, "Gửi phiếu" submits it at that price."""
    form = CopyOrderForm()
    draft, row_errors, status = None, {}, 200
    if request.method == "GET":
        form.submit_token.data = orders.new_submit_token()
        rows: list[tuple[str, str]] = []
        if request.args.get("ho_so", "").isdecimal() and len(request.args["ho_so"]) < 10:
            record = orders.orderable_file(current_actor(), int(request.args["ho_so"]))  # classified/unknown: 404
            rows = [(record.file_code, "")]
    else:
        rows = _rows()
        if not form.validate_on_submit():
            abort(400)
        data = {name: field.data for name, field in form._fields.items()}
        try:
            if request.form.get("step") == "submit":
                quoted = int(form.quoted_amount.data) if (form.quoted_amount.data or "").isdecimal() else None
                created = orders.submit_order(current_actor(), data, rows, form.submit_token.data or "", quoted)
                flash(_("Đã gửi phiếu yêu cầu sao %(code)s.", code=created.code), "success")
                return redirect(url_for("copies.order_detail", order_id=created.id))
            draft = orders.check_order(current_actor(), data, rows)
            form.quoted_amount.data = str(draft.quote.amount)
        except ValidationError as error:
            row_errors = {k: v for k, v in error.fields.items() if k.startswith("files")}
            apply_errors(form, ValidationError(error.message, {k: v for k, v in error.fields.items()
                                                                if not k.startswith("files") and k != "price"}))
            if "price" in error.fields:
                flash(error.message, "warning")
                draft = orders.check_order(current_actor(), data, rows)
                form.quoted_amount.data = str(draft.quote.amount)
            status = 400
        except DomainError as error:
            flash(error.message, "error")
            status = 400
    files = orders.files_for_rows(current_actor(), rows)
    return render_template("copies/order_form.html", form=form, rows=rows + [("", "")] * (1 if len(rows) < MAX_ROWS else 0),
                           files=files, draft=draft, row_errors=row_errors), status


@bp.get("/ban-sao/")
@login_required
def my_orders():
    """The reader's copy orders."""
    return render_template("copies/my_orders.html", orders=orders.my_orders(current_actor()))


@bp.get("/ban-sao/<int:order_id>")
@login_required
def order_detail(order_id: int):
    """One order: files, pages, price, status, download."""
    order = orders.get_order(current_actor(), order_id)
    return render_template("copies/order_detail.html", order=order, timeline=orders.timeline(order),
                           confirm_form=ConfirmForm(), can_download=delivery.can_download(order),
                           can_withdraw=can(current_actor(), "copy.withdraw", order) and "withdraw" in [
                               a.value for a in copy_workflow.actions_from(order.status, order.mode)])


@bp.post("/ban-sao/<int:order_id>/rut")
@login_required
def withdraw(order_id: int):
    """The reader withdraws an order before paying."""
    order = orders.get_order(current_actor(), order_id)
    if ConfirmForm().validate_on_submit():
        try:
            orders.withdraw(current_actor(), order)
            flash(_("Đã rút phiếu sao."), "success")
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for("copies.order_detail", order_id=order.id))


@bp.get("/ban-sao/<int:order_id>/tai-ve")
@login_required
def download(order_id: int):
    """The digital copy, as an attachment, for its orderer only (each download is logged)."""
    order, path = delivery.download(current_actor(), order_id)
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=f"{order.code}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- public verification --------------------------------------------------------------------------

@bp.route("/xac-thuc", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], methods=["GET"],
               exempt_when=lambda: not request.args.get("ma"))
def verify():
    """Anyone checks a certified copy: by the code printed on it (?ma=), or by uploading the PDF."""
    form = VerifyUploadForm()
    result, code_error, status = None, None, 200
    code = (request.args.get("ma") or "")[:40]
    try:
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            result = verification.by_upload(request.files.get("upload").stream if request.files.get("upload") else None)
        elif code:
            result = verification.by_code(code)
    except ValidationError as error:
        if "code" in error.fields:
            code_error = error.message
        else:
            apply_errors(form, error)
        status = 400
    return render_template("copies/verify.html", form=form, result=result, code=code, code_error=code_error), status


# --- staff ---------------------------------------------------------------------------------------------

@bp.get("/nghiep-vu/ban-sao")
@_staff("copies.queue")
def staff_queue():
    """Copy orders, soonest due first, by status."""
    filters = orders.QueueFilters(status=request.args.get("status", "submitted")[:20],
                                  overdue=request.args.get("overdue") == "1", reader=request.args.get("reader", "")[:100])
    failed = production.failed_productions(current_actor()) if can(current_actor(), "jobs.manage") else []
    return render_template("copies/staff_queue.html", orders=orders.queue(current_actor(), filters), filters=filters,
                           counts=orders.counts_by_status(current_actor()), failed=failed)


def _staff_page(order, status: int = 200, **forms):
    forms.setdefault("decision_form", DecisionForm())
    forms.setdefault("payment_form", CopyPaymentForm(amount=str(order.amount)))
    forms.setdefault("hand_over_form", CopyHandOverForm())
    return render_template("copies/staff_detail.html", order=order, timeline=orders.timeline(order),
                           actions=copy_workflow.actions_from(order.status, order.mode),
                           job=production.production_job(order), confirm_form=ConfirmForm(), **forms), status


@bp.get("/nghiep-vu/ban-sao/<int:order_id>")
@_staff("copies.queue")
def staff_detail(order_id: int):
    """One order with the actions the table and the user's role allow."""
    return _staff_page(orders.get_order(current_actor(), order_id))


@bp.post("/nghiep-vu/ban-sao/<int:order_id>/quyet-dinh/<action>")
@_staff("copies.queue")
def staff_decide(order_id: int, action: str):
    """Approve, forward, refuse (archivist) or leader-approve, leader-refuse (leader)."""
    if action not in ("approve", "forward", "refuse", "leader_approve", "leader_refuse"):
        abort(404)
    order = orders.get_order(current_actor(), order_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        orders.apply(current_actor(), order, action, form.reason.data, expected_version=_version(form))
    except NotPermitted:
        abort(403)
    except DomainError as error:
        flash(error.message, "error")
        db.session.refresh(order)
        return _staff_page(order, 409 if error.status_code == 409 else 400, decision_form=form)
    flash(_("Đã ghi nhận quyết định cho phiếu %(code)s.", code=order.code), "success")
    return redirect(url_for("copies.staff_detail", order_id=order.id))


@bp.post("/nghiep-vu/ban-sao/<int:order_id>/nop-phi")
@_staff("copies.queue")
def staff_payment(order_id: int):
    """Record a payment received (amount, method, receipt or reference)."""
    order = orders.get_order(current_actor(), order_id)
    form = CopyPaymentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        payments.record_staff_payment(current_actor(), order, form.data, expected_version=_version(form))
    except NotPermitted:
        abort(403)
    except ValidationError as error:
        apply_errors(form, error)
        return _staff_page(order, 400, payment_form=form)
    except DomainError as error:
        flash(error.message, "error")
        return _staff_page(order, error.status_code, payment_form=form)
    flash(_("Đã ghi nhận nộp phí phiếu %(code)s.", code=order.code), "success")
    return redirect(url_for("copies.staff_detail", order_id=order.id))


@bp.post("/nghiep-vu/ban-sao/<int:order_id>/da-lam")
@_staff("copies.queue")
def staff_produced(order_id: int):
    """A paper-only order was copied by hand."""
    order = orders.get_order(current_actor(), order_id)
    form = CopyHandOverForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        production.mark_produced_by_hand(current_actor(), order, expected_version=_version(form))
    except NotPermitted:
        abort(403)
    except DomainError as error:
        flash(error.message, "error")
        return _staff_page(order, error.status_code)
    flash(_("Đã ghi nhận bản sao đã làm xong."), "success")
    return redirect(url_for("copies.staff_detail", order_id=order.id))


@bp.post("/nghiep-vu/ban-sao/<int:order_id>/giao")
@_staff("copies.queue")
def staff_hand_over(order_id: int):
    """Paper: posted (with the tracking number) or collected at the reading room."""
    order = orders.get_order(current_actor(), order_id)
    form = CopyHandOverForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        delivery.hand_over(current_actor(), order, form.tracking_number.data, expected_version=_version(form))
    except NotPermitted:
        abort(403)
    except ValidationError as error:
        apply_errors(form, error)
        flash(error.message, "error")
        return _staff_page(order, 400, hand_over_form=form)
    except DomainError as error:
        flash(error.message, "error")
        return _staff_page(order, error.status_code, hand_over_form=form)
    flash(_("Đã ghi nhận giao bản sao %(code)s.", code=order.code), "success")
    return redirect(url_for("copies.staff_detail", order_id=order.id))


@bp.post("/nghiep-vu/ban-sao/<int:order_id>/lam-lai")
@_staff("jobs.manage")
def staff_retry(order_id: int):
    """Run a failed production again."""
    order = orders.get_order(current_actor(), order_id)
    if ConfirmForm().validate_on_submit():
        try:
            production.retry_production(current_actor(), order)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Đã đưa việc làm bản sao vào hàng đợi lại."), "success")
    return redirect(url_for("copies.staff_detail", order_id=order.id))


@bp.get("/nghiep-vu/ban-sao/<int:order_id>/tep")
@_staff("copies.queue")
def staff_file(order_id: int):
    """The produced PDF, for staff to check and to print paper copies."""
    order = orders.get_order(current_actor(), order_id)
    path = production.staff_copy_file(current_actor(), order)
    response = send_file(path, mimetype="application/pdf", as_attachment=False, download_name=f"{order.code}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/nghiep-vu/ban-sao/danh-sach-in")
@_staff("copies.queue")
def print_list():
    """Paper copies to print and hand over."""
    return render_template("copies/print_list.html", orders=delivery.print_list(current_actor()), form=CopyHandOverForm())


@bp.route("/nghiep-vu/bieu-phi", methods=["GET", "POST"])
@_staff("fees.manage")
def fee_schedule():
    """The fee schedule: every version, and a form for the next one."""
    form = FeeScheduleForm()
    status = 200
    if request.method == "GET":
        current = fees.schedule_on()
        if current is not None:
            for name in fees.PRICE_FIELDS:
                getattr(form, name).data = str(getattr(current, name))
        form.effective_from.data = today_local() + timedelta(days=1)
    elif form.validate_on_submit():
        data = {**form.data, **{k: v for k, v in request.form.items() if k.startswith("reduction_")}}
        try:
            schedule = fees.save_schedule(current_actor(), data)
        except ValidationError as error:
            apply_errors(form, error)
            status = 400
        else:
            flash(_("Đã ban hành biểu phí phiên bản %(n)d.", n=schedule.version), "success")
            return redirect(url_for("copies.fee_schedule"))
    else:
        status = 400
    current = fees.schedule_on()
    reductions = {code: request.form.get(f"reduction_{code}", "") if request.method == "POST"
                  else str((current.reductions or {}).get(code, 0) if current else 0) for code in FEE_CATEGORY}
    return render_template("copies/fees.html", form=form, schedules=fees.all_schedules(), current=current,
                           reductions=reductions, reduction_errors=form.form_errors), status


@bp.get("/nghiep-vu/ban-sao/so-cap")
@_staff("registers.export")
def copy_register():
    """Sổ cấp bản sao, chứng thực: a summary on the page; CSV or XLSX to download."""
    form = RegisterExportForm(request.args)
    start, end = (form.start.data, form.end.data) if form.validate() else (today_local().replace(day=1), today_local())
    fmt = request.args.get("format", "")
    try:
        if fmt == "csv":
            return Response(register.register_csv(current_actor(), start, end), mimetype="text/csv", headers={
                "Content-Disposition": f"attachment; filename=so-cap-ban-sao-{start}-{end}.csv"})
        if fmt == "xlsx":
            return Response(register.register_xlsx(current_actor(), start, end),
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f"attachment; filename=so-cap-ban-sao-{start}-{end}.xlsx"})
        lines = register.summary(current_actor(), start, end)
    except ValidationError as error:
        flash(error.message, "error")
        lines, status = [], 400
    else:
        status = 200
    return render_template("copies/register.html", form=form, start=start, end=end, lines=lines), status




# --- the staff home ------------------------------------------------------------------------------

@register_panel("copies_today", "copies/_panel.html", roles=("archivist", "leader", "admin"), order=15)
def copies_panel(user):
    """Copy orders due today and overdue at the user's level, paper copies to print, fees awaited."""
    work = figures.copy_work(user, today_local())
    return None if work.is_empty else {"work": work}


@register_health_check("copy_backlog", _l("Bản sao chờ làm"), order=30)
def copy_backlog_check() -> HealthResult:
    waiting, failed = figures.backlog()
    text = _("%(waiting)d phiếu đã nộp phí chờ quá 1 giờ; %(failed)d lần làm bản sao lỗi", waiting=waiting, failed=failed)
    return HealthResult(text, ok=not (waiting or failed),
                        link=url_for("copies.staff_queue", status="paid") if waiting or failed else None)
