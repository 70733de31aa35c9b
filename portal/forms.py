"""Flask-WTF forms: CSRF, rendering and keeping what was typed.

Domain rules live in the services; these forms only shape input. A
:class:`~portal.errors.ValidationError` from a service is put back onto the
form's fields with :func:`apply_errors` so messages show beside the field.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField, DateField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from . import labels
from .errors import ValidationError


class _CodeLabel:
    """``"01 – Vĩnh viễn"``, translated when rendered (not when the form class is built)."""

    def __init__(self, code: str, label: object) -> None:
        self.code, self.label = code, label

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def _choices(mapping: dict[str, object], blank: object | None = None, with_code: bool = True) -> list[SelectChoice]:
    items = [SelectChoice("", blank)] if blank is not None else []
    return items + [SelectChoice(code, _CodeLabel(code, label) if with_code else label)
                    for code, label in mapping.items()]


def apply_errors(form: FlaskForm, error: ValidationError) -> None:
    """Attach a service's field errors to the form; unknown fields go to the form."""
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors.extend(messages)


class ProfileFields:
    """Mix-in with the TT 05/2025 Điều 35 account fields."""

    full_name = StringField(_l("Họ và tên"))
    id_kind = SelectField(_l("Loại giấy tờ"), choices=_choices(labels.ID_KIND, with_code=False), validate_choice=False)
    id_number = StringField(_l("Số định danh cá nhân / số hộ chiếu"))
    phone = StringField(_l("Số điện thoại (không bắt buộc)"))
    employer = StringField(_l("Cơ quan công tác (không bắt buộc)"))
    priority_category = SelectField(_l("Đối tượng ưu tiên (không bắt buộc)"),
                                    choices=_choices(labels.FEE_CATEGORY, blank=_l("— Không —")), validate_choice=False)
    notes = TextAreaField(_l("Ghi chú"))


class RegisterForm(ProfileFields, FlaskForm):
    email = EmailField(_l("Email"))
    password = PasswordField(_l("Mật khẩu"))
    password_confirm = PasswordField(_l("Nhập lại mật khẩu"))
    consent_account = BooleanField(labels.CONSENT["account"])
    consent_statistics = BooleanField(labels.CONSENT["statistics"])
    consent_newsletter = BooleanField(labels.CONSENT["newsletter"])


class ProfileForm(ProfileFields, FlaskForm):
    pass


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Hãy nhập email."))])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Hãy nhập mật khẩu."))])


class EmailOnlyForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Hãy nhập email.")), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(_l("Hãy nhập mật khẩu."))])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Hãy nhập mật khẩu."))])
    new_password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(_l("Hãy nhập mật khẩu."))])


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change state."""


class DataSaverForm(FlaskForm):
    """The reader's data-saver switch: ``enabled`` is "1" (on) or "0" (off); ``next`` is where to go back."""

    enabled = HiddenField(validators=[AnyOf(("0", "1"))])
    next = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), Length(max=2000)])


class FondsForm(FlaskForm):
    code = StringField(_l("Mã phông"), validators=[DataRequired(_l("Hãy nhập mã phông.")), Length(max=40)])
    name = StringField(_l("Tên phông"), validators=[DataRequired(_l("Hãy nhập tên phông.")), Length(max=300)])
    description = TextAreaField(_l("Giới thiệu"), validators=[Optional(), Length(max=5000)])


class FileForm(FlaskForm):
    """Every TT 05/2025 field of a file (hồ sơ)."""

    file_code = StringField(_l("Mã hồ sơ"))
    inventory_no = StringField(_l("Mục lục số"))
    box_no = StringField(_l("Hộp số"))
    file_no = StringField(_l("Hồ sơ số"))
    title = TextAreaField(_l("Tiêu đề hồ sơ"))
    start_date = StringField(_l("Thời gian bắt đầu (YYYY, YYYY-MM hoặc YYYY-MM-DD)"))
    end_date = StringField(_l("Thời gian kết thúc"))
    retention = SelectField(_l("Thời hạn bảo quản"), choices=_choices(labels.RETENTION), validate_choice=False)
    mode = SelectField(_l("Chế độ sử dụng"), choices=_choices(labels.MODE), validate_choice=False)
    language = StringField(_l("Ngôn ngữ"), default="Tiếng Việt")
    keywords = StringField(_l("Từ khóa (cách nhau bằng dấu ;)"))
    document_count = StringField(_l("Tổng số văn bản"))
    sheets = StringField(_l("Số tờ"))
    pages = StringField(_l("Số trang"))
    condition = SelectField(_l("Tình trạng vật lý"), choices=_choices(labels.CONDITION), validate_choice=False)
    info_symbol = StringField(_l("Ký hiệu thông tin"))
    reliability = SelectField(_l("Mức độ tin cậy"), choices=_choices(labels.RELIABILITY), validate_choice=False, default="02")
    notes = TextAreaField(_l("Ghi chú"))


class ScanUploadForm(FlaskForm):
    scan = FileField(_l("Bản quét (PDF, hoặc tệp ZIP chứa ảnh trang)"),
                     validators=[FileRequired(_l("Hãy chọn tệp bản quét."))])


class ImportForm(FlaskForm):
    manifest = FileField(_l("Manifest (tệp CSV, hoặc ZIP chứa manifest.csv, documents.csv và bản quét)"),
                         validators=[FileRequired(_l("Hãy chọn tệp manifest."))])


class TraceForm(FlaskForm):
    """Images of a leaked page to trace (the service checks count, size and content)."""

    images = MultipleFileField(_l("Ảnh trang tài liệu bị lộ (ảnh chụp màn hình, ảnh cắt, ảnh chụp bằng điện thoại…)"),
                               render_kw={"accept": "image/*"})


class RequestForm(FlaskForm):
    """Phiếu yêu cầu đọc tài liệu lưu trữ (the request service validates it)."""

    submit_token = HiddenField()
    purpose = SelectField(_l("Mục đích sử dụng"), choices=_choices(labels.PURPOSE, blank=_l("— Chọn —")),
                          validate_choice=False)
    purpose_details = TextAreaField(_l("Nội dung mục đích (với công vụ: cơ quan, nhiệm vụ được giao)"))
    research_topic = TextAreaField(_l("Chủ đề nghiên cứu"))
    fee_category = SelectField(_l("Đối tượng thu phí"), choices=_choices(labels.FEE_CATEGORY, blank=_l("— Chọn —")),
                               validate_choice=False)
    notes = TextAreaField(_l("Ghi chú"))
    letter = FileField(_l("Giấy giới thiệu (bắt buộc với mục đích công vụ; PDF, JPEG hoặc PNG, tối đa 10 MB)"))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Tin nhắn"))


class DecisionForm(FlaskForm):
    """One decision on one item; ``version`` detects a decision made meanwhile by someone else."""

    reason = TextAreaField(_l("Lý do / ý kiến"))
    version = HiddenField()


class RegisterExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download that changes nothing

    start = DateField(_l("Từ ngày"), validators=[DataRequired(_l("Hãy chọn ngày."))])
    end = DateField(_l("Đến ngày"), validators=[DataRequired(_l("Hãy chọn ngày."))])


class StaffInviteForm(FlaskForm):
    """A new staff member: they set their own password from the mailed link."""

    full_name = StringField(_l("Họ và tên"), validators=[Length(max=200)])
    email = EmailField(_l("Email"), validators=[Length(max=254)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice("", _l("— chọn vai trò —"))] + [
        SelectChoice(code, labels.ROLE[code]) for code in ("archivist", "leader", "admin")], validate_choice=False)


class StaffRoleForm(FlaskForm):
    role = SelectField(_l("Vai trò"), choices=[SelectChoice(code, labels.ROLE[code])
                                               for code in ("archivist", "leader", "admin")], validate_choice=False)


class PeriodForm(FlaskForm):
    """A period for the statistics (a GET that changes nothing)."""

    class Meta:
        csrf = False

    start = DateField(_l("Từ ngày"), validators=[Optional()])
    end = DateField(_l("Đến ngày"), validators=[Optional()])
# --- copies ------------------------------------------------------------------------------------

COPY_KINDS = {"plain": _l("Bản sao"), "certified": _l("Bản sao có xác thực (ký số)")}
COPY_DELIVERIES = {"download": _l("Tải về (bản điện tử, trong 15 ngày)"), "post": _l("Bản giấy gửi qua bưu điện"),
                   "pickup": _l("Bản giấy nhận tại phòng đọc")}


class CopyOrderForm(FlaskForm):
    """Phiếu yêu cầu sao và xác thực tài liệu lưu trữ (the file rows are read from ``files-N-*``)."""

    submit_token = HiddenField()
    quoted_amount = HiddenField()
    kind = SelectField(_l("Loại bản sao"), choices=_choices(COPY_KINDS, with_code=False), validate_choice=False)
    delivery = SelectField(_l("Cách nhận"), choices=_choices(COPY_DELIVERIES, with_code=False), validate_choice=False)
    paper_sets = StringField(_l("Số bộ bản giấy"), default="1")
    postal_address = TextAreaField(_l("Địa chỉ nhận bưu phẩm (khi gửi qua bưu điện)"))
    purpose = SelectField(_l("Mục đích sử dụng"), choices=_choices(labels.PURPOSE, blank=_l("— Chọn —")),
                          validate_choice=False)
    purpose_details = TextAreaField(_l("Nội dung mục đích (ví dụ: làm thủ tục cấp giấy chứng nhận quyền sử dụng đất)"))
    fee_category = SelectField(_l("Đối tượng thu phí"), choices=_choices(labels.FEE_CATEGORY, blank=_l("— Chọn —")),
                               validate_choice=False)
    notes = TextAreaField(_l("Ghi chú"))


class CopyPaymentForm(FlaskForm):
    method = SelectField(_l("Hình thức nộp"), choices=_choices(
        {"desk": _l("Nộp tại quầy"), "transfer": _l("Chuyển khoản"),
         "online": _l("Thanh toán trực tuyến (mã giao dịch)")}, with_code=False), validate_choice=False)
    amount = StringField(_l("Số tiền (đồng)"))
    receipt_no = StringField(_l("Số biên lai"))
    reference = StringField(_l("Mã giao dịch"))
    version = HiddenField()


class CopyHandOverForm(FlaskForm):
    tracking_number = StringField(_l("Mã bưu gửi (khi gửi qua bưu điện)"))
    version = HiddenField()


class FeeScheduleForm(FlaskForm):
    """A new version of the fee schedule; reductions per fee category are ``reduction_XX`` inputs."""

    page_plain_digital = StringField(_l("Bản sao, bản điện tử (đồng/trang)"))
    page_plain_paper = StringField(_l("Bản sao, bản giấy (đồng/trang)"))
    page_certified_digital = StringField(_l("Bản sao có xác thực, bản điện tử (đồng/trang)"))
    page_certified_paper = StringField(_l("Bản sao có xác thực, bản giấy (đồng/trang)"))
    certification_fee = StringField(_l("Phí chứng thực (đồng/bản)"))
    postage = StringField(_l("Cước bưu điện (đồng/phiếu)"))
    effective_from = DateField(_l("Áp dụng từ ngày"), validators=[Optional()])
    decision = TextAreaField(_l("Căn cứ (quyết định ban hành biểu phí)"))


class VerifyUploadForm(FlaskForm):
    upload = FileField(_l("Tệp PDF của bản sao (tối đa 30 MB)"))
