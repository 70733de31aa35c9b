"""Demo copy orders in every state, an example fee schedule (marked as examples), and one delivered
certified copy that verifies at /xac-thuc.

Everything goes through the copy services (order, decide, pay, produce, deliver, expire), so the
audit trail, deadlines, quotes and mails are real. Copies are produced here and now rather than
waiting for the worker.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import CopyOrder, RecordFile, Role, User
from portal.services.copies import delivery, fees, orders, payments, production

# Example values only (one published example, Hà Tĩnh: 3.000 đ per sheet, 20.000 đ per certified copy).
EXAMPLE_FEES = {
    "page_plain_digital": "2000", "page_plain_paper": "3000", "page_certified_digital": "3000",
    "page_certified_paper": "3000", "certification_fee": "20000", "postage": "30000",
    "reduction_01": "50", "reduction_02": "100", "reduction_03": "50", "reduction_05": "50",
    "effective_from": date(2025, 1, 1),
    "decision": "SỐ LIỆU VÍ DỤ cho bản demo, không phải biểu phí đã ban hành.",
}


def _files(digitised: bool, mode: str = "01", count: int = 1, skip: set[int] | None = None) -> list[RecordFile]:
    skip = skip if skip is not None else set()
    query = select(RecordFile).where(RecordFile.mode == mode).order_by(RecordFile.id.desc())
    query = query.where(RecordFile.scan_kind.is_not(None) if digitised else RecordFile.scan_kind.is_(None))
    chosen = [f for f in db.session.scalars(query) if f.id not in skip][:count]
    skip.update(f.id for f in chosen)
    return chosen


def create_demo_copies(reader_email: str, echo: Callable[[str], object] = print) -> CopyOrder | None:
    """Orders in every state; returns the delivered certified copy (it verifies)."""
    reader = db.session.scalar(select(User).where(User.email == reader_email))
    archivist = db.session.scalar(select(User).where(User.role == Role.ARCHIVIST.value).order_by(User.id))
    if reader is None or archivist is None:
        return None
    fees.save_schedule(None, dict(EXAMPLE_FEES), is_example=True, allow_past=True)
    used: set[int] = set()
    counter = iter(range(1, 100))

    def order(files: list[RecordFile], pages: str = "1-2", **values: str) -> CopyOrder:
        data = {"kind": "certified", "delivery": "download", "paper_sets": "1", "purpose": "01",
                "purpose_details": "Làm thủ tục hành chính về đất đai", "fee_category": "10", **values}
        rows = [(f.file_code, pages) for f in files]
        quote = orders.check_order(reader, data, rows).quote.amount
        return orders.submit_order(reader, data, rows, f"demo-copy-{next(counter)}", quote)

    def pay(target: CopyOrder, receipt: str) -> None:
        payments.record_staff_payment(archivist, target, {"method": "desk", "amount": str(target.amount),
                                                          "receipt_no": receipt})

    def produce_now(target: CopyOrder) -> None:
        production.produce(target.id)
        db.session.refresh(target)

    # Delivered certified copy (the one that verifies), downloaded by the reader.
    certified = order(_files(True, skip=used), "1-3")
    orders.apply(archivist, certified, "approve")
    pay(certified, "BL-2026-0001")
    produce_now(certified)
    delivery.download(reader, certified.id)

    # A plain copy, ready to download; a paper copy by post, posted with a tracking number.
    ready = order(_files(True, skip=used), "1", kind="plain")
    orders.apply(archivist, ready, "approve")
    pay(ready, "BL-2026-0002")
    produce_now(ready)
    posted = order(_files(True, skip=used), "2-3", delivery="post", paper_sets="2",
                   postal_address="25 Đường 30 Tháng 4, phường Thanh Bình, TP. Biên Hòa, Đồng Nai")
    orders.apply(archivist, posted, "approve")
    pay(posted, "BL-2026-0003")
    produce_now(posted)
    delivery.hand_over(archivist, posted, "EB012345678VN")

    # A paper copy to collect, produced and waiting at the desk; a paper-only file paid, to copy by hand.
    pickup = order(_files(True, skip=used), "1", kind="plain", delivery="pickup", fee_category="01")
    orders.apply(archivist, pickup, "approve")
    pay(pickup, "BL-2026-0004")
    produce_now(pickup)
    paper_only = order(_files(False, skip=used), "1-4", delivery="pickup")
    orders.apply(archivist, paper_only, "approve")
    pay(paper_only, "BL-2026-0005")

    # Waiting: at the archivist (one overdue), forwarded to the leader, approved and awaiting payment.
    order(_files(True, skip=used), "1")
    overdue = order(_files(True, skip=used), "1-2", kind="plain")
    overdue.due_on -= timedelta(days=6)
    overdue.submitted_at -= timedelta(days=8)
    db.session.commit()
    conditional = order(_files(True, "02", skip=used), "1")
    orders.apply(archivist, conditional, "forward", "Đề nghị lãnh đạo đồng ý cấp bản sao.")
    awaiting = order(_files(True, skip=used), "1", kind="plain")
    orders.apply(archivist, awaiting, "approve")

    # Ended: refused, withdrawn, expired (never paid).
    refused = order(_files(True, skip=used), "1")
    orders.apply(archivist, refused, "refuse", "Tài liệu đang được tu bổ, chưa sao chụp được.")
    withdrawn = order(_files(True, skip=used), "1")
    orders.withdraw(reader, withdrawn)
    expired = order(_files(True, skip=used), "1", kind="plain")
    orders.apply(archivist, expired, "approve")
    orders.apply(None, expired, "expire")
    echo(f"Đã tạo 14 phiếu sao mẫu; bản sao có xác thực {certified.code} kiểm tra được tại /xac-thuc.")
    return certified
