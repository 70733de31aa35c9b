"""What a visit tells the reader: the mail of a reading-room grant (address,
hours, what to bring, the .ics), the .ics itself, and the visit's reaction to
item decisions. Registered as hooks; the request workflow never imports this."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from ...urls import external_url
from ... import hooks
from ...db import utcnow
from ...extensions import db
from ...models import RequestItem, Visit
from ...workflow import Action, ItemStatus, OPEN_STATUSES
from ..mail import send_mail
from . import ics
from .booking import cancel_visit, slot_of
from .calendar import room_settings
from .transitions import SESSION_LABELS, VisitAction, VisitStatus

OFFICIAL_PURPOSES = ("02", "03")


def what_to_bring(visit: Visit) -> list[str]:
    """ID document always; the introduction letter for official purposes."""
    bring = [_("Căn cước công dân hoặc hộ chiếu (bản gốc) để xuất trình tại bàn phòng đọc.")]
    if visit.request is not None and visit.request.purpose in OFFICIAL_PURPOSES:
        bring.append(_("Giấy giới thiệu của cơ quan (bản gốc) đã gửi kèm phiếu %(code)s.", code=visit.request.code))
    return bring


def visit_ics(visit: Visit) -> bytes:
    """The visit as an iCalendar file."""
    slot = slot_of(visit)
    files = ", ".join(vf.file.file_code for vf in visit.files if vf.item.status == ItemStatus.GRANTED.value)
    host = urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "").hostname or "luutru.local"
    description = "\n".join([
        _("Lượt đọc %(code)s, %(session)s.", code=visit.code, session=SESSION_LABELS[visit.session]),
        _("Hồ sơ: %(files)s", files=files or "—"),
        _("Mang theo: %(items)s", items=" ".join(what_to_bring(visit))),
    ])
    return ics.calendar(
        uid=f"visit-{visit.id}@{host}", starts_utc=slot.starts_utc, ends_utc=slot.ends_utc, stamp_utc=utcnow(),
        summary=_("Đọc tài liệu tại phòng đọc – %(archive)s", archive=current_app.config["ARCHIVE_NAME"]),
        location=room_settings().address, description=description, sequence=visit.version,
        cancelled=visit.status == VisitStatus.CANCELLED.value,
        url=external_url("visits.visit_detail", visit_id=visit.id))


def send_visit_mail(visit: Visit, subject: str) -> None:
    """Mail the reader the visit: files granted, address, hours, what to bring, and the .ics."""
    slot = slot_of(visit)
    send_mail(visit.reader.email, subject, "visit_booked",
              attachments=[(visit_ics(visit), "text", "calendar", f"{visit.code}.ics")],
              visit=visit, slot=slot, session_label=SESSION_LABELS[visit.session], address=room_settings().address,
              bring=what_to_bring(visit), granted=[vf for vf in visit.files
                                                  if vf.item.status == ItemStatus.GRANTED.value],
              link=external_url("visits.visit_detail", visit_id=visit.id))


def _grant_until_visit_ends(item: RequestItem, visit: Visit) -> None:
    """A reading-room grant lasts to the end of the visit's session; the visit mail stands for the
    online-reading reminder, which would speak of a reading window the reader does not have."""
    item.grant_ends_at = max(slot_of(visit).ends_utc, utcnow())
    item.reminder_sent_at = item.reminder_sent_at or utcnow()


@hooks.register("item.decided")
def on_item_decided(item: RequestItem, action: Action) -> bool:
    """A reading-room item was decided: a grant lasts to the end of the visit's day and is mailed
    with the .ics (True: the reader is told); when no file of a booked visit is pending or granted
    any more, the visit is cancelled."""
    if item.use != "reading_room" or item.visit_file is None:
        return False
    visit = item.visit_file.visit
    if item.status == ItemStatus.GRANTED.value:
        if visit.status not in (VisitStatus.BOOKED.value, VisitStatus.PRESENT.value):
            return False  # no visit now: the decision mail asks the reader to book one
        _grant_until_visit_ends(item, visit)
        db.session.commit()
        send_visit_mail(visit, _("Được đọc tại phòng đọc ngày %(day)s – %(code)s",
                                 day=visit.day.strftime("%d/%m/%Y"), code=visit.code))
        return True
    elif item.status in (ItemStatus.REFUSED.value, ItemStatus.WITHDRAWN.value, ItemStatus.REVOKED.value):
        if visit.status == VisitStatus.BOOKED.value and not any(
                ItemStatus(vf.item.status) in OPEN_STATUSES for vf in visit.files):
            cancel_visit(None, visit, _("Không còn hồ sơ nào được phục vụ trong lượt đọc."))
    return False


@hooks.register("visit.changed")
def on_visit_changed(visit: Visit, action: VisitAction) -> None:
    """Tell the reader: a moved visit comes with its updated .ics; a cancelled one with the cancellation."""
    if action is VisitAction.MOVE:
        subject = _("Đã đổi lịch đọc tại phòng đọc sang ngày %(day)s – %(code)s",
                    day=visit.day.strftime("%d/%m/%Y"), code=visit.code)
    else:
        subject = _("Đã hủy lịch đọc tại phòng đọc – %(code)s", code=visit.code)
    send_visit_mail(visit, subject)


@hooks.register("visit.booked")
def on_visit_booked(visit: Visit) -> None:
    """A visit booked after some of its files were granted: their grants last to the end of its day; mail it."""
    granted = [vf.item for vf in visit.files if vf.item.status == ItemStatus.GRANTED.value]
    if not granted:
        return
    for item in granted:
        _grant_until_visit_ends(item, visit)
    db.session.commit()
    send_visit_mail(visit, _("Được đọc tại phòng đọc ngày %(day)s – %(code)s",
                             day=visit.day.strftime("%d/%m/%Y"), code=visit.code))
