"""The public catalogue, and classified files that do not exist for the public."""
from __future__ import annotations

import pytest


def test_home_is_vietnamese_by_default_with_an_english_switch(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in html and "Phòng đọc trực tuyến" in html
    response = client.get("/lang/en?next=/")
    assert response.status_code == 302 and "lang=en" in response.headers["Set-Cookie"]
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english and "Online reading room" in english


def test_language_switch_only_redirects_inside_the_site(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert "evil.example" not in response.headers["Location"]


def test_visitor_browses_fonds_to_files_to_file(client, make_file):
    record = make_file(mode="01", title="Hồ sơ về công tác lưu trữ năm 2020", keywords="lưu trữ; văn thư")
    assert "UBND-DN" in client.get("/phong").get_data(as_text=True)
    listing = client.get("/phong/UBND-DN").get_data(as_text=True)
    assert "Hồ sơ về công tác lưu trữ năm 2020" in listing
    page = client.get(f"/ho-so/{record.id}", follow_redirects=True).get_data(as_text=True)
    for text in (record.file_code, "Mục lục số", "Thời hạn bảo quản", "Vĩnh viễn", "Công khai", "văn thư"):
        assert text in page


@pytest.mark.parametrize("who", ["visitor", "reader"])
def test_classified_files_do_not_exist_outside_staff(client, make_file, make_user, login_as, who):
    open_file = make_file(mode="01", title="Hồ sơ công khai")
    conditional = make_file(mode="02", title="Hồ sơ có điều kiện")
    secret = make_file(mode="03", title="Hồ sơ MẬT về quốc phòng")
    if who == "reader":
        login_as(make_user())
    assert client.get(f"/ho-so/{secret.id}").status_code == 404
    assert client.get(f"/ho-so/{open_file.id}", follow_redirects=True).status_code == 200
    assert client.get(f"/ho-so/{conditional.id}", follow_redirects=True).status_code == 200
    for url in ("/", "/phong", "/phong/UBND-DN", "/phong/UBND-DN?mode=03"):
        html = client.get(url).get_data(as_text=True)
        assert "MẬT về quốc phòng" not in html and secret.file_code not in html
    # Counts say 2 files, not 3.
    assert "2 hồ sơ" in client.get("/phong/UBND-DN").get_data(as_text=True)
    assert ">2</td>" in client.get("/phong").get_data(as_text=True)


def test_staff_see_classified_files(client, make_file, make_user, login_as):
    secret = make_file(mode="03", title="Hồ sơ MẬT về quốc phòng")
    login_as(make_user(role="archivist"))
    assert client.get(f"/ho-so/{secret.id}", follow_redirects=True).status_code == 200
    assert "MẬT về quốc phòng" in client.get("/phong/UBND-DN").get_data(as_text=True)


def test_unknown_file_and_fonds_are_404_in_the_users_language(client):
    response = client.get("/ho-so/999999")
    assert response.status_code == 404 and "Không tìm thấy" in response.get_data(as_text=True)
    assert client.get("/phong/KHONG-CO").status_code == 404
    client.get("/lang/en")
    assert "not found" in client.get("/ho-so/999999").get_data(as_text=True).lower()


def test_catalogue_pagination(client, app, make_file):
    app.config["CATALOGUE_PAGE_SIZE"] = 5
    for n in range(12):
        make_file(title=f"Hồ sơ phân trang {n:02d}")
    first = client.get("/phong/UBND-DN").get_data(as_text=True)
    third = client.get("/phong/UBND-DN?page=3").get_data(as_text=True)
    assert first.count("Hồ sơ phân trang") == 5 and third.count("Hồ sơ phân trang") == 2
    assert client.get("/phong/UBND-DN?page=abc").status_code == 200
