"""Blueprints, one per audience."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to ``app``."""
    from . import account, auth, exhibitions, public, reader, staff, viewer

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(reader.bp)
    app.register_blueprint(viewer.bp)
    app.register_blueprint(exhibitions.bp)
    from . import search

    app.register_blueprint(search.bp)
    from . import notifications, reading_log, staff_accounts, statistics, workspace  # noqa: F401 (panels)

    app.register_blueprint(notifications.bp)
    app.register_blueprint(staff_accounts.bp)
    app.register_blueprint(statistics.bp)
    app.register_blueprint(reading_log.bp)
