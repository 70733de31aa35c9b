"""Cross-cutting web concerns: error pages, template globals, language switch, headers."""
from __future__ import annotations

from itertools import chain
from typing import Callable

from flask import Flask, abort, flash, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import IntegerConverter

from . import labels, localtime, workflow
from .errors import DomainError
from .extensions import db
from .permissions import can, is_staff
from .services.requests import basket_file_ids
from .storage import disk_full_message, is_disk_full
from .templating import request_translations
from .urls import external_url, public_url_of_request

# Seconds a client is told to wait when the database is away (a restart takes about that long).
RETRY_AFTER_DATABASE = 15


# (status, endpoint) → a page that says more than the generic one; registered by the view module
# that owns the endpoint (e.g. the login page's lock-out), so this module imports no views.
_ENDPOINT_ERROR_PAGES: dict[tuple[int, str], Callable[[HTTPException], object]] = {}


def endpoint_error_page(status: int, endpoint: str):
    """Decorator: render ``status`` errors of ``endpoint`` with the decorated function."""

    def register(view: Callable[[HTTPException], object]) -> Callable[[HTTPException], object]:
        _ENDPOINT_ERROR_PAGES[(status, endpoint)] = view
        return view

    return register


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in our URLs: ASCII digits, at most the largest id a database INTEGER holds.

    Werkzeug's own converter takes any number of any Unicode digits; a number
    too big for the column made the lookup itself fail (SQLite: OverflowError,
    PostgreSQL: out of range), a 500 instead of the 404 that no such id is.
    """

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - werkzeug's names
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_web(app: Flask) -> None:
    """Register error handlers, template globals and response headers."""

    # Fixed strings are translated when a template is compiled (portal/templating.py); these serve the rest,
    # looking the catalogue up once per request (Flask-Babel's own callables find it again for every string).
    app.jinja_env.install_gettext_callables(
        lambda text: request_translations().ugettext(text),
        lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, text: request_translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(context, singular, plural, n),
    )

    # Globals (not a context processor) so imported macros see them too.
    app.jinja_env.globals.update(
        can=lambda action, obj=None: can(current_user, action, obj),
        is_staff=lambda: is_staff(current_user),
        archive_name=app.config["ARCHIVE_NAME"],
        labels=labels,
        workflow=workflow,
        external_url=external_url,
        public_url_of_request=public_url_of_request,  # absolute links (canonical, share metadata): the public address only
        utc_offset_label=localtime.utc_offset_label,
    )
    # One way to write dates (localtime), replacing Flask-Babel's CLDR 'short' formats, which
    # gave two-digit years and, in English, month-first dates.
    app.jinja_env.filters["datetimeformat"] = localtime.datetime_filter
    app.jinja_env.filters["dateformat"] = localtime.date_filter
    app.jinja_env.filters["partial_date"] = localtime.format_partial_date

    @app.context_processor
    def template_locale() -> dict[str, object]:
        return {"current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}

    @app.context_processor
    def template_basket() -> dict[str, object]:
        # Lazily: only pages that show basket buttons pay for the query.
        class _Lazy:
            _ids: set[int] | None = None

            def __contains__(self, file_id: object) -> bool:
                if self._ids is None:
                    self._ids = basket_file_ids(current_user)
                return file_id in self._ids

        return {"basket_ids": _Lazy()}

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _error_page(400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                  "Hãy tải lại trang và gửi lại."))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return _error_page(error.status_code, error.message)

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # An unknown Host header (TRUSTED_HOSTS): no page can be built for it, links included.
        return make_response("Bad Request: unknown host\n", 400, {"Content-Type": "text/plain; charset=utf-8"})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        special = _ENDPOINT_ERROR_PAGES.get((error.code or 500, request.endpoint or ""))
        if special is not None:
            return special(error)
        messages = {
            400: _("Yêu cầu không hợp lệ."),
            403: _("Bạn không có quyền xem trang này."),
            404: _("Không tìm thấy trang hoặc tài liệu bạn cần."),
            405: _("Phương thức không được hỗ trợ."),
            413: _("Tệp tải lên quá lớn."),
            429: _("Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút."),
        }
        response = _error_page(error.code or 500, messages.get(error.code or 500, _("Đã xảy ra lỗi.")))
        if error.code == 429 and getattr(error, "retry_after", None):
            response.headers["Retry-After"] = str(error.retry_after)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: Exception):
        """The database is away (restart, network): a 503 in the user's language, never a traceback.

        The transaction is rolled back, so nothing is half-written; the pool
        reconnects by itself (``pool_pre_ping``) once the database is back.
        """
        app.logger.warning("database unavailable: %s", error)
        try:
            db.session.rollback()
        except (OperationalError, InterfaceError):  # the connection is gone: nothing to roll back
            db.session.invalidate()
        message = _("Hệ thống dữ liệu của phòng đọc đang tạm gián đoạn. Những gì bạn vừa gửi chưa được lưu; "
                    "vui lòng thử lại sau ít phút.")
        if request.accept_mimetypes.best == "application/json":
            response = make_response({"error": message}, 503)
        else:
            # A page that needs no database, unlike error.html: rendered without the context
            # processors, because Flask-Login's would load the signed-in account from it.
            locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
            page = app.jinja_env.get_template("unavailable.html").render(
                message=message, request=request, current_locale=locale)
            response = make_response(page, 503)
        response.headers["Retry-After"] = str(RETRY_AFTER_DATABASE)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(OSError)
    def io_error(error: OSError):
        """A full disk under DATA_DIR that no service turned into StorageFull: still a clear 507."""
        if not is_disk_full(error):
            raise error
        app.logger.error("disk full: %s", error)
        db.session.rollback()
        return _error_page(507, disk_full_message())

    @app.errorhandler(500)
    def server_error(_error: Exception):
        return _error_page(500, _("Đã xảy ra lỗi máy chủ. Chúng tôi đã ghi nhận; vui lòng thử lại sau."))

    @app.before_request
    def refuse_nul_characters():
        """No text we take may hold NUL: PostgreSQL cannot store or even compare it (a 500), so it is a 400."""
        values = [*chain.from_iterable(request.args.listvalues()), *(request.view_args or {}).values()]
        if request.method in ("POST", "PUT", "PATCH"):
            values += [*chain.from_iterable(request.form.listvalues()),
                       *(upload.filename or "" for upload in chain.from_iterable(request.files.listvalues()))]
        if any(isinstance(value, str) and "\x00" in value for value in values):
            abort(400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
        if app.config["ENV_NAME"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Language", str(get_locale() or "vi"))
        return response


def _error_page(status: int, message: str):
    if request.accept_mimetypes.best == "application/json":
        return make_response({"error": message}, status)
    return make_response(render_template("error.html", status=status, message=message), status)


def flash_error(error: DomainError) -> None:
    """Show a domain error's message on the next page."""
    flash(error.message, "error")
