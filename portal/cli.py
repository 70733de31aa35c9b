"""Flask CLI groups: db, users, records, requests, jobs, search, copies. They call the same services as the views."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from .errors import DomainError
from .jobs import sweep, worker
from .services.copies.delivery import expire_and_purge
from .services.copies.signing import signing_setup
from .services.tracing import build_features, copy_time, trace_images
from .services import ocr, search
from .services import accounts
from .services.importer import ManifestError, count_rows, import_manifest
from .services.reading import purge_copies
from .services.requests import expire_and_remind

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
users_cli = AppGroup("users", help="Staff and reader accounts.")
records_cli = AppGroup("records", help="The catalogue: fonds, files, scans.")
requests_cli = AppGroup("requests", help="Access requests and reading windows.")
jobs_cli = AppGroup("jobs", help="The background job queue.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker processes.")
def jobs_worker(workers: int) -> None:
    """Run the job consumer (reading copies, indexing, housekeeping) until Ctrl-C."""
    worker(workers)


@jobs_cli.command("sweep")
def jobs_sweep() -> None:
    """Once: take back jobs of dead workers, enqueue rows never enqueued (the worker does this continuously)."""
    report = sweep()
    click.echo(f"requeued={report.requeued} failed={report.failed} enqueued={report.rung}")


def alembic_config():
    """An Alembic config pointing at ``migrations/`` and the app's database."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", current_app.config["DATABASE_URL"].replace("%", "%%"))
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database back to REVISION."""
    from alembic import command

    command.downgrade(alembic_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (review it before committing)."""
    from alembic import command

    command.revision(alembic_config(), message=message, autogenerate=True)


@db_cli.command("current")
def db_current() -> None:
    """Show the database's revision."""
    from alembic import command

    command.current(alembic_config())


@users_cli.command("create-staff")
@click.argument("email")
@click.option("--role", type=click.Choice(["archivist", "leader", "admin"]), required=True)
@click.option("--name", "full_name", default="", help="Full name shown to readers.")
@click.option("--password", default=None, help="Leave out to generate one.")
def create_staff(email: str, role: str, full_name: str, password: str | None) -> None:
    """Create a staff account and print its password."""
    try:
        user, password = accounts.create_staff(email, role, full_name or email, password)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{user.role}\t{user.email}\t{password}")


@records_cli.command("import")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", help="Language of the report.")
def import_records(manifest: Path, lang: str) -> None:
    """Import MANIFEST.csv (and documents.csv beside it) with a progress bar."""
    with force_locale(lang):
        try:
            total = count_rows(manifest)
            with click.progressbar(length=total, label="Import", show_pos=True,
                                   file=sys.stderr) as bar:
                report = import_manifest(None, manifest, progress=bar.update)
        except ManifestError as error:
            raise click.ClickException(error.message) from error
        for error in report.errors:
            name = manifest.name if error.source == "manifest" else "documents.csv"
            click.echo(f"{name}:{error.line}: {error.file_code}: {error.reason}", err=True)
        click.echo(_summary(report, lang))
    if report.errors:
        raise SystemExit(1)


def _summary(report, lang: str) -> str:
    from flask_babel import gettext as _

    return _("Đã thêm %(c)d, cập nhật %(u)d, không đổi %(n)d hồ sơ; %(d)d văn bản; %(s)d bản quét; %(e)d dòng lỗi.",
             c=report.created, u=report.updated, n=report.unchanged, d=report.documents, s=report.scans,
             e=len(report.errors))


@requests_cli.command("expire")
def requests_expire() -> None:
    """End reading windows that are over and remind readers two days before theirs end."""
    report = expire_and_remind()
    click.echo(f"expired={report.expired} reminded={report.reminded}")


@requests_cli.command("purge")
def requests_purge() -> None:
    """Delete reading copies 5 days after their window ended (also run every 10 minutes by the worker)."""
    click.echo(f"purged={purge_copies()}")


search_cli = AppGroup("search", help="The search index.")


@search_cli.command("rebuild")
@click.option("--procs", type=int, default=None, help="Worker processes (default: SEARCH_REBUILD_PROCS).")
def search_rebuild(procs: int | None) -> None:
    """Rebuild the search index from the database aside, then swap it in (search stays online)."""
    ids = search.all_file_ids()
    with click.progressbar(length=len(ids), label="Index", show_pos=True, file=sys.stderr) as bar:
        path = search.rebuild(progress=bar.update, procs=procs or current_app.config["SEARCH_REBUILD_PROCS"], ids=ids)
    click.echo(f"{len(ids)} files indexed into {path.name}")


@search_cli.command("check")
@click.option("--no-queue", is_flag=True, help="Only report; queue nothing.")
def search_check(no_queue: bool) -> None:
    """Compare the index with the catalogue and queue what it lacks (the worker does this periodically)."""
    check = search.check_index(queue=not no_queue)
    click.echo(f"catalogue={check.catalogue} indexed={check.indexed} missing={len(check.missing)} "
               f"stale={len(check.stale)} deleted={len(check.extra)} pending_jobs={check.pending_jobs} "
               f"queued={check.queued or '-'}")
ocr_cli = AppGroup("ocr", help="The content of scans: recognising page text.")


@ocr_cli.command("queue-missing")
def ocr_queue_missing() -> None:
    """Queue a recognition job for every digitised file whose pages are not all read (make run does this)."""
    click.echo(f"{ocr.queue_missing()} files queued for OCR")


copies_cli = AppGroup("copies", help="Copies: housekeeping and the signing certificate.")


@copies_cli.command("housekeeping")
def copies_housekeeping() -> None:
    """Expire unpaid orders and unfetched copies; delete copies whose time is up (the worker does it too)."""
    expired, deleted = expire_and_purge()
    click.echo(f"expired={expired} deleted={deleted}")


@copies_cli.command("certificate")
def copies_certificate() -> None:
    """Show the certificate certified copies are signed with (outside production: make the test one)."""
    setup = signing_setup()
    _key, cert, _chain = pkcs12.load_key_and_certificates(setup.p12.read_bytes(), setup.password.encode())
    if cert is None:
        raise click.ClickException("the PKCS#12 file holds no certificate")
    roots = x509.load_pem_x509_certificates(setup.trust_roots.read_bytes())
    click.echo(f"certificate: {setup.p12}")
    click.echo(f"  subject:  {cert.subject.rfc4514_string()}")
    click.echo(f"  issuer:   {cert.issuer.rfc4514_string()}")
    click.echo(f"  valid:    {cert.not_valid_before_utc:%Y-%m-%d} – {cert.not_valid_after_utc:%Y-%m-%d}")
    click.echo(f"trust roots: {setup.trust_roots} ({len(roots)} certificate(s))")
    click.echo(f"timestamps: {setup.tsa_url or 'none'}")


watermark_cli = AppGroup("watermark", help="Leak tracing: the invisible mark in reading copies.")


@watermark_cli.command("trace")
@click.argument("images", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def watermark_trace(images: tuple[Path, ...]) -> None:
    """Name the reader whose copy each IMAGE (a leaked page, a crop, a photo) came from; audited."""
    try:
        results = trace_images(None, [(str(path), path.read_bytes()) for path in images])
    except DomainError as error:
        raise click.ClickException(error.message) from error
    for result in results:
        if result.error:
            click.echo(f"{result.name}\terror\t{result.error}")
        elif result.record is None:
            click.echo(f"{result.name}\tno match\t(no page of a digitised file)")
        elif not result.suspects:
            click.echo(f"{result.name}\tno match\t{result.record.file_code} p.{result.page_no}\t"
                       f"{result.tested} copies tested, threshold {result.threshold:.1f}")
        for suspect in result.suspects:
            copy = suspect.copy
            request_code = copy.item.request.code if copy.item is not None else f"({copy.kind})"
            when = copy_time(copy)
            click.echo(f"{result.name}\tmatch\t{result.record.file_code} p.{result.page_no}\t"
                       f"{copy.user.full_name}\tTK {copy.user_id}\t{copy.user.email}\t{request_code}\t"
                       f"copy {copy.id}\t{when:%Y-%m-%d %H:%M} UTC\tscore {suspect.score:.1f}"
                       f" (threshold {result.threshold:.1f}, false-accusation bound {suspect.false_bound:.1e})")


@watermark_cli.command("index")
def watermark_index() -> None:
    """Compute the page features of every digitised file now, so the first trace is quick."""
    click.echo(f"{build_features()} pages indexed")


def register_cli(app: Flask) -> None:
    """Attach the command groups to ``app``."""
    for group in (db_cli, users_cli, records_cli, requests_cli, jobs_cli, search_cli, ocr_cli, copies_cli,
                  watermark_cli):
        app.cli.add_command(group)
