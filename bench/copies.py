"""Benchmark: producing and signing a certified copy of 100 pages from 300 dpi scans.

    .venv/bin/python -m bench.copies [--pages 100] [--format jpeg|png] [--runs 3]

What it does, on a throwaway SQLite database and data folder:
1. generates a scan of N A4 pages at 300 dpi (2480 × 3508 px, grayscale, Vietnamese text), as JPEG
   (what archive scanners deliver) or PNG, and attaches it to a file through the real service;
2. orders a certified copy of every page (approved and paid through the services);
3. times the production step itself (the job's work: the PDF/A-2b document built with pikepdf and
   validated as written, then the PAdES signature) and, separately, the signing step alone on the
   same unsigned document.
Prints the machine (CPU model, cores) beside the figures. Goals: ≥ 20 pages/s for production,
signing ≤ 1 s.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def make_pages(folder: Path, pages: int, fmt: str) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from watermark import FONTS_DIR

    folder.mkdir(parents=True)
    font = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif.ttf"), 54)
    base = Image.new("L", (2480, 3508), 236)
    draw = ImageDraw.Draw(base)
    for row in range(38):
        draw.text((240, 300 + row * 80), "Ủy ban nhân dân tỉnh Đồng Nai quyết định giao đất cho hộ gia đình",
                  font=font, fill=25)
    for n in range(1, pages + 1):
        page = base.copy()
        ImageDraw.Draw(page).text((240, 160), f"Trang {n}", font=font, fill=0)
        if fmt == "png":
            page.save(folder / f"{n:04d}.png", dpi=(300, 300))
        else:
            page.save(folder / f"{n:04d}.jpg", quality=85, dpi=(300, 300))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--format", choices=("jpeg", "png"), default="jpeg")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import pikepdf.pdfa

    from portal import create_app
    from portal.db import Base
    from portal.extensions import db
    from portal.models import Fonds, RecordFile, Role, User
    from portal.services import records
    from portal.services.copies import fees, orders, production, signing
    from portal.services.copies.document import build_copy

    with tempfile.TemporaryDirectory(prefix="bench-copies-") as tmp:
        root = Path(tmp)
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{root / 'bench.sqlite3'}",
                          "DATA_DIR": str(root / "data"), "OUTBOX_DIR": str(root / "outbox"),
                          "COPY_SIGNING_DIR": str(root / "signing"), "JOBS_IMMEDIATE": False})
        with app.test_request_context():
            Base.metadata.create_all(db.engine)
            started = time.perf_counter()
            make_pages(root / "scan", args.pages, args.format)
            print(f"generated {args.pages} pages at 300 dpi ({args.format}) in {time.perf_counter() - started:.1f} s")
            admin = User(email="admin@bench", password_hash="x", full_name="Quản trị", role=Role.ADMIN.value)
            archivist = User(email="lt@bench", password_hash="x", full_name="Cán bộ", role=Role.ARCHIVIST.value)
            reader = User(email="dg@bench", password_hash="x", full_name="Độc giả", role=Role.READER.value,
                          clearance="cleared")
            fonds = Fonds(code="BENCH", name="Phông thử")
            record = RecordFile(fonds=fonds, file_code="BENCH.2020.001", inventory_no="1", box_no="1", file_no="1",
                                title="Hồ sơ giao đất", retention="01", mode="01")
            db.session.add_all([admin, archivist, reader, record])
            db.session.commit()
            started = time.perf_counter()
            records.attach_scan(admin, record, root / "scan")
            print(f"imported the scan (derivatives included) in {time.perf_counter() - started:.1f} s")
            fees.save_schedule(None, {"page_plain_digital": "2000", "page_plain_paper": "3000",
                                      "page_certified_digital": "3000", "page_certified_paper": "3000",
                                      "certification_fee": "20000", "postage": "30000",
                                      "effective_from": date(2020, 1, 1)}, allow_past=True)
            data = {"kind": "certified", "delivery": "download", "purpose": "01", "fee_category": "10"}
            rows = [(record.file_code, "")]
            order = orders.submit_order(reader, data, rows, "bench-1",
                                        orders.check_order(reader, data, rows).quote.amount)
            orders.apply(archivist, order, "approve")
            orders.apply(archivist, order, "pay")  # the job is queued, not run (no worker): we time it here
            signing.signing_setup()  # the test certificate is made once, outside the timing

            totals, signs, sizes = [], [], []
            for _run in range(args.runs):
                started = time.perf_counter()
                path, _digest, pages, pdfa_passed, findings, _signer = production.produce_file(order)
                totals.append(time.perf_counter() - started)
                sizes.append(path.stat().st_size)
                assert pages == args.pages and pdfa_passed is not False, findings
                unsigned = root / "unsigned.pdf"
                build_copy(production.sources_of(order), production.copy_text(order), unsigned)
                started = time.perf_counter()
                signing.sign_pdf(signing.signing_setup(), unsigned, reason="bench", location="bench", name="bench")
                signs.append(time.perf_counter() - started)
                path.unlink()
            build_copy(production.sources_of(order), production.copy_text(order), unsigned)
            started = time.perf_counter()
            report = pikepdf.pdfa.validate_written(unsigned, "2b")
            validation = time.perf_counter() - started

    best, median = min(totals[1:] or totals), statistics.median(totals[1:] or totals)
    print()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores visible, Python {platform.python_version()}")
    print(f"certified copy of {args.pages} pages from 300 dpi {args.format.upper()} scans, {args.runs} runs, "
          f"{statistics.median(sizes) / 2**20:.1f} MB each")
    print(f"  production (build + sign), warm: median {median:.2f} s, best {best:.2f} s "
          f"→ {args.pages / median:.0f} pages/s (goal ≥ 20 pages/s)")
    print(f"  first copy in a fresh process (font subsets made once per process): {totals[0]:.2f} s")
    print(f"  (not in production for image scans) pikepdf PDF/A-2b validation of the written copy: "
          f"{validation:.2f} s, {'passed' if report.passed else 'FAILED'}")
    print(f"  signing alone: median {statistics.median(signs) * 1000:.0f} ms, worst {max(signs) * 1000:.0f} ms "
          f"(goal ≤ 1000 ms)")


if __name__ == "__main__":
    main()
