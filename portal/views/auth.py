"""Registration, email confirmation, login/logout and password reset."""
from __future__ import annotations

import math
import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth_session import log_in, log_out
from ..caching import personal_blueprint
from ..errors import DomainError, ValidationError
from ..extensions import limiter, login_account
from ..forms import EmailOnlyForm, LoginForm, RegisterForm, ResetPasswordForm, apply_errors
from ..models import ConsentPurpose
from ..redirects import redirect_back
from ..services import accounts
from ..web import endpoint_error_page

bp = Blueprint("auth", __name__, url_prefix="/tai-khoan")
personal_blueprint(bp)  # private pages: never stored by a browser or proxy


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _mail_limit() -> str:
    return current_app.config["RATELIMIT_MAIL"]


def _account_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def _failed_login(response) -> bool:
    """Only failed attempts count against the login limits (success redirects)."""
    return response.status_code != 302


@bp.route("/dang-ky", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Reader registration with the legal fields and per-purpose consent."""
    form = RegisterForm()
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items()}
        data["consents"] = [p.value for p in ConsentPurpose if form[f"consent_{p.value}"].data]
        try:
            accounts.register_reader(data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # The same page whether an account was made or an existing one was told by mail.
            return render_template("auth/registered.html", email=accounts.normalise_email(form.email.data or ""))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.get("/xac-nhan/<token>")
def confirm_email(token: str):
    """The link from the confirmation email."""
    try:
        accounts.confirm_email(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.resend_confirmation"))
    flash(_("Email đã được xác nhận. Tài khoản sẽ được cán bộ phòng đọc xác minh."), "success")
    return redirect(url_for("account.profile") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/gui-lai-xac-nhan", methods=["GET", "POST"])
@limiter.limit(_mail_limit, methods=["POST"])
def resend_confirmation():
    """Send the confirmation link again (always answers the same way)."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        accounts.resend_confirmation(form.email.data)
        flash(_("Nếu email này có tài khoản chưa xác nhận, chúng tôi đã gửi lại liên kết."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/email_form.html", form=form, title=_("Gửi lại email xác nhận"))


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_login)
@limiter.limit(_account_limit, methods=["POST"], key_func=login_account, deduct_when=_failed_login)
def login():
    """Log in with email and password; failures do not say which part was wrong."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            log_in(user)  # a fresh session at login (no fixation), live server-side until logout
            flash(_("Đăng nhập thành công."), "success")
            if request.values.get("next") in ("/", "/?"):
                # Logging in from the home page is not a destination: go to one's own work.
                return redirect(url_for("staff.dashboard" if user.is_staff else "reader.my_requests"))
            return redirect_back("staff.dashboard" if user.is_staff else "reader.my_requests")
    status = 401 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@endpoint_error_page(429, "auth.login")
def login_locked_out(error):
    """Too many failed logins: say for how long, offer the reset, keep the email typed."""
    limit = limiter.current_limit
    seconds = max(60, int(limit.reset_at - time.time())) if limit is not None else 15 * 60
    minutes = math.ceil(seconds / 60)
    form = LoginForm(formdata=None, email=(request.form.get("email") or "")[:254])
    response = current_app.make_response(
        (render_template("auth/login.html", form=form, locked_minutes=minutes), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/dang-xuat")
@login_required
def logout():
    """Log out (POST, with CSRF, so a link cannot log somebody out); the session ends server-side."""
    log_out()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("public.home"))


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
@limiter.limit(_mail_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        flash(_("Nếu email này có tài khoản, chúng tôi đã gửi liên kết đặt lại mật khẩu."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/email_form.html", form=form, title=_("Quên mật khẩu"))


@bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password from the emailed link."""
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except ValidationError as error:
            apply_errors(form, error)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("auth.forgot_password"))
        else:
            log_out()
            flash(_("Đã đặt mật khẩu mới. Hãy đăng nhập."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
