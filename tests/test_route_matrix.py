"""Every route × every role → the expected HTTP status, generated from the URL map.

The table below has one entry per rule of ``app.url_map`` (``static`` aside).
A new route without an entry fails :func:`test_every_route_has_an_entry`, and
an entry whose route is gone fails it too: adding a route means deciding, here,
who may reach it.

The seven roles are: a visitor (not logged in), a reader whose account is not
yet cleared, the reader who owns the test objects, another cleared reader who
owns nothing, an archivist, a leader and an admin. Each role has one logged-in
client; GETs run first, then POSTs with an empty body (CSRF is off in
TestingConfig), chosen so that they do not change anything that later rows
depend on. The few that do destroy something (withdrawing a request, deleting
an exhibition section or item, logging out) get a fresh object per role and
run last.

What a careful archive portal does: visitors are sent to the login page (302)
from account and staff pages; readers get 403 on staff pages; another reader's
requests, items and reading copies are 404 (so their existence does not leak);
classified files are 404 for everybody outside staff.
"""
from __future__ import annotations

import io
import os
from datetime import date, timedelta
from dataclasses import dataclass, field
from typing import Callable

from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.db import utcnow
from portal.extensions import db
from portal.models import AccessRequest, Notification, ReadingCopy, ReadingFlag, RecordFile, User, VisitFile
from portal.services import accounts, records
from portal.services import exhibitions as exhibitions_svc
from portal.services.copies import fees
from portal.services.copies import orders as copy_orders
from portal.services.copies import payments as copy_payments
from portal.services import requests as requests_svc
from portal.services.visits import booking as visit_booking
from portal.services.visits import calendar as visit_calendar

from .conftest import login

ROLES = ("visitor", "uncleared", "reader", "other", "archivist", "leader", "admin")


def every(status: int) -> tuple[int, ...]:
    """The same status for all seven roles."""
    return (status,) * len(ROLES)


# Shorthands for the common shapes (visitor, uncleared, reader, other, archivist, leader, admin).
PUBLIC = every(200)
LOGGED_IN = (302, 200, 200, 200, 200, 200, 200)  # any account; visitors go to the login page
STAFF = (302, 403, 403, 403, 200, 200, 200)  # archivist, leader, admin
CLERKS = (302, 403, 403, 403, 200, 403, 200)  # archivist and admin (readers.review, records.edit, jobs.manage)
EDITORS = (302, 403, 403, 403, 403, 403, 200)  # exhibitions.edit: the admin (archivists only when allowed)
OWNER = (302, 404, 200, 404, 200, 200, 200)  # the reader's own object, or staff; 404 for other readers


# endpoint (or "endpoint(args)" when one endpoint has several rules, "key #variant" for a second
# set of URL values) → {method: expected status per role}.
TABLE: dict[str, dict[str, tuple[int, ...]]] = {
    # --- public pages ---------------------------------------------------------------------------------
    "public.home": {"GET": PUBLIC},
    "public.set_language": {"GET": every(302)},  # sets the cookie, back to ?next or home
    "public.fonds_index": {"GET": PUBLIC},
    "public.fonds_detail": {"GET": PUBLIC},
    "public.fonds_detail #unknown": {"GET": every(404)},
    "public.fonds_detail #classified-only": {"GET": (404, 404, 404, 404, 200, 200, 200)},  # it would reveal them
    "public.file_detail": {"GET": PUBLIC},
    "public.file_detail #conditional": {"GET": PUBLIC},  # metadata of conditional files is public
    "public.file_detail #classified": {"GET": (404, 404, 404, 404, 200, 200, 200)},  # invisible outside staff
    "public.file_detail #unknown": {"GET": every(404)},
    "public.file_by_id": {"GET": every(301)},  # old address by id → the readable one
    "public.file_by_id #classified": {"GET": (404, 404, 404, 404, 301, 301, 301)},
    "public.sitemap": {"GET": PUBLIC},
    "public.robots": {"GET": PUBLIC},
    "oai.endpoint": {"GET": PUBLIC, "POST": PUBLIC},  # OAI-PMH: errors are 200 documents (badVerb here)
    # --- authentication: open to all; empty posts are refused with the form again ---------------------
    "auth.register": {"GET": PUBLIC, "POST": every(400)},
    "auth.confirm_email": {"GET": every(302)},  # confirms (idempotent), then to the profile or login
    "auth.resend_confirmation": {"GET": PUBLIC, "POST": every(200)},
    "auth.login": {"GET": PUBLIC, "POST": every(401)},
    "auth.logout": {"POST": every(302)},
    "auth.forgot_password": {"GET": PUBLIC, "POST": every(200)},
    "auth.reset_password": {"GET": PUBLIC, "POST": every(200)},
    # --- one's own account ----------------------------------------------------------------------------
    "account.profile": {"GET": LOGGED_IN, "POST": (302, 400, 400, 400, 400, 400, 400)},
    "account.consents": {"GET": LOGGED_IN},
    "account.give_consent": {"POST": every(302)},
    "account.withdraw_consent": {"POST": every(302)},
    "account.change_password": {"GET": LOGGED_IN, "POST": LOGGED_IN},
    "account.data_saver": {"POST": (302, 400, 400, 400, 400, 400, 400)},  # an empty post chooses nothing
    # --- the reader's requests: their own, or staff; another reader gets 404 --------------------------
    "reader.basket": {"GET": LOGGED_IN, "POST": (302, 400, 400, 400, 400, 400, 400)},
    "reader.basket_add": {"POST": (302, 302, 302, 302, 403, 403, 403)},  # staff may not request files
    "reader.basket_add #classified": {"POST": (302, 404, 404, 404, 403, 403, 403)},
    "reader.basket_remove": {"POST": every(302)},
    "reader.my_requests": {"GET": LOGGED_IN},
    "reader.request_detail": {"GET": OWNER},
    "reader.request_detail #granted": {"GET": OWNER},
    "reader.request_detail #reclassified": {"GET": OWNER},  # the reader still follows it (without the title)
    "reader.letter": {"GET": OWNER},
    "reader.post_message": {"POST": (302, 404, 400, 404, 400, 400, 400)},  # an empty message is refused
    "reader.withdraw": {"POST": (302, 404, 302, 404, 302, 302, 302)},  # staff: a flashed "not allowed"
    # --- reading copies: only the reader who holds the grant -------------------------------------------
    "viewer.read": {"GET": (302, 404, 200, 404, 404, 404, 404)},
    "viewer.read #not-granted": {"GET": (302, 404, 403, 404, 404, 404, 404)},
    "viewer.search_inside": {"GET": (302, 404, 200, 404, 404, 404, 404)},
    "viewer.search_inside #not-granted": {"GET": (302, 404, 403, 404, 404, 404, 404)},
    "viewer.pdf": {"GET": (302, 404, 200, 404, 404, 404, 404)},
    # A grant whose file became classified: revoked, its copy purged (issue 11).
    "viewer.read #reclassified": {"GET": (302, 404, 403, 404, 404, 404, 404)},
    "viewer.pdf #reclassified": {"GET": (302, 404, 404, 404, 404, 404, 404)},
    "viewer.staff_view": {"GET": STAFF, "POST": (302, 403, 403, 403, 302, 302, 302)},
    "viewer.staff_view #classified": {"GET": STAFF, "POST": (302, 403, 403, 403, 302, 302, 302)},
    # --- staff ----------------------------------------------------------------------------------------
    "staff.dashboard": {"GET": STAFF},
    "staff.readers": {"GET": CLERKS},
    "staff.reader_detail": {"GET": CLERKS},
    "staff.reader_detail #staff-account": {"GET": (302, 403, 403, 403, 404, 403, 404)},  # not a reader
    "staff.reader_clearance": {"POST": (302, 403, 403, 403, 400, 403, 400)},  # blocking needs a reason
    "staff.reader_clearance #unknown-action": {"POST": (302, 403, 403, 403, 404, 403, 404)},
    "staff.audit_trail": {"GET": STAFF},
    # Empty posts to an edit form keep the stored values (no form data: the object's own), so they save.
    "staff.fonds_edit()": {"GET": CLERKS, "POST": (302, 403, 403, 403, 400, 403, 400)},
    "staff.fonds_edit(fonds_id)": {"GET": CLERKS, "POST": (302, 403, 403, 403, 302, 403, 302)},
    "staff.file_edit(fonds_id)": {"GET": CLERKS, "POST": (302, 403, 403, 403, 400, 403, 400)},
    "staff.file_edit(file_id)": {"GET": CLERKS, "POST": (302, 403, 403, 403, 302, 403, 302)},
    "staff.file_edit(file_id) #classified": {"GET": CLERKS, "POST": (302, 403, 403, 403, 302, 403, 302)},
    "staff.file_scan": {"GET": CLERKS, "POST": (302, 403, 403, 403, 400, 403, 400)},
    "staff.import_manifest": {"GET": CLERKS, "POST": (302, 403, 403, 403, 400, 403, 400)},
    "staff.queue": {"GET": STAFF},
    "staff.request_detail": {"GET": STAFF},
    # Refusing without a reason is refused (400); only archivists approve/refuse, only leaders decide
    # forwarded items (a submitted conditional item is not theirs yet: 409); unknown actions are 404.
    "staff.decide_item": {"POST": (302, 403, 403, 403, 400, 403, 403)},
    "staff.decide_item #leader": {"POST": (302, 403, 403, 403, 403, 409, 403)},
    "staff.decide_item #unknown-action": {"POST": (302, 403, 403, 403, 404, 404, 404)},
    "staff.decide_item #reclassified": {"POST": (302, 403, 403, 403, 409, 403, 403)},  # closed: nothing to approve
    "staff.post_message": {"POST": (302, 403, 403, 403, 400, 400, 400)},
    "staff.registers": {"GET": STAFF},
    "staff.reading_watch": {"GET": STAFF},
    "staff.resolve_flag": {"POST": (302, 403, 403, 403, 302, 302, 302)},
    "staff.retry_copy": {"POST": (302, 403, 403, 403, 302, 403, 302)},
    "staff.jobs_page": {"GET": CLERKS},
    "ocr.overview": {"GET": CLERKS},
    "ocr.file_pages": {"GET": CLERKS},
    "ocr.rerun": {"POST": (302, 403, 403, 403, 302, 403, 302)},
    "ocr.correct": {"GET": (302, 403, 403, 403, 404, 403, 404), "POST": (302, 403, 403, 403, 404, 403, 404)},
    # No such job (the world's jobs all succeeded): 404 for who may retry jobs.
    "staff.retry_job": {"POST": (302, 403, 403, 403, 404, 403, 404)},
    "health.healthz": {"GET": PUBLIC},
    # Leak tracing names readers: leaders and admins only; an empty post is refused with the form.
    "tracing.trace": {"GET": (302, 403, 403, 403, 403, 200, 200), "POST": (302, 403, 403, 403, 403, 400, 400)},
    # --- exhibitions: the public pages, and the editor (the admin, unless archivists are allowed) -------
    "exhibitions.index": {"GET": PUBLIC},
    "exhibitions.detail": {"GET": PUBLIC},
    "exhibitions.detail #draft": {"GET": (404, 404, 404, 404, 404, 404, 200)},  # the editor's preview
    "exhibitions.image": {"GET": PUBLIC},
    "exhibitions.image #withdrawn": {"GET": every(404)},  # cut from a page of a file that became classified
    "exhibitions.request_file": {"GET": LOGGED_IN},
    "exhibitions.staff_index": {"GET": EDITORS},
    "exhibitions.staff_settings": {"POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_edit()": {"GET": EDITORS, "POST": (302, 403, 403, 403, 403, 403, 400)},
    "exhibitions.staff_edit(exhibition_id)": {"GET": EDITORS, "POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_manage": {"GET": EDITORS},
    "exhibitions.staff_state": {"POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_section(exhibition_id)": {"GET": EDITORS, "POST": (302, 403, 403, 403, 403, 403, 400)},
    "exhibitions.staff_section(section_id)": {"GET": EDITORS, "POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_section_move": {"POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_section_delete": {"POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_item(kind,section_id)": {"GET": EDITORS, "POST": (302, 403, 403, 403, 403, 403, 400)},
    "exhibitions.staff_item(item_id)": {"GET": EDITORS, "POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_item_move": {"POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_item_delete": {"POST": (302, 403, 403, 403, 403, 403, 302)},
    "exhibitions.staff_item_cover": {"POST": (302, 403, 403, 403, 403, 403, 302)},
    # --- the staff workspace: statistics and the yearly report, who read what, staff accounts (admin) ----
    "statistics.index": {"GET": STAFF},
    "statistics.yearly": {"GET": STAFF},
    "statistics.yearly_xlsx": {"GET": STAFF},
    "reading_log.for_reader": {"GET": STAFF},
    "reading_log.for_file": {"GET": STAFF},
    "staff_accounts.index": {"GET": EDITORS, "POST": (302, 403, 403, 403, 403, 403, 400)},  # empty: refused
    "staff_accounts.detail": {"GET": EDITORS},
    "staff_accounts.detail #reader": {"GET": (302, 403, 403, 403, 403, 403, 404)},  # not a staff account
    "staff_accounts.change_role": {"POST": (302, 403, 403, 403, 403, 403, 400)},  # no role chosen
    "staff_accounts.set_state": {"POST": (302, 403, 403, 403, 403, 403, 302)},  # mails a password link
    "staff_accounts.set_state #unknown-action": {"POST": (302, 403, 403, 403, 403, 403, 404)},
    # --- notifications: one's own; another person's is 404 -------------------------------------------
    "notifications.index": {"GET": LOGGED_IN},
    "notifications.open_one": {"GET": (302, 404, 302, 404, 404, 404, 404)},  # marks read, goes to its link
    "notifications.mark_all_read": {"POST": every(302)},
    # --- copies: the reader's orders (404 for another reader), the staff desk, the admin's fee schedule,
    # and /xac-thuc for anyone (an empty upload is refused) -----------------------------------------------
    "copies.order_form": {"GET": LOGGED_IN, "POST": (302, 400, 400, 400, 400, 400, 400)},
    "copies.my_orders": {"GET": LOGGED_IN},
    "copies.order_detail": {"GET": OWNER},
    "copies.withdraw": {"POST": (302, 404, 302, 404, 302, 302, 302)},  # staff: a flashed "not allowed"
    "copies.download": {"GET": (302, 404, 200, 404, 404, 404, 404)},  # only the orderer, never staff
    "copies.verify": {"GET": PUBLIC, "POST": every(400)},
    "copies.staff_queue": {"GET": STAFF},
    "copies.staff_detail": {"GET": STAFF},
    "copies.staff_decide": {"POST": (302, 403, 403, 403, 400, 403, 403)},  # refusing needs a reason
    "copies.staff_decide #unknown-action": {"POST": (302, 403, 403, 403, 404, 404, 404)},
    "copies.staff_payment": {"POST": (302, 403, 403, 403, 400, 403, 400)},  # an empty payment is refused
    "copies.staff_produced": {"POST": (302, 403, 403, 403, 409, 403, 409)},  # not paid yet
    "copies.staff_hand_over": {"POST": (302, 403, 403, 403, 400, 403, 400)},  # a download is not handed over
    "copies.staff_retry": {"POST": (302, 403, 403, 403, 302, 403, 302)},
    "copies.staff_file": {"GET": STAFF},
    "copies.print_list": {"GET": STAFF},
    "copies.fee_schedule": {"GET": EDITORS, "POST": (302, 403, 403, 403, 403, 403, 400)},
    "copies.copy_register": {"GET": STAFF},
    # --- reading-room visits: the reader's own (404 for others), the desk and calendar for archivists ---
    "visits.my_visits": {"GET": LOGGED_IN},
    "visits.visit_detail": {"GET": OWNER},
    "visits.visit_ics": {"GET": OWNER},
    "visits.move": {"POST": (302, 404, 400, 404, 400, 400, 400)},  # no slot chosen: refused with the page
    "visits.cancel": {"POST": (302, 404, 302, 404, 400, 400, 400)},  # staff must give a reason
    "visits.book_later": {"POST": (302, 404, 302, 404, 302, 302, 302)},  # no slot: a flashed message
    "visits.calendar_settings": {"GET": CLERKS, "POST": (302, 403, 403, 403, 400, 403, 400)},
    "visits.add_closure": {"POST": (302, 403, 403, 403, 400, 403, 400)},
    "visits.remove_closure": {"POST": (302, 403, 403, 403, 302, 403, 302)},
    "visits.desk_day": {"GET": CLERKS},
    "visits.desk_action": {"POST": (302, 403, 403, 403, 302, 403, 302)},  # check-in without the ID: flashed
    "visits.desk_action #unknown-action": {"POST": (302, 403, 403, 403, 404, 403, 404)},
    "visits.handover": {"POST": (302, 403, 403, 403, 302, 403, 302)},  # not checked in: flashed
    "visits.digitisation_queue": {"GET": CLERKS},
    "visits.visits_register": {"GET": STAFF},
    # --- search (classified files are filtered out of the results for non-staff) ----------------------
    "search.results": {"GET": PUBLIC},
    "search.advanced": {"GET": PUBLIC},
}

# Which real values fill the URL variables of a table key (a function of the world, called per
# role, so a destructive row can make a fresh object each time). Unlisted variables use DEFAULTS.
DEFAULTS: dict[str, Callable[["World"], object]] = {
    "file_id": lambda w: w.open_file,
    "fonds_id": lambda w: w.fonds_id,
    "request_id": lambda w: w.request_id,
    "item_id": lambda w: w.open_item,
    "copy_id": lambda w: w.copy_id,
    "reader_id": lambda w: w.users["uncleared"].id,
    "flag_id": lambda w: w.flag_id,
    "code": lambda w: w.fonds_code,
    "slug": lambda w: w.exhibition_slug,
    "exhibition_id": lambda w: w.exhibition_id,
    "section_id": lambda w: w.section_id,
    "purpose": lambda w: "newsletter",
    "job_id": lambda w: 2**31 - 1,
    "user_id": lambda w: w.users["archivist"].id,
    "notification_id": lambda w: w.notification_id,
    "order_id": lambda w: w.copy_order_id,
    "visit_id": lambda w: w.visit_id,
    "visit_file_id": lambda w: w.visit_file_id,
    "closure_id": lambda w: w.factories["closure"](),
}
VALUES: dict[str, dict[str, Callable[["World"], object]]] = {
    "public.set_language": {"code": lambda w: "vi"},
    "public.file_detail": {"code": lambda w: _file_code(w, w.open_file)},
    "public.file_detail #classified": {"code": lambda w: _file_code(w, w.classified_file)},
    "public.file_detail #conditional": {"code": lambda w: _file_code(w, w.cond_file)},
    "public.file_detail #unknown": {"code": lambda w: "KHONG/CO.9999"},
    "public.file_by_id #classified": {"file_id": lambda w: w.classified_file},
    "public.fonds_detail #unknown": {"code": lambda w: "KHONG-CO"},
    "public.fonds_detail #classified-only": {"code": lambda w: "MAT-RIENG"},
    "reader.request_detail #reclassified": {"request_id": lambda w: w.reclassified_request_id},
    "viewer.read #reclassified": {"item_id": lambda w: w.reclassified_item},
    "viewer.pdf #reclassified": {"copy_id": lambda w: w.reclassified_copy_id},
    "staff.decide_item #reclassified": {"item_id": lambda w: w.reclassified_item, "action": lambda w: "approve"},
    "exhibitions.image #withdrawn": {"key": lambda w: w.withdrawn_image_key, "name": lambda w: "thumb.webp"},
    "auth.confirm_email": {"token": lambda w: w.confirm_token},
    "auth.reset_password": {"token": lambda w: w.reset_token},
    "reader.basket_add #classified": {"file_id": lambda w: w.classified_file},
    "reader.withdraw": {"request_id": lambda w: w.factories["request"]()},
    "reader.request_detail #granted": {"request_id": lambda w: w.granted_request_id},
    "viewer.read": {"item_id": lambda w: w.granted_item},
    "viewer.search_inside": {"item_id": lambda w: w.granted_item},
    "viewer.search_inside #not-granted": {"item_id": lambda w: w.open_item},
    "ocr.file_pages": {"file_id": lambda w: w.digitised_file},
    "ocr.rerun": {"file_id": lambda w: w.digitised_file},
    "ocr.correct": {"file_id": lambda w: w.digitised_file, "page_no": lambda w: 999},
    "viewer.read #not-granted": {"item_id": lambda w: w.open_item},
    "viewer.staff_view": {"file_id": lambda w: w.digitised_file},
    "viewer.staff_view #classified": {"file_id": lambda w: w.classified_file},
    "staff.file_edit(file_id) #classified": {"file_id": lambda w: w.classified_file},
    "staff.reader_clearance": {"action": lambda w: "khoa"},  # blocking without a reason: refused
    "staff.reader_clearance #unknown-action": {"action": lambda w: "xoa"},
    "staff.reader_detail #staff-account": {"reader_id": lambda w: w.users["archivist"].id},
    "staff.decide_item": {"action": lambda w: "refuse"},  # refusing without a reason: refused
    "staff.decide_item #leader": {"item_id": lambda w: w.cond_item, "action": lambda w: "leader_refuse"},
    "staff.decide_item #unknown-action": {"action": lambda w: "xoa"},
    "staff.retry_copy": {"copy_id": lambda w: w.staff_copy_id},
    "staff_accounts.detail #reader": {"user_id": lambda w: w.users["reader"].id},
    "staff_accounts.set_state": {"action": lambda w: "gui-lien-ket"},
    "staff_accounts.set_state #unknown-action": {"action": lambda w: "xoa"},
    "copies.withdraw": {"order_id": lambda w: w.factories["copy_order"]()},
    "copies.download": {"order_id": lambda w: w.produced_order_id},
    "copies.staff_decide": {"action": lambda w: "refuse"},
    "copies.staff_decide #unknown-action": {"action": lambda w: "xoa"},
    "copies.staff_file": {"order_id": lambda w: w.produced_order_id},
    "exhibitions.detail #draft": {"slug": lambda w: w.draft_slug},
    "exhibitions.image": {"key": lambda w: w.image_key, "name": lambda w: "thumb.webp"},
    "exhibitions.request_file": {"item_id": lambda w: w.file_item},
    "exhibitions.staff_state": {"action": lambda w: "noi-bat"},
    "exhibitions.staff_section_move": {"direction": lambda w: "xuong"},
    "exhibitions.staff_section_delete": {"section_id": lambda w: w.factories["section"]()},
    "exhibitions.staff_item(kind,section_id)": {"kind": lambda w: "ho-so"},
    "exhibitions.staff_item(item_id)": {"item_id": lambda w: w.image_item},
    "exhibitions.staff_item_move": {"item_id": lambda w: w.image_item, "direction": lambda w: "len"},
    "exhibitions.staff_item_delete": {"item_id": lambda w: w.factories["item"]()},
    "exhibitions.staff_item_cover": {"item_id": lambda w: w.image_item},
    "visits.cancel": {"visit_id": lambda w: w.factories["visit"]()},
    "visits.desk_action": {"action": lambda w: "tiep-nhan"},
    "visits.desk_action #unknown-action": {"action": lambda w: "xoa"},
    "visits.handover": {"action": lambda w: "giao"},
}

def _file_code(world: "World", file_id: int) -> str:
    return world.file_codes[file_id]


# Rows that change something for good: run after every other row, on fresh objects.
LAST = ("reader.withdraw", "copies.withdraw", "exhibitions.staff_section_delete", "exhibitions.staff_item_delete",
        "visits.cancel", "visits.remove_closure", "auth.logout")


@dataclass
class World:
    users: dict[str, User]
    fonds_id: int = 0
    fonds_code: str = ""
    open_file: int = 0
    cond_file: int = 0
    classified_file: int = 0
    digitised_file: int = 0
    request_id: int = 0  # the reader's request (official purpose, with a letter): an open and a conditional item
    open_item: int = 0
    cond_item: int = 0
    granted_request_id: int = 0
    granted_item: int = 0
    copy_id: int = 0  # the reader's ready reading copy of granted_item
    staff_copy_id: int = 0  # a failed staff copy, for the retry button
    flag_id: int = 0
    copy_order_id: int = 0  # the reader's submitted copy order
    produced_order_id: int = 0  # the reader's plain digital copy, ready to download
    exhibition_id: int = 0
    exhibition_slug: str = ""
    draft_slug: str = ""
    section_id: int = 0
    image_item: int = 0
    file_item: int = 0
    image_key: str = ""
    reclassified_request_id: int = 0  # a granted file, then classified through the record service
    reclassified_item: int = 0
    reclassified_copy_id: int = 0
    withdrawn_image_key: str = ""  # a picture cut from that file's page
    notification_id: int = 0  # the reader's first notification
    visit_id: int = 0  # the reader's booked visit, on the last bookable slot
    visit_file_id: int = 0
    confirm_token: str = ""
    reset_token: str = ""
    factories: dict[str, Callable[[], int]] = field(default_factory=dict)
    file_codes: dict[int, str] = field(default_factory=dict)


def picture(size: tuple[int, int] = (640, 480), fmt: str = "PNG", text: str = "Trang 1") -> bytes:
    image = Image.new("RGB", size, (245, 240, 225))
    ImageDraw.Draw(image).text((40, 40), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def build_world(app, make_user, make_file, tmp_path) -> World:
    """A small archive with an object for every URL variable."""
    users = {
        "uncleared": make_user(cleared=False), "reader": make_user(), "other": make_user(),
        "archivist": make_user(role="archivist"), "leader": make_user(role="leader"),
        "admin": make_user(role="admin"),
    }
    world = World(users=users)
    open_file, cond_file = make_file(mode="01"), make_file(mode="02")
    classified = make_file(mode="03")
    digitised = make_file(mode="01")
    scan = tmp_path / "matrix-scan"
    scan.mkdir()
    (scan / "01.png").write_bytes(picture((620, 877)))
    reclassified = make_file(mode="01")
    later_scan = tmp_path / "matrix-scan-reclassified"
    later_scan.mkdir()
    (later_scan / "01.png").write_bytes(picture((620, 877)))
    make_file(mode="03", fonds_code="MAT-RIENG")  # a fonds holding only a classified file
    counter = iter(range(1, 1000))

    with app.test_request_context():
        me = {name: db.session.get(User, user.id) for name, user in users.items()}
        records.attach_scan(me["admin"], db.session.get(RecordFile, digitised.id), scan)
        world.fonds_id = db.session.get(RecordFile, open_file.id).fonds_id
        world.fonds_code = db.session.get(RecordFile, open_file.id).fonds.code
        world.open_file, world.cond_file = open_file.id, cond_file.id
        world.classified_file, world.digitised_file = classified.id, digitised.id

        def submit(file_ids: list[int], purpose: str = "01", letter: bytes | None = None) -> AccessRequest:
            for file_id in file_ids:
                requests_svc.add_to_basket(me["reader"], file_id)
            upload = FileStorage(io.BytesIO(letter), filename="giay-gioi-thieu.png") if letter else None
            return requests_svc.submit_request(
                me["reader"], {"purpose": purpose, "purpose_details": "Sở Nội vụ giao nhiệm vụ nghiên cứu",
                               "research_topic": "Lịch sử địa phương", "fee_category": "10"},
                upload, f"matrix-{next(counter)}")

        request = submit([open_file.id, cond_file.id], purpose="02", letter=picture((300, 200)))
        world.request_id = request.id
        items = {item.mode: item.id for item in request.items}
        world.open_item, world.cond_item = items["01"], items["02"]

        granted = submit([digitised.id])
        item = granted.items[0]
        requests_svc.decide(me["archivist"], item, "approve")
        world.granted_request_id, world.granted_item = granted.id, item.id
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
        assert copy is not None and copy.status == "ready", "the reading copy was not built"
        world.copy_id = copy.id

        failed = ReadingCopy(kind="staff", user_id=me["archivist"].id, file_id=digitised.id, status="failed",
                             error="matrix", purge_after=utcnow())
        flag = ReadingFlag(user_id=me["reader"].id, file_id=digitised.id, pages_per_minute=99.0)
        db.session.add_all([failed, flag])
        db.session.commit()
        world.staff_copy_id, world.flag_id = failed.id, flag.id

        exhibition = exhibitions_svc.save_exhibition(me["admin"], {
            "slug": "dong-nai-xua", "title": "Đồng Nai xưa", "summary": "Tài liệu lưu trữ về Đồng Nai xưa và nay."},
            cover=io.BytesIO(picture(fmt="JPEG")))
        section = exhibitions_svc.save_section(me["admin"], exhibition, {"title": "Phần một", "body": "<p>Mở đầu</p>"})
        image_item = exhibitions_svc.save_image_item(me["admin"], section, {"caption": "Ảnh tư liệu"},
                                                     upload=io.BytesIO(picture(fmt="JPEG")))
        file_item = exhibitions_svc.save_file_item(me["admin"], section, {"file_code": open_file.file_code})
        exhibitions_svc.set_published(me["admin"], exhibition, True)
        draft = exhibitions_svc.save_exhibition(me["admin"], {
            "slug": "ban-nhap", "title": "Bản nháp", "summary": "Một triển lãm chưa công bố."})
        world.exhibition_id, world.exhibition_slug, world.draft_slug = exhibition.id, exhibition.slug, draft.slug
        world.section_id, world.image_item, world.file_item = section.id, image_item.id, file_item.id
        world.image_key = image_item.image.key

        # A file granted to the reader, with a picture cut from its page, that then becomes classified.
        records.attach_scan(me["admin"], db.session.get(RecordFile, reclassified.id), later_scan)
        later = submit([reclassified.id])
        later_item = later.items[0]
        requests_svc.decide(me["archivist"], later_item, "approve")
        world.reclassified_request_id, world.reclassified_item = later.id, later_item.id
        world.reclassified_copy_id = db.session.scalar(select(ReadingCopy.id).where(
            ReadingCopy.item_id == later_item.id))
        cut = exhibitions_svc.save_image_item(me["admin"], section, {
            "caption": "Ảnh cắt từ trang hồ sơ", "source_file": reclassified.file_code},
            upload=io.BytesIO(picture(fmt="JPEG")))
        world.withdrawn_image_key = cut.image.key
        record = db.session.get(RecordFile, reclassified.id)
        records.save_file(me["admin"], record.fonds, {**{name: getattr(record, name) or ""
                                                         for name in records.FILE_FIELDS}, "mode": "03"}, record)

        world.notification_id = db.session.scalar(select(Notification.id).where(
            Notification.user_id == me["reader"].id).order_by(Notification.id))
        world.confirm_token = accounts.make_confirm_token(me["reader"])
        world.reset_token = accounts.make_reset_token(me["reader"])

        def fresh_request() -> int:
            """A new submitted request of the reader (for withdrawing)."""
            record = make_file(mode="01")
            with app.test_request_context():
                reader = db.session.get(User, users["reader"].id)
                requests_svc.add_to_basket(reader, record.id)
                return requests_svc.submit_request(reader, {"purpose": "01", "research_topic": "Lịch sử địa phương",
                                                            "fee_category": "10"}, None,
                                                   f"matrix-{next(counter)}").id

        def fresh_section() -> int:
            with app.test_request_context():
                admin = db.session.get(User, users["admin"].id)
                target = exhibitions_svc.get_exhibition(admin, world.exhibition_id)
                return exhibitions_svc.save_section(admin, target, {"title": "Phần sẽ xóa"}).id

        def fresh_item() -> int:
            with app.test_request_context():
                admin = db.session.get(User, users["admin"].id)
                target = exhibitions_svc.get_section(admin, world.section_id)
                return exhibitions_svc.save_file_item(admin, target, {"file_code": cond_file.file_code}).id

        # Visits: on the last slot of the booking horizon, far from any cut-off whatever the day.
        settings = visit_calendar.room_settings()
        settings.visits_per_week = 14
        db.session.commit()

        def fresh_visit() -> int:
            record = make_file(mode="01")
            with app.test_request_context():
                reader = db.session.get(User, users["reader"].id)
                requests_svc.add_to_basket(reader, record.id)
                slot = visit_calendar.upcoming_slots()[-1].key
                request = requests_svc.submit_request(
                    reader, {"purpose": "01", "research_topic": "Lịch sử địa phương", "fee_category": "10",
                             f"use_{record.id}": "reading_room", "visit_slot": slot}, None, f"matrix-{next(counter)}")
                return visit_booking.visit_for_item(request.items[0]).id

        def fresh_closure() -> int:
            with app.test_request_context():
                admin = db.session.get(User, users["admin"].id)
                day = date(2030, 1, 1) + timedelta(days=next(counter))
                return visit_calendar.add_closure(admin, day, "Kiểm kê kho").id

        world.visit_id = fresh_visit()
        world.visit_file_id = db.session.scalar(select(VisitFile.id).where(VisitFile.visit_id == world.visit_id))
        fees.save_schedule(None, {"page_plain_digital": "2000", "page_plain_paper": "3000",
                                  "page_certified_digital": "2500", "page_certified_paper": "3000",
                                  "certification_fee": "20000", "postage": "25000",
                                  "effective_from": date(2020, 1, 1)}, allow_past=True)
        copy_data = {"kind": "plain", "delivery": "download", "purpose": "01", "fee_category": "10"}

        def fresh_copy_order() -> int:
            """A new submitted copy order of the reader (for withdrawing)."""
            with app.test_request_context():
                reader = db.session.get(User, users["reader"].id)
                rows = [(db.session.get(RecordFile, digitised.id).file_code, "1")]
                quote = copy_orders.check_order(reader, copy_data, rows).quote.amount
                return copy_orders.submit_order(reader, copy_data, rows, f"matrix-{next(counter)}", quote).id

        world.copy_order_id = fresh_copy_order()
        produced = copy_orders.get_order(me["reader"], fresh_copy_order())
        copy_orders.apply(me["archivist"], produced, "approve")
        copy_payments.record_staff_payment(me["archivist"], produced, {"method": "desk", "amount": str(produced.amount),
                                                                       "receipt_no": "BL-1"})
        assert produced.status == "produced", "the copy was not produced"
        world.produced_order_id = produced.id
        world.factories = {"request": fresh_request, "section": fresh_section, "item": fresh_item,
                           "copy_order": fresh_copy_order, "visit": fresh_visit, "closure": fresh_closure}
    with app.app_context():
        world.file_codes = {f.id: f.file_code for f in db.session.scalars(select(RecordFile))}

    return world


def rule_keys(app) -> dict[str, object]:
    """Table key → rule, for every rule but ``static``."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    count: dict[str, int] = {}
    for rule in rules:
        count[rule.endpoint] = count.get(rule.endpoint, 0) + 1
    return {(rule.endpoint if count[rule.endpoint] == 1 else f"{rule.endpoint}({','.join(sorted(rule.arguments))})"):
            rule for rule in rules}


def methods_of(rule) -> set[str]:
    return set(rule.methods or ()) - {"HEAD", "OPTIONS"}


def test_every_route_has_an_entry(app):
    keys = rule_keys(app)
    missing = [f"{key}: {sorted(methods_of(rule))} {rule.rule}" for key, rule in keys.items() if key not in TABLE]
    assert not missing, "routes without an entry in TABLE (decide who may reach them):\n" + "\n".join(missing)
    gone = [key for key in TABLE if key.split(" #")[0] not in keys]
    assert not gone, f"TABLE names routes that no longer exist: {gone}"
    for key, entry in TABLE.items():
        rule = keys[key.split(" #")[0]]
        assert set(entry) == methods_of(rule), f"{key}: TABLE has {sorted(entry)}, the route {sorted(methods_of(rule))}"
        for method, statuses in entry.items():
            assert len(statuses) == len(ROLES), f"{key} {method}: one status per role"
    stray = [key for key in (*VALUES, *LAST) if key not in TABLE]
    assert not stray, f"VALUES or LAST name keys that are not in TABLE: {stray}"


def url_for_key(app, world: World, key: str) -> str:
    rule = rule_keys(app)[key.split(" #")[0]]
    chosen = VALUES.get(key, {})
    values = {}
    for name in rule.arguments:
        make = chosen.get(name) or DEFAULTS.get(name)
        assert make is not None, f"{key}: no value for <{name}>"
        values[name] = make(world)
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"{key}: could not build {rule.rule} from {values}"
    return built[1]


# A visitor's 302 goes to the login page, except on these routes (they redirect by design).
VISITOR_REDIRECTS_ELSEWHERE = {"public.set_language", "auth.confirm_email"}


def test_route_matrix(app, make_user, make_file, tmp_path):
    """Ask every route as every role; compare with TABLE (``MATRIX_PRINT=1`` prints what the app answers)."""
    world = build_world(app, make_user, make_file, tmp_path)
    keys = rule_keys(app)
    clients = {}
    for role in ROLES:
        clients[role] = app.test_client()
        if role != "visitor":
            assert login(clients[role], world.users[role].email).status_code == 302

    show = bool(os.environ.get("MATRIX_PRINT"))
    rows = [(key, method) for key, entry in TABLE.items() for method in entry if key.split(" #")[0] in keys]
    if show:  # also the routes not yet in TABLE, to help write their entries
        rows += [(key, method) for key, rule in keys.items() if key not in TABLE for method in sorted(methods_of(rule))]
    # GETs first, then POSTs, then the destructive rows in LAST's order.
    rows.sort(key=lambda row: (row[0] in LAST, LAST.index(row[0]) if row[0] in LAST else 0, row[1] != "GET"))
    login_url = "/tai-khoan/dang-nhap"
    actual: dict[tuple[str, str], tuple[int, ...]] = {}
    problems = []
    for key, method in rows:
        statuses = []
        for role in ROLES:
            url = url_for_key(app, world, key)
            client = clients[role]
            with client.open(url, method=method, data={} if method == "POST" else None) as response:
                status, location = response.status_code, response.headers.get("Location", "")
            statuses.append(status)
            if status >= 500:
                problems.append(f"{key} {method} {url} as {role}: {status}")
            if role == "visitor" and status == 302 and key.split(" #")[0] not in VISITOR_REDIRECTS_ELSEWHERE \
                    and not location.split("?")[0].endswith(login_url):
                problems.append(f"{key} {method} as visitor: redirected to {location}, not to the login page")
            if key == "auth.logout" and role != "visitor":
                login(client, world.users[role].email)  # log back in, should rows follow
        actual[key, method] = tuple(statuses)
    if show:
        for (key, method), statuses in actual.items():
            print(f"{key!r}: {method} {statuses}")
    for (key, method), statuses in actual.items():
        expected = TABLE.get(key, {}).get(method)
        if statuses != expected:
            wrong = ", ".join(f"{role} {got} (expected {want})"
                              for role, got, want in zip(ROLES, statuses, expected or every(0)) if got != want)
            problems.append(f"{key} {method}: {wrong}")
    assert not problems, "\n".join(problems)
