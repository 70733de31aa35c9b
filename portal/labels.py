"""Human labels for the TT 05/2025 codes and the account states, translatable."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
JOB_KIND = {
    "search.index": _l("Cập nhật chỉ mục tìm kiếm"), "search.rebuild": _l("Dựng lại chỉ mục tìm kiếm"),
    "reading_copy.build": _l("Tạo bản đọc"), "reading_copy.notify": _l("Báo bản đọc đã sẵn sàng"),
}
JOB_STATUS = {
    "queued": _l("Đang chờ"), "running": _l("Đang chạy"), "retrying": _l("Chờ chạy lại"),
    "failed": _l("Thất bại"), "done": _l("Xong"),
}
