"""The online reading room (phòng đọc trực tuyến) of a provincial historical archive."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import extensions
from . import tasks  # noqa: F401  (registers job handlers and periodic work)
from .services import notifications  # noqa: F401  (mirrors every mail into the bell)
from .auth_session import init_login
from .cli import register_cli
from .config import CONFIGS, Config, TestingConfig, settings_from_env
from .jobs import init_jobs
from .page_cache import init_page_cache
from .fragments import init_fragments
from .static_files import init_static_files
from .templating import TranslatedEnvironment
from .request_limits import init_body_limits
from .urls import public_host
from .views import register_blueprints
from .web import DatabaseIdConverter, init_web

PACKAGE_DIR = Path(__file__).resolve().parent


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the application: config → extensions → blueprints → CLI → error handlers.

    ``config`` is a config class, or a dict of overrides applied last (a dict
    with ``TESTING`` true starts from :class:`TestingConfig`). Without it the
    class comes from ``PORTAL_ENV`` (development, production) and every
    setting may be overridden by an environment variable.
    """
    app = Flask(__name__, instance_path=str(PACKAGE_DIR.parent / "instance"))
    app.jinja_environment = TranslatedEnvironment  # before anything builds app.jinja_env
    overrides: dict[str, Any] = {}
    if isinstance(config, type):
        base: type[Config] = config
    else:
        overrides = dict(config or {})
        base = TestingConfig if overrides.get("TESTING") else CONFIGS[os.environ.get("PORTAL_ENV", "development")]
    app.config.from_object(base)
    if not overrides.get("TESTING"):
        app.config.update(settings_from_env())
    app.config.update(overrides)
    _finish_config(app)

    init_body_limits(app)  # first: refuse oversized bodies before any hook reads them
    extensions.db.init_app(app)
    extensions.csrf.init_app(app)
    extensions.babel.init_app(app, locale_selector=extensions.select_locale)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    extensions.limiter.init_app(app)
    init_login(app)
    init_jobs(app)

    app.url_map.converters["int"] = DatabaseIdConverter  # before the rules that use it
    register_blueprints(app)

    register_cli(app)

    init_web(app)
    init_page_cache(app)
    init_fragments(app)
    init_static_files(app)
    return app


def _finish_config(app: Flask) -> None:
    """Derive instance paths and check secrets; create the folders we write to."""
    instance = Path(app.instance_path)
    config = app.config
    if not config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance / 'portal.sqlite3'}"
    config["DATA_DIR"] = str(Path(config.get("DATA_DIR") or instance / "data"))
    config["OUTBOX_DIR"] = str(Path(config.get("OUTBOX_DIR") or instance / "outbox"))
    Path(config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    config["BABEL_TRANSLATION_DIRECTORIES"] = str(PACKAGE_DIR / "translations")

    if not config.get("SECRET_KEY"):
        if config["ENV_NAME"] == "production":
            raise RuntimeError("SECRET_KEY must be set in production (see README, Configuration).")
        # Development: generate once and keep it, so sessions survive restarts.
        key_file = instance / "secret_key"
        instance.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        config["SECRET_KEY"] = key_file.read_text().strip()

    if config["ENV_NAME"] == "production":
        if not config.get("PUBLIC_BASE_URL"):
            raise RuntimeError("PUBLIC_BASE_URL must be set in production (see README, Configuration).")
        # Refuse requests for unknown hosts: Flask answers 400 to any other Host header.
        config["TRUSTED_HOSTS"] = sorted({public_host(config["PUBLIC_BASE_URL"]) or "",
                                          *(config.get("TRUSTED_HOSTS") or [])} - {""})

    if config.get("PROXY_FIX_HOPS"):
        hops = int(config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
