"""Staff accounts managed in the browser by an admin: invite with a role, change the role,
disable and re-enable, send a link to set a new password.

Every change is audited. The archive must never lock itself out, so the last
active admin can be neither disabled nor demoted. ``flask users create-staff``
(:func:`accounts.create_staff`) stays for the very first admin.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..urls import external_url
from ..db import utcnow
from ..errors import InvalidTransition, NotFound, ValidationError
from ..extensions import db
from ..models import Clearance, Role, User
from ..permissions import require
from .accounts import EMAIL_RE, hash_password, make_reset_token, normalise_email
from .audit import record_event
from .mail import send_mail

STAFF_ROLE_VALUES = tuple(r.value for r in (Role.ARCHIVIST, Role.LEADER, Role.ADMIN))

# The account workflow, as a table: (state, action) → state.
ACCOUNT_TRANSITIONS = {("active", "disable"): "disabled", ("disabled", "enable"): "active"}


def account_state(user: User) -> str:
    """``active`` or ``disabled``."""
    return "active" if user.is_active_account else "disabled"


def list_staff(actor: User) -> list[User]:
    """Every staff account: active ones first, then by role and name."""
    require(actor, "users.manage_staff")
    staff = db.session.scalars(select(User).where(User.role.in_(STAFF_ROLE_VALUES)))
    order = {role: n for n, role in enumerate(STAFF_ROLE_VALUES)}
    return sorted(staff, key=lambda u: (not u.is_active_account, order[u.role], u.full_name.lower()))


def get_staff(actor: User, user_id: int) -> User:
    """A staff account (a reader's id is NotFound here)."""
    require(actor, "users.manage_staff")
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLE_VALUES:
        raise NotFound(_("Không tìm thấy tài khoản cán bộ."))
    return user


def _active_admins_besides(user: User) -> int:
    return db.session.scalar(select(func.count(User.id)).where(
        User.role == Role.ADMIN.value, User.is_active_account.is_(True), User.id != user.id)) or 0


def _keep_an_admin(user: User) -> None:
    """Refuse a change that would leave no active admin."""
    if user.role == Role.ADMIN.value and user.is_active_account and _active_admins_besides(user) == 0:
        raise InvalidTransition(_("Đây là quản trị viên cuối cùng đang hoạt động; hãy giao quyền quản trị "
                                  "cho người khác trước."))


def invite_staff(actor: User, data: dict[str, Any]) -> User:
    """Create a staff account with a role; the new member sets a password from a mailed link."""
    require(actor, "users.manage_staff")
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    email = normalise_email(str(data.get("email") or ""))
    full_name = " ".join(str(data.get("full_name") or "").split())
    role = str(data.get("role") or "")
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors.add("email", _("Địa chỉ email không hợp lệ."))
    elif db.session.scalar(select(User.id).where(User.email == email)):
        errors.add("email", _("Email này đã có tài khoản."))
    if len(full_name) < 2 or len(full_name) > 200:
        errors.add("full_name", _("Hãy nhập họ và tên (2–200 ký tự)."))
    if role not in STAFF_ROLE_VALUES:
        errors.add("role", _("Hãy chọn vai trò."))
    if errors.fields:
        raise errors
    # Nobody knows this password: the member chooses their own from the link.
    user = User(email=email, password_hash=hash_password(secrets.token_urlsafe(32)), full_name=full_name,
                role=role, clearance=Clearance.CLEARED.value)
    db.session.add(user)
    db.session.flush()
    record_event(db.session, actor, "staff.invite", "user", user.id, to_state=role, data={"email": email})
    db.session.commit()
    _send_password_link(user, invite=True)
    return user


def change_role(actor: User, user: User, role: str) -> User:
    """Give a staff member another staff role (never the last active admin's)."""
    require(actor, "users.manage_staff")
    if role not in STAFF_ROLE_VALUES:
        raise ValidationError(_("Vai trò không hợp lệ."), {"role": [_("Hãy chọn vai trò.")]})
    if role == user.role:
        return user
    if role != Role.ADMIN.value:
        _keep_an_admin(user)
    previous = user.role
    user.role = role
    user.session_version += 1  # pages already open must not keep the old role's menus and rights
    record_event(db.session, actor, "staff.change_role", "user", user.id, from_state=previous, to_state=role)
    db.session.commit()
    return user


def set_active(actor: User, user: User, active: bool, reason: str | None = None) -> User:
    """Disable (ends every session at once) or re-enable a staff account."""
    require(actor, "users.manage_staff")
    action = "enable" if active else "disable"
    state = account_state(user)
    target = ACCOUNT_TRANSITIONS.get((state, action))
    if target is None:
        raise InvalidTransition(_("Tài khoản đã ở trạng thái này."))
    if not active:
        if user.id == actor.id:
            raise InvalidTransition(_("Bạn không thể tự khóa tài khoản của mình."))
        _keep_an_admin(user)
        user.session_version += 1
    user.is_active_account = active
    record_event(db.session, actor, f"staff.{action}", "user", user.id, from_state=state, to_state=target,
                 reason=(reason or "").strip()[:2000] or None)
    db.session.commit()
    return user


def send_reset(actor: User, user: User) -> None:
    """Mail the member a link to set a new password (audited)."""
    require(actor, "users.manage_staff")
    if not user.is_active_account:
        raise InvalidTransition(_("Tài khoản đang bị khóa; hãy mở lại trước khi gửi liên kết."))
    record_event(db.session, actor, "staff.send_reset", "user", user.id)
    db.session.commit()
    _send_password_link(user, invite=user.last_login_at is None)


def _send_password_link(user: User, invite: bool) -> None:
    link = external_url("auth.reset_password", token=make_reset_token(user, invite=invite))
    send_mail(user.email, _("Mời tham gia phòng đọc trực tuyến") if invite else _("Đặt lại mật khẩu"),
              "staff_invite" if invite else "reset_password", user=user, link=link, invite=invite,
              sent_at=utcnow())

