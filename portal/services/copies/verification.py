"""Public verification of certified copies (/xac-thuc): by the order code printed on a copy, or by
uploading the PDF. Uploads are read into memory, checked and forgotten: never stored.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...copy_workflow import CopyStatus
from ...errors import ValidationError
from ...extensions import db
from ...models import CopyOrder
from . import signing
from .delivery import stored_path
from .signature_check import ORDER_CODE, SignatureResult, Verdict, check_signature

ISSUED = (CopyStatus.PRODUCED.value, CopyStatus.DELIVERED.value, CopyStatus.EXPIRED.value)
REASONS = {
    Verdict.NOT_PDF: _l("Tệp không phải là PDF đọc được."),
    Verdict.NO_SIGNATURE: _l("Tệp không có chữ ký số (chữ ký có thể đã bị gỡ bỏ)."),
    Verdict.MANY_SIGNATURES: _l("Tệp có nhiều chữ ký; bản sao của Lưu trữ chỉ có một chữ ký."),
    Verdict.BROKEN: _l("Nội dung đã bị thay đổi sau khi ký: chữ ký không còn khớp với tệp."),
    Verdict.CHANGED_AFTER: _l("Tệp đã bị thêm nội dung (trang, chú thích...) sau khi ký."),
    Verdict.UNTRUSTED: _l("Chữ ký không do chứng thư số của Lưu trữ tạo ra."),
    Verdict.NO_CODE: _l("Tệp không mang mã bản sao của Lưu trữ."),
}


@dataclass
class Verification:
    """What the public page says."""

    valid: bool
    reason: str = ""
    order: CopyOrder | None = None
    masked_name: str = ""
    issued_at: datetime | None = None
    files: list[tuple[str, str, str]] = field(default_factory=list)  # (file code, title, pages)


def mask_name(full_name: str) -> str:
    """``Nguyễn Thị Hồng`` → ``N*** T*** H***``: enough to recognise, not to identify."""
    return " ".join(part[0] + "***" for part in full_name.split() if part)


def _describe(order: CopyOrder, valid: bool, reason: str = "") -> Verification:
    return Verification(valid=valid, reason=reason, order=order, masked_name=mask_name(order.reader.full_name),
                        issued_at=order.produced_at,
                        files=[(line.file.file_code, line.file.title, line.pages_spec) for line in order.files])


def _issued_order(code: str) -> CopyOrder | None:
    order = db.session.scalar(select(CopyOrder).where(CopyOrder.code == code))
    if order is None or order.kind != "certified" or order.status not in ISSUED or not order.pdf_sha256:
        return None
    return order


def by_code(raw: str) -> Verification:
    """Look up a code printed on a copy. A malformed, forged or unknown code: not valid, said plainly."""
    code = (raw or "").strip().upper()
    if not ORDER_CODE.fullmatch(code):
        raise ValidationError(_("Mã bản sao có dạng SC-NĂM-SỐ, ví dụ SC-2026-000123."),
                              {"code": [_("Mã bản sao có dạng SC-NĂM-SỐ, ví dụ SC-2026-000123.")]})
    order = _issued_order(code)
    if order is None:
        return Verification(valid=False, reason=_("Lưu trữ không cấp bản sao có xác thực nào mang mã này."))
    if order.purged_at is None and order.pdf_path and stored_path(order).exists():
        result = _check_bytes(stored_path(order).read_bytes())
        if result.verdict is not Verdict.VALID:
            return _describe(order, False, str(REASONS[result.verdict]))
    return _describe(order, True)


def _check_bytes(data: bytes) -> SignatureResult:
    setup = signing.signing_setup()
    return check_signature(data, signing.trust_roots(setup))


def by_upload(stream: IO[bytes] | None) -> Verification:
    """Check an uploaded PDF: the archive's signature, intact, covering the whole file, and the very
    bytes the archive issued for the order code it carries."""
    limit = int(current_app.config["COPY_VERIFY_MAX_BYTES"])
    data = stream.read(limit + 1) if stream is not None else b""
    if not data:
        message = _("Hãy chọn tệp PDF của bản sao.")
        raise ValidationError(message, {"upload": [message]})
    if len(data) > limit:
        message = _("Tệp quá lớn (tối đa %(mb)d MB).", mb=limit // (1 << 20))
        raise ValidationError(message, {"upload": [message]})
    if not data.startswith(b"%PDF-"):
        message = _("Tệp tải lên không phải PDF.")
        raise ValidationError(message, {"upload": [message]})
    result = _check_bytes(data)
    if result.verdict is not Verdict.VALID:
        return Verification(valid=False, reason=str(REASONS[result.verdict]))
    order = _issued_order(result.order_code)
    if order is None:
        return Verification(valid=False, reason=_("Lưu trữ không cấp bản sao có xác thực nào mang mã này."))
    if hashlib.sha256(data).hexdigest() != order.pdf_sha256:
        return _describe(order, False, _("Tệp không trùng với bản sao Lưu trữ đã cấp cho mã này."))
    return _describe(order, True)


