"""The main pages on a desktop (1366 px), a phone (390 px) and on paper, in Debian's Chromium.

Screenshots go to test-artifacts/e2e/screens-*.png (and print-*.png, file-print.pdf). At 390 px the page
must not scroll sideways (measured in the page); in print media the navigation is gone, the content and
the page's address are there, and the reading copy prints nothing of itself. The file page printed to
PDF holds its title and stable address. The viewer's first-page time is printed (the 1 s goal lives in
bench/viewer_first_page.py). axe-core runs on the phone layout too: no serious or critical violation.
"""
from __future__ import annotations

import subprocess

import pytest

from ..conftest import PASSWORD
from .test_accessibility import ARCHIVIST, READER, _axe, _check, _world

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
INK = """() => {
    const c = document.querySelector('.page[data-page-number="1"] canvas');
    if (!c || !c.width) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4 * 31) if (d[i] < 160) dark++;
    return dark > 20;  // a phone draws the page at ~40 %: thin, grey text
}"""
OVERFLOW = """() => {
    const root = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1 && getComputedStyle(e).position !== 'fixed'
                     && !e.closest('.viewer-container, .visually-hidden, .skip'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
    return {scroll: root.scrollWidth - root.clientWidth, wide};
}"""


def _login(context, base: str, email: str):
    page = context.new_page()
    page.goto(f"{base}/tai-khoan/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/dang-nhap" not in page.url
    return page


def _open(page, url: str, viewer: bool = False) -> float | None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    if viewer:
        page.wait_for_function(INK, timeout=30_000, polling=20)
        return page.evaluate("() => performance.now()") / 1000
    page.wait_for_load_state("networkidle")
    return None


def test_main_pages_on_desktop_phone_and_paper(live_app, browser, artifacts, make_scan):
    base = live_app.config["LIVE_URL"]
    ids = _world(live_app, make_scan)
    file_url = f"{base}/ho-so/SNV-DN.2015.008"
    pages = {  # name → (who, path, is the viewer)
        "home": (None, "/", False), "fonds": (None, "/phong/SNV-DN", False),
        "search": (None, "/tim-kiem?q=lưu trữ", False), "file": (None, "/ho-so/SNV-DN.2015.008", False),
        "my-requests": ("reader", "/phieu-yeu-cau/", False), "request": ("reader", f"/phieu-yeu-cau/{ids['request']}", False),
        "viewer": ("reader", f"/doc/{ids['item']}", True), "staff-queue": ("staff", "/nghiep-vu/yeu-cau", False),
        "staff-request": ("staff", f"/nghiep-vu/yeu-cau/{ids['request']}", False),
    }
    logins = {"reader": READER[0], "staff": ARCHIVIST[0]}
    overflow, csp_errors, axe_report, timings = {}, [], {}, {}
    for size, viewport in SIZES.items():
        # Phone: axe needs its script injected, so that context bypasses the CSP; the desktop one keeps the
        # portal's real CSP and collects console errors (the JSON-LD data block must not raise any).
        contexts, tabs = {}, {}
        for who in (None, "reader", "staff"):
            context = browser.new_context(viewport=viewport, bypass_csp=(size == "phone"), locale="vi-VN")
            context.set_default_timeout(30_000)
            tabs[who] = _login(context, base, logins[who]) if who else context.new_page()
            if size == "desktop":
                tabs[who].on("console", lambda m: csp_errors.append(m.text) if m.type == "error" else None)
            contexts[who] = context
        for name, (who, path, is_viewer) in pages.items():
            page = tabs[who]
            seconds = _open(page, base + path, viewer=is_viewer)
            if seconds is not None:
                timings[size] = seconds
            page.screenshot(path=str(artifacts / f"screens-{name}-{size}.png"), full_page=not is_viewer)
            if size == "phone":
                overflow[name] = page.evaluate(OVERFLOW)
                axe_report[f"{name}-phone"] = _axe(page)
            else:
                # Paper: print media on the desktop tab.
                page.emulate_media(media="print")
                printed = page.evaluate("""() => ({
                    header: getComputedStyle(document.querySelector('.site-header')).display,
                    text: document.querySelector('main').innerText.trim().length,
                    url: getComputedStyle(document.querySelector('.print-url')).display,
                    readingHidden: [...document.querySelectorAll('main > *')].every(e => getComputedStyle(e).display === 'none'),
                })""")
                page.screenshot(path=str(artifacts / f"print-{name}.png"), full_page=True)
                page.emulate_media(media="screen")
                assert printed["header"] == "none", (name, printed)
                if is_viewer:
                    assert printed["readingHidden"], "the reading copy's page must print nothing of it"
                else:
                    assert printed["text"] > 40 and printed["url"] == "block", (name, printed)
        for context in contexts.values():
            context.close()

    print("viewer first page painted (s, from navigation start):",
          ", ".join(f"{size} {seconds:.2f}" for size, seconds in timings.items()))
    print("horizontal overflow at 390 px:", {k: v["scroll"] for k, v in overflow.items()})
    assert all(v["scroll"] <= 0 for v in overflow.values()), overflow
    assert not [e for e in csp_errors if "Content Security Policy" in e or "Refused" in e], csp_errors
    _check(axe_report, artifacts, "report-phone")

    # The file page on paper, through Chromium's own printing: its title, its address, no navigation.
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    page.goto(file_url)
    page.emulate_media(media="print")
    pdf_path = artifacts / "file-print.pdf"
    page.pdf(path=str(pdf_path), format="A4", print_background=False)
    context.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert "Hồ sơ hội nghị tổng kết công tác văn thư" in flat and "SNV-DN.2015.008" in flat
    assert "/ho-so/SNV-DN.2015.008" in flat.replace(" ", "")  # the stable address, printed
    assert "Đăng nhập" not in flat and "Triển lãm" not in flat  # no navigation on paper
