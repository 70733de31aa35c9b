"""Copy orders end to end through the services: ordering, deciding, paying, producing, delivering,
the PDF itself (marks, block, signature by pyHanko and by poppler's pdfsig), verification and the
tampering cases, housekeeping and the register."""
from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pikepdf
import pikepdf.pdfa
import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from portal.db import utcnow
from portal.errors import InvalidTransition, NotFound, NotPermitted, ValidationError
from portal import jobs
from portal.extensions import db
from portal.models import AuditEvent, CopyDownload, CopyOrder, User
from portal.services.copies import delivery, orders, payments, production, register, signing, verification
from portal.services.copies.document import build_copy

from .copies_helpers import build_copy_world, order_data, place_order


@pytest.fixture
def world(app, make_user, make_file, tmp_path):
    return build_copy_world(app, make_user, make_file, tmp_path)


def _user(user) -> User:
    return db.session.get(User, user.id)


def _produce_certified(world, **overrides) -> CopyOrder:
    """A certified order of pages 2-3 and 1 of two files, approved, paid and produced (the job runs inline)."""
    order = place_order(world.reader.id, [(world.open_file.file_code, "2-3"), (world.cond_file.file_code, "1")],
                        "flow-1", **overrides)
    orders.apply(_user(world.archivist), order, "forward", "Đề nghị lãnh đạo duyệt")
    orders.apply(_user(world.leader), order, "leader_approve")
    payments.record_staff_payment(_user(world.archivist), order,
                                  {"method": "desk", "amount": str(order.amount), "receipt_no": "BL-0001"})
    db.session.refresh(order)
    return order


def _text_box(page, needle: str) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in points of the first match of ``needle`` on a pdfium page."""
    textpage = page.get_textpage()
    searcher = textpage.search(needle)
    found = searcher.get_next()
    assert found is not None, f"{needle!r} is not on the page"
    index, count = found
    boxes = [textpage.get_charbox(i) for i in range(index, index + count)]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def test_certified_copy_flow_produces_a_signed_pdfa_copy(app, ctx, world, outbox):
    order = _produce_certified(world)
    assert order.status == "produced" and order.code.startswith("SC-")
    assert order.signer
    path = delivery.stored_path(order)
    data = path.read_bytes()

    pdf = pdfium.PdfDocument(data)
    assert len(pdf) == 3  # pages 2-3 of one file and page 1 of the other: selected pages only
    first = pdf[0]
    width, height = first.get_size()
    left, bottom, _right, _top = _text_box(first, "BẢN SAO")
    assert left > width / 2 and bottom > height - 40, "BẢN SAO stands at the top right of page 1"
    block = _text_box(first, "BẢN SAO CÓ XÁC THỰC")
    assert block[3] < 200, "the certification block is at the foot of page 1, below the scan"
    for needle in (world.open_file.file_code, "Trang: 2-3", order.code, "/xac-thuc?ma=" + order.code):
        _text_box(first, needle)
    for n in range(3):
        footer = _text_box(pdf[n], f"Trang {n + 1}/3")
        assert footer[3] < 20, "the footer is at the bottom of every page"
        _text_box(pdf[n], order.code)
    pdf.close()

    # The scan is copied at full resolution (100 dpi page images here), not from the 150 dpi derivative.
    with pikepdf.open(io.BytesIO(data)) as doc:
        image = doc.pages[0].Resources.XObject.P0
        assert (int(image.Width), int(image.Height)) == (827, 1169)
        assert "/OutputIntents" in doc.Root and "/Metadata" in doc.Root

    # pyHanko: intact, trusted by the archive's root, covering the whole file.
    roots = signing.trust_roots(signing.signing_setup())
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(data)).embedded_signatures[0],
                                    ValidationContext(trust_roots=roots))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "THỬ NGHIỆM" in status.signing_cert.subject.human_friendly

    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "copy_order").order_by(AuditEvent.id))] == [
        "copy.submit", "copy.forward", "copy.leader_approve", "copy.pay", "copy.produce"]
    subjects = [m["Subject"] for m in outbox()]
    assert any("đã sẵn sàng" in s for s in subjects) and any("được đồng ý" in s for s in subjects)


def test_pdfsig_finds_the_signature_valid(app, ctx, world, tmp_path):
    order = _produce_certified(world)
    result = subprocess.run(["pdfsig", str(delivery.stored_path(order))], capture_output=True, text=True, timeout=60, check=False)
    assert "Signature is Valid." in result.stdout, result.stdout + result.stderr
    assert "Total document signed" in result.stdout
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(delivery.stored_path(order).read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered.write_bytes(bytes(data))
    result = subprocess.run(["pdfsig", str(tampered)], capture_output=True, text=True, timeout=60, check=False)
    assert "Signature is Valid." not in result.stdout


def test_the_copy_is_pdfa_2b_and_signing_breaks_no_rule(app, ctx, world, tmp_path):
    """The copy as built passes pikepdf's PDF/A-2b validator (an allowlist validator derived from
    veraPDF's rules: it approves only what it knows conforms). Signing adds the signature field
    (/AcroForm), which that validator does not check and reports as unsupported: no violation."""
    order = _produce_certified(world)
    built = build_copy(production.sources_of(order), production.copy_text(order), tmp_path / "check.pdf",
                       validate=True)
    assert built.pdfa_passed, built.pdfa_findings
    report = pikepdf.pdfa.validate_written(delivery.stored_path(order), "2b")
    assert [f.kind for f in report.findings] == ["unsupported"], report.findings
    assert "/AcroForm" in report.findings[0].where


def test_download_only_for_the_orderer_logged_and_delivers(app, ctx, world, make_user):
    order = _produce_certified(world, kind="plain")
    assert order.signer is None
    other = make_user()
    with pytest.raises(NotFound):
        delivery.download(_user(other), order.id)
    with pytest.raises(NotFound):
        delivery.download(_user(world.archivist), order.id)
    got, path = delivery.download(_user(world.reader), order.id)
    assert got.status == "delivered" and path.exists()
    delivery.download(_user(world.reader), order.id)
    assert len(list(db.session.scalars(select(CopyDownload)))) == 2


def test_the_window_ends_and_housekeeping_deletes_the_copy(app, ctx, world):
    order = _produce_certified(world)
    delivery.download(_user(world.reader), order.id)
    path = delivery.stored_path(order)
    later = utcnow() + timedelta(days=16)
    _expired, deleted = delivery.expire_and_purge(later)
    assert deleted == 1 and not path.exists()
    db.session.refresh(order)
    assert order.purged_at is not None
    order.download_until = later  # even had it been still valid: the file is gone
    assert not delivery.can_download(order)
    # the verification by code still answers from the record
    assert verification.by_code(order.code).valid


def test_unpaid_orders_and_unfetched_copies_expire(app, ctx, world):
    unpaid = place_order(world.reader.id, [(world.open_file.file_code, "1")], "exp-1")
    orders.apply(_user(world.archivist), unpaid, "approve")
    fetched_never = place_order(world.reader.id, [(world.open_file.file_code, "2")], "exp-2")
    orders.apply(_user(world.archivist), fetched_never, "approve")
    payments.record_staff_payment(_user(world.archivist), fetched_never,
                                  {"method": "transfer", "amount": str(fetched_never.amount), "reference": "FT123"})
    expired, _deleted = delivery.expire_and_purge(utcnow() + timedelta(days=31))
    assert expired == 2
    db.session.refresh(unpaid)
    db.session.refresh(fetched_never)
    assert (unpaid.status, fetched_never.status) == ("expired", "expired")


def test_open_files_need_only_the_archivist_and_conditional_ones_the_leader(app, ctx, world):
    open_order = place_order(world.reader.id, [(world.open_file.file_code, "")], "lvl-1")
    assert open_order.mode == "01"
    assert (open_order.due_on - (open_order.submitted_at + timedelta(hours=7)).date()).days >= 2
    cond = place_order(world.reader.id, [(world.cond_file.file_code, "")], "lvl-2")
    assert cond.mode == "02"
    with pytest.raises(InvalidTransition):
        orders.apply(_user(world.archivist), cond, "approve")
    from portal.errors import NotPermitted
    with pytest.raises(NotPermitted):
        orders.apply(_user(world.leader), open_order, "approve")


def test_a_leader_grant_already_held_spares_the_second_level(app, ctx, world):
    from portal.services import requests as requests_svc

    reader = _user(world.reader)
    requests_svc.add_to_basket(reader, world.cond_file.id)
    request = requests_svc.submit_request(reader, {"purpose": "01", "research_topic": "Lịch sử đất đai",
                                                   "fee_category": "10"}, None, "grant-1")
    item = request.items[0]
    requests_svc.decide(_user(world.archivist), item, "forward", "Đề nghị")
    requests_svc.decide(_user(world.leader), item, "leader_approve")
    order = place_order(world.reader.id, [(world.cond_file.file_code, "1-2")], "lvl-3")
    assert order.mode == "01"
    orders.apply(_user(world.archivist), order, "approve")
    assert order.status == "approved"


def _reclassify(world, record, mode: str) -> None:
    """Change a file's access mode as the catalogue service does: commit, then its hooks run."""
    from portal.services import records

    target = db.session.get(type(record), record.id)
    old = target.mode
    target.mode = mode
    db.session.commit()
    records.mode_changed(_user(world.archivist), target, old, mode)


def test_a_file_becoming_classified_ends_every_order_under_way_and_deletes_its_copy(app, ctx, world, outbox):
    waiting = place_order(world.reader.id, [(world.open_file.file_code, "1")], "cls-1")
    unpaid = place_order(world.reader.id, [(world.open_file.file_code, "2")], "cls-2", kind="plain")
    orders.apply(_user(world.archivist), unpaid, "approve")
    produced = _produce_certified(world)
    assert produced.status == "produced"
    copy_path = delivery.stored_path(produced)
    assert copy_path.exists()
    other_file = place_order(world.reader.id, [(world.cond_file.file_code, "1")], "cls-3")
    mails_before = len(outbox())

    _reclassify(world, world.open_file, "03")

    for order in (waiting, unpaid, produced):
        db.session.refresh(order)
        assert order.status == "refused", order.code
        assert "thay đổi chế độ sử dụng" in order.decision_reason
        assert world.open_file.file_code not in order.decision_reason  # the reason never names the file
    db.session.refresh(other_file)
    assert other_file.status == "submitted"  # an order without the file is untouched
    assert not copy_path.exists() and produced.purged_at is not None
    with pytest.raises(NotPermitted):
        delivery.download(_user(world.reader), produced.id)
    closes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "copy.close")).all()
    assert len(closes) == 3 and all(event.actor_id is None for event in closes)
    told = [mail for mail in outbox()[mails_before:] if mail["To"] and world.reader.email in mail["To"]]
    assert {order.code for order in (waiting, unpaid, produced)} <= {
        code for mail in told for code in (waiting.code, unpaid.code, produced.code) if code in mail.get_content()}


def test_a_classified_file_is_never_approved_paid_or_produced_even_in_a_race(app, ctx, world, monkeypatch):
    order = place_order(world.reader.id, [(world.open_file.file_code, "1")], "race-1", kind="plain")
    # The reclassification lands without its hook having run yet (another process, same moment).
    target = db.session.get(type(world.open_file), world.open_file.id)
    target.mode = "03"
    db.session.commit()
    with pytest.raises(InvalidTransition):
        orders.apply(_user(world.archivist), order, "approve")
    target.mode = "01"
    db.session.commit()
    orders.apply(_user(world.archivist), order, "approve")
    target.mode = "03"
    db.session.commit()
    with pytest.raises(InvalidTransition):
        payments.record_staff_payment(_user(world.archivist), order,
                                      {"method": "desk", "amount": str(order.amount), "receipt_no": "BL-9"})
    # Paid before the change; the production job then finds the file classified and closes the order.
    target.mode = "01"
    db.session.commit()
    monkeypatch.setattr(jobs.huey, "immediate", False)  # the job waits in the queue, as it would for the worker
    payments.record_staff_payment(_user(world.archivist), order,
                                  {"method": "desk", "amount": str(order.amount), "receipt_no": "BL-10"})
    db.session.refresh(order)
    assert order.status == "paid"
    target.mode = "03"
    db.session.commit()
    production.produce(order.id)
    db.session.refresh(order)
    assert order.status == "refused" and order.pdf_path is None


def test_a_file_becoming_conditional_sends_undecided_orders_to_the_leader(app, ctx, world):
    order = place_order(world.reader.id, [(world.open_file.file_code, "1")], "cond-1")
    assert order.mode == "01"
    first_due = order.due_on
    _reclassify(world, world.open_file, "02")
    db.session.refresh(order)
    assert order.mode == "02" and order.due_on > first_due
    with pytest.raises(InvalidTransition):
        orders.apply(_user(world.archivist), order, "approve")
    orders.apply(_user(world.archivist), order, "forward", "Hồ sơ nay tiếp cận có điều kiện")
    orders.apply(_user(world.leader), order, "leader_approve")
    assert order.status == "approved"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "copy.mode_change")) is not None


def test_an_undigitised_file_is_copied_on_paper_only(app, ctx, world):
    reader = _user(world.reader)
    with pytest.raises(ValidationError) as caught:
        orders.check_order(reader, order_data(delivery="download"), [(world.paper_file.file_code, "1-2")])
    assert "delivery" in caught.value.fields
    order = place_order(world.reader.id, [(world.paper_file.file_code, "1-2")], "paper-1", delivery="post",
                        paper_sets="2", postal_address="12 Đường Võ Thị Sáu, phường Thống Nhất, Biên Hòa")
    orders.apply(_user(world.archivist), order, "approve")
    payments.record_staff_payment(_user(world.archivist), order,
                                  {"method": "desk", "amount": str(order.amount), "receipt_no": "BL-2"})
    assert order.status == "paid" and production.production_job(order) is None  # no scan: copied by hand
    assert order in delivery.print_list(_user(world.archivist))
    production.mark_produced_by_hand(_user(world.archivist), order)
    with pytest.raises(ValidationError):
        delivery.hand_over(_user(world.archivist), order, "")
    delivery.hand_over(_user(world.archivist), order, "EB123456789VN")
    assert (order.status, order.tracking_number) == ("delivered", "EB123456789VN")


def test_a_fully_exempt_order_is_settled_by_the_system(app, ctx, world):
    order = place_order(world.reader.id, [(world.open_file.file_code, "1")], "free-1", fee_category="02")
    assert order.amount == 0
    orders.apply(_user(world.archivist), order, "approve")
    db.session.refresh(order)
    assert order.status == "produced"
    assert [p.method for p in order.payments] == ["exempt"]


def test_payment_must_match_the_quote_and_carry_its_proof(app, ctx, world):
    order = place_order(world.reader.id, [(world.open_file.file_code, "1")], "pay-1")
    orders.apply(_user(world.archivist), order, "approve")
    staff = _user(world.archivist)
    with pytest.raises(ValidationError) as caught:
        payments.record_staff_payment(staff, order, {"method": "desk", "amount": "1", "receipt_no": ""})
    assert {"amount", "receipt_no"} <= set(caught.value.fields)
    with pytest.raises(ValidationError) as caught:
        payments.record_staff_payment(staff, order, {"method": "online", "amount": str(order.amount)})
    assert "reference" in caught.value.fields
    assert order.status == "approved" and not order.payments


def test_classified_and_unknown_files_cannot_be_ordered(app, ctx, world):
    reader = _user(world.reader)
    with pytest.raises(NotFound):
        orders.orderable_file(reader, world.classified.id)
    with pytest.raises(ValidationError) as caught:
        orders.check_order(reader, order_data(), [(world.classified.file_code, "1")])
    assert "Không tìm thấy hồ sơ" in caught.value.fields["files-0-code"][0]


def test_a_double_submit_makes_one_order(app, ctx, world):
    first = place_order(world.reader.id, [(world.open_file.file_code, "1")], "same-token")
    second = place_order(world.reader.id, [(world.open_file.file_code, "1")], "same-token")
    assert first.id == second.id
    assert len(list(db.session.scalars(select(CopyOrder)))) == 1


def test_a_changed_price_is_shown_again_not_saved(app, ctx, world):
    reader = _user(world.reader)
    with pytest.raises(ValidationError) as caught:
        orders.submit_order(reader, order_data(), [(world.open_file.file_code, "1")], "price-1", 1)
    assert "price" in caught.value.fields
    assert db.session.scalar(select(CopyOrder)) is None


# --- verification -----------------------------------------------------------------------------------

def _upload(data: bytes):
    return verification.by_upload(io.BytesIO(data))


def test_verification_by_upload_and_by_code(app, ctx, world):
    order = _produce_certified(world)
    data = delivery.stored_path(order).read_bytes()
    result = _upload(data)
    assert result.valid and result.order.id == order.id
    assert result.masked_name == "N*** T*** H*** N***"
    assert result.files[0][0] == world.open_file.file_code
    assert verification.by_code(order.code.lower()).valid
    forged = verification.by_code("SC-2026-999999")
    assert not forged.valid and forged.order is None
    with pytest.raises(ValidationError):
        verification.by_code("'; drop table--")


def test_tampered_copies_are_invalid_with_their_reason(app, ctx, world):
    order = _produce_certified(world)
    data = delivery.stored_path(order).read_bytes()

    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    assert "bị thay đổi" in _upload(bytes(changed)).reason

    writer = IncrementalPdfFileWriter(io.BytesIO(data))  # a page added after signing, as an update
    pages = writer.root["/Pages"]
    from pyhanko.pdf_utils import generic
    page = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Page"),
                                     generic.NameObject("/Parent"): writer.root.raw_get("/Pages"),
                                     generic.NameObject("/MediaBox"): pages["/Kids"][0].get_object()["/MediaBox"]})
    pages["/Kids"].append(writer.add_object(page))
    pages[generic.NameObject("/Count")] = generic.NumberObject(pages["/Count"] + 1)
    writer.update_container(pages)
    added = io.BytesIO()
    writer.write(added)
    result = _upload(added.getvalue())
    assert not result.valid and "thêm nội dung" in result.reason

    with pikepdf.open(io.BytesIO(data)) as doc:  # a page removed (the file rewritten)
        del doc.pages[-1]
        removed = io.BytesIO()
        doc.save(removed)
    result = _upload(removed.getvalue())
    assert not result.valid and result.reason

    with pikepdf.open(io.BytesIO(data)) as doc:  # the signature stripped
        del doc.Root.AcroForm
        for page in doc.pages:
            if "/Annots" in page:
                del page.Annots
        stripped = io.BytesIO()
        doc.save(stripped)
    assert "không có chữ ký" in _upload(stripped.getvalue()).reason

    other = signing.generate_test_certificate(delivery.stored_path(order).parent / "other-ca", "Nơi khác")
    unsigned = delivery.stored_path(order).parent / "unsigned.pdf"
    with pikepdf.open(io.BytesIO(data)) as doc:
        del doc.Root.AcroForm
        for page in doc.pages:
            if "/Annots" in page:
                del page.Annots
        doc.save(unsigned)
    signing.sign_pdf(other, unsigned, reason="x", location="x", name="x")
    assert "không do chứng thư số" in _upload(unsigned.read_bytes()).reason


def test_uploads_that_are_not_pdfs_or_too_large_are_refused(app, ctx, world):
    with pytest.raises(ValidationError, match="không phải PDF"):
        _upload(b"GIF89a" + b"\0" * 100)
    app.config["COPY_VERIFY_MAX_BYTES"] = 1000
    with pytest.raises(ValidationError, match="quá lớn"):
        _upload(b"%PDF-1.7\n" + b"0" * 2000)
    with pytest.raises(ValidationError):
        verification.by_upload(None)


def test_a_plain_copy_is_not_reported_as_certified(app, ctx, world):
    order = _produce_certified(world, kind="plain")
    assert not verification.by_code(order.code).valid
    assert "không có chữ ký" in _upload(delivery.stored_path(order).read_bytes()).reason


# --- register --------------------------------------------------------------------------------------

def test_register_csv_xlsx_and_monthly_summary(app, ctx, world):
    order = _produce_certified(world)
    place_order(world.reader.id, [(world.open_file.file_code, "1")], "reg-2", kind="plain")  # not issued
    staff = _user(world.archivist)
    today = (utcnow() + timedelta(hours=7)).date()
    text = register.register_csv(staff, today - timedelta(days=1), today)
    lines = text.strip().splitlines()
    assert len(lines) == 2 and order.code in lines[1]
    assert "Bản sao có xác thực" in lines[1] and "Khác" in lines[1]  # labels, not codes
    book = load_workbook(io.BytesIO(register.register_xlsx(staff, today, today)))
    sheet = book.worksheets[0]
    assert sheet.cell(row=3, column=2).value == order.code
    summary = book.worksheets[1]
    assert [c.value for c in summary[2]] == [today.strftime("%m/%Y"), "Khác", 0, 1, 3, order.amount]
    with pytest.raises(ValidationError):
        register.register_csv(staff, today, today - timedelta(days=3))


def test_a_failed_production_is_visible_and_can_be_run_again(app, ctx, world):
    order = place_order(world.reader.id, [(world.open_file.file_code, "1")], "fail-1", kind="plain")
    orders.apply(_user(world.archivist), order, "approve")
    record_folder = production.sources_of(order)[0].path
    hidden = record_folder.with_name(record_folder.name + ".gone")
    record_folder.rename(hidden)  # the scan file is missing: the job fails
    payments.record_staff_payment(_user(world.archivist), order,
                                  {"method": "desk", "amount": str(order.amount), "receipt_no": "BL-F"})
    assert order.status == "paid"
    assert production.production_job(order).status == "failed"
    assert production.failed_productions(_user(world.archivist)) == [order]
    hidden.rename(record_folder)
    production.retry_production(_user(world.archivist), order)
    db.session.refresh(order)
    assert order.status == "produced" and production.failed_productions(_user(world.archivist)) == []


def test_a_copy_of_a_scanned_pdf_takes_its_pages_and_is_validated(app, ctx, world, tmp_path):
    from PIL import Image

    from portal.models import RecordFile
    from portal.services import records

    from .copies_helpers import page_image

    pages = [Image.open(io.BytesIO(page_image(n))).convert("RGB") for n in range(1, 4)]
    scan = tmp_path / "scan.pdf"
    pages[0].save(scan, "PDF", save_all=True, append_images=pages[1:], resolution=100)
    record = db.session.get(RecordFile, world.paper_file.id)
    record.pages = None
    db.session.commit()
    records.attach_scan(_user(world.admin), record, scan)
    order = place_order(world.reader.id, [(record.file_code, "3, 1")], "pdf-1", kind="plain")
    orders.apply(_user(world.archivist), order, "approve")
    payments.record_staff_payment(_user(world.archivist), order,
                                  {"method": "desk", "amount": str(order.amount), "receipt_no": "BL-P"})
    assert order.status == "produced"
    assert order.pdfa_passed is True, order.production_note  # pages from a PDF: validated as written
    document = pdfium.PdfDocument(delivery.stored_path(order).read_bytes())
    assert len(document) == 2
    assert "Trang 1/2" in document[0].get_textpage().get_text_range()
    document.close()
