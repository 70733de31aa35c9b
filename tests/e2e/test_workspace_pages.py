"""The staff workspace in a real browser: the statistics page, the yearly report, the bell,
staff accounts and the role homes — screenshots at 1366 and 390 px, no horizontal overflow on a
phone, no CSP complaint under the real policy, and no serious or critical axe-core violation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from portal.services import accounts

from ..conftest import PASSWORD
from .test_accessibility import ARCHIVIST, READER, _axe, _check, _context, _world

pytestmark = pytest.mark.e2e
LEADER = ("lanhdao@luutru.dongnai.gov.vn", "Phạm Văn Lãnh")
ADMIN = "quantri@luutru.dongnai.gov.vn"


def _shots(page, artifacts, name: str) -> None:
    """Full-page screenshots at desktop and phone widths; the phone must not scroll sideways."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(artifacts / f"workspace-{name}-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    # Reading scrollWidth forces a layout at the new width: no waiting needed.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(artifacts / f"workspace-{name}-390.png"), full_page=True)
    assert overflow <= 0, f"{name}: {overflow}px of horizontal overflow at 390 px"
    page.set_viewport_size({"width": 1200, "height": 1000})


def test_statistics_bell_and_staff_pages(live_app, browser, artifacts, make_scan, browser_login):
    base = live_app.config["LIVE_URL"]
    _world(live_app, make_scan)  # a reader with a granted item and a conditional one waiting; mails sent
    with live_app.test_request_context(base_url=base):
        accounts.create_staff(LEADER[0], "leader", LEADER[1], PASSWORD)
    report: dict[str, dict] = {}

    # The leader reads the year at a glance, under the real CSP (no bypass): nothing is refused.
    strict = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = strict.new_page()
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    browser_login(page, base, LEADER[0], PASSWORD)
    page.goto(f"{base}/nghiep-vu/thong-ke/")
    assert page.locator("svg.chart").count() >= 5 and page.locator("table.numbers").count() >= 5
    assert not [c for c in complaints if "Content Security Policy" in c], complaints
    strict.close()

    leader = _context(browser)
    page = leader.new_page()
    browser_login(page, base, LEADER[0], PASSWORD)
    page.goto(f"{base}/nghiep-vu/thong-ke/")
    report["statistics"] = _axe(page)
    _shots(page, artifacts, "statistics")
    page.goto(f"{base}/nghiep-vu/thong-ke/bao-cao-nam")
    report["yearly"] = _axe(page)
    _shots(page, artifacts, "yearly")
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts / "workspace-yearly-print.png"), full_page=True)
    assert not page.locator(".site-header").is_visible() and page.locator(".report-table").is_visible()
    page.emulate_media(media="screen")
    page.goto(f"{base}/nghiep-vu/")
    report["leader-home"] = _axe(page)
    _shots(page, artifacts, "leader-home")
    leader.close()

    reader = _context(browser)
    page = reader.new_page()
    browser_login(page, base, READER[0], PASSWORD)
    count = page.locator(".bell-count").inner_text()
    assert int(count) >= 2  # the request was received; one file may be read
    page.click("a.bell")
    page.wait_for_load_state("networkidle")
    assert page.locator(".notifications li.unread").count() == int(count)
    report["bell"] = _axe(page)
    _shots(page, artifacts, "bell")
    page.locator(".notifications li.unread a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/thong-bao" not in page.url  # it went where the notification points (the request, the viewer)
    page.goto(f"{base}/")
    assert int(page.locator(".bell-count").inner_text()) == int(count) - 1
    reader.close()

    archivist = _context(browser)
    page = archivist.new_page()
    browser_login(page, base, ARCHIVIST[0], PASSWORD)
    page.goto(f"{base}/nghiep-vu/")
    report["archivist-home"] = _axe(page)
    _shots(page, artifacts, "archivist-home")
    with live_app.app_context():
        reader_id = db.session.scalar(select(User.id).where(User.email == READER[0]))
    page.goto(f"{base}/nghiep-vu/nhat-ky-doc/doc-gia/{reader_id}")
    report["reading-log"] = _axe(page)
    _shots(page, artifacts, "reading-log")
    page.goto(f"{base}/nghiep-vu/nhat-ky")
    report["audit"] = _axe(page)
    archivist.close()

    admin = _context(browser)
    page = admin.new_page()
    browser_login(page, base, ADMIN, PASSWORD)
    page.goto(f"{base}/nghiep-vu/can-bo/")
    report["staff-accounts"] = _axe(page)
    _shots(page, artifacts, "staff-accounts")
    page.goto(f"{base}/nghiep-vu/")
    report["admin-home"] = _axe(page)
    _shots(page, artifacts, "admin-home")
    admin.close()

    _check(report, artifacts, "report-workspace")
