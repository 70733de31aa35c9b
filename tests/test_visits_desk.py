"""The desk's day: files to fetch by inventory and box, check-in with the ID seen, hand-over and
return (a file cannot be out twice at once), check-out only when everything is back, no-shows;
and the two-session race for the last seat on PostgreSQL."""
from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from portal.errors import Conflict, InvalidTransition, ValidationError
from portal.extensions import db
from portal.models import AuditEvent, User, Visit, VisitFile
from portal.services import requests as requests_svc
from portal.services.visits import booking, calendar, desk

from .conftest import login
from .visits_helpers import clock, submit  # noqa: F401  (fixture)

TODAY = date(2026, 12, 7)


@pytest.fixture
def people(make_user):
    return {"a": make_user(full_name="Nguyễn Thị An"), "b": make_user(full_name="Phạm Văn Bình"),
            "archivist": make_user(role="archivist")}


def _granted_visit(reader_id: int, archivist_id: int, file_ids: list[int], token: str, slot: str) -> Visit:
    request = submit(reader_id, file_ids, token, slot=slot)
    archivist = db.session.get(User, archivist_id)
    for item in request.items:
        requests_svc.decide(archivist, item, "approve")
    return booking.visit_for_item(request.items[0])


def test_desk_day_hand_over_rules_and_check_out(client, app, people, make_file, clock):
    shared = make_file(mode="01", title="Hồ sơ dùng chung")
    own = make_file(mode="01", title="Hồ sơ riêng")
    with app.test_request_context():
        for record, box in ((shared, "12"), (own, "4")):
            stored = db.session.get(type(record), record.id)
            stored.inventory_no, stored.box_no = "3", box
        db.session.commit()
        archivist = db.session.get(User, people["archivist"].id)
        visit_a = _granted_visit(people["a"].id, archivist.id, [shared.id, own.id], "a", "2026-12-07|pm")
        visit_b = _granted_visit(people["b"].id, archivist.id, [shared.id], "b", "2026-12-07|pm")
        day = desk.desk_day(archivist)
        assert day.day == TODAY and {v.id for v in day.visits} == {visit_a.id, visit_b.id}
        assert list(day.to_fetch) == [("3", "4"), ("3", "12")]  # by inventory, then box, numerically
        assert len(day.to_fetch[("3", "12")]) == 2  # both readers asked for the shared file
        file_a = next(vf for vf in visit_a.files if vf.file_id == shared.id)
        file_b = visit_b.files[0]

        with pytest.raises(InvalidTransition):
            desk.hand_over(archivist, file_a)  # not checked in yet
        with pytest.raises(ValidationError):
            desk.check_in(archivist, visit_a, "  ")  # the ID document must be noted
        desk.check_in(archivist, visit_a, db.session.get(User, people["a"].id).profile.id_number)
        desk.check_in(archivist, visit_b, "B1234567")  # a passport, noted as seen
        desk.hand_over(archivist, file_a)
        with pytest.raises(InvalidTransition):
            desk.hand_over(archivist, file_a)  # already handed in this visit
        with pytest.raises(Conflict) as taken:
            desk.hand_over(archivist, file_b)  # the same file to a second reader at once
        assert "Nguyễn Thị An" in taken.value.message
        with pytest.raises(ValidationError) as still_out:
            desk.check_out(archivist, visit_a)
        assert shared.file_code in still_out.value.message
        desk.return_file(archivist, file_a)
        with pytest.raises(InvalidTransition):
            desk.return_file(archivist, file_a)  # not out any more
        desk.hand_over(archivist, file_b)  # now it can go to the other reader
        desk.check_out(archivist, visit_a)
        assert visit_a.status == "done"
        with pytest.raises(InvalidTransition):
            desk.check_in(archivist, visit_a, "012345678901")  # the table has no way back
        checked = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "visit.check_in",
                                                             AuditEvent.object_id == str(visit_a.id)))
        assert checked.data["id_matches"] is True
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "visit")))
        assert {"visit.book", "visit.check_in", "visit.hand_over", "visit.return", "visit.check_out"} <= actions
    login(client, people["archivist"].email)
    page = client.get("/nghiep-vu/phong-doc/ban-doc").get_data(as_text=True)
    assert "Hồ sơ cần lấy từ kho" in page and "Phạm Văn Bình" in page and "Hồ sơ đang ở chỗ độc giả" in page
    again = client.post(f"/nghiep-vu/phong-doc/giao-nhan/{file_b.id}/giao", follow_redirects=True)
    assert "đã được giao" in again.get_data(as_text=True)  # a clear message, not an error page


def test_no_show_only_after_the_session_began_and_check_in_only_that_day(app, people, make_file, clock):
    with app.test_request_context():
        archivist = db.session.get(User, people["archivist"].id)
        today = _granted_visit(people["a"].id, archivist.id, [make_file().id], "ns", "2026-12-07|pm")
        later = _granted_visit(people["b"].id, archivist.id, [make_file().id], "later", "2026-12-09|am")
        with pytest.raises(InvalidTransition):
            desk.mark_no_show(archivist, today)  # 08:00; the session starts at 13:30
        with pytest.raises(InvalidTransition):
            desk.check_in(archivist, later, "012345678901")  # not today
        clock.local = datetime(2026, 12, 7, 14, 0)
        desk.mark_no_show(archivist, today)
        assert today.status == "no_show" and today.seat_no == 1  # the seat was held
        with pytest.raises(InvalidTransition):
            desk.check_in(archivist, today, "012345678901")


def test_desk_pages_refuse_readers(client, app, people, clock):
    login(client, people["a"].email)
    assert client.get("/nghiep-vu/phong-doc/ban-doc").status_code == 403
    assert client.get("/nghiep-vu/so-hoa").status_code == 403


@pytest.mark.postgres_only
def test_two_readers_booking_the_last_seat_at_once(app, people, make_file, clock):
    """Two sessions submit for the last seat at the same moment: one visit, one clear refusal."""
    files = {name: make_file().id for name in ("a", "b")}
    with app.test_request_context():
        settings = calendar.room_settings()
        settings.seats = 1
        calendar.opening_hours()  # stored, as the migration stores them in a real database
        db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def book(name: str) -> None:
        with app.test_request_context():
            reader = db.session.get(User, people[name].id)
            requests_svc.add_to_basket(reader, files[name])
            # Both pass the early check (one free seat) before either has booked.
            assert calendar.slot_for(date(2026, 12, 8), "am").free == 1
            barrier.wait(timeout=30)
            try:
                requests_svc.submit_request(reader, {"purpose": "01", "research_topic": "Lịch sử địa phương",
                                                     "fee_category": "10", "visit_slot": "2026-12-08|am"},
                                            None, f"race-{name}")
                outcomes[name] = "booked"
            except ValidationError as error:
                outcomes[name] = error.fields.get("visit_slot", [error.message])[0]

    threads = [threading.Thread(target=book, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results = list(outcomes.values())
    assert len(results) == 2 and results.count("booked") == 1, outcomes
    assert "hết chỗ" in next(r for r in results if r != "booked")
    with app.app_context():
        assert db.session.scalar(select(func.count(Visit.id))) == 1
        assert db.session.scalar(select(func.count(VisitFile.id))) == 1
