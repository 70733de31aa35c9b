"""Who may act on requests: role × action, at the policy and over HTTP."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from portal.extensions import db
from portal.models import AccessRequest, RequestItem
from portal.permissions import can

from .conftest import login

ROLES = ["visitor", "uncleared", "reader", "other", "archivist", "leader", "admin"]
T, F = True, False
# action: allowed for (visitor, uncleared reader, the request's reader, another reader, archivist, leader, admin)
MATRIX = {
    "request.create":      (F, T, T, T, F, F, F),
    "request.view":        (F, F, T, F, T, T, T),
    "request.withdraw":    (F, F, T, F, F, F, F),
    "request.message":     (F, F, T, F, T, T, T),
    "request.view_letter": (F, F, T, F, T, T, T),
    "requests.queue":      (F, F, F, F, T, T, T),
    "item.approve":        (F, F, F, F, T, F, F),
    "item.refuse":         (F, F, F, F, T, F, F),
    "item.forward":        (F, F, F, F, T, F, F),
    "item.leader_approve": (F, F, F, F, F, T, F),
    "item.leader_refuse":  (F, F, F, F, F, T, F),
    "item.withdraw":       (F, F, T, F, F, F, F),
    "item.revoke":         (F, F, F, F, T, T, F),
    "item.expire":         (F, F, F, F, F, F, F),  # only the system (no user) expires windows
    "registers.export":    (F, F, F, F, T, T, T),
}


@pytest.fixture
def world(app, make_user, make_file):
    users = {
        "uncleared": make_user(cleared=False), "reader": make_user(), "other": make_user(),
        "archivist": make_user(role="archivist"), "leader": make_user(role="leader"), "admin": make_user(role="admin"),
    }
    open_file, cond_file = make_file(mode="01"), make_file(mode="02")
    client = app.test_client()
    login(client, users["reader"].email)
    for record in (open_file, cond_file):
        client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    client.post("/phieu-yeu-cau/gio", data={"purpose": "01", "research_topic": "Lịch sử địa phương",
                                            "fee_category": "10", "submit_token": "t"})
    with app.app_context():
        request = db.session.scalar(select(AccessRequest))
        items = {i.mode: i.id for i in request.items}
    return users, request.id, items


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_policy_matrix(app, world, action):
    users, request_id, _items = world
    with app.app_context():
        request = db.session.get(AccessRequest, request_id)
        item = request.items[0]
        for role, expected in zip(ROLES, MATRIX[action]):
            user = AnonymousUserMixin() if role == "visitor" else db.session.merge(users[role])
            obj = item if action.startswith("item.") else request
            assert can(user, action, obj) is expected, (role, action)
    assert can(None, "item.expire") is True


# HTTP: (method, url template, expected status per role). 302 to login for visitors.
def _endpoints(request_id, items):
    open_item, cond_item = items["01"], items["02"]
    return [
        ("GET", f"/phieu-yeu-cau/{request_id}", (302, 404, 200, 404, 200, 200, 200)),
        ("POST", f"/phieu-yeu-cau/{request_id}/tin-nhan", (302, 404, 400, 404, 400, 400, 400)),
        ("GET", "/nghiep-vu/yeu-cau", (302, 403, 403, 403, 200, 200, 200)),
        ("GET", f"/nghiep-vu/yeu-cau/{request_id}", (302, 403, 403, 403, 200, 200, 200)),
        ("POST", f"/nghiep-vu/muc/{open_item}/refuse", (302, 403, 403, 403, 400, 403, 403)),
        ("POST", f"/nghiep-vu/muc/{cond_item}/leader_refuse", (302, 403, 403, 403, 403, 409, 403)),
        ("POST", f"/nghiep-vu/muc/{open_item}/revoke", (302, 403, 403, 403, 409, 409, 403)),
        ("GET", "/nghiep-vu/so-dang-ky", (302, 403, 403, 403, 200, 200, 200)),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_http_matrix(app, world, role):
    """Each role × request endpoint gives the expected status and changes nothing it may not."""
    users, request_id, items = world
    client = app.test_client()
    if role != "visitor":
        login(client, users[role].email)
    for method, url, expected in _endpoints(request_id, items):
        # Empty reason and body: permitted staff get a validation or state error, so nothing changes.
        response = client.open(url, method=method, data={"reason": "", "body": ""})
        assert response.status_code == expected[ROLES.index(role)], (role, method, url, response.status_code)
    with app.app_context():
        assert {i.status for i in db.session.scalars(select(RequestItem))} == {"submitted"}
