"""A reader's own account: profile, consents, password."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth_session import current_actor, current_session_token, log_out, reissue
from ..caching import personal_blueprint
from ..errors import DomainError, ValidationError
from ..extensions import limiter, user_or_address
from ..forms import ChangePasswordForm, ConfirmForm, DataSaverForm, ProfileForm, apply_errors
from ..redirects import redirect_back
from ..services import accounts

bp = Blueprint("account", __name__, url_prefix="/ca-nhan")
personal_blueprint(bp)  # private pages: never stored by a browser or proxy


@bp.route("/", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_PROFILE"], methods=["POST"], key_func=user_or_address)
def profile():
    """View and edit the account fields."""
    user = current_actor()
    form = ProfileForm(obj=user.profile) if request.method == "GET" else ProfileForm()
    if request.method == "GET":
        form.full_name.data = user.full_name
        if user.profile is not None and user.profile.pending_id_number:  # what the reader last gave
            form.id_kind.data, form.id_number.data = user.profile.pending_id_kind, user.profile.pending_id_number
    elif form.validate_on_submit():
        try:
            accounts.update_profile(user, {name: field.data for name, field in form._fields.items()})
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Đã lưu thông tin tài khoản."), "success")
            if user.profile is not None and user.profile.pending_id_number:
                flash(_("Giấy tờ tùy thân mới sẽ được cán bộ phòng đọc kiểm tra trước khi thay giấy tờ cũ."), "info")
            return redirect(url_for("account.profile"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("account/profile.html", form=form, user=user, confirm_form=ConfirmForm(),
                           saver_form=DataSaverForm()), status


@bp.post("/tiet-kiem-du-lieu")
@login_required
def data_saver():
    """Turn the data saver (lighter reading copies) on or off for the account, then go back."""
    form = DataSaverForm()
    if not form.validate_on_submit():
        abort(400)
    enabled = form.enabled.data == "1"
    accounts.set_data_saver(current_actor(), enabled)
    flash(_("Đã bật chế độ tiết kiệm dữ liệu: trang nhẹ hơn, độ phân giải thấp hơn.") if enabled
          else _("Đã tắt chế độ tiết kiệm dữ liệu."), "success")
    return redirect_back("account.profile", form.next.data or "")


@bp.get("/dong-y")
@login_required
def consents():
    """Every consent with when it was given and withdrawn."""
    return render_template("account/consents.html", user=current_user, form=ConfirmForm())


@bp.post("/dong-y/<purpose>/rut-lai")
@login_required
def withdraw_consent(purpose: str):
    """Withdraw one consent; withdrawing the required one closes the account."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.consents"))
    try:
        closed = accounts.withdraw_consent(current_actor(), purpose)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("account.consents"))
    if closed:
        log_out()
        flash(_("Bạn đã rút lại đồng ý xử lý dữ liệu; tài khoản đã được đóng."), "info")
        return redirect(url_for("public.home"))
    flash(_("Đã rút lại đồng ý."), "success")
    return redirect(url_for("account.consents"))


@bp.post("/dong-y/<purpose>/dong-y")
@login_required
def give_consent(purpose: str):
    """Give consent to an optional purpose."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            accounts.give_consent(current_actor(), purpose)
            flash(_("Đã ghi nhận đồng ý."), "success")
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for("account.consents"))


@bp.route("/mat-khau", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_actor(), form.current_password.data,
                                     form.new_password.data, keep_session=current_session_token())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            reissue(current_actor())  # this browser stays, with the new session version
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("account.profile"))
    return render_template("account/password.html", form=form)
