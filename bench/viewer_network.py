"""Benchmark: the reading-copy viewer on a phone's mobile link — first page, page turn, bytes per page.

    .venv/bin/python -m bench.viewer_network [--pages 300] [--turns 4] [--pace 4] [--profiles loopback,4g,3g]

On a throwaway SQLite database and data folder it builds, through the real services (request, grant,
copy job), reading copies of two files: the pages of the largest digitised demo file (``demo/pages.py``,
at the demo's 110 dpi) and the ``--pages``-page benchmark scan of ``bench/reading_copy.py`` (150 dpi,
dense typed text). Each file is read in three encodings:
- ``baseline``: today's encoding before issue 19 (150 dpi, JPEG quality 80), built by the same job with
  :data:`watermark.encoding.BASELINE` in place of the standard encoding;
- ``standard``: what readers now get (:data:`watermark.encoding.STANDARD`);
- ``data-saver``: the same copy, for the account that chose the data saver.
The portal runs on 127.0.0.1 (werkzeug, threaded); the viewer opens in Debian's Chromium (Playwright)
on a 390 × 844 phone screen, with the link emulated through the DevTools protocol
(``Network.emulateNetworkConditions``): 4G = 4 Mbit/s down, 100 ms round trip; 3G = 1.6 Mbit/s, 300 ms.
The viewer's own code is in the browser's cache (a returning reader; revalidated, not refetched);
the "cold" column is the very first open, nothing cached.

Measured per profile and encoding: first page (navigation start → page 1 painted), page turn (the reader
reads each page ``--pace`` seconds, then presses →; → the next page painted; median of ``--turns``),
the file's KB per page, the KB fetched before the first page showed, and a page by link
(``#trang=200``, or 2/3 of a shorter file): its time and the KB fetched for it.
Goals (issue 19): first page ≤ 2.5 s on 4G, ≤ 6 s on 3G; page turn ≤ 1 s on 4G; loopback first page ≤ 1 s
(issue 17).
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path


PASSWORD = "Bench-pass-2026"
PORT = 5191  # this bench's own port
PROFILES = {
    "loopback": None,
    "4g": {"offline": False, "latency": 100, "downloadThroughput": 4_000_000 / 8, "uploadThroughput": 3_000_000 / 8},
    "3g": {"offline": False, "latency": 300, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8},
}
# Page n is shown when pdf.js has made its canvas visible (it does after the paint) and it holds opaque ink:
# any page of text has some, and a canvas not yet painted is transparent.
INK_SCRIPT = """(n) => {
    const c = document.querySelector(`.page[data-page-number="${n}"] canvas`);
    if (!c || !c.width || c.hidden) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4 * 53) if (d[i + 3] === 255 && d[i] < 160) dark++;
    return dark > 20;
}"""
GOALS = {"loopback": (1.0, None), "4g": (2.5, 1.0), "3g": (6.0, None)}


def demo_scan(folder: Path) -> tuple[Path, int]:
    """The pages of the largest digitised demo file, drawn as ``flask demo load`` draws them."""
    from demo import DEFAULT_DPI, SEED
    from demo.generate import build_files
    from demo.pages import draw_page, layout, paper_for

    folder.mkdir(parents=True)
    built = max((f for f in build_files() if f.digitised), key=lambda f: f.pages)
    rng = random.Random(f"{SEED}:scan:{built.file_code}")
    number = 0
    for letter in built.letters:
        paper = paper_for(letter.style, built.spec.year, rng)
        for page in layout(letter):
            number += 1
            draw_page(page, DEFAULT_DPI, paper, rng).save(folder / f"p{number:04d}.jpg", "JPEG", quality=92,
                                                           dpi=(DEFAULT_DPI, DEFAULT_DPI))
    return folder, number


def build(work: Path, pages: int):
    """App, readers and copies: {(file, encoding): (reader email, item id, copy bytes, pages)}."""
    from sqlalchemy import select

    from bench.reading_copy import make_pages
    from portal import create_app
    from portal.db import Base
    from portal.extensions import db
    from portal.models import Fonds, ReadingCopy, RecordFile
    from portal.services import accounts, reading, records, requests
    from watermark.encoding import BASELINE, STANDARD

    app = create_app({"TESTING": True, "SERVER_NAME": None, "DATABASE_URL": f"sqlite:///{work / 'b.sqlite3'}",
                      "DATA_DIR": str(work / "data"), "OUTBOX_DIR": str(work / "outbox"),
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        Base.metadata.create_all(db.engine)
    copies = {}
    with app.test_request_context():
        admin, _ = accounts.create_staff("admin@bench.vn", "admin", "Quản Trị", PASSWORD)
        archivist, _ = accounts.create_staff("luutru@bench.vn", "archivist", "Cán Bộ", PASSWORD)
        readers = {}
        for n, encoding in enumerate(("baseline", "standard", "data-saver")):
            reader = accounts.register_reader({
                "email": f"{encoding}@bench.vn", "password": PASSWORD, "password_confirm": PASSWORD,
                "full_name": "Trần Thị Bích Ngọc", "id_kind": "cccd", "id_number": f"07920101234{n}",
                "consents": ["account"]})
            accounts.confirm_email(accounts.make_confirm_token(reader))
            accounts.set_clearance(admin, reader, "cleared")
            readers[encoding] = reader
        accounts.set_data_saver(readers["data-saver"], True)
        fonds = Fonds(code="UBND-DN", name="Ủy ban nhân dân tỉnh Đồng Nai")
        demo_folder, demo_pages = demo_scan(work / "demo-scan")
        make_pages(work / "bench-scan", pages)
        files = {"demo": (demo_folder, "UBND-DN.2020.001"), "benchmark": (work / "bench-scan", "UBND-DN.2020.015")}
        for name, (folder, code) in files.items():
            record = RecordFile(fonds=fonds, file_code=code, inventory_no="1", box_no="3", file_no=code[-3:],
                                title=f"Hồ sơ đo hiệu năng ({name})", retention="01", mode="01")
            db.session.add(record)
            db.session.commit()
            records.attach_scan(admin, record, folder)
            for encoding, reader in readers.items():
                requests.add_to_basket(reader, record.id)
                request = requests.submit_request(reader, {"purpose": "01", "research_topic": "Đo hiệu năng",
                                                           "fee_category": "10"}, None, f"bench-{name}-{encoding}")
                item = request.items[0]
                reading.STANDARD = BASELINE if encoding == "baseline" else STANDARD  # the job's encoding
                try:
                    requests.decide(archivist, item, "approve")
                finally:
                    reading.STANDARD = STANDARD
                copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
                assert copy.status == "ready", copy.status
                size = copy.saver_size_bytes if encoding == "data-saver" else copy.size_bytes
                copies[(name, encoding)] = (reader.email, item.id, size, copy.pages)
    return app, copies


def login(page, base: str, email: str) -> None:
    """Log ``email`` in (on the unthrottled link)."""
    page.goto(f"{base}/tai-khoan/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")


def painted(page, number: int, timeout: float = 60_000) -> float:
    """Wait until page ``number``'s canvas holds ink; the time since navigation start, in seconds."""
    page.wait_for_function(INK_SCRIPT, arg=number, timeout=timeout, polling=20)
    return page.evaluate("() => performance.now()") / 1000


def measure(browser, base: str, email: str, item_id: int, pages: int, profile: dict | None, turns: int,
            pace: float) -> dict:
    """One reader, one copy, one link: cold and warm first page, page turns, a page by link."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    login(page, base, email)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    fetched: list[int] = []

    def count(response) -> None:
        if "/ban-doc/" in response.url and response.status in (200, 206):
            fetched.append(int(response.headers.get("content-length") or 0))

    page.on("response", count)

    def throttle() -> None:
        if profile:
            cdp.send("Network.emulateNetworkConditions", profile)

    throttle()
    page.goto("about:blank")
    page.goto(f"{base}/doc/{item_id}", wait_until="commit")
    cold = painted(page, 1)
    page.goto("about:blank")
    fetched.clear()
    page.goto(f"{base}/doc/{item_id}", wait_until="commit")
    first = painted(page, 1)
    first_bytes = sum(fetched)
    turn_times = []
    for n in range(2, 2 + turns):
        time.sleep(pace)  # the reader reads the page
        started = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(INK_SCRIPT, arg=n, timeout=60_000, polling=20)
        turn_times.append(time.perf_counter() - started)
    target = 200 if pages >= 220 else max(2, pages * 2 // 3)
    page.goto("about:blank")
    fetched.clear()
    page.goto(f"{base}/doc/{item_id}#trang={target}", wait_until="commit")
    by_link = painted(page, target)
    link_bytes = sum(fetched)
    context.close()
    return {"cold": cold, "first": first, "first_kb": first_bytes / 1024, "turn": statistics.median(turn_times),
            "turn_max": max(turn_times), "target": target, "link": by_link, "link_kb": link_bytes / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--pace", type=float, default=4.0, help="seconds the reader spends on a page")
    parser.add_argument("--profiles", default="loopback,4g,3g")
    args = parser.parse_args()
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        app, copies = build(Path(tmp), args.pages)
        print(f"copies built in {time.perf_counter() - started:.0f} s", flush=True)
        server = make_server("127.0.0.1", PORT, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{PORT}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic"])
                try:
                    for profile in profiles:
                        for (name, encoding), (email, item_id, size, pages) in copies.items():
                            result = measure(browser, base, email, item_id, pages, PROFILES[profile], args.turns,
                                             args.pace)
                            rows.append((profile, name, encoding, size / pages / 1024, pages, result))
                            print(f"  … {profile} {name} {encoding}: first page {result['first']:.2f} s",
                                  flush=True)
                finally:
                    browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=5)

    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print()
    print(f"Reading-copy viewer on emulated links (Chromium, 390×844 phone, {os.cpu_count()} CPUs, load {load});"
          f" baseline = the encoding before issue 19")
    header = (f"{'link':<9} {'file':<10} {'encoding':<11} {'KB/page':>7} {'first page':>10} {'cold':>6} "
              f"{'KB before 1st':>13} {'page turn':>9} {'max':>5} {'by link':>13} {'KB for it':>9}")
    print(header)
    print("-" * len(header))
    for profile, name, encoding, kb_page, pages, r in rows:
        print(f"{profile:<9} {name + f' ({pages})':<10} {encoding:<11} {kb_page:>7.0f} {r['first']:>9.2f}s "
              f"{r['cold']:>5.2f}s {r['first_kb']:>13.0f} {r['turn']:>8.2f}s {r['turn_max']:>4.2f}s "
              f"{'p.' + str(r['target']) + ' ' + format(r['link'], '.2f') + 's':>13} {r['link_kb']:>9.0f}")
    print()
    for profile in profiles:
        first_goal, turn_goal = GOALS.get(profile, (None, None))
        worst = [r for r in rows if r[0] == profile and r[2] != "baseline"]
        if worst and first_goal:
            line = f"{profile}: goal first page ≤ {first_goal} s: worst of standard/data-saver " \
                   f"{max(r[5]['first'] for r in worst):.2f} s (first visit, nothing cached: " \
                   f"{max(r[5]['cold'] for r in worst):.2f} s)"
            if turn_goal:
                line += f"; page turn ≤ {turn_goal} s: worst {max(r[5]['turn_max'] for r in worst):.2f} s"
            print(line)


if __name__ == "__main__":
    main()
