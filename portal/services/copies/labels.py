"""Human labels for copy-order codes (kinds, deliveries, payment methods, quote lines), translatable."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...copy_workflow import LABELS as STATUS  # noqa: F401  (one place for templates)

KIND = {"plain": _l("Bản sao"), "certified": _l("Bản sao có xác thực")}
DELIVERY = {"download": _l("Tải về (bản điện tử)"), "post": _l("Bản giấy gửi qua bưu điện"),
            "pickup": _l("Bản giấy nhận tại phòng đọc")}
QUOTE_ITEM = {"pages": _l("Số trang × đơn giá"), "certification": _l("Phí chứng thực"),
              "reduction": _l("Giảm theo đối tượng"), "postage": _l("Cước bưu điện")}
PAYMENT_METHOD = {"desk": _l("Nộp tại quầy"), "transfer": _l("Chuyển khoản"),
                  "online": _l("Thanh toán trực tuyến (mã giao dịch)"), "exempt": _l("Miễn phí")}
PRICE_FIELDS = {
    "page_plain_digital": _l("Bản sao, bản điện tử (đồng/trang)"),
    "page_plain_paper": _l("Bản sao, bản giấy (đồng/trang)"),
    "page_certified_digital": _l("Bản sao có xác thực, bản điện tử (đồng/trang)"),
    "page_certified_paper": _l("Bản sao có xác thực, bản giấy (đồng/trang)"),
    "certification_fee": _l("Phí chứng thực (đồng/bản)"),
    "postage": _l("Cước bưu điện (đồng/phiếu)"),
}


def money(amount: int | None) -> str:
    """Whole đồng with dots between thousands: ``1.250.000 đ``."""
    return f"{int(amount or 0):,}".replace(",", ".") + " đ"
