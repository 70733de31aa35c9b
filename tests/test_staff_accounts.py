"""Staff accounts in the browser: invitation by mail, roles, disabling, password links, the last admin."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, User

from .conftest import PASSWORD, login

NEW_PASSWORD = "Mat-khau-moi-2026"


@pytest.fixture
def admin_client(app, make_user):
    admin = make_user(role="admin", full_name="Quản Trị Viên")
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    return admin, client


def events(app, user_id: int) -> list[tuple[str, str | None, str | None]]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "user",
                                                           AuditEvent.object_id == str(user_id))
                                  .order_by(AuditEvent.id))
        return [(e.action, e.from_state, e.to_state) for e in rows]


def user(app, email: str) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_an_admin_invites_a_member_who_sets_a_password_from_the_mailed_link(app, admin_client, outbox):
    _admin, client = admin_client
    response = client.post("/nghiep-vu/can-bo/", data={"full_name": "Đỗ Thị Hạnh", "email": "Hanh.Do@LuuTru.vn",
                                                       "role": "archivist"})
    assert response.status_code == 302
    member = user(app, "hanh.do@luutru.vn")
    assert member.role == "archivist" and member.is_active_account
    mail = outbox()[-1]
    assert mail["To"] == "hanh.do@luutru.vn" and mail["Subject"] == "Mời tham gia phòng đọc trực tuyến"
    body = mail.get_content()
    assert "Cán bộ phòng đọc" in body and "3 ngày" in body
    link = re.search(r"http://localhost(/tai-khoan/dat-lai-mat-khau/\S+)", body).group(1)
    assert login(app.test_client(), member.email, PASSWORD).status_code != 302  # nobody knows a password yet
    fresh = app.test_client()
    assert fresh.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}).status_code == 302
    assert login(fresh, member.email, NEW_PASSWORD).status_code == 302
    assert fresh.get("/nghiep-vu/").status_code == 200
    assert events(app, member.id)[0] == ("staff.invite", None, "archivist")


def test_bad_input_keeps_what_was_typed_and_makes_nothing(app, admin_client):
    admin, client = admin_client
    response = client.post("/nghiep-vu/can-bo/", data={"full_name": "Đỗ Thị Hạnh", "email": admin.email, "role": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Email này đã có tài khoản." in html and "Hãy chọn vai trò." in html and 'value="Đỗ Thị Hạnh"' in html
    with app.app_context():
        assert db.session.scalar(select(User).where(User.full_name == "Đỗ Thị Hạnh")) is None


def test_role_change_disable_enable_and_reset_are_audited(app, admin_client, make_user, outbox):
    _admin, client = admin_client
    member = make_user(role="archivist")
    member_client = app.test_client()
    login(member_client, member.email)
    assert client.post(f"/nghiep-vu/can-bo/{member.id}/vai-tro", data={"role": "leader"}).status_code == 302
    assert user(app, member.email).role == "leader"
    assert member_client.get("/nghiep-vu/").status_code == 302  # the old session ended with the old role

    assert client.post(f"/nghiep-vu/can-bo/{member.id}/khoa", data={"reason": "Nghỉ việc"}).status_code == 302
    assert not user(app, member.email).is_active_account
    assert login(app.test_client(), member.email).status_code != 302  # a disabled account cannot log in
    assert client.post(f"/nghiep-vu/can-bo/{member.id}/gui-lien-ket").status_code == 409  # not while disabled

    assert client.post(f"/nghiep-vu/can-bo/{member.id}/mo-khoa").status_code == 302
    assert login(app.test_client(), member.email).status_code == 302
    assert client.post(f"/nghiep-vu/can-bo/{member.id}/gui-lien-ket").status_code == 302
    assert outbox()[-1]["To"] == member.email and "/dat-lai-mat-khau/" in outbox()[-1].get_content()
    assert events(app, member.id) == [("staff.change_role", "archivist", "leader"),
                                      ("staff.disable", "active", "disabled"),
                                      ("staff.enable", "disabled", "active"), ("staff.send_reset", None, None)]
    page = client.get(f"/nghiep-vu/can-bo/{member.id}").get_data(as_text=True)
    assert "Đổi vai trò cán bộ" in page and "Cán bộ phòng đọc → Lãnh đạo" in page and "staff.disable" not in page


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(app, admin_client, make_user):
    admin, client = admin_client
    response = client.post(f"/nghiep-vu/can-bo/{admin.id}/vai-tro", data={"role": "archivist"})
    assert response.status_code == 409 and "quản trị viên cuối cùng" in response.get_data(as_text=True)
    assert client.post(f"/nghiep-vu/can-bo/{admin.id}/khoa").status_code == 409  # own account, too
    second = make_user(role="admin")
    disabled_admin = make_user(role="admin")
    assert client.post(f"/nghiep-vu/can-bo/{disabled_admin.id}/khoa").status_code == 302
    # Two admins are active (us and ``second``): ``second`` may go; then we are the last one.
    assert client.post(f"/nghiep-vu/can-bo/{second.id}/vai-tro", data={"role": "leader"}).status_code == 302
    assert client.post(f"/nghiep-vu/can-bo/{admin.id}/vai-tro", data={"role": "leader"}).status_code == 409
    assert user(app, admin.email).role == "admin"
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == str(admin.id),
                                                          AuditEvent.action.like("staff.%"))) is None


def test_only_the_admin_manages_staff(app, make_user):
    for role in ("archivist", "leader", "reader"):
        someone = make_user(role=role)
        client = app.test_client()
        login(client, someone.email)
        assert client.get("/nghiep-vu/can-bo/").status_code == 403
        assert client.post("/nghiep-vu/can-bo/", data={"full_name": "X Y", "email": "x@y.vn",
                                                       "role": "admin"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@y.vn")) is None


def test_a_reader_is_not_a_staff_account(app, admin_client, make_user):
    _admin, client = admin_client
    reader = make_user()
    assert client.get(f"/nghiep-vu/can-bo/{reader.id}").status_code == 404
    assert client.post(f"/nghiep-vu/can-bo/{reader.id}/vai-tro", data={"role": "admin"}).status_code == 404
    assert user(app, reader.email).role == "reader"
