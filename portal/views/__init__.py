"""Blueprints, one per audience."""
from __future__ import annotations

from flask import Flask

from . import (  # noqa: F401 (workspace registers its dashboard panels)
    account, auth, copies, exhibitions, health, notifications, oai, ocr, public, reader, reading_log, search, staff,
    staff_accounts, tracing, visits,
    statistics, viewer, workspace,
)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to ``app``."""
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(ocr.bp)
    app.register_blueprint(tracing.bp)
    app.register_blueprint(reader.bp)
    app.register_blueprint(viewer.bp)
    app.register_blueprint(exhibitions.bp)
    app.register_blueprint(copies.bp)
    app.register_blueprint(visits.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(oai.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(staff_accounts.bp)
    app.register_blueprint(statistics.bp)
    app.register_blueprint(reading_log.bp)
