"""Fourteen months of reading-room history, so the statistics and the yearly report have
something to show: readers registering and being cleared, requests with their decisions
(most on time, some late), online reading, visits to the reading room for paper files,
copies and certified copies with their fees, and exhibition visits.

The rest of the demo goes through the services, which stamp everything "now". History
needs dates in the past, so these rows are written directly with the same models and
the same deadline rule (:func:`portal.deadlines.due_date`), in one transaction, which
keeps ``make run`` fast. The history's readers are invented and never log in: they
all share one unusable password.
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.localtime import naive_local_to_utc, to_local
from portal.db import utcnow
from portal.deadlines import DEADLINE_WORKING_DAYS, add_working_days, due_date, holiday_set
from portal.extensions import db
from portal.models import (
    AccessRequest,
    AuditEvent,
    Consent,
    CopyOrder,
    CopyOrderFile,
    CopyPayment,
    FeeSchedule,
    Exhibition,
    ExhibitionVisit,
    ReaderProfile,
    ReadingAccess,
    ReadingCopy,
    RecordFile,
    RequestItem,
    Role,
    User,
    Visit,
    VisitFile,
)
from portal.services.accounts import hash_password

from .generate import person

SEED = 20261202
MONTHS = 14
READERS = 70
REQUESTS = 190
COPY_ORDERS = 90
TOPICS = ("Lịch sử hành chính tỉnh Đồng Nai", "Quá trình quy hoạch đô thị Biên Hòa", "Gia phả và lý lịch dòng họ",
          "Chế độ chính sách cho người có công", "Lịch sử ngành giáo dục địa phương", "Địa giới hành chính các huyện",
          "Cấp đất và giao đất nông nghiệp", "Luận văn thạc sĩ về cải cách hành chính", "Biên soạn lịch sử Đảng bộ xã")


def _local(moment):
    """A stored (naive UTC) time as naive wall-clock time in the archive's zone."""
    return to_local(moment).replace(tzinfo=None)


def _working_moment(rng: random.Random, day: datetime) -> datetime:
    """A moment in office hours (Vietnam 7:30–17:00) of ``day``, in UTC."""
    local = day.replace(hour=7, minute=30, second=0, microsecond=0) + timedelta(minutes=rng.randint(0, 570))
    return naive_local_to_utc(local)


def create_history(echo: Callable[[str], object] = print) -> None:
    """Add the history (skipped when it is already there)."""
    if db.session.scalar(select(User.id).where(User.email.like("lichsu.%@demo.luutru.vn")).limit(1)):
        return
    rng = random.Random(SEED)
    now = utcnow()
    start = _local(now).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=30 * MONTHS)
    holidays = holiday_set()
    archivist = db.session.scalar(select(User).where(User.role == Role.ARCHIVIST.value).order_by(User.id))
    leader = db.session.scalar(select(User).where(User.role == Role.LEADER.value).order_by(User.id))
    files = list(db.session.scalars(select(RecordFile).where(RecordFile.mode.in_(("01", "02"))).order_by(RecordFile.id)))
    popular = files[: max(1, len(files) // 5)]  # a fifth of the files draw most requests
    password = hash_password(secrets.token_urlsafe(24))

    readers: list[User] = []
    for n in range(READERS):
        created = _working_moment(rng, start + timedelta(days=rng.randint(0, 30 * MONTHS - 3)))
        reader = User(email=f"lichsu.{n:03d}@demo.luutru.vn", password_hash=password, full_name=person(rng),
                      role=Role.READER.value, clearance="pending", created_at=created, email_confirmed_at=created)
        reader.profile = ReaderProfile(id_kind="cccd", id_number=f"0792{n:08d}",
                                       priority_category=rng.choice(["01", "10", "10", "04", None]))
        reader.consents.append(Consent(purpose="account", given_at=created))
        db.session.add(reader)
        readers.append(reader)
    db.session.flush()
    for reader in readers:
        db.session.add(AuditEvent(created_at=reader.created_at, actor_id=reader.id, action="reader.register",
                                  object_type="user", object_id=str(reader.id), to_state="pending"))
        if reader.created_at < now - timedelta(days=10) or rng.random() < 0.5:  # the newest few still wait
            cleared_at = reader.created_at + timedelta(hours=rng.randint(2, 40))
            if cleared_at < now:
                reader.clearance = "cleared"
                db.session.add(AuditEvent(created_at=cleared_at, actor_id=archivist.id, action="reader.clear",
                                          object_type="user", object_id=str(reader.id), from_state="pending",
                                          to_state="cleared"))

    cleared = [r for r in readers if r.clearance == "cleared"]
    requests = items = copies = room_visits = 0
    seats: dict[tuple, int] = {}
    for n in range(REQUESTS):
        reader = rng.choice(cleared)
        first_day = max(_local(reader.created_at) + timedelta(days=1), start)
        # History stops five weeks ago: its decisions are made and its reading windows over, so the
        # queues and the readers' pages show only the demo's own requests (demo/requests.py).
        span = (_local(now) - first_day).days - 35
        if span < 1:
            continue
        submitted = _working_moment(rng, first_day + timedelta(days=rng.randint(0, span)))
        purpose = rng.choices(("01", "02", "03"), weights=(6, 3, 1))[0]
        request = AccessRequest(reader_id=reader.id, status="completed", purpose=purpose,
                                purpose_details="Cơ quan giao nhiệm vụ" if purpose != "01" else None,
                                research_topic=rng.choice(TOPICS), fee_category=reader.profile.priority_category or "10",
                                submit_token=secrets.token_urlsafe(24), submitted_at=submitted, updated_at=submitted)
        db.session.add(request)
        db.session.flush()
        request.code = f"YC-{_local(submitted).year}-{request.id:06d}"
        requests += 1
        chosen = {f.id: f for f in rng.sample(popular if rng.random() < 0.6 else files, k=rng.randint(1, 3))}
        statuses = []
        for record in chosen.values():
            item = RequestItem(reader_id=reader.id, file_id=record.id, mode=record.mode,
                               due_on=due_date(submitted, record.mode, holidays), status="submitted")
            request.items.append(item)
            statuses.append(_decide(rng, item, record, submitted, now, holidays, archivist, leader))
            items += 1
        db.session.flush()
        if all(s == "withdrawn" for s in statuses):
            request.status = "withdrawn"
        elif any(s in ("submitted", "forwarded") for s in statuses):
            request.status = "in_progress" if any(s not in ("submitted", "forwarded") for s in statuses) else "submitted"
        for item in request.items:
            if item.grant_starts_at is not None and item.file.is_digitised:
                _read(rng, item, now)
                copies += 1
            elif item.grant_starts_at is not None:
                room_visits += _visit(rng, item, now, holidays, seats, archivist)
    orders = _copy_orders(rng, cleared, files, start, now, archivist)
    visits = _exhibition_visits(rng, start, now)
    db.session.commit()
    echo(f"Đã tạo lịch sử {MONTHS} tháng: {READERS} độc giả, {requests} phiếu ({items} hồ sơ), "
         f"{copies} bản đọc đã đọc, {room_visits} lượt đọc tại phòng đọc, {orders} phiếu sao, "
         f"{visits} lượt xem triển lãm.")


def _decide(rng: random.Random, item: RequestItem, record: RecordFile, submitted: datetime, now: datetime,
            holidays: frozenset, archivist: User, leader: User) -> str:
    """Give the item an outcome: mostly decided on time, some late, a few withdrawn or still waiting."""
    roll = rng.random()
    local_day = _local(submitted).date()
    if roll < 0.05:
        item.status, item.ended_at, item.ended_by_id = "withdrawn", submitted + timedelta(hours=3), item.reader_id
        return item.status
    late = roll > 0.87
    allowed = DEADLINE_WORKING_DAYS[record.mode]
    days = rng.randint(allowed + 1, allowed + 4) if late else rng.randint(0, allowed)
    decided_day = add_working_days(local_day, days, holidays) if days else local_day
    decided = datetime.combine(decided_day, datetime.min.time()) + timedelta(hours=rng.randint(1, 9)) + \
        timedelta(minutes=rng.randint(0, 59))  # UTC 01:00–10:59 is 08:00–17:59 in Vietnam
    if decided >= now:
        if record.mode == "02" and rng.random() < 0.5:
            item.status, item.forwarded_by_id = "forwarded", archivist.id
            item.forwarded_at, item.forward_opinion = submitted + timedelta(hours=2), "Đề nghị lãnh đạo xem xét."
        return item.status  # still waiting: the queues have work in them
    refused = rng.random() < 0.12
    if record.mode == "02":
        item.forwarded_by_id, item.forwarded_at = archivist.id, min(decided, submitted + timedelta(hours=5))
        item.forward_opinion = "Mục đích phù hợp; đề nghị lãnh đạo xem xét."
    item.decided_by_id = (leader if record.mode == "02" else archivist).id
    item.decided_at = decided
    if refused:
        item.status, item.decision_reason = "refused", "Hồ sơ đang tu bổ, chưa phục vụ được."
        return item.status
    item.grant_starts_at, item.grant_ends_at = decided, decided + timedelta(days=15)
    if item.grant_ends_at <= now:
        item.status, item.ended_at = "expired", item.grant_ends_at
    else:
        item.status = "granted"
    return item.status


def _read(rng: random.Random, item: RequestItem, now: datetime) -> None:
    """A reading copy (long since deleted) and the reader's sessions: open the viewer, fetch pages."""
    pages = max(1, item.file.scan_pages or 10)
    size = pages * rng.randint(90_000, 160_000)
    copy = ReadingCopy(kind="reader", item_id=item.id, user_id=item.reader_id, file_id=item.file_id,
                       status="purged" if item.status == "expired" else "ready", pages=pages, size_bytes=size,
                       created_at=item.grant_starts_at, built_at=item.grant_starts_at,
                       purge_after=item.grant_ends_at + timedelta(days=5),
                       purged_at=item.grant_ends_at + timedelta(days=5) if item.status == "expired" else None)
    db.session.add(copy)
    db.session.flush()
    address = f"14.{rng.randint(160, 191)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    for _session in range(rng.randint(1, 4)):
        at = item.grant_starts_at + timedelta(days=rng.uniform(0, 14), minutes=5)
        if at >= now:
            continue
        db.session.add(ReadingAccess(copy_id=copy.id, user_id=item.reader_id, file_id=item.file_id, kind="open",
                                     bytes_sent=0, address=address, at=at))
        read = rng.randint(1, pages)
        for chunk in range(0, read, 4):  # pdf.js asks for a few pages at a time
            count = min(4, read - chunk)
            at += timedelta(seconds=rng.randint(40, 240))
            db.session.add(ReadingAccess(copy_id=copy.id, user_id=item.reader_id, file_id=item.file_id, kind="range",
                                         range_start=chunk * size // pages, range_end=(chunk + count) * size // pages,
                                         bytes_sent=count * size // pages, address=address, at=at))


def _visit(rng: random.Random, item: RequestItem, now: datetime, holidays: frozenset, seats: dict[tuple, int],
           archivist: User) -> int:
    """A paper file read at the reading room: a booked visit a few working days after the grant;
    most readers came (checked in, file handed over and returned), some did not."""
    day = add_working_days(_local(item.grant_starts_at).date(), rng.randint(1, 5), holidays)
    session = rng.choice(("am", "pm"))
    start = naive_local_to_utc(datetime.combine(day, datetime.min.time()) + timedelta(hours=8 if session == "am" else 13,
                                                                                      minutes=rng.randint(0, 50)))
    if start >= now:
        return 0
    seat = seats[day, session] = seats.get((day, session), 0) + 1
    came = rng.random() < 0.88
    visit = Visit(reader_id=item.reader_id, request_id=item.request_id, day=day, session=session, seat_no=seat,
                  status="done" if came else "no_show", booked_at=item.grant_starts_at + timedelta(hours=1))
    if came:
        visit.checked_in_at, visit.checked_in_by_id = start, archivist.id
        visit.id_document_seen = "CCCD"
        visit.checked_out_at = visit.ended_at = start + timedelta(hours=rng.randint(1, 3))
        visit.checked_out_by_id = archivist.id
        visit.files.append(VisitFile(item_id=item.id, file_id=item.file_id, handed_at=start + timedelta(minutes=10),
                                     handed_by_id=archivist.id, returned_at=visit.checked_out_at,
                                     returned_by_id=archivist.id))
    else:
        visit.ended_at, visit.end_reason = start + timedelta(hours=4), "Độc giả không đến."
    db.session.add(visit)
    db.session.flush()
    visit.code = f"LD-{day.year}-{visit.id:06d}"
    return 1 if came else 0


def _copy_orders(rng: random.Random, readers: list[User], files: list[RecordFile], start: datetime, now: datetime,
                 archivist: User) -> int:
    """Copies issued over the months: ordered, approved, paid at the desk or by transfer, produced and
    delivered. Their PDFs are long gone (purged), as they would be."""
    schedule = db.session.scalar(select(FeeSchedule).order_by(FeeSchedule.id))
    if schedule is None:
        return 0
    open_files = [f for f in files if f.mode == "01"]
    count = 0
    for _n in range(COPY_ORDERS):
        submitted = _working_moment(rng, start + timedelta(days=rng.randint(20, 30 * MONTHS - 40)))
        if submitted >= now - timedelta(days=35):
            continue
        record = rng.choice(open_files)
        kind = rng.choices(("plain", "certified"), weights=(2, 3))[0]
        delivery = rng.choices(("download", "pickup", "post"), weights=(5, 3, 2))[0]
        sets = 1 if delivery == "download" else rng.randint(1, 3)
        pages = rng.randint(1, 6)
        per_page = {"plain": 2000, "certified": 2500}[kind] if delivery == "download" else 3000
        amount = pages * per_page * sets + (20_000 if kind == "certified" else 0) + (25_000 if delivery == "post" else 0)
        decided = submitted + timedelta(hours=rng.randint(3, 40))
        paid = decided + timedelta(hours=rng.randint(2, 72))
        produced = paid + timedelta(minutes=rng.randint(2, 600))
        order = CopyOrder(reader_id=rng.choice(readers).id, status="delivered", kind=kind, delivery=delivery,
                          paper_sets=sets, purpose=rng.choices(("01", "02"), weights=(4, 1))[0],
                          purpose_details="Làm thủ tục hành chính", fee_category="10", mode="01",
                          due_on=add_working_days(_local(submitted).date(), 2, holiday_set()),
                          submit_token=secrets.token_urlsafe(24), submitted_at=submitted, fee_schedule_id=schedule.id,
                          amount=amount, quote_lines=[], decided_by_id=archivist.id, decided_at=decided, paid_at=paid,
                          produced_at=produced, delivered_at=produced + timedelta(days=rng.randint(0, 5)),
                          purged_at=produced + timedelta(days=30), updated_at=produced)
        order.files.append(CopyOrderFile(file_id=record.id, pages_spec=f"1-{pages}" if pages > 1 else "1",
                                         page_count=pages, mode=record.mode))
        order.payments.append(CopyPayment(amount=amount, method=rng.choice(("desk", "transfer")),
                                          receipt_no=f"BL-{rng.randint(1000, 9999)}", recorded_by_id=archivist.id,
                                          recorded_at=paid))
        db.session.add(order)
        db.session.flush()
        order.code = f"SC-{_local(submitted).year}-{order.id:06d}"
        count += 1
    return count


def _exhibition_visits(rng: random.Random, start: datetime, now: datetime) -> int:
    """Daily view counts for the published exhibitions (numbers only; no visitor is stored)."""
    total = 0
    exhibitions = list(db.session.scalars(select(Exhibition).where(Exhibition.is_published.is_(True))))
    days = (_local(now).date() - start.date()).days
    for weight, exhibition in enumerate(exhibitions, start=1):
        for offset in range(days):
            views = rng.randint(0, 12 + 10 // weight)
            if views:
                db.session.add(ExhibitionVisit(exhibition_id=exhibition.id, day=start.date() + timedelta(days=offset),
                                               views=views))
                total += views
    return total
