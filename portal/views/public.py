"""Pages for everyone: home, language switch, the catalogue (fonds → files → file)."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request
from flask_login import current_user

from ..redirects import safe_target
from ..services import records

bp = Blueprint("public", __name__)


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdecimal() and 0 < int(raw) < 100_000 else 1


@bp.get("/")
def home():
    """The home page: what the reading room is, the fonds, how to read."""
    return render_template(
        "public/home.html",
        fonds=records.list_fonds(current_user),
        file_count=records.count_visible_files(current_user),
    )


@bp.get("/lang/<code>")
def set_language(code: str):
    """Switch the UI language (cookie) and go back where the visitor was."""
    response = redirect(safe_target(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.get("/phong")
def fonds_index():
    """All fonds with the number of files the visitor may see."""
    return render_template("public/fonds_index.html", fonds=records.list_fonds(current_user))


@bp.get("/phong/<code>")
def fonds_detail(code: str):
    """One fonds and a page of its files."""
    fonds = records.get_fonds(code, current_user)
    page = _page_arg()
    per_page = current_app.config["CATALOGUE_PAGE_SIZE"]
    files, total = records.list_files(current_user, fonds=fonds, page=page, per_page=per_page,
                                      mode=request.args.get("mode"))
    return render_template("public/fonds_detail.html", fonds=fonds, files=files, total=total, page=page,
                           per_page=per_page, mode=request.args.get("mode", ""))


@bp.get("/ho-so/<int:file_id>")
def file_detail(file_id: int):
    """A file's page with its TT 05/2025 metadata and documents; 404 if not visible."""
    record = records.get_file(current_user, file_id)
    return render_template("public/file_detail.html", file=record)
