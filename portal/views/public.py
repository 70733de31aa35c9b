"""Pages for everyone: home, language switch, the catalogue (fonds → files → file)."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..errors import NotFound
from ..extensions import db
from ..models import RecordFile
from ..redirects import safe_target
from ..services import discovery, records

bp = Blueprint("public", __name__)


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdecimal() and 0 < int(raw) < 100_000 else 1


@bp.get("/")
def home():
    """The home page: what the reading room is, the fonds, how to read."""
    # Kept rendered per audience (portal/fragments.py): the queries run only when it is rendered again.
    return render_template(
        "public/home.html",
        fonds=lambda: records.list_fonds(current_user),
        file_count=lambda: records.count_visible_files(current_user),
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


@bp.url_defaults
def file_code_for_id(endpoint: str, values: dict) -> None:
    """``url_for('public.file_detail', file_id=…)`` builds the readable address by file code.

    Pages hold the file (or its id) at hand; the address people see, cite and share
    is the file code, which the archive keeps stable.
    """
    if endpoint == "public.file_detail" and "file_id" in values and "code" not in values:
        record = db.session.get(RecordFile, values.pop("file_id"))
        values["code"] = record.file_code if record is not None else "-"


@bp.get("/ho-so/<int:file_id>")
def file_by_id(file_id: int):
    """The old address of a file page (by database id): moved for good to the readable one."""
    record = records.get_file(current_user, file_id)
    return redirect(url_for("public.file_detail", code=record.file_code), 301)


@bp.get("/ho-so/<path:code>")
def file_detail(code: str):
    """A file's page with its TT 05/2025 metadata, documents and citation; 404 if not visible.

    An old code of a renamed file is moved for good to the new address.
    """
    try:
        record = records.get_file_by_code(current_user, code)
    except NotFound:
        moved = records.renamed_file(current_user, code)
        if moved is None:
            raise
        return redirect(url_for("public.file_detail", code=moved.file_code), 301)
    # The public parts of the page (portal/fragments.py) are kept rendered: what only they need is
    # given as callables, so its queries run only when a part is rendered again.
    return render_template(
        "public/file_detail.html", file=record, canonical_url=discovery.file_url(record),
        citation=lambda: discovery.citation(record),
        meta_description=lambda: discovery.meta_description(record),
        json_ld=lambda: _json_ld(record),
    )


def _json_ld(record: RecordFile) -> Markup | None:
    """The file's schema.org description for search engines (none for a classified file).

    Data, not script: the CSP's script-src does not apply to a JSON-LD block, which is never run.
    "<" is escaped so the JSON can never close the element it sits in.
    """
    if record.is_classified:
        return None
    return Markup(json.dumps(discovery.json_ld(record), ensure_ascii=False).replace("<", "\\u003c"))


@bp.get("/sitemap.xml")
def sitemap():
    """Fonds, public files and published exhibitions, for search engines (never classified files)."""
    body = render_template("public/sitemap.xml", entries=discovery.sitemap_entries())
    response = make_response(body)
    response.mimetype = "application/xml"
    return response


@bp.get("/robots.txt")
def robots():
    """Keep crawlers out of accounts, staff work and reading copies; point them at the sitemap."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in discovery.ROBOTS_DISALLOW), "Allow: /",
             "", f"Sitemap: {discovery.absolute_url('public.sitemap')}", ""]
    response = make_response("\n".join(lines))
    response.mimetype = "text/plain"
    return response
