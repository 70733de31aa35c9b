"""Browser fixtures: a live portal on loopback and Debian's Chromium driven by Playwright.

The browser is never downloaded: Playwright launches /usr/bin/chromium (installed
by .ci/run from Debian's packages). Without it these tests skip, unless
REQUIRE_BROWSER=1 (CI), where that is a failure. Screenshots go to
test-artifacts/e2e/ in the project root.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.db import Base
from portal.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed")
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def live_app(tmp_path):
    """A real app (CSRF on, no SERVER_NAME) on a SQLite file, served on a free loopback port."""
    app = create_app({
        "TESTING": True, "SERVER_NAME": None, "WTF_CSRF_ENABLED": True,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        "DATA_DIR": str(tmp_path / "data"), "OUTBOX_DIR": str(tmp_path / "outbox"),
    })
    with app.app_context():
        Base.metadata.create_all(db.engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = app.config["LIVE_URL"]  # what `make run` does: mails link to the served address
    yield app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- helpers shared by the journey and accessibility tests (fixtures returning functions) ---

@pytest.fixture
def make_scan(tmp_path):
    """Factory: ``make_scan(name, heading, lines, pages=3)`` → a folder of PNG pages that look typed.

    Each page is A4 at 150 dpi in DejaVu Serif (every Vietnamese letter), with a large "TRANG n" so a
    screenshot shows which page the viewer is on.
    """
    from PIL import Image, ImageDraw, ImageFont

    from watermark import FONTS_DIR

    def make(name: str, heading: str, lines: list[str], pages: int = 3) -> Path:
        folder = tmp_path / "scans" / name
        folder.mkdir(parents=True)
        title_font = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif.ttf"), 40)
        big_font = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif.ttf"), 90)
        font = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif.ttf"), 30)
        for n in range(1, pages + 1):
            image = Image.new("L", (1240, 1754), 242)
            draw = ImageDraw.Draw(image)
            draw.text((140, 130), heading, font=title_font, fill=15)
            draw.text((140, 220), f"TRANG {n}", font=big_font, fill=10)
            words = " ".join(lines[(k + n) % len(lines)] for k in range(3 * len(lines))).split()
            row, current = 0, ""
            while words and row < 28:  # wrap the text inside the page's margins
                candidate = f"{current} {words[0]}".strip()
                if draw.textlength(candidate, font=font) <= 960:
                    current = candidate
                    words.pop(0)
                    continue
                draw.text((140, 380 + row * 46), current, font=font, fill=40)
                row, current = row + 1, ""
            image.save(folder / f"{n:02d}.png")
        return folder

    return make


@pytest.fixture
def browser_login():
    """``browser_login(page, base_url, email, password)``: log in through the real form."""

    def login(page, base: str, email: str, password: str) -> None:
        page.goto(f"{base}/tai-khoan/dang-nhap")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/dang-nhap" not in page.url, f"login failed for {email}: {page.url}"

    return login


@pytest.fixture
def outbox_mail(live_app):
    """``outbox_mail()`` → every mail the live app wrote to OUTBOX_DIR, oldest first (email.message objects)."""
    import email
    import email.policy

    def read() -> list:
        folder = Path(live_app.config["OUTBOX_DIR"])
        files = sorted(folder.glob("*.eml")) if folder.exists() else []
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]

    return read


def pytest_collection_modifyitems(items):
    """Browser tests talk to werkzeug's development server in a thread. When the browser drops
    a connection mid-download (pdf.js aborts ranges it no longer needs), that server can skip
    closing the response's file and leave it to the garbage collector, which the suite's
    warnings-as-errors would report against whichever test runs next. That is the dev server's
    bookkeeping, not the portal's: the unit tests check that responses close their files."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
