"""Blueprints, one per audience."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to ``app``."""
    from . import account, auth, exhibitions, public, reader, staff, tracing, viewer

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(tracing.bp)
    app.register_blueprint(reader.bp)
    app.register_blueprint(viewer.bp)
    app.register_blueprint(exhibitions.bp)
    from . import search

    app.register_blueprint(search.bp)
