"""Public parts of signed-in pages kept rendered (portal/fragments.py): shared only where nothing is personal,
fresh after every catalogue change, one per language and audience."""
from __future__ import annotations

from portal.extensions import db
from portal.models import Document, Fonds, RecordFile, User
from portal.services import records

from .conftest import login


def _kept(app) -> int:
    return len(app.extensions["fragments"]._pages)


def test_two_readers_share_the_public_part_and_keep_their_own(app, make_file, make_user):
    record = make_file(title="Hồ sơ đê bao Tân Triều")
    first, second = make_user(full_name="Trần Thị Lan"), make_user(full_name="Lê Văn Minh")
    lan, minh = app.test_client(), app.test_client()
    login(lan, first.email)
    login(minh, second.email)
    assert lan.post(f"/phieu-yeu-cau/gio/them/{record.id}").status_code == 302

    page_lan = lan.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    kept = _kept(app)
    assert kept >= 3  # head, top and body of the file page
    page_minh = minh.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    assert _kept(app) == kept  # the second reader got the kept parts

    assert "Hồ sơ đê bao Tân Triều" in page_lan and "Hồ sơ đê bao Tân Triều" in page_minh
    assert "Trần Thị Lan" in page_lan and "Trần Thị Lan" not in page_minh
    assert "Lê Văn Minh" in page_minh and "Lê Văn Minh" not in page_lan
    assert "Hồ sơ đã có trong giỏ." in page_lan and "Hồ sơ đã có trong giỏ." not in page_minh


def test_a_catalogue_change_shows_at_once_on_signed_in_pages(app, client, make_file, make_user, login_as):
    record = make_file(title="Hồ sơ cũ")
    login_as(make_user())
    assert "Chưa có thông tin văn bản." in client.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    admin = make_user(role="admin")
    with app.test_request_context():
        fonds = db.session.get(Fonds, record.fonds_id)
        data = {c: getattr(record, c) for c in ("file_code", "inventory_no", "box_no", "file_no", "retention", "mode",
                                                 "start_date", "end_date")}
        records.save_file(db.session.get(User, admin.id), fonds, {**data, "title": "Hồ sơ đã sửa tên"},
                          db.session.get(RecordFile, record.id))
        stored = db.session.get(RecordFile, record.id)
        stored.documents.append(Document(position=0, summary="Tờ trình về đê bao", doc_type="Tờ trình"))
        db.session.commit()
    page = client.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    assert "Hồ sơ đã sửa tên" in page and "Tờ trình về đê bao" in page and "Hồ sơ cũ" not in page


def test_each_language_and_audience_has_its_own_part(app, client, make_file, make_user, login_as):
    make_file(title="Hồ sơ công khai", fonds_code="MO")
    make_file(mode="03", title="Hồ sơ mật", fonds_code="MAT")
    reader, archivist = make_user(), make_user(role="archivist")
    login_as(reader)
    vietnamese = client.get("/").get_data(as_text=True)
    client.set_cookie("lang", "en")
    english = client.get("/").get_data(as_text=True)
    assert "Các phông lưu trữ" in vietnamese and "Các phông lưu trữ" not in english
    assert "Phông MAT" not in vietnamese and "Phông MAT" not in english  # a reader never sees the classified fonds
    client.post("/tai-khoan/dang-xuat")
    client.set_cookie("lang", "vi")
    login_as(archivist)
    assert "Phông MAT" in client.get("/").get_data(as_text=True)  # staff: another part, with every fonds
