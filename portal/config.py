"""Configuration classes.

Every setting has a safe embedded default so the portal runs with no
environment at all; production overrides them through environment variables
(see the table in README.md). Nothing here reads the environment at import
time: :func:`settings_from_env` is called by the app factory.
"""
from __future__ import annotations

import os
from typing import Any

# Environment variables the factory copies into the config, with their types.
ENV_SETTINGS: dict[str, type] = {
    "DATABASE_URL": str,
    "DATA_DIR": str,
    "SECRET_KEY": str,
    "REDIS_URL": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "MAIL_SENDER": str,
    "OUTBOX_DIR": str,
    "ARCHIVE_NAME": str,
    "PUBLIC_BASE_URL": str,
    "TRUSTED_HOSTS": list,
    "PROXY_FIX_HOPS": int,
    "OAI_REPOSITORY_IDENTIFIER": str,
    "OAI_ADMIN_EMAIL": str,
    "RATELIMIT_LOGIN": str,
    "RATELIMIT_LOGIN_ACCOUNT": str,
    "RATELIMIT_REGISTER": str,
    "RATELIMIT_MAIL": str,
    "RATELIMIT_SUBMIT": str,
    "RATELIMIT_MESSAGE": str,
    "RATELIMIT_SEARCH": str,
    "RATELIMIT_READING": str,
    "RATELIMIT_PROFILE": str,
    "JOBS_LEASE_SECONDS": int,
    "JOBS_SWEEP_SECONDS": int,
    "JOBS_MAX_ATTEMPTS": int,
    "JOBS_RERING_SECONDS": int,
    "SEARCH_CHECK_SECONDS": int,
    "DISK_MIN_FREE_MB": int,
    "RATELIMIT_VERIFY": str,
    "COPY_SIGNING_P12": str,
    "COPY_SIGNING_PASSWORD": str,
    "COPY_TRUST_ROOTS": str,
    "COPY_TSA_URL": str,
    "COPY_SIGNING_DIR": str,
    "WATERMARK_SECRET": str,
    "OCR_AUTO": bool,
    "OCR_LANGUAGE": str,
    "OCR_LOW_CONFIDENCE": int,
    "RATELIMIT_PAGE_SEARCH": str,
}


def _parse(kind: type, raw: str) -> Any:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is int:
        return int(raw)
    if kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def settings_from_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the settings present in the environment, parsed to their types."""
    environ = dict(os.environ if environ is None else environ)
    return {
        name: _parse(kind, environ[name])
        for name, kind in ENV_SETTINGS.items()
        if environ.get(name, "") != ""
    }


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    # None means "derive from the instance folder" (done in the factory).
    DATABASE_URL: str | None = None
    DATA_DIR: str | None = None
    OUTBOX_DIR: str | None = None
    REDIS_URL: str | None = None

    ARCHIVE_NAME = "Lưu trữ lịch sử tỉnh Đồng Nai"
    # The site's public address: every link in a mail is built from it (portal/urls.py), never from
    # the request's Host header. Unset in development: the address `make run` serves.
    # The reading room's address as first stored; staff change it on the calendar page.
    READING_ROOM_ADDRESS = "Phòng đọc, Lưu trữ lịch sử tỉnh Đồng Nai, số 2 đường Nguyễn Văn Trị, phường Trấn Biên, tỉnh Đồng Nai"
    PUBLIC_BASE_URL: str | None = None
    # Host names the site answers to (Flask refuses others with 400). Production: the public
    # address's host plus these; elsewhere unset (any host).
    TRUSTED_HOSTS: list[str] | None = None

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_SENDER = "phongdoc@luutru.local"

    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Request bodies (portal/request_limits.py): a form without a file takes at most FORM_MAX_BYTES;
    # a route that takes a file adds its own limit (letter, picture, scan); nothing above
    # MAX_CONTENT_LENGTH (a manifest ZIP with its scans may be large).
    FORM_MAX_BYTES = 1024 * 1024
    MAX_CONTENT_LENGTH = 512 * 1024 * 1024
    SCAN_MAX_BYTES = 300 * 1024 * 1024
    SCAN_MAX_PAGES = 2000
    SCAN_MAX_PIXELS = 60_000_000  # per page image; larger is a decompression bomb

    EMAIL_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 2 * 3600
    STAFF_INVITE_MAX_AGE = 3 * 24 * 3600  # a new staff member's link to set the first password
    PASSWORD_MIN_LENGTH = 10
    # werkzeug's scrypt at its default cost (N=2^15, r=8, p=1); the testing config lowers N.
    PASSWORD_HASH_METHOD = "scrypt"

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Limits (Flask-Limiter; Redis storage when REDIS_URL is set, so they hold across workers).
    RATELIMIT_LOGIN = "20 per 15 minutes"  # failed logins per address
    RATELIMIT_LOGIN_ACCOUNT = "5 per 15 minutes"  # failed logins per account
    RATELIMIT_REGISTER = "10 per hour"
    RATELIMIT_MAIL = "5 per hour"  # password reset, confirmation resend
    RATELIMIT_SUBMIT = "20 per hour"  # request submissions per reader
    RATELIMIT_MESSAGE = "30 per hour"  # thread messages per user
    RATELIMIT_SEARCH = "120 per minute"
    RATELIMIT_READING = "600 per minute"  # reading-copy ranges per reader
    RATELIMIT_PROFILE = "10 per hour"  # profile changes per account
    LOGIN_LOCKOUT_NOTICE_AFTER = 5  # failed logins in a row before the owner is told by email

    CATALOGUE_PAGE_SIZE = 25
    # OAI-PMH (/oai): identifiers are oai:<repository identifier>:<file code>; records per page.
    OAI_REPOSITORY_IDENTIFIER = "phongdoc.luutru.local"
    OAI_ADMIN_EMAIL: str | None = None  # defaults to MAIL_SENDER
    OAI_PAGE_SIZE = 100
    # Search (index under DATA_DIR/search): results per page, how long a writer waits for the
    # index's write lock, worker processes for `flask search rebuild`.
    SEARCH_PAGE_SIZE = 20
    SEARCH_LOCK_TIMEOUT = 600
    SEARCH_REBUILD_PROCS = 1
    SEARCH_CACHE_MB = 256  # per web process: term vectors kept in memory between searches
    # Rendered public pages kept per web process for visitors without an account (0 turns it off).
    PAGE_CACHE_ENTRIES = 512
    PAGE_CACHE_MB = 32
    JOBS_IMMEDIATE = False  # run background jobs inline (tests only)
    # Jobs survive a dead worker (see portal/jobs.py): a running job holds a lease renewed by a
    # heartbeat; the sweeper (every JOBS_SWEEP_SECONDS) takes back lapsed leases, retries up to
    # JOBS_MAX_ATTEMPTS, rings the queue for rows never enqueued. Staff see a job as stuck after
    # JOBS_STUCK_MINUTES.
    JOBS_LEASE_SECONDS = 60
    JOBS_SWEEP_SECONDS = 15
    JOBS_MAX_ATTEMPTS = 3
    JOBS_RETRY_DELAY = 10  # seconds × the attempt number
    JOBS_RERING_SECONDS = 120
    JOBS_STUCK_MINUTES = 30
    SEARCH_CHECK_SECONDS = 300  # the index-versus-catalogue check, run by the worker's sweeper
    # The health report calls the disk low below this much free space under DATA_DIR.
    DISK_MIN_FREE_MB = 500
    # Flask-Limiter: with Redis down, count in this process's memory instead (see README, "Redis stops").
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A request already talking to Redis when another thread switches to the fallback would otherwise
    # answer 500 (Flask-Limiter re-raises once the storage is marked dead): log it and let it through.
    RATELIMIT_SWALLOW_ERRORS = True

    # Reading windows: default length and the legal maximum (TT 05/2025 Điều 37).
    GRANT_DAYS = 15
    GRANT_MAX_DAYS = 15
    GRANT_REMINDER_DAYS = 2
    LETTER_MAX_BYTES = 10 * 1024 * 1024

    # Exhibition images: checked by content, then web derivatives (WebP) made once at upload.
    EXHIBITION_IMAGE_MAX_BYTES = 15 * 1024 * 1024
    EXHIBITION_IMAGE_MAX_PIXELS = 40_000_000  # larger is refused as a decompression bomb
    EXHIBITION_IMAGE_WIDTHS = (480, 960, 1600)
    EXHIBITION_THUMB_SIZE = 320
    EXHIBITIONS_FEATURED_ON_HOME = 3

    # Reading copies (TT 05/2025 Điều 37): deleted this many days after the window ends.
    READING_COPY_PURGE_DAYS = 5
    STAFF_COPY_HOURS = 24
    # More pages per minute than a person reads: the reader is flagged for staff.
    READING_MAX_PAGES_PER_MINUTE = 60
    RENDER_WORKERS = 2
    # Recognition of scanned pages (portal.services.ocr): queued after every scan stored; the language
    # of the Tesseract model; files whose mean confidence is below the threshold are listed for staff.
    OCR_AUTO = True
    OCR_LANGUAGE = "vie"
    OCR_LOW_CONFIDENCE = 75
    OCR_WAIT_SECONDS = 600  # a job waiting for Tesseract tries again after this long
    # Search inside a reading copy (JSON hits for the grant holder): enough to search as a person does,
    # too few to pull a file's whole text out word by word.
    RATELIMIT_PAGE_SEARCH = "20 per minute;200 per day"
    # Leak tracing (watermark.mark): each copy's invisible-mark key is derived from this secret and
    # the copy's id. Unset: derived from SECRET_KEY. Changing it makes earlier copies untraceable, so
    # production sets it once and keeps it (it is not rotated with SECRET_KEY).
    WATERMARK_SECRET: str | None = None
    TRACE_MAX_IMAGES = 10  # images per trace from the browser
    TRACE_MAX_BYTES = 20 * 1024 * 1024  # per image
    TRACE_MAX_PIXELS = 40_000_000  # per image; larger is refused as a decompression bomb
    TRACE_MASK_CACHE = 64  # copies' stamp masks kept in memory (about 1-2 MB each)

    # Copies (TT 05/2025 Điều 40–41): the download window, how long an approved order waits for
    # payment, the largest PDF /xac-thuc accepts, and the archive's signing certificate
    # (PKCS#12 + password + the PEM trust root; a timestamp authority if set). Without a
    # certificate, development and tests generate a THỬ NGHIỆM one into COPY_SIGNING_DIR
    # (default instance/signing); production refuses to sign.
    COPY_DOWNLOAD_DAYS = 15
    COPY_PAYMENT_DAYS = 30
    COPY_VERIFY_MAX_BYTES = 30 * 1024 * 1024
    COPY_SIGNING_P12: str | None = None
    COPY_SIGNING_PASSWORD: str | None = None
    COPY_TRUST_ROOTS: str | None = None
    COPY_TSA_URL: str | None = None
    COPY_SIGNING_DIR: str | None = None
    RATELIMIT_VERIFY = "30 per 10 minutes"  # /xac-thuc checks per address

    # Vietnamese public holidays (days off on weekdays, including Tết and compensatory days),
    # as announced by the government each year. Deadlines skip these and weekends.
    PUBLIC_HOLIDAYS: dict[int, list[str]] = {
        2025: [
            "2025-01-01",
            "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",  # Tết Ất Tỵ
            "2025-04-07",  # Giỗ Tổ Hùng Vương (10/3 âm lịch)
            "2025-04-30", "2025-05-01", "2025-05-02",
            "2025-09-01", "2025-09-02",  # Quốc khánh
        ],
        2026: [
            "2026-01-01", "2026-01-02",
            "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",  # Tết Bính Ngọ
            "2026-04-27",  # Giỗ Tổ Hùng Vương falls on Sunday 26/4: compensatory Monday
            "2026-04-30", "2026-05-01",
            "2026-09-01", "2026-09-02",
        ],
        2027: [
            "2027-01-01",
            "2027-02-04", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10",  # Tết Đinh Mùi
            "2027-04-16",
            "2027-04-30", "2027-05-03",  # 1/5 falls on Saturday: compensatory Monday
            "2027-09-02", "2027-09-03",
        ],
    }
    PROXY_FIX_HOPS = 0


class DevelopmentConfig(Config):
    """Local development and the demo: mail goes to the outbox folder."""

    ENV_NAME = "development"
    DEBUG = False


class TestingConfig(Config):
    """Tests: no CSRF token juggling unless a test turns it back on, fast hashes."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SERVER_NAME = "localhost"
    PUBLIC_BASE_URL = "http://localhost"
    JOBS_IMMEDIATE = True
    OCR_AUTO = False  # factories attach scans by the hundred; OCR tests turn it on
    # scrypt still, at a cost tests can afford (each real hash takes ~60 ms; a suite makes thousands).
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


class ProductionConfig(Config):
    """Production: secrets and the public address must come from the environment; cookies are Secure;
    requests for any host but the public one (and ``TRUSTED_HOSTS``) are refused."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
