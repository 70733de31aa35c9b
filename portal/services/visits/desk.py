"""The reading-room desk's day: today's visits, the files to fetch from storage,
check-in (ID document seen), hand-over and return of each file against the
register (sổ giao nhận tài liệu), check-out and no-shows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ...db import utcnow
from ...errors import Conflict, InvalidTransition, NotFound, ValidationError
from ...extensions import db
from ...models import User, Visit, VisitFile
from ...permissions import require
from ...workflow import ItemStatus
from ..audit import record_event
from .booking import slot_of
from .calendar import now_local
from .transitions import VisitAction, VisitStatus, visit_transition


@dataclass
class DeskDay:
    """What the desk needs for one day."""

    day: date
    visits: list[Visit]
    # (inventory no., box no.) → the granted files of booked visits to bring from storage
    to_fetch: dict[tuple[str, str], list[VisitFile]] = field(default_factory=dict)


def _box_key(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (10**9, value)


def desk_day(actor: User, day: date | None = None) -> DeskDay:
    """The visits of ``day`` (today) and the files to fetch, grouped by inventory and box."""
    require(actor, "desk.operate")
    day = day or now_local().date()
    visits = list(db.session.scalars(
        select(Visit).where(Visit.day == day).order_by(Visit.session, Visit.seat_no, Visit.id)
        .options(selectinload(Visit.files).selectinload(VisitFile.file), selectinload(Visit.reader))))
    groups: dict[tuple[str, str], list[VisitFile]] = defaultdict(list)
    for visit in visits:
        if visit.status not in (VisitStatus.BOOKED.value, VisitStatus.PRESENT.value):
            continue
        for visit_file in visit.files:
            if visit_file.item.status == ItemStatus.GRANTED.value and visit_file.handed_at is None:
                groups[(visit_file.file.inventory_no, visit_file.file.box_no)].append(visit_file)
    ordered = dict(sorted(groups.items(), key=lambda kv: (_box_key(kv[0][0]), _box_key(kv[0][1]))))
    return DeskDay(day=day, visits=visits, to_fetch=ordered)


def get_desk_visit(actor: User, visit_id: int) -> Visit:
    require(actor, "desk.operate")
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(_("Không tìm thấy lượt đọc."))
    return visit


def get_visit_file(actor: User, visit_file_id: int) -> VisitFile:
    require(actor, "desk.operate")
    visit_file = db.session.get(VisitFile, visit_file_id)
    if visit_file is None:
        raise NotFound(_("Không tìm thấy hồ sơ của lượt đọc."))
    return visit_file


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(_("Lượt đọc vừa được người khác cập nhật; hãy tải lại trang.")) from exc


def check_in(actor: User, visit: Visit, id_seen: str) -> Visit:
    """The reader is here and showed an ID document (its number is noted)."""
    require(actor, "desk.operate")
    rule = visit_transition(visit.status, VisitAction.CHECK_IN.value)
    id_seen = (id_seen or "").strip()
    if not 4 <= len(id_seen) <= 60:
        message = _("Hãy ghi số giấy tờ tùy thân đã kiểm tra.")
        raise ValidationError(message, {"id_seen": [message]})
    if visit.day != now_local().date():
        raise InvalidTransition(_("Chỉ tiếp nhận độc giả vào đúng ngày đã đặt lịch."))
    previous = visit.status
    visit.status, visit.checked_in_at, visit.checked_in_by_id = rule.target.value, utcnow(), actor.id
    visit.id_document_seen = id_seen
    profile = visit.reader.profile
    record_event(db.session, actor, "visit.check_in", "visit", visit.id, from_state=previous, to_state=visit.status,
                 data={"code": visit.code, "id_matches": bool(profile and profile.id_number == id_seen)})
    _commit()
    return visit


def hand_over(actor: User, visit_file: VisitFile) -> VisitFile:
    """Hand a granted file to the reader who is present; a file already out cannot be handed again."""
    require(actor, "desk.operate")
    visit = visit_file.visit
    if visit.status != VisitStatus.PRESENT.value:
        raise InvalidTransition(_("Chỉ giao hồ sơ khi độc giả đã có mặt (đã tiếp nhận)."))
    if visit_file.item.status != ItemStatus.GRANTED.value:
        raise InvalidTransition(_("Hồ sơ %(code)s chưa được đồng ý cho đọc.", code=visit_file.file.file_code))
    if visit_file.handed_at is not None:
        raise InvalidTransition(_("Hồ sơ %(code)s đã được giao trong lượt đọc này.", code=visit_file.file.file_code))
    out = db.session.scalar(select(VisitFile).where(VisitFile.out_file_id == visit_file.file_id))
    if out is not None:
        raise Conflict(_("Hồ sơ %(code)s đang ở chỗ độc giả %(name)s; chưa được trả.",
                         code=visit_file.file.file_code, name=out.visit.reader.full_name))
    visit_file.handed_at, visit_file.handed_by_id, visit_file.out_file_id = utcnow(), actor.id, visit_file.file_id
    record_event(db.session, actor, "visit.hand_over", "visit", visit.id,
                 data={"file_code": visit_file.file.file_code, "visit_file": visit_file.id})
    try:
        db.session.commit()
    except IntegrityError as exc:  # handed to someone else at the very same moment
        db.session.rollback()
        raise Conflict(_("Hồ sơ %(code)s vừa được giao cho độc giả khác.", code=visit_file.file.file_code)) from exc
    return visit_file


def return_file(actor: User, visit_file: VisitFile) -> VisitFile:
    """The reader gave the file back to the desk."""
    require(actor, "desk.operate")
    if visit_file.handed_at is None or visit_file.returned_at is not None:
        raise InvalidTransition(_("Hồ sơ %(code)s không ở chỗ độc giả.", code=visit_file.file.file_code))
    visit_file.returned_at, visit_file.returned_by_id, visit_file.out_file_id = utcnow(), actor.id, None
    record_event(db.session, actor, "visit.return", "visit", visit_file.visit_id,
                 data={"file_code": visit_file.file.file_code, "visit_file": visit_file.id})
    db.session.commit()
    return visit_file


def check_out(actor: User, visit: Visit) -> Visit:
    """The reader leaves; every file handed over must be back first (returned the same day)."""
    require(actor, "desk.operate")
    rule = visit_transition(visit.status, VisitAction.CHECK_OUT.value)
    still_out = [vf.file.file_code for vf in visit.files if vf.handed_at and vf.returned_at is None]
    if still_out:
        raise ValidationError(_("Độc giả chưa trả hồ sơ: %(codes)s.", codes=", ".join(still_out)))
    previous = visit.status
    visit.status, visit.checked_out_at, visit.checked_out_by_id = rule.target.value, utcnow(), actor.id
    record_event(db.session, actor, "visit.check_out", "visit", visit.id, from_state=previous, to_state=visit.status,
                 data={"code": visit.code})
    _commit()
    return visit


def mark_no_show(actor: User, visit: Visit) -> Visit:
    """The reader did not come: only once the session has begun."""
    require(actor, "desk.operate")
    rule = visit_transition(visit.status, VisitAction.NO_SHOW.value)
    if now_local() < slot_of(visit).starts_local:
        raise InvalidTransition(_("Buổi đọc chưa bắt đầu; chưa thể ghi là không đến."))
    previous = visit.status
    visit.status, visit.ended_at = rule.target.value, utcnow()
    record_event(db.session, actor, "visit.no_show", "visit", visit.id, from_state=previous, to_state=visit.status,
                 data={"code": visit.code})
    _commit()
    return visit


def files_out(actor: User) -> list[VisitFile]:
    """Files handed over and not yet returned (any day): the desk must chase them."""
    require(actor, "desk.operate")
    return list(db.session.scalars(select(VisitFile).where(VisitFile.out_file_id.is_not(None))
                                   .order_by(VisitFile.handed_at)))


__all__ = ["DeskDay", "check_in", "check_out", "desk_day", "files_out", "get_desk_visit", "get_visit_file",
           "hand_over", "mark_no_show", "return_file"]
