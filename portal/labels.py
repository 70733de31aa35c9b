"""Human labels for the TT 05/2025 codes and the account states, translatable."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from . import workflow
from .models import AccessKind, ReadingCopyStatus

RETENTION = {
    "01": _l("Vĩnh viễn"), "02": _l("70 năm"), "03": _l("50 năm"), "04": _l("30 năm"),
    "05": _l("20 năm"), "06": _l("10 năm"), "07": _l("Khác"),
}
MODE = {"01": _l("Công khai"), "02": _l("Tiếp cận có điều kiện"), "03": _l("Mật")}
CONDITION = {"01": _l("Tốt"), "02": _l("Bình thường"), "03": _l("Hư hỏng")}
RELIABILITY = {"01": _l("Bản gốc điện tử"), "02": _l("Số hóa từ tài liệu giấy"), "03": _l("Hỗn hợp")}
CLEARANCE = {"pending": _l("Chưa xác minh"), "cleared": _l("Đã xác minh"), "blocked": _l("Bị khóa")}
ROLE = {"reader": _l("Độc giả"), "archivist": _l("Cán bộ phòng đọc"), "leader": _l("Lãnh đạo"),
        "admin": _l("Quản trị")}
ID_KIND = {"cccd": _l("Số định danh cá nhân (CCCD)"), "passport": _l("Hộ chiếu")}
CONSENT = {
    "account": _l("Xử lý dữ liệu cá nhân để mở tài khoản và phục vụ đọc tài liệu (bắt buộc)"),
    "statistics": _l("Dùng dữ liệu đã ẩn danh để thống kê, báo cáo Sở Nội vụ"),
    "newsletter": _l("Nhận bản tin về triển lãm và tài liệu mới"),
}
FEE_CATEGORY = {
    "01": _l("Học sinh, sinh viên"), "02": _l("Người có công với cách mạng"),
    "03": _l("Thân nhân người có công"), "04": _l("Người cao tuổi"), "05": _l("Người khuyết tật"),
    "06": _l("Người dân tộc thiểu số"), "07": _l("Hộ nghèo, cận nghèo"), "08": _l("Cán bộ hưu trí"),
    "09": _l("Đối tượng chính sách khác"), "10": _l("Khác"),
}
PURPOSE = {"01": _l("Cá nhân"), "02": _l("Công vụ"), "03": _l("Công vụ đặc biệt")}

# --- the audit trail and the states a person reads in it ------------------------------------------
# Other modules add their own actions with ``AUDIT_ACTION.update(...)`` when they are imported.
AUDIT_ACTION = {
    "account.change_password": _l("Đổi mật khẩu"), "account.close": _l("Đóng tài khoản"),
    "account.lockout_notice": _l("Báo đăng nhập sai nhiều lần"), "account.reset_password": _l("Đặt lại mật khẩu"),
    "account.update_profile": _l("Sửa thông tin tài khoản"),
    "consent.give": _l("Đồng ý xử lý dữ liệu"), "consent.withdraw": _l("Rút đồng ý xử lý dữ liệu"),
    "reader.register": _l("Đăng ký tài khoản độc giả"), "reader.confirm_email": _l("Xác nhận email"),
    "reader.identity_changed": _l("Đổi giấy tờ tùy thân"), "reader.clear": _l("Xác minh độc giả"),
    "reader.block": _l("Khóa tài khoản độc giả"),
    "request.submit": _l("Gửi phiếu yêu cầu"), "request.withdraw": _l("Rút phiếu yêu cầu"),
    "request.message": _l("Tin nhắn về phiếu"),
    "item.submit": _l("Yêu cầu đọc hồ sơ"), "item.approve": _l("Đồng ý cho đọc"), "item.refuse": _l("Từ chối"),
    "item.forward": _l("Chuyển lãnh đạo duyệt"), "item.leader_approve": _l("Lãnh đạo đồng ý"),
    "item.leader_refuse": _l("Lãnh đạo từ chối"), "item.withdraw": _l("Rút yêu cầu"),
    "item.expire": _l("Hết hạn đọc"), "item.revoke": _l("Thu hồi quyền đọc"),
    "item.remind": _l("Nhắc sắp hết hạn đọc"),
    "account.register_existing": _l("Đăng ký trùng email (đã báo chủ tài khoản)"),
    "account.register_identity_in_use": _l("Đăng ký trùng giấy tờ tùy thân (đã báo chủ tài khoản)"),
    "exhibition.withdraw_file": _l("Rút ảnh của hồ sơ khỏi triển lãm"), "file.reclassify": _l("Đổi chế độ sử dụng hồ sơ"),
    "job.retry": _l("Chạy lại tác vụ nền"),
    "calendar.save": _l("Sửa lịch phòng đọc"), "calendar.closure_add": _l("Thêm ngày nghỉ phòng đọc"),
    "calendar.closure_remove": _l("Bỏ ngày nghỉ phòng đọc"),
    "visit.book": _l("Đặt lịch đọc"), "visit.move": _l("Đổi lịch đọc"), "visit.cancel": _l("Hủy lịch đọc"),
    "visit.check_in": _l("Độc giả đến phòng đọc"), "visit.check_out": _l("Độc giả rời phòng đọc"),
    "visit.no_show": _l("Độc giả không đến"), "visit.hand_over": _l("Giao hồ sơ cho độc giả"),
    "visit.return": _l("Nhận lại hồ sơ"), "register.export_visits": _l("Xuất sổ theo dõi phòng đọc"),
    "digitisation.done": _l("Đã số hóa theo yêu cầu"), "digitisation.cancel": _l("Hủy đề nghị số hóa"),
    "item.digitised": _l("Hồ sơ yêu cầu đã được số hóa"),
    "copy.submit": _l("Gửi phiếu yêu cầu sao"), "copy.download": _l("Tải bản sao"), "copy.purge": _l("Xóa bản sao hết hạn"),
    "copy.retry_production": _l("Làm lại bản sao"), "copy.staff_open": _l("Cán bộ mở bản sao"),
    "copy.approve": _l("Đồng ý cấp bản sao"), "copy.forward": _l("Chuyển lãnh đạo duyệt phiếu sao"),
    "copy.leader_approve": _l("Lãnh đạo đồng ý cấp bản sao"), "copy.refuse": _l("Từ chối cấp bản sao"),
    "copy.leader_refuse": _l("Lãnh đạo từ chối cấp bản sao"), "copy.withdraw": _l("Rút phiếu yêu cầu sao"),
    "copy.pay": _l("Ghi nhận nộp phí"), "copy.produce": _l("Làm xong bản sao"), "copy.deliver": _l("Giao bản sao"),
    "copy.expire": _l("Phiếu sao hết hạn"), "copy.close": _l("Kết thúc phiếu sao do thay đổi chế độ sử dụng hồ sơ"),
    "copy.mode_change": _l("Phiếu sao cần lãnh đạo duyệt do hồ sơ đổi chế độ"),
    "fees.publish": _l("Ban hành biểu phí"), "watermark.trace": _l("Truy vết bản đọc"),
    "item.close": _l("Kết thúc do thay đổi chế độ sử dụng hồ sơ"), "item.mode_change": _l("Hồ sơ đổi chế độ sử dụng"),
    "fonds.create": _l("Tạo phông"), "fonds.update": _l("Sửa phông"),
    "file.create": _l("Tạo hồ sơ"), "file.update": _l("Sửa hồ sơ"), "file.import_create": _l("Nhập hồ sơ mới"),
    "file.import_update": _l("Nhập cập nhật hồ sơ"), "file.import_documents": _l("Nhập văn bản của hồ sơ"),
    "file.scan_attach": _l("Gắn bản quét"), "file.scan_replace": _l("Thay bản quét"),
    "file.ocr_rerun": _l("Nhận dạng lại văn bản trang"), "file.page_text_correct": _l("Sửa văn bản nhận dạng của trang"),
    "reading.flag": _l("Cảnh báo tốc độ đọc"), "reading.flag_resolve": _l("Đã xem cảnh báo đọc"),
    "reading.purge": _l("Xóa bản đọc hết hạn"), "reading.retry_copy": _l("Tạo lại bản đọc"),
    "reading.staff_copy": _l("Cán bộ mở bản kiểm tra"),
    "register.export_readers": _l("Xuất sổ đăng ký độc giả"),
    "register.export_requests": _l("Xuất sổ đăng ký phiếu yêu cầu"),
    "report.export_yearly": _l("Xuất báo cáo năm"),
    "staff.create": _l("Tạo tài khoản cán bộ"), "staff.invite": _l("Mời cán bộ mới"),
    "staff.change_role": _l("Đổi vai trò cán bộ"), "staff.disable": _l("Tạm khóa tài khoản cán bộ"),
    "staff.enable": _l("Mở lại tài khoản cán bộ"), "staff.send_reset": _l("Gửi liên kết đặt mật khẩu"),
    "exhibitions.settings": _l("Đổi cài đặt triển lãm"),
    "exhibition.create": _l("Tạo triển lãm"), "exhibition.update": _l("Sửa triển lãm"),
    "exhibition.publish": _l("Công bố triển lãm"), "exhibition.unpublish": _l("Ngừng công bố triển lãm"),
    "exhibition.feature": _l("Đưa triển lãm lên trang chủ"), "exhibition.unfeature": _l("Bỏ nổi bật triển lãm"),
    "exhibition.cover": _l("Đổi ảnh bìa triển lãm"), "exhibition.section_add": _l("Thêm phần triển lãm"),
    "exhibition.section_update": _l("Sửa phần triển lãm"), "exhibition.section_move": _l("Đổi thứ tự phần"),
    "exhibition.section_delete": _l("Xóa phần triển lãm"), "exhibition.item_add": _l("Thêm mục triển lãm"),
    "exhibition.item_update": _l("Sửa mục triển lãm"), "exhibition.item_move": _l("Đổi thứ tự mục"),
    "exhibition.item_delete": _l("Xóa mục triển lãm"),
}
OBJECT_TYPE = {
    "user": _l("Tài khoản"), "request": _l("Phiếu yêu cầu"), "item": _l("Hồ sơ yêu cầu"), "fonds": _l("Phông"),
    "file": _l("Hồ sơ"), "reading_copy": _l("Bản đọc"), "register": _l("Sổ đăng ký"),
    "exhibition": _l("Triển lãm"), "setting": _l("Cài đặt"), "report": _l("Báo cáo"),
}
ITEM_STATUS = {status.value: text for status, text in workflow.ITEM_LABELS.items()}
REQUEST_STATUS = {status.value: text for status, text in workflow.REQUEST_LABELS.items()}
ACCOUNT_STATE = {"active": _l("Đang hoạt động"), "disabled": _l("Tạm khóa")}
COPY_STATUS = {ReadingCopyStatus.QUEUED.value: _l("Chờ tạo"), ReadingCopyStatus.BUILDING.value: _l("Đang tạo"),
               ReadingCopyStatus.READY.value: _l("Sẵn sàng"), ReadingCopyStatus.FAILED.value: _l("Lỗi"),
               ReadingCopyStatus.PURGED.value: _l("Đã xóa")}
ACCESS_KIND = {AccessKind.OPEN.value: _l("Mở trình xem"), AccessKind.RANGE.value: _l("Tải trang"),
               AccessKind.FULL.value: _l("Tải toàn bộ tệp")}
# A state in the audit trail may belong to any of these tables; the first that knows the code names it.
_STATE_TABLES = (ITEM_STATUS, REQUEST_STATUS, CLEARANCE, ROLE, ACCOUNT_STATE, COPY_STATUS)


def label(table: dict, code: object) -> str:
    """The human label of ``code`` in ``table``; an unknown code is shown as it is (never hidden)."""
    if code is None or code == "":
        return ""
    found = table.get(str(code))
    return str(found) if found is not None else str(code)


def action_label(code: str) -> str:
    """The label of an audit action ("item.approve" → "Đồng ý cho đọc")."""
    return label(AUDIT_ACTION, code)


def state_label(code: str | None) -> str:
    """The label of a state from any workflow (item, request, clearance, role, account, copy)."""
    for table in _STATE_TABLES:
        if code in table:
            return str(table[code])
    return code or ""


# Background job kinds, as staff pages name them (other modules add theirs with JOB_KIND.update).
JOB_KIND = {
    "search.index": _l("Cập nhật chỉ mục tìm kiếm"), "search.rebuild": _l("Dựng lại chỉ mục tìm kiếm"),
    "reading_copy.build": _l("Tạo bản đọc"), "reading_copy.notify": _l("Báo bản đọc đã sẵn sàng"),
    "ocr.file": _l("Nhận dạng văn bản trang (OCR)"),
}
# Where a page's text came from (portal.models.PageText.source).
PAGE_TEXT_SOURCE = {
    "ocr": _l("Nhận dạng (OCR)"), "text_layer": _l("Lớp chữ của PDF"), "corrected": _l("Cán bộ đã sửa"),
}
JOB_STATUS = {
    "queued": _l("Đang chờ"), "running": _l("Đang chạy"), "retrying": _l("Chờ chạy lại"),
    "failed": _l("Thất bại"), "done": _l("Xong"),
}
