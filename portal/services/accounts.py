"""Accounts: registration, email confirmation, login, password reset, profile,
consents, and staff clearing or blocking readers."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import DomainError, InvalidTransition, NotFound, ValidationError
from ..extensions import db
from ..models import (
    Clearance, Consent, ConsentPurpose, IdKind, ReaderProfile, Role, User,
)
from ..db import utcnow
from ..permissions import require
from ..urls import external_url
from . import sessions
from .audit import record_event
from .mail import send_mail

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CITIZEN_ID_RE = re.compile(r"^\d{12}$")
# Vietnamese passports are one letter and seven digits; foreign ones vary, so
# accept 6–9 letters or digits with at least one digit.
PASSPORT_RE = re.compile(r"^(?=.*\d)[A-Z0-9]{6,9}$")
PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")
FEE_CATEGORIES = tuple(f"{n:02d}" for n in range(1, 11))
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "matkhau123", "password123", "qwertyuiop", "abc1234567",
    "123456789a", "matkhau1234", "1111111111", "vietnam123", "iloveyou12", "0123456789",
})


def hash_password(password: str) -> str:
    """Hash with scrypt (werkzeug's maintained implementation), at the configured cost."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_problems(password: str, email: str = "") -> list[str]:
    """What is wrong with ``password`` under the policy; empty when it is fine."""
    problems = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Mật khẩu phải có ít nhất %(n)d ký tự.", n=minimum))
    if len(password) > 128:
        problems.append(_("Mật khẩu không được dài quá 128 ký tự."))
    if not (re.search(r"[^\W\d_]", password) and re.search(r"\d", password)):
        problems.append(_("Mật khẩu phải có cả chữ và số."))
    local = email.split("@")[0].lower()
    if password.lower() in COMMON_PASSWORDS or (len(local) >= 4 and local in password.lower()):
        problems.append(_("Mật khẩu quá dễ đoán."))
    return problems


def generate_password() -> str:
    """A random password that satisfies the policy (letters and digits)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if re.search(r"[A-Za-z]", candidate) and re.search(r"\d", candidate):
            return candidate


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _clean(value: Any) -> str:
    return str(value or "").strip()


def validate_identity(errors: ValidationError, id_kind: str, id_number: str) -> str:
    """Check the identity document number for its kind; return it normalised."""
    number = id_number.replace(" ", "").upper()
    if id_kind == IdKind.CITIZEN_ID.value:
        if not CITIZEN_ID_RE.match(number):
            errors.add("id_number", _("Số định danh cá nhân phải gồm đúng 12 chữ số."))
    elif id_kind == IdKind.PASSPORT.value:
        if not PASSPORT_RE.match(number):
            errors.add("id_number", _("Số hộ chiếu phải gồm 6–9 chữ cái hoặc chữ số."))
    else:
        errors.add("id_kind", _("Hãy chọn loại giấy tờ."))
    return number


def _validate_profile_fields(errors: ValidationError, data: dict[str, Any]) -> dict[str, Any]:
    full_name = " ".join(_clean(data.get("full_name")).split())
    if len(full_name) < 2:
        errors.add("full_name", _("Hãy nhập họ và tên."))
    elif len(full_name) > 200 or not re.match(r"^[^\W\d_]+([ '.\-][^\W\d_]+)*$", full_name):
        errors.add("full_name", _("Họ và tên chỉ gồm chữ cái và khoảng trắng."))
    id_kind = _clean(data.get("id_kind"))
    id_number = validate_identity(errors, id_kind, _clean(data.get("id_number")))
    phone = _clean(data.get("phone")).replace(" ", "").replace(".", "")
    if phone and not PHONE_RE.match(phone):
        errors.add("phone", _("Số điện thoại không hợp lệ (ví dụ 0912345678)."))
    category = _clean(data.get("priority_category"))
    if category and category not in FEE_CATEGORIES:
        errors.add("priority_category", _("Đối tượng ưu tiên không hợp lệ."))
    employer = _clean(data.get("employer"))
    if len(employer) > 255:
        errors.add("employer", _("Tên cơ quan quá dài."))
    notes = _clean(data.get("notes"))
    if len(notes) > 2000:
        errors.add("notes", _("Ghi chú quá dài (tối đa 2000 ký tự)."))
    return {
        "full_name": full_name, "id_kind": id_kind, "id_number": id_number,
        "phone": phone or None, "employer": employer or None,
        "priority_category": category or None, "notes": notes or None,
    }


def _identity_holder(id_kind: str, id_number: str, except_user: int | None = None) -> User | None:
    """The account registered with this identity document (but ``except_user``), if any."""
    query = select(User).join(ReaderProfile, ReaderProfile.user_id == User.id).where(
        ReaderProfile.id_kind == id_kind, ReaderProfile.id_number == id_number
    )
    if except_user is not None:
        query = query.where(User.id != except_user)
    return db.session.scalar(query)


def register_reader(data: dict[str, Any]) -> User | None:
    """Create a reader account (not cleared, email unconfirmed) and mail the link.

    ``data`` holds the form fields; ``consents`` is the list of purposes ticked.
    Raises :class:`ValidationError` with a message per field. An email or an identity
    document that already has an account is not said on the page (that would tell anyone
    who is registered): the answer is the same, and the mailboxes concerned are told
    instead. Then nothing is created and None is returned.
    """
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    email = normalise_email(_clean(data.get("email")))
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors.add("email", _("Địa chỉ email không hợp lệ."))
    password = str(data.get("password") or "")
    for problem in password_problems(password, email):
        errors.add("password", problem)
    if password != str(data.get("password_confirm") or ""):
        errors.add("password_confirm", _("Hai mật khẩu không khớp."))
    fields = _validate_profile_fields(errors, data)
    consents = set(data.get("consents") or [])
    if ConsentPurpose.ACCOUNT.value not in consents:
        errors.add("consent_account", _("Cần đồng ý xử lý dữ liệu cá nhân để mở tài khoản và đọc tài liệu."))
    if errors.fields:
        raise errors

    password_hash = hash_password(password)  # also when nothing is created: the same time either way
    existing = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if existing is not None:
        record_event(db.session, None, "account.register_existing", "user", existing.id)
        db.session.commit()
        send_mail(existing.email, _("Có người đăng ký lại bằng email của bạn"), "register_existing",
                  user=existing, login_link=external_url("auth.login"),
                  reset_link=external_url("auth.forgot_password"))
        return None
    holder = _identity_holder(fields["id_kind"], fields["id_number"])
    if holder is not None:
        record_event(db.session, None, "account.register_identity_in_use", "user", holder.id)
        db.session.commit()
        send_mail(email, _("Chưa thể mở tài khoản độc giả"), "register_refused", full_name=fields["full_name"])
        send_mail(holder.email, _("Giấy tờ tùy thân của bạn vừa được dùng để đăng ký"), "identity_in_use",
                  user=holder)
        return None

    user = User(email=email, password_hash=password_hash, full_name=fields.pop("full_name"),
                role=Role.READER.value, clearance=Clearance.PENDING.value)
    user.profile = ReaderProfile(**fields)
    for purpose in ConsentPurpose:
        if purpose.value in consents:
            user.consents.append(Consent(purpose=purpose.value))
    db.session.add(user)
    db.session.flush()
    record_event(db.session, user, "reader.register", "user", user.id, to_state=user.clearance,
                 data={"consents": sorted(consents & {p.value for p in ConsentPurpose})})
    db.session.commit()
    send_confirmation(user)
    return user


# --- tokens ---------------------------------------------------------------

def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_confirm_token(user: User) -> str:
    return _serializer("confirm-email").dumps({"uid": user.id, "email": user.email})


def make_reset_token(user: User, invite: bool = False) -> str:
    """A single-use link to set a password; an invitation (new staff member) lives longer."""
    # The tail of the password hash makes the link single-use: it stops
    # matching as soon as the password changes.
    payload: dict[str, Any] = {"uid": user.id, "pw": user.password_hash[-16:]}
    if invite:
        payload["inv"] = 1
    return _serializer("reset-password").dumps(payload)


def _load(salt: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise DomainError(_("Liên kết đã hết hạn. Hãy yêu cầu một liên kết mới.")) from exc
    except BadSignature as exc:
        raise DomainError(_("Liên kết không hợp lệ.")) from exc


def send_confirmation(user: User) -> None:
    """Mail the email-confirmation link."""
    link = external_url("auth.confirm_email", token=make_confirm_token(user))
    send_mail(user.email, _("Xác nhận địa chỉ email"), "confirm_email", user=user, link=link)


def resend_confirmation(email: str) -> None:
    """Mail the link again if this email has an unconfirmed account; silent otherwise."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is not None and user.email_confirmed_at is None and user.is_active_account:
        send_confirmation(user)


def confirm_email(token: str) -> User:
    """Mark the email in ``token`` confirmed; idempotent."""
    payload = _load("confirm-email", token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        raise DomainError(_("Liên kết không hợp lệ."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        record_event(db.session, user, "reader.confirm_email", "user", user.id)
        db.session.commit()
    return user


# --- login and passwords ---------------------------------------------------

def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials or raise one vague error."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        # Hash anyway so a missing account takes as long as a wrong password.
        check_password_hash(_DUMMY_HASH(), password)
        raise DomainError(_("Email hoặc mật khẩu không đúng."))
    if not check_password_hash(user.password_hash, password):
        _count_failure(user)
        raise DomainError(_("Email hoặc mật khẩu không đúng."))
    if not user.is_active_account:
        raise DomainError(_("Email hoặc mật khẩu không đúng."))
    if user.clearance == Clearance.BLOCKED.value and user.is_reader:
        raise DomainError(_("Tài khoản này đã bị khóa. Hãy liên hệ phòng đọc."))
    user.last_login_at = utcnow()
    user.failed_logins = 0
    db.session.commit()
    return user


def _count_failure(user: User) -> None:
    """Count a failed login; at the threshold, tell the owner once an hour by email."""
    user.failed_logins = (user.failed_logins or 0) + 1
    threshold = current_app.config["LOGIN_LOCKOUT_NOTICE_AFTER"]
    now = utcnow()
    notify = user.failed_logins >= threshold and (
        user.lockout_notified_at is None or now - user.lockout_notified_at > timedelta(hours=1))
    if notify:
        user.lockout_notified_at = now
        record_event(db.session, None, "account.lockout_notice", "user", user.id,
                     data={"failed_logins": user.failed_logins})
    db.session.commit()
    if notify:
        send_mail(user.email, _("Cảnh báo: nhiều lần đăng nhập sai vào tài khoản của bạn"), "lockout_notice",
                  user=user, link=external_url("auth.forgot_password"))


_dummy: list[str] = []


def _DUMMY_HASH() -> str:  # noqa: N802 - a lazily built constant
    if not _dummy:
        _dummy.append(hash_password(secrets.token_hex(8)))
    return _dummy[0]


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; silent either way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active_account:
        return
    link = external_url("auth.reset_password", token=make_reset_token(user))
    send_mail(user.email, _("Đặt lại mật khẩu"), "reset_password", user=user, link=link)


def _set_password(user: User, new_password: str, field: str = "password", keep_session: str | None = None) -> None:
    problems = password_problems(new_password, user.email)
    if problems:
        raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."), {field: problems})
    user.password_hash = hash_password(new_password)
    sessions.end_all_sessions(user, "password", keep=keep_session)  # every other session of this account ends


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link then stops working."""
    config = current_app.config
    payload = _load("reset-password", token, max(config["RESET_TOKEN_MAX_AGE"], config["STAFF_INVITE_MAX_AGE"]))
    if not payload.get("inv"):  # an ordinary reset link keeps its shorter life
        payload = _load("reset-password", token, config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.password_hash[-16:] != payload.get("pw"):
        raise DomainError(_("Liên kết không hợp lệ hoặc đã được dùng."))
    _set_password(user, new_password)
    # Following the link proves the mailbox, so it also confirms the email.
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    record_event(db.session, user, "account.reset_password", "user", user.id)
    db.session.commit()
    return user


def change_password(user: User, current: str, new_password: str, keep_session: str | None = None) -> None:
    """Change the password after checking the current one; ends every session but ``keep_session``."""
    if not check_password_hash(user.password_hash, current):
        raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."),
                              {"current_password": [_("Mật khẩu hiện tại không đúng.")]})
    _set_password(user, new_password, field="new_password", keep_session=keep_session)
    record_event(db.session, user, "account.change_password", "user", user.id)
    db.session.commit()


# --- profile and consents ---------------------------------------------------

def update_profile(user: User, data: dict[str, Any]) -> User:
    """Edit the account's own fields.

    A new identity document is not applied at once: it waits for staff to check it
    (the account is cleared again), whether or not another account holds it, so the
    answer never tells which documents are registered. The holder of a document
    that is already registered is told by email.
    """
    require(user, "account.edit_own", user)
    errors = ValidationError(_("Vui lòng sửa các lỗi bên dưới."))
    fields = _validate_profile_fields(errors, data)
    if errors.fields:
        raise errors
    user.full_name = fields.pop("full_name")
    identity = (fields.pop("id_kind"), fields.pop("id_number"))
    profile = user.profile
    holder = None
    if profile is None:  # a staff account filling the fields for the first time
        profile = ReaderProfile(user=user, id_kind=identity[0], id_number=identity[1])
        if _identity_holder(*identity, except_user=user.id) is not None:
            raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."),
                                  {"id_number": [_("Không thể dùng giấy tờ này; hãy liên hệ phòng đọc.")]})
    elif identity == (profile.id_kind, profile.id_number):
        profile.pending_id_kind = profile.pending_id_number = None  # back to the document on record
    elif identity != (profile.pending_id_kind, profile.pending_id_number):
        profile.pending_id_kind, profile.pending_id_number = identity
        holder = _identity_holder(*identity, except_user=user.id)
        record_event(db.session, user, "reader.identity_changed", "user", user.id,
                     from_state=user.clearance, to_state=Clearance.PENDING.value if user.is_reader
                     and user.clearance == Clearance.CLEARED.value else user.clearance)
        if user.is_reader and user.clearance == Clearance.CLEARED.value:
            user.clearance = Clearance.PENDING.value
    for name, value in fields.items():
        setattr(profile, name, value)
    record_event(db.session, user, "account.update_profile", "user", user.id)
    db.session.commit()
    if holder is not None:
        send_mail(holder.email, _("Giấy tờ tùy thân của bạn vừa được khai cho một tài khoản khác"),
                  "identity_in_use", user=holder)
    return user


def give_consent(user: User, purpose: str) -> None:
    """Record consent for an optional purpose (statistics, newsletter)."""
    if purpose not in {p.value for p in ConsentPurpose}:
        raise ValidationError(_("Mục đích không hợp lệ."))
    if user.has_consent(ConsentPurpose(purpose)):
        return
    user.consents.append(Consent(purpose=purpose))
    record_event(db.session, user, "consent.give", "user", user.id, data={"purpose": purpose})
    db.session.commit()


def withdraw_consent(user: User, purpose: str) -> bool:
    """Withdraw consent for ``purpose``. Returns True if the account was closed.

    The account-and-reading purpose is what the account exists for, so
    withdrawing it closes the account (we may no longer process the data).
    """
    try:
        kind = ConsentPurpose(purpose)
    except ValueError as exc:
        raise ValidationError(_("Mục đích không hợp lệ.")) from exc
    now = utcnow()
    changed = False
    for consent in user.consents:
        if consent.purpose == kind.value and consent.withdrawn_at is None:
            consent.withdrawn_at = now
            changed = True
    if not changed:
        raise InvalidTransition(_("Bạn chưa đồng ý mục đích này hoặc đã rút lại."))
    record_event(db.session, user, "consent.withdraw", "user", user.id, data={"purpose": kind.value})
    closed = kind is ConsentPurpose.ACCOUNT
    if closed:
        user.is_active_account = False
        sessions.end_all_sessions(user, "closed")
        record_event(db.session, user, "account.close", "user", user.id,
                     reason="consent withdrawn")
    db.session.commit()
    return closed


# --- staff: clearing readers ------------------------------------------------

# Which clearance changes staff may make: from -> allowed targets.
CLEARANCE_CHANGES: dict[str, set[str]] = {
    Clearance.PENDING.value: {Clearance.CLEARED.value, Clearance.BLOCKED.value},
    Clearance.CLEARED.value: {Clearance.BLOCKED.value},
    Clearance.BLOCKED.value: {Clearance.CLEARED.value},
}


def get_reader(reader_id: int) -> User:
    user = db.session.get(User, reader_id)
    if user is None or not user.is_reader:
        raise NotFound(_("Không tìm thấy độc giả."))
    return user


def set_clearance(actor: User, reader: User, target: str, reason: str | None = None) -> User:
    """Clear or block a reader. Blocking needs a reason; both are audited and mailed."""
    require(actor, "readers.review", reader)
    reason = (reason or "").strip() or None
    if target not in CLEARANCE_CHANGES.get(reader.clearance, set()):
        raise InvalidTransition(_("Không thể chuyển tài khoản từ trạng thái hiện tại sang trạng thái này."))
    if target == Clearance.BLOCKED.value and not reason:
        raise ValidationError(_("Cần ghi lý do khóa tài khoản."), {"reason": [_("Cần ghi lý do khóa tài khoản.")]})
    profile = reader.profile
    if target == Clearance.CLEARED.value and profile is not None and profile.pending_id_number:
        if _identity_holder(profile.pending_id_kind or "", profile.pending_id_number, except_user=reader.id):
            raise ValidationError(_("Giấy tờ mới độc giả khai trùng với một tài khoản khác; hãy liên hệ độc giả."),
                                  {"reason": [_("Giấy tờ mới độc giả khai trùng với một tài khoản khác.")]})
        # Staff checked the new document: it becomes the one on record.
        profile.id_kind, profile.id_number = profile.pending_id_kind or profile.id_kind, profile.pending_id_number
        profile.pending_id_kind = profile.pending_id_number = None
    previous = reader.clearance
    reader.clearance = target
    reader.clearance_reason = reason
    if target == Clearance.BLOCKED.value:
        # Every open session ends now; grants are suspended while blocked (requests.active_grant).
        sessions.end_all_sessions(reader, "blocked")
    action = "reader.clear" if target == Clearance.CLEARED.value else "reader.block"
    record_event(db.session, actor, action, "user", reader.id, from_state=previous, to_state=target, reason=reason)
    db.session.commit()
    send_mail(reader.email, _("Tài khoản độc giả đã được xác minh") if target == Clearance.CLEARED.value
              else _("Tài khoản độc giả bị khóa"), "clearance", user=reader, reason=reason)
    return reader


def list_readers(state: str | None = None) -> list[User]:
    """Readers, oldest first, in one clearance state (any state when unknown)."""
    query = select(User).where(User.role == Role.READER.value).order_by(User.created_at)
    if state in {c.value for c in Clearance}:
        query = query.where(User.clearance == state)
    return list(db.session.scalars(query))


def readers_waiting() -> list[User]:
    """Readers not yet cleared, oldest first."""
    return list(db.session.scalars(
        select(User).where(User.role == Role.READER.value, User.clearance == Clearance.PENDING.value,
                           User.is_active_account.is_(True))
        .order_by(User.created_at)
    ))


def create_staff(email: str, role: str, full_name: str, password: str | None = None) -> tuple[User, str]:
    """Create a staff account (CLI). Returns the user and the password to hand over."""
    email = normalise_email(email)
    if role not in {Role.ARCHIVIST.value, Role.LEADER.value, Role.ADMIN.value}:
        raise ValidationError(_("Vai trò không hợp lệ."))
    if not EMAIL_RE.match(email):
        raise ValidationError(_("Địa chỉ email không hợp lệ."))
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ValidationError(_("Email này đã được dùng để đăng ký. Hãy đăng nhập hoặc đặt lại mật khẩu."))
    password = password or generate_password()
    problems = password_problems(password, email)
    if problems:
        raise ValidationError("; ".join(problems))
    user = User(email=email, password_hash=hash_password(password), full_name=full_name.strip() or email,
                role=role, clearance=Clearance.CLEARED.value, email_confirmed_at=utcnow())
    db.session.add(user)
    db.session.flush()
    record_event(db.session, None, "staff.create", "user", user.id, to_state=role)
    db.session.commit()
    return user, password


def set_data_saver(user: User, enabled: bool) -> None:
    """The account's choice of lighter reading copies (lower resolution, still readable): on or off.

    Remembered on the account, so it follows the reader to every copy and device.
    """
    user.data_saver = bool(enabled)
    db.session.commit()
