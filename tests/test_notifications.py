"""Notifications in the portal: every mail to a person is also in their bell, with a link;
the reader hears when an item goes to the leader, staff hear when a request is withdrawn."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Notification, RequestItem, User
from portal.services import requests as requests_svc

from .conftest import login


@pytest.fixture
def people(make_user):
    return {"reader": make_user(full_name="Trần Văn Độc"), "archivist": make_user(role="archivist"),
            "archivist2": make_user(role="archivist"), "leader": make_user(role="leader")}


def submit(app, reader, file_ids, token="t1"):
    with app.test_request_context():
        me = db.session.get(User, reader.id)
        for file_id in file_ids:
            requests_svc.add_to_basket(me, file_id)
        request = requests_svc.submit_request(me, {"purpose": "01", "research_topic": "Lịch sử địa phương",
                                                   "fee_category": "10"}, None, token)
        return request.id, {i.mode: i.id for i in request.items}


def decide(app, who, item_id, action, reason=None):
    with app.test_request_context():
        requests_svc.decide(db.session.get(User, who.id), db.session.get(RequestItem, item_id), action, reason)


def notes(app, user) -> list[Notification]:
    with app.app_context():
        return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                       .order_by(Notification.id)))


def bell(client) -> int:
    html = client.get("/").get_data(as_text=True)
    found = re.search(r'<span class="bell-count">(\d+)</span>', html)
    return int(found.group(1)) if found else 0


def test_every_mail_to_a_person_is_in_their_bell_with_a_link(app, people, make_file, outbox):
    record = make_file(mode="01")
    request_id, _items = submit(app, people["reader"], [record.id])
    mails = {m["To"]: m["Subject"] for m in outbox()}
    for who in ("reader", "archivist", "archivist2"):
        [note] = notes(app, people[who])
        assert note.subject == mails[people[who].email] and note.read_at is None
    assert notes(app, people["reader"])[0].link == f"/phieu-yeu-cau/{request_id}"
    assert notes(app, people["archivist"])[0].link == f"/nghiep-vu/yeu-cau/{request_id}"
    assert notes(app, people["leader"]) == []  # no mail, no notification


def test_links_holding_a_token_are_never_stored(app, client, make_user):
    reader = make_user()
    client.post("/tai-khoan/quen-mat-khau", data={"email": reader.email})
    [note] = notes(app, reader)
    assert note.subject == "Đặt lại mật khẩu" and note.link is None


def test_the_unread_count_opening_and_marking_read(app, people, make_file):
    reader = people["reader"]
    records = [make_file(mode="01"), make_file(mode="01")]
    submit(app, reader, [records[0].id], "t1")
    submit(app, reader, [records[1].id], "t2")
    client = app.test_client()
    login(client, reader.email)
    assert bell(client) == 2
    first = notes(app, reader)[0]
    response = client.get(f"/thong-bao/{first.id}")
    assert response.status_code == 302 and response.headers["Location"] == first.link
    assert bell(client) == 1
    page = client.get("/thong-bao/").get_data(as_text=True)
    assert page.count('class="unread"') == 1 and page.count('class="read"') == 1
    other = app.test_client()
    login(other, people["archivist"].email)
    assert other.get(f"/thong-bao/{first.id}").status_code == 404  # somebody else's notification
    assert client.post("/thong-bao/da-doc").status_code == 302
    assert bell(client) == 0
    assert app.test_client().get("/thong-bao/").status_code == 302  # visitors log in first


def test_staff_see_the_bell_too(app, people, make_file):
    submit(app, people["reader"], [make_file(mode="01").id])
    client = app.test_client()
    login(client, people["archivist"].email)
    assert bell(client) == 1
    assert 'aria-label="Thông báo: 1 chưa đọc"' in client.get("/nghiep-vu/").get_data(as_text=True)


def test_the_reader_is_told_when_an_item_goes_to_the_leader_with_its_due_date(app, people, make_file, outbox):
    _request_id, items = submit(app, people["reader"], [make_file(mode="02").id])
    decide(app, people["archivist"], items["02"], "forward", "Đề nghị lãnh đạo xem xét")
    with app.app_context():
        due = db.session.get(RequestItem, items["02"]).due_on
    to_reader = [m for m in outbox() if m["To"] == people["reader"].email][-1]
    assert to_reader["Subject"].endswith(f"hạn {due:%d/%m/%Y}")
    assert "Hạn giải quyết mới:" in to_reader.get_content() and "lãnh đạo" in to_reader.get_content()
    assert notes(app, people["reader"])[-1].subject == to_reader["Subject"]
    assert notes(app, people["leader"])[-1].subject.startswith("Hồ sơ chờ lãnh đạo duyệt")


def test_staff_holding_a_request_are_told_when_it_is_withdrawn(app, people, make_file, outbox):
    request_id, items = submit(app, people["reader"], [make_file(mode="01").id, make_file(mode="02").id])
    decide(app, people["archivist"], items["02"], "forward", "Đề nghị lãnh đạo xem xét")
    before = len(outbox())
    client = app.test_client()
    login(client, people["reader"].email)
    assert client.post(f"/phieu-yeu-cau/{request_id}/rut").status_code == 302
    told = {m["To"] for m in outbox()[before:]}
    # The open item was in every archivist's queue; the forwarded one in the leader's.
    assert told == {people["archivist"].email, people["archivist2"].email, people["leader"].email}
    for who in ("archivist", "leader"):
        note = notes(app, people[who])[-1]
        assert note.subject.startswith("Độc giả đã rút phiếu") and note.link == f"/nghiep-vu/yeu-cau/{request_id}"
