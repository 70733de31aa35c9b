"""Registration, email confirmation, login/logout, reset, profile and consents."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Consent, User

from .conftest import PASSWORD, login

GOOD = {
    "email": "tran.thi.b@example.vn",
    "password": "Luutru-2026-abc",
    "password_confirm": "Luutru-2026-abc",
    "full_name": "Trần Thị Bích",
    "id_kind": "cccd",
    "id_number": "079201012345",
    "phone": "0912345678",
    "employer": "Trường Đại học Đồng Nai",
    "priority_category": "01",
    "notes": "Nghiên cứu lịch sử địa phương",
    "consent_account": "y",
}


def link_from(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+", body).group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_register_creates_pending_reader_with_chosen_consents_and_mails_link(client, app, outbox):
    response = client.post("/tai-khoan/dang-ky", data={**GOOD, "consent_newsletter": "y"})
    assert response.status_code == 200
    assert "tran.thi.b@example.vn" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == GOOD["email"]))
        assert user.clearance == "pending" and user.email_confirmed_at is None
        assert user.profile.id_number == "079201012345" and user.profile.employer == "Trường Đại học Đồng Nai"
        assert sorted(c.purpose for c in user.consents) == ["account", "newsletter"]
        assert all(c.given_at is not None for c in user.consents)
        assert user.password_hash.startswith("scrypt:")
    mails = outbox()
    assert len(mails) == 1 and mails[0]["To"] == GOOD["email"]


def test_registration_form_has_no_pre_ticked_consent(client):
    html = client.get("/tai-khoan/dang-ky").get_data(as_text=True)
    boxes = re.findall(r"<input[^>]*type=\"checkbox\"[^>]*>", html)
    assert len(boxes) == 3
    assert not any("checked" in box for box in boxes)


def test_bad_registration_shows_each_problem_and_keeps_what_was_typed(client, app, make_user):
    make_user(email="taken@example.vn")
    bad = {**GOOD, "email": "taken@example.vn", "id_number": "12345", "password": "abc",
           "password_confirm": "abc"}
    bad.pop("consent_account")
    response = client.post("/tai-khoan/dang-ky", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Email này đã được dùng" not in html  # whether an email is registered is never said (issue 11)
    assert "12 chữ số" in html
    assert "ít nhất 10 ký tự" in html
    assert "Cần đồng ý xử lý dữ liệu cá nhân" in html
    # What was typed is still there (except passwords).
    for value in ("Trần Thị Bích", "Trường Đại học Đồng Nai", "0912345678", "taken@example.vn"):
        assert value in html
    with app.app_context():
        assert db.session.scalar(select(User).where(User.full_name == "Trần Thị Bích")) is None


def test_passport_numbers_are_accepted_and_malformed_ones_refused(client, app):
    ok = client.post("/tai-khoan/dang-ky", data={**GOOD, "id_kind": "passport", "id_number": "c1234567"})
    assert ok.status_code == 200
    bad = client.post("/tai-khoan/dang-ky", data={**GOOD, "email": "x@example.vn", "id_kind": "passport",
                                                   "id_number": "AB-12"})
    assert bad.status_code == 400 and "hộ chiếu" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == GOOD["email"])).profile.id_number == "C1234567"


def test_confirmation_link_confirms_email(client, app, outbox):
    client.post("/tai-khoan/dang-ky", data=GOOD)
    response = client.get(path_of(link_from(outbox()[0])))
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == GOOD["email"]))
        assert user.email_confirmed_at is not None
        assert user.clearance == "pending"  # confirming the email is not clearing the reader
    assert client.get("/tai-khoan/xac-nhan/not-a-token").status_code == 302


def test_login_failures_do_not_say_which_part_was_wrong(client, make_user):
    user = make_user()
    wrong_password = client.post("/tai-khoan/dang-nhap", data={"email": user.email, "password": "sai-mat-khau-1"})
    unknown_email = client.post("/tai-khoan/dang-nhap", data={"email": "nobody@example.vn", "password": PASSWORD})
    assert wrong_password.status_code == unknown_email.status_code == 401
    message = "Email hoặc mật khẩu không đúng."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)


def test_login_logout_and_safe_next(client, make_user):
    user = make_user()
    response = client.post("/tai-khoan/dang-nhap?next=/phong", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/phong")
    assert client.get("/ca-nhan/").status_code == 200
    client.post("/tai-khoan/dang-xuat")
    assert client.get("/ca-nhan/").status_code == 302
    evil = client.post("/tai-khoan/dang-nhap?next=https://evil.example/", data={"email": user.email,
                                                                               "password": PASSWORD})
    assert "evil.example" not in evil.headers["Location"]
    evil2 = client.post("/tai-khoan/dang-nhap?next=//evil.example/x", data={"email": user.email,
                                                                           "password": PASSWORD})
    assert "evil.example" not in evil2.headers["Location"]


def test_password_reset_by_email_is_single_use(client, app, make_user, outbox):
    user = make_user()
    client.post("/tai-khoan/quen-mat-khau", data={"email": user.email})
    client.post("/tai-khoan/quen-mat-khau", data={"email": "nobody@example.vn"})
    mails = outbox()
    assert len(mails) == 1  # nothing is sent for an unknown address, and the page says the same
    reset_path = path_of(link_from(mails[0]))
    weak = client.post(reset_path, data={"password": "short"})
    assert "ít nhất 10 ký tự" in weak.get_data(as_text=True)
    assert client.post(reset_path, data={"password": "Mat-khau-moi-2026"}).status_code == 302
    assert login(client, user.email, PASSWORD).status_code == 401
    assert login(client, user.email, "Mat-khau-moi-2026").status_code == 302
    client.post("/tai-khoan/dang-xuat")
    again = client.post(reset_path, data={"password": "Mat-khau-khac-2026"})
    assert again.status_code == 302 and "quen-mat-khau" in again.headers["Location"]
    assert login(client, user.email, "Mat-khau-moi-2026").status_code == 302


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    login(first, user.email)
    login(second, user.email)
    response = first.post("/ca-nhan/mat-khau", data={"current_password": PASSWORD,
                                                     "new_password": "Mat-khau-moi-2026"})
    assert response.status_code == 302
    assert first.get("/ca-nhan/").status_code == 200
    assert second.get("/ca-nhan/").status_code == 302  # logged out everywhere else


def test_profile_edit_keeps_input_on_error_and_identity_change_needs_clearing(client, app, make_user, login_as):
    user = make_user(cleared=True)
    login_as(user)
    bad = client.post("/ca-nhan/", data={"full_name": "Lê Văn Cường", "id_kind": "cccd", "id_number": "12",
                                         "employer": "Bảo tàng Đồng Nai"})
    assert bad.status_code == 400
    assert "Bảo tàng Đồng Nai" in bad.get_data(as_text=True)
    good = client.post("/ca-nhan/", data={"full_name": "Lê Văn Cường", "id_kind": "cccd",
                                          "id_number": "079201099999", "employer": "Bảo tàng Đồng Nai"})
    assert good.status_code == 302
    with app.app_context():
        fresh = db.session.get(User, user.id)
        assert fresh.full_name == "Lê Văn Cường" and fresh.profile.employer == "Bảo tàng Đồng Nai"
        assert fresh.clearance == "pending"


def test_consents_can_be_withdrawn_and_given_and_are_recorded(client, app, make_user, login_as):
    user = make_user()
    login_as(user)
    page = client.get("/ca-nhan/dong-y").get_data(as_text=True)
    assert "đang đồng ý" in page
    assert client.post("/ca-nhan/dong-y/newsletter/dong-y").status_code == 302
    assert client.post("/ca-nhan/dong-y/newsletter/rut-lai").status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Consent).where(Consent.user_id == user.id,
                                                        Consent.purpose == "newsletter")).all()
        assert len(rows) == 1 and rows[0].withdrawn_at is not None
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
        assert "consent.give" in actions and "consent.withdraw" in actions


def test_withdrawing_the_required_consent_closes_the_account(client, app, make_user, login_as):
    user = make_user()
    login_as(user)
    assert client.post("/ca-nhan/dong-y/account/rut-lai").status_code == 302
    assert client.get("/ca-nhan/").status_code == 302
    assert login(client, user.email).status_code == 401
    with app.app_context():
        assert db.session.get(User, user.id).is_active_account is False


def test_forms_refuse_posts_without_a_csrf_token(tmp_path):
    """CSRF protection is on in every environment but the unit tests' own config."""
    from portal import create_app
    from portal.db import Base

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
                      "DATA_DIR": str(tmp_path / "d"), "OUTBOX_DIR": str(tmp_path / "o")})
    with app.app_context():
        Base.metadata.create_all(db.engine)
    client = app.test_client()
    for url in ("/tai-khoan/dang-nhap", "/tai-khoan/dang-ky", "/tai-khoan/quen-mat-khau",
                "/phieu-yeu-cau/gio/them/1"):
        response = client.post(url, data={"email": "a@b.vn", "password": "x"})
        assert response.status_code == 400 and "biểu mẫu không hợp lệ" in response.get_data(as_text=True), url
    with app.app_context():
        db.engine.dispose()
