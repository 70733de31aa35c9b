"""Benchmark: reading-copy build throughput and time to the first range of a 300-page copy.

    .venv/bin/python -m bench.reading_copy [--pages 300] [--requests 200]

What it does, on a throwaway SQLite database and data folder:
1. generates a 300-page scan (A4 grayscale page images at 150 dpi with Vietnamese text), imports it
   through the real service (derivatives rendered in worker processes) and times that;
2. loads the demo archive and builds a reading copy of every digitised demo file, timing pages/s;
3. builds the reader's copy of the 300-page file (the job handler itself, in this process) and
   reports pages/s;
4. serves that copy from a real HTTP server on 127.0.0.1 (werkzeug, threaded) and times the first
   range request (bytes=0-65535, as pdf.js asks first) from a logged-in reader: p50/p95/max over N.
Prints the machine (CPU model, cores) beside the figures. Goals: ≥ 40 pages/s, first range p95 ≤ 100 ms.
"""
from __future__ import annotations

import argparse
import http.client
import os
import platform
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def make_pages(folder: Path, pages: int) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from watermark import FONTS_DIR

    folder.mkdir(parents=True)
    font = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif.ttf"), 30)
    base = Image.new("L", (1240, 1754), 238)
    draw = ImageDraw.Draw(base)
    for row in range(36):
        draw.text((120, 140 + row * 42), "Ủy ban nhân dân tỉnh Đồng Nai về công tác văn thư, lưu trữ năm 2020",
                  font=font, fill=30)
    for n in range(1, pages + 1):
        page = base.copy()
        ImageDraw.Draw(page).text((120, 80), f"Trang {n}", font=font, fill=0)
        page.save(folder / f"{n:04d}.png", dpi=(150, 150))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import select
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.db import Base
    from portal.extensions import db
    from portal.models import Fonds, ReadingCopy, RecordFile
    from portal.services import accounts, reading, records, requests

    work = Path(tempfile.mkdtemp(prefix="bench-copy-"))
    app = create_app({"TESTING": True, "SERVER_NAME": None, "DATABASE_URL": f"sqlite:///{work / 'b.sqlite3'}",
                      "DATA_DIR": str(work / "data"), "OUTBOX_DIR": str(work / "outbox"), "DEMO_SCAN_DPI": 110})
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with app.app_context():
        Base.metadata.create_all(db.engine)

    password = "Bench-pass-2026"
    demo_files: list = []
    with app.test_request_context():
        if not args.skip_demo:
            from demo import load_demo

            load_demo(echo=lambda *_a, **_k: None)
            demo_files = list(db.session.scalars(select(RecordFile).where(RecordFile.scan_kind.is_not(None))))
        admin, _ = accounts.create_staff("admin@bench.vn", "admin", "Quản Trị", password)
        reader = accounts.register_reader({"email": "reader@bench.vn", "password": password,
                                           "password_confirm": password, "full_name": "Trần Thị Bích Ngọc",
                                           "id_kind": "cccd", "id_number": "079201012345", "consents": ["account"]})
        accounts.confirm_email(accounts.make_confirm_token(reader))
        accounts.set_clearance(admin, reader, "cleared")

        # 1. Import a generated scan: derivatives in worker processes.
        make_pages(work / "scan", args.pages)
        record = RecordFile(fonds=Fonds(code="BENCH", name="Phông thử nghiệm"), file_code="BENCH.2026.001",
                            inventory_no="1", box_no="1", file_no="1", title="Hồ sơ thử nghiệm 300 trang",
                            retention="01", mode="01")
        db.session.add(record)
        db.session.commit()
        started = time.perf_counter()
        records.attach_scan(admin, record, work / "scan")
        seconds = time.perf_counter() - started
        print(f"import + derivatives, {args.pages} page images: {seconds:.1f} s = {args.pages / seconds:.1f} pages/s "
              f"({app.config['RENDER_WORKERS']} worker processes)")

        # 2. Copies of the demo's digitised files (loaded first, into the empty database).
        if demo_files:
            total_pages, started = 0, time.perf_counter()
            for demo_file in demo_files:
                copy = ReadingCopy(kind="staff", user_id=admin.id, file_id=demo_file.id, status="queued")
                db.session.add(copy)
                db.session.commit()
                reading.build_copy(copy.id)
                total_pages += db.session.get(ReadingCopy, copy.id).pages
            seconds = time.perf_counter() - started
            print(f"demo copies: {len(demo_files)} files, {total_pages} pages in {seconds:.1f} s = "
                  f"{total_pages / seconds:.1f} pages/s (one process)")

        # 3. The reader's copy of the 300-page file, through the request workflow and the job handler.
        requests.add_to_basket(reader, record.id)
        request = requests.submit_request(reader, {"purpose": "01", "research_topic": "Đo hiệu năng",
                                                   "fee_category": "10"}, None, "bench-token")
        item = request.items[0]
        started = time.perf_counter()
        requests.decide(admin_archivist(accounts, password), item, "approve")
        seconds = time.perf_counter() - started
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
        print(f"reader copy: {copy.pages} pages, {copy.size_bytes / 1e6:.1f} MB, built in {seconds:.2f} s = "
              f"{copy.pages / seconds:.1f} pages/s (stamp + JPEG + PDF, one process)")
        copy_id, item_id = copy.id, item.id

    # 4. First range over real HTTP on loopback.
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the figures
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/tai-khoan/dang-nhap")
    login_page = conn.getresponse()
    login_page.read()
    cookie = login_page.getheader("Set-Cookie", "").split(";")[0]
    conn.request("POST", "/tai-khoan/dang-nhap", body=urlencode({"email": "reader@bench.vn", "password": password}),
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie", cookie).split(";")[0]
    timings = []
    for _ in range(args.requests):
        started = time.perf_counter()
        conn.request("GET", f"/ban-doc/{copy_id}.pdf", headers={"Range": "bytes=0-65535", "Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status == 206 and len(body) == 65536, response.status
    server.shutdown()
    print(f"first range (64 KiB) of the {args.pages}-page copy over HTTP, {args.requests} requests: "
          f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms")
    print(f"(viewer item {item_id}; work folder {work})")


def admin_archivist(accounts, password):
    """An archivist to approve the bench request."""
    from portal.extensions import db
    from portal.models import User
    from sqlalchemy import select

    user = db.session.scalar(select(User).where(User.email == "luutru@bench.vn"))
    if user is None:
        user, _ = accounts.create_staff("luutru@bench.vn", "archivist", "Cán Bộ", password)
    return user


if __name__ == "__main__":
    main()
