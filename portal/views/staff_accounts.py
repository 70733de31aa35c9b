"""Staff accounts in the browser (admin): invite with a role, change the role, disable and
re-enable, send a password link."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth_session import current_actor
from ..errors import DomainError, NotPermitted, ValidationError
from ..extensions import db
from ..forms import ConfirmForm, ReasonForm, StaffInviteForm, StaffRoleForm, apply_errors
from ..services import audit, staff_accounts
from .staff import staff_required

bp = Blueprint("staff_accounts", __name__, url_prefix="/nghiep-vu/can-bo")


@bp.route("/", methods=["GET", "POST"])
@staff_required("users.manage_staff")
def index():
    """Every staff account, and the form to invite a new member."""
    form = StaffInviteForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = staff_accounts.invite_staff(current_actor(), form.data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                flash(_("Đã tạo tài khoản và gửi thư mời đến %(email)s.", email=user.email), "success")
                return redirect(url_for("staff_accounts.detail", user_id=user.id))
        status = 400
    return render_template("staff_accounts/index.html", staff=staff_accounts.list_staff(current_actor()), form=form), status


def _detail_page(user, role_form=None, status=200):
    return render_template("staff_accounts/detail.html", member=user, role_form=role_form or StaffRoleForm(role=user.role),
                           form=ConfirmForm(), reason_form=ReasonForm(),
                           events=audit.events_for(db.session, "user", user.id, limit=50),
                           state=staff_accounts.account_state(user)), status


@bp.get("/<int:user_id>")
@staff_required("users.manage_staff")
def detail(user_id: int):
    """One staff account: role, state, actions, and its history."""
    return _detail_page(staff_accounts.get_staff(current_actor(), user_id))


@bp.post("/<int:user_id>/vai-tro")
@staff_required("users.manage_staff")
def change_role(user_id: int):
    user = staff_accounts.get_staff(current_actor(), user_id)
    form = StaffRoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        staff_accounts.change_role(current_actor(), user, form.role.data)
    except ValidationError as error:
        apply_errors(form, error)
        return _detail_page(user, role_form=form, status=400)
    except DomainError as error:
        flash(error.message, "error")
        return _detail_page(user, status=error.status_code)
    flash(_("Đã đổi vai trò."), "success")
    return redirect(url_for("staff_accounts.detail", user_id=user.id))


@bp.post("/<int:user_id>/<action>")
@staff_required("users.manage_staff")
def set_state(user_id: int, action: str):
    """``khoa`` disables, ``mo-khoa`` re-enables, ``gui-lien-ket`` mails a password link."""
    if action not in ("khoa", "mo-khoa", "gui-lien-ket"):
        abort(404)
    user = staff_accounts.get_staff(current_actor(), user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if action == "gui-lien-ket":
            staff_accounts.send_reset(current_actor(), user)
            message = _("Đã gửi liên kết đặt mật khẩu đến %(email)s.", email=user.email)
        else:
            staff_accounts.set_active(current_actor(), user, action == "mo-khoa", form.reason.data)
            message = _("Đã mở lại tài khoản.") if action == "mo-khoa" else _("Đã tạm khóa tài khoản.")
    except NotPermitted:
        abort(403)
    except DomainError as error:
        flash(error.message, "error")
        return _detail_page(user, status=error.status_code)
    flash(message, "success")
    return redirect(url_for("staff_accounts.detail", user_id=user.id))
