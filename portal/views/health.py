"""``/healthz``: the health report as JSON, for the process manager and monitoring."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..extensions import limiter
from ..services.health import health_report

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 while the database answers ("ok" or "degraded"), 503 when it does not ("down")."""
    report = health_report()
    response = jsonify(report.as_dict())
    response.status_code = 503 if report.status == "down" else 200
    response.headers["Cache-Control"] = "no-store"
    return response
