"""Manifest import: good rows, bad rows with line numbers, re-import, scans, documents."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pikepdf
from PIL import Image
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Document, Fonds, RecordFile
from portal.services.importer import DOCUMENT_COLUMNS, MANIFEST_COLUMNS

ROW = {
    "fonds_code": "UBND-DN", "fonds_name": "Ủy ban nhân dân tỉnh Đồng Nai", "inventory_no": "1", "box_no": "3",
    "file_no": "15", "file_code": "UBND-DN.2020.015", "title": "Hồ sơ triển khai quy định về công tác lưu trữ",
    "start_date": "2020-06-01", "end_date": "2020-09", "retention": "01", "mode": "01", "language": "Tiếng Việt",
    "keywords": "lưu trữ;văn thư", "sheets": "4", "pages": "", "condition": "01", "notes": "", "scan": "",
}


def write_manifest(folder: Path, rows: list[dict], documents: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**ROW, **row})
    if documents is not None:
        with (folder / "documents.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=DOCUMENT_COLUMNS)
            writer.writeheader()
            writer.writerows(documents)
    return manifest


def make_images(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for n in range(1, count + 1):
        Image.new("L", (300, 420), 235).save(folder / f"{n:03d}.png")


def make_pdf(path: Path, pages: int, password: str | None = None) -> None:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    if password:
        pdf.save(path, encryption=pikepdf.Encryption(owner=password, user=password))
    else:
        pdf.save(path)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_good_bad_and_reimport_rows(app, runner, tmp_path):
    make_images(tmp_path / "m" / "scans" / "f16", 3)
    make_pdf(tmp_path / "m" / "scans" / "f17.pdf", 2)
    rows = [
        {},  # line 2: good, not digitised
        {"file_code": "UBND-DN.2020.016", "file_no": "16", "scan": "scans/f16", "pages": "3"},  # line 3: good
        {"file_code": "UBND-DN.2020.017", "file_no": "17", "scan": "scans/f17.pdf", "mode": "02"},  # 4: good
        {"file_code": "UBND-DN.2020.018", "start_date": "2020-02-30"},  # line 5: impossible date
        {"file_code": "UBND-DN.2020.019", "retention": "11"},  # line 6: bad code
        {"file_code": "UBND-DN.2020.020", "scan": "scans/missing.pdf"},  # line 7: missing scan
        {"file_code": "UBND-DN.2020.016"},  # line 8: duplicate in the manifest
        {"file_code": "UBND-DN.2020.021", "title": ""},  # line 9: no title
    ]
    documents = [
        {"file_code": "UBND-DN.2020.015", "number": "11495", "notation": "UBND-KGVX", "date": "2020-09-28",
         "type": "Công văn", "issuer": "UBND tỉnh Đồng Nai", "summary": "Về việc tiếp tục triển khai thực hiện "
         "quy định về công tác lưu trữ", "first_page": "", "pages": ""},
        {"file_code": "UBND-DN.2020.016", "number": "39", "notation": "KH-UBND", "date": "2020-02",
         "type": "Kế hoạch", "issuer": "UBND tỉnh", "summary": "Kế hoạch công tác văn thư", "first_page": "1",
         "pages": "2"},
        {"file_code": "UBND-DN.2020.016", "number": "", "notation": "", "date": "", "type": "Báo cáo",
         "issuer": "", "summary": "", "first_page": "3", "pages": "1"},  # line 4: no summary
    ]
    manifest = write_manifest(tmp_path / "m", rows, documents)
    result = runner.invoke(args=["records", "import", str(manifest)])
    assert result.exit_code == 1, (result.output, result.exception)
    output = result.output
    assert "manifest.csv:5:" in output and "YYYY" in output
    assert "manifest.csv:6:" in output and "retention" in output
    assert "manifest.csv:7:" in output and "missing.pdf" in output
    assert "manifest.csv:8:" in output and "trùng" in output
    assert "manifest.csv:9:" in output and "tiêu đề" in output
    assert "documents.csv:4:" in output and "trích yếu" in output
    assert "Đã thêm 3" in output

    with app.app_context():
        assert count(RecordFile) == 3 and count(Fonds) == 1
        f16 = db.session.scalar(select(RecordFile).where(RecordFile.file_code == "UBND-DN.2020.016"))
        assert (f16.scan_kind, f16.scan_pages, len(f16.page_scans)) == ("images", 3, 3)
        assert all((Path(app.config["DATA_DIR"]) / f16.scan_path / p.source_name).is_file() for p in f16.page_scans)
        assert [d.reference for d in f16.documents] == ["39/KH-UBND"]
        f17 = db.session.scalar(select(RecordFile).where(RecordFile.file_code == "UBND-DN.2020.017"))
        assert (f17.scan_kind, f17.scan_pages, f17.pages, f17.mode) == ("pdf", 2, 2, "02")
        f15 = db.session.scalar(select(RecordFile).where(RecordFile.file_code == "UBND-DN.2020.015"))
        assert f15.documents[0].reference == "11495/UBND-KGVX" and f15.document_count == 1
        assert f15.keywords == "lưu trữ; văn thư"
        # Nothing of the refused rows landed, not even their scan folders.
        assert db.session.scalar(select(RecordFile).where(RecordFile.file_code == "UBND-DN.2020.018")) is None
        scan_dirs = sorted(p.name for p in (Path(app.config["DATA_DIR"]) / "scans").iterdir())
        assert len(scan_dirs) == 2

    # Re-import the same manifest with one title changed: updates, no duplicates.
    rows[0] = {"title": "Hồ sơ triển khai quy định về công tác lưu trữ (bổ sung)"}
    manifest = write_manifest(tmp_path / "m", rows, documents)
    result = runner.invoke(args=["records", "import", str(manifest)])
    assert "Đã thêm 0, cập nhật 1, không đổi 2" in result.output
    with app.app_context():
        assert count(RecordFile) == 3 and count(Document) == 2
        assert db.session.scalar(select(RecordFile.title).where(RecordFile.file_code == "UBND-DN.2020.015")).endswith(
            "(bổ sung)")
        assert len(list((Path(app.config["DATA_DIR"]) / "scans").iterdir())) == 2  # same scans, not copied again
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "file.import_update")) == 1


def test_report_in_english_when_asked(runner, tmp_path):
    manifest = write_manifest(tmp_path / "m", [{"retention": "99"}])
    result = runner.invoke(args=["records", "import", "--lang", "en", str(manifest)])
    assert result.exit_code == 1
    assert "manifest.csv:2:" in result.output and "Invalid code" in result.output


def test_scan_page_count_must_match_metadata_and_bad_scans_leave_nothing(app, runner, tmp_path):
    make_images(tmp_path / "m" / "a", 2)
    make_pdf(tmp_path / "m" / "locked.pdf", 1, password="secret")
    (tmp_path / "m" / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage garbage")
    (tmp_path / "m" / "empty").mkdir()
    (tmp_path / "m" / "fake.png").write_bytes(b"not an image at all")
    bomb = tmp_path / "m" / "bomb"
    bomb.mkdir()
    Image.new("1", (12000, 12000)).save(bomb / "1.png")  # 144 Mpx: a decompression bomb, tiny on disk
    rows = [
        {"file_code": "A", "scan": "a", "pages": "5"},
        {"file_code": "B", "scan": "locked.pdf"},
        {"file_code": "C", "scan": "broken.pdf"},
        {"file_code": "D", "scan": "empty"},
        {"file_code": "E", "scan": "fake.png"},
        {"file_code": "F", "scan": "bomb"},
        {"file_code": "G", "scan": "../outside.pdf"},
    ]
    result = runner.invoke(args=["records", "import", str(write_manifest(tmp_path / "m", rows))])
    output = result.output
    assert "2 trang nhưng hồ sơ ghi 5 trang" in output
    assert "mã hóa" in output and "bị hỏng" in output and "không có ảnh trang" in output
    assert "manifest.csv:6:" in output and "manifest.csv:7:" in output and "manifest.csv:8:" in output
    with app.app_context():
        assert count(RecordFile) == 0
        scans = Path(app.config["DATA_DIR"]) / "scans"
        assert not scans.exists() or not any(scans.iterdir())


def test_unreadable_manifest_is_refused_whole(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("fonds_code,title\nX,Tiêu đề\n".encode("utf-16"))
    result = runner.invoke(args=["records", "import", str(bad)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    missing = tmp_path / "missing.csv"
    missing.write_text("fonds_code,title\nX,Y\n", encoding="utf-8")
    result = runner.invoke(args=["records", "import", str(missing)])
    assert result.exit_code != 0 and "file_code" in result.output


def test_import_from_the_browser_with_a_zip(client, app, make_user, login_as, tmp_path):
    make_images(tmp_path / "m" / "scans" / "x", 2)
    write_manifest(tmp_path / "m", [{"scan": "scans/x"}, {"file_code": "BAD", "mode": "7"}])
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in (tmp_path / "m").rglob("*"):
            if path.is_file():
                archive.write(path, path.relative_to(tmp_path / "m").as_posix())
    login_as(make_user(role="archivist"))
    response = client.post("/nghiep-vu/nhap-du-lieu", data={"manifest": (io.BytesIO(bundle.getvalue()), "lo1.zip")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đã thêm 1" in html and "BAD" in html and "Mã không hợp lệ" in html
    with app.app_context():
        record = db.session.scalar(select(RecordFile))
        assert record.scan_pages == 2
        assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "file.import_create"))
    # The upload's temporary folder is gone.
    assert not any((Path(app.config["DATA_DIR"]) / "tmp").iterdir())


def test_zip_with_path_traversal_is_refused(client, make_user, login_as):
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("../../evil.csv", "x")
    login_as(make_user(role="admin"))
    response = client.post("/nghiep-vu/nhap-du-lieu", data={"manifest": (io.BytesIO(bundle.getvalue()), "a.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "không hợp lệ" in response.get_data(as_text=True)
