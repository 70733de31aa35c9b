"""The demo archive: what ``flask demo load`` builds on an empty database.

Three fonds and 64 files with TT 05/2025 metadata (:mod:`.catalogue`), their
documents — the five real texts of :mod:`.corpus` among them — and, for about
two thirds of the files, scanned-looking page images drawn from the documents'
text (:mod:`.pages`). It all goes through the real import: the loader writes a
manifest, ``documents.csv`` and the page folders into a temporary folder and
calls :func:`portal.services.importer.import_manifest`, exactly as staff would.
Then it creates one account per staff role and two readers (one cleared, one
waiting to be cleared) and prints their logins.

The output is deterministic (fixed seeds), so two demo databases hold the same
catalogue and the same scans. ``DEMO_SCAN_DPI`` (default 110) sets the scan
resolution; the tests lower it to run faster. Page breaks do not depend on it.
"""
from __future__ import annotations

import csv
import random
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click
from flask import current_app, has_request_context
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import RecordFile, Role, User
from portal.services import accounts
from portal.services.importer import DOCUMENT_COLUMNS, MANIFEST_COLUMNS, import_manifest

from .copies import create_demo_copies
from .exhibitions import create_demo_exhibitions
from .generate import SEED, BuiltFile, build_files
from .pages import draw_page, layout, paper_for
from .requests import create_demo_requests
from .visits import create_demo_visits

DEFAULT_DPI = 110
JPEG_QUALITY = 80


class DemoError(click.ClickException):
    """The demo cannot be loaded; the message says why (and the CLI exits with status 1)."""


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    full_name: str
    password: str
    note: str = ""


# Fixed, readable demo passwords (≥ 10 characters, letters and digits, not the
# email's name): for a demo on a laptop, never for a server others can reach.
STAFF_ACCOUNTS = (
    DemoAccount(Role.ADMIN.value, "admin@demo.luutru.vn", "Trần Quốc Bảo", "QuanTri-2026"),
    DemoAccount(Role.ARCHIVIST.value, "luutru@demo.luutru.vn", "Nguyễn Thị Lan", "PhongDoc-2026"),
    DemoAccount(Role.LEADER.value, "lanhdao@demo.luutru.vn", "Lê Minh Tuấn", "PheDuyet-2026"),
)
CLEARED_READER = DemoAccount(Role.READER.value, "docgia@demo.luutru.vn", "Phạm Thị Hồng Nhung", "NghienCuu-2026",
                             "đã xác minh")
PENDING_READER = DemoAccount(Role.READER.value, "docgia.moi@demo.luutru.vn", "Võ Minh Khang", "ChoXacMinh-2026",
                             "chưa xác minh")
READER_PROFILES = {
    CLEARED_READER.email: {"id_kind": "cccd", "id_number": "075190001234", "phone": "0912345678",
                           "employer": "Trường Đại học Đồng Nai", "priority_category": "01",
                           "consents": ["account", "statistics"]},
    PENDING_READER.email: {"id_kind": "cccd", "id_number": "079201005678", "phone": "",
                           "employer": "", "priority_category": "", "consents": ["account"]},
}
ACCOUNTS = (*STAFF_ACCOUNTS, CLEARED_READER, PENDING_READER)


def load_demo(if_empty: bool = False, echo: Callable[[str], object] = print) -> None:
    """Build the demo archive and print the demo logins with ``echo``.

    Needs an application context (``flask demo load`` has one). The demo only
    goes into a catalogue with no files: with ``if_empty`` a catalogue that has
    files is left alone (one line says so), without it the loader refuses with
    :class:`DemoError` rather than mixing demo files into real ones. Demo
    accounts that already exist (by email) are kept as they are, passwords
    included; the others are created.
    """
    started = time.monotonic()
    existing = db.session.scalar(select(func.count(RecordFile.id))) or 0
    if existing:
        if if_empty:
            echo(f"Danh mục đã có {existing} hồ sơ: bỏ qua dữ liệu mẫu (--if-empty).")
            return
        raise DemoError(f"Danh mục đã có {existing} hồ sơ. Dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống; "
                        "dùng --if-empty để bỏ qua khi đã có dữ liệu.")

    dpi = int(current_app.config.get("DEMO_SCAN_DPI", DEFAULT_DPI))
    files = build_files()
    with tempfile.TemporaryDirectory(prefix="demo-archive-") as folder:
        manifest, pages, size = write_package(Path(folder), files, dpi)
        echo(f"Đã dựng {len(files)} hồ sơ, {pages} trang quét ({size / 2**20:.1f} MB, {dpi} dpi); đang nhập…")
        report = import_manifest(None, manifest, progress=_progress(len(files), echo))
    if report.errors:
        lines = [f"{e.source}:{e.line}: {e.file_code}: {e.reason}" for e in report.errors]
        raise DemoError("Nhập dữ liệu mẫu có lỗi:\n" + "\n".join(lines))
    echo(f"Đã nhập {report.created} hồ sơ, {report.documents} văn bản, {report.scans} bản quét.")

    created = create_accounts()
    base_url = current_app.config.get("PUBLIC_BASE_URL")
    context = nullcontext() if has_request_context() else current_app.test_request_context(
        **({"base_url": base_url} if base_url else {}))
    with context:  # mails carry links
        create_demo_requests(CLEARED_READER.email, PENDING_READER.email, echo)
        create_demo_copies(CLEARED_READER.email, echo)
        create_demo_visits(CLEARED_READER.email, echo)
    create_demo_exhibitions(echo=echo)
    from .history import create_history

    create_history(echo=echo)
    echo("")
    echo("Tài khoản mẫu (chỉ dùng cho bản demo):")
    echo(f"  {'vai trò':<11} {'email':<28} {'mật khẩu':<17} ghi chú")
    for account in ACCOUNTS:
        password = account.password if account.email in created else "(đã có, giữ nguyên)"
        echo(f"  {account.role:<11} {account.email:<28} {password:<17} {account.note}")
    echo(f"Xong sau {time.monotonic() - started:.1f} giây.")


def _progress(total: int, echo: Callable[[str], object]) -> Callable[[int], None]:
    """An import progress callback that reports every quarter."""
    done = [0]

    def step(count: int) -> None:
        done[0] += count
        if done[0] % max(1, total // 4) == 0 and done[0] < total:
            echo(f"  … {done[0]}/{total} hồ sơ")

    return step


def write_package(folder: Path, files: list[BuiltFile], dpi: int) -> tuple[Path, int, int]:
    """Write ``manifest.csv``, ``documents.csv`` and the page images of ``files`` into ``folder``.

    Returns the manifest's path, the number of scanned pages and their total size in bytes.
    """
    pages = size = 0
    manifest_rows, document_rows = [], []
    for built in files:
        scan = ""
        if built.digitised:
            scan = f"scans/{built.file_code}"
            target = folder / scan
            target.mkdir(parents=True)
            rng = random.Random(f"{SEED}:scan:{built.file_code}")
            number = 0
            for letter in built.letters:
                paper = paper_for(letter.style, built.spec.year, rng)
                for page in layout(letter):
                    number += 1
                    path = target / f"p{number:04d}.jpg"
                    draw_page(page, dpi, paper, rng).save(path, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi))
                    size += path.stat().st_size
            if number != built.pages:  # the layout is what the page counts were taken from
                raise DemoError(f"{built.file_code}: {number} trang quét, danh mục ghi {built.pages}")
            pages += number
        manifest_rows.append(built.manifest_row(scan))
        document_rows.extend(built.doc_rows)
    manifest = folder / "manifest.csv"
    _write_csv(manifest, MANIFEST_COLUMNS, manifest_rows)
    _write_csv(folder / "documents.csv", DOCUMENT_COLUMNS, document_rows)
    return manifest, pages, size


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def create_accounts() -> set[str]:
    """Create the demo accounts that do not exist yet; return the emails created.

    Staff through :func:`~portal.services.accounts.create_staff`; readers
    through registration (which mails a confirmation link to the outbox), the
    emailed link's token, and — for the cleared one — an archivist's clearance.
    """
    existing = set(db.session.scalars(select(User.email).where(User.email.in_([a.email for a in ACCOUNTS]))))
    created: set[str] = set()
    for account in STAFF_ACCOUNTS:
        if account.email not in existing:
            accounts.create_staff(account.email, account.role, account.full_name, account.password)
            created.add(account.email)
    archivist = db.session.scalar(select(User).where(User.role == Role.ARCHIVIST.value).order_by(User.id))
    base_url = current_app.config.get("PUBLIC_BASE_URL")
    context = nullcontext() if has_request_context() else current_app.test_request_context(
        **({"base_url": base_url} if base_url else {}))
    with context:  # registration builds the confirmation link with url_for
        for account in (CLEARED_READER, PENDING_READER):
            if account.email in existing:
                continue
            profile = READER_PROFILES[account.email]
            reader = accounts.register_reader({
                "email": account.email, "password": account.password, "password_confirm": account.password,
                "full_name": account.full_name, **profile,
            })
            accounts.confirm_email(accounts.make_confirm_token(reader))
            if account is CLEARED_READER:
                accounts.set_clearance(archivist, reader, "cleared")
            created.add(account.email)
    return created
