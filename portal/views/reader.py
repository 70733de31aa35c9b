"""The reader's side of requests: the basket, submitting, following requests."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import workflow
from ..auth_session import current_actor
from ..caching import personal_blueprint
from ..errors import DomainError, Refused, ValidationError
from ..extensions import limiter, user_or_address
from ..forms import ConfirmForm, MessageForm, RequestForm, apply_errors
from ..permissions import can
from ..redirects import redirect_back
from ..request_limits import accepts_upload
from ..services import requests as svc
from ..services.visits import booking
from ..services.visits import calendar as room_calendar

bp = Blueprint("reader", __name__, url_prefix="/phieu-yeu-cau")
LETTER_CSP = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"
personal_blueprint(bp)  # private pages: never stored by a browser or proxy


@bp.post("/gio/them/<int:file_id>")
@login_required
def basket_add(file_id: int):
    """Put a file in the basket, then go back to where the reader was."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        entry = svc.add_to_basket(current_actor(), file_id)
    except Refused as error:
        flash(error.message, "error")
    else:
        flash(_("Đã thêm hồ sơ %(code)s vào giỏ.", code=entry.file.file_code), "success")
    return redirect_back("reader.basket")


@bp.post("/gio/bo/<int:file_id>")
@login_required
def basket_remove(file_id: int):
    if ConfirmForm().validate_on_submit():
        svc.remove_from_basket(current_actor(), file_id)
        flash(_("Đã bỏ hồ sơ khỏi giỏ."), "info")
    return redirect(url_for("reader.basket"))


@bp.route("/gio", methods=["GET", "POST"])
@accepts_upload("LETTER_MAX_BYTES")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_SUBMIT"], methods=["POST"], key_func=user_or_address)
def basket():
    """The basket and the request form; submitting turns the basket into one request."""
    form = RequestForm()
    field_errors: dict[str, list[str]] = {}
    if request.method == "GET":
        form.submit_token.data = svc.new_submit_token()
    elif form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items() if name != "letter"}
        # How each undigitised file is to be used, and the visit's slot (not fields of the static form).
        data.update({k: v for k, v in request.form.items() if k.startswith("use_") or k == "visit_slot"})
        try:
            created = svc.submit_request(current_actor(), data, request.files.get("letter"), form.submit_token.data or "")
        except ValidationError as error:
            field_errors = {k: v for k, v in error.fields.items() if k.startswith("use_") or k == "visit_slot"}
            apply_errors(form, ValidationError(error.message, {k: v for k, v in error.fields.items()
                                                               if k not in field_errors}))
            if error.fields.get("letter") is None and request.files.get("letter"):
                form.letter.errors = [_("Vì biểu mẫu có lỗi, hãy chọn lại tệp giấy giới thiệu.")]
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Đã gửi phiếu yêu cầu %(code)s.", code=created.code), "success")
            return redirect(url_for("reader.request_detail", request_id=created.id))
    status = 400 if request.method == "POST" else 200
    entries = svc.basket(current_actor())
    needs_room = any(not e.file.is_digitised for e in entries)
    return render_template("reader/basket.html", form=form, entries=entries, remove_form=ConfirmForm(),
                           form_field_errors=field_errors, room=room_calendar.room_settings(),
                           slots=room_calendar.upcoming_slots() if needs_room else []), status


@bp.get("/")
@login_required
def my_requests():
    """All my requests with their items and statuses."""
    return render_template("reader/requests.html", requests=svc.my_requests(current_actor()))


@bp.get("/<int:request_id>")
@login_required
def request_detail(request_id: int):
    """One request: items, decisions, due dates, grant ends, timeline and thread."""
    req = svc.get_request(current_actor(), request_id)
    to_book = booking.items_to_book(req) if req.reader_id == current_actor().id else []
    return render_template("reader/request_detail.html", req=req, timeline=svc.timeline(req), to_book=to_book,
                           slots=room_calendar.upcoming_slots() if to_book else [],
                           message_form=MessageForm(), confirm_form=ConfirmForm(),
                           can_withdraw=can(current_actor(), "request.withdraw", req)
                           and workflow.request_can_withdraw(i.status for i in req.items))


@bp.post("/<int:request_id>/rut")
@login_required
def withdraw(request_id: int):
    """Withdraw the request while nothing is decided."""
    req = svc.get_request(current_actor(), request_id)
    if ConfirmForm().validate_on_submit():
        try:
            svc.withdraw_request(current_actor(), req)
            flash(_("Đã rút phiếu yêu cầu."), "success")
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for("reader.request_detail", request_id=req.id))


@bp.post("/<int:request_id>/tin-nhan")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_MESSAGE"], key_func=user_or_address)
def post_message(request_id: int):
    """A message from the reader to staff."""
    req = svc.get_request(current_actor(), request_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            svc.post_message(current_actor(), req, form.body.data)
        except ValidationError as error:
            apply_errors(form, error)
            return render_template("reader/request_detail.html", req=req, timeline=svc.timeline(req),
                                   message_form=form, confirm_form=ConfirmForm(), can_withdraw=False), 400
        flash(_("Đã gửi tin nhắn."), "success")
    return redirect(url_for("reader.request_detail", request_id=req.id) + "#trao-doi")


@bp.get("/<int:request_id>/giay-gioi-thieu")
@login_required
def letter(request_id: int):
    """The introduction letter, for its reader and for staff."""
    req = svc.get_request(current_actor(), request_id)
    if not req.letter_path or not can(current_actor(), "request.view_letter", req):
        abort(404)
    # A letter is the reader's file: a PDF is downloaded, never opened in the site's origin, and
    # whatever it is, it runs nothing (sandboxed, no scripts, no plugins).
    as_pdf = req.letter_mime == "application/pdf"
    response = send_file(svc.letter_file(req), mimetype=req.letter_mime, download_name=req.letter_name,
                         as_attachment=as_pdf)
    response.headers["Content-Security-Policy"] = LETTER_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
