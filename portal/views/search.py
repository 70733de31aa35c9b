"""Search pages: results (``/tim-kiem``) and the advanced search form (``/tim-kiem/nang-cao``)."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from search import schema as f
from search.results import SORTS, SearchRequest

from .. import labels
from ..extensions import limiter, user_or_address
from ..permissions import can
from ..services import search as search_service

bp = Blueprint("search", __name__, url_prefix="/tim-kiem")
# Every search page runs a search: the configured limit holds for the whole blueprint.
limiter.limit(lambda: current_app.config["RATELIMIT_SEARCH"], key_func=user_or_address)(bp)

# URL parameter → facet field, in the order facets are shown.
FACET_PARAMS = {
    "phong": f.FONDS, "thap_ky": f.DECADE, "nam": f.YEAR, "loai": f.DOC_TYPE_FACET,
    "co_quan": f.ISSUER_FACET, "che_do": f.MODE, "ngon_ngu": f.LANGUAGE, "so_hoa": f.DIGITISED,
}
FACET_LIMIT = 12  # values shown per facet (the selected ones always are)
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _date_arg(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value if DATE_RE.match(value) else None


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdecimal() and 0 < int(raw) < 10_000 else 1


def _selected() -> dict[str, list[str]]:
    return {param: [v for v in request.args.getlist(param) if v][:20] for param in FACET_PARAMS}


@bp.get("")
def results():
    """The results page: hits with snippets, facets, date range, sort, pages, "did you mean"."""
    selected = _selected()
    sort = request.args.get("sap_xep", "relevance")
    search_request = SearchRequest(
        text=request.args.get("q", ""),
        facets={FACET_PARAMS[p]: values for p, values in selected.items() if values},
        date_from=_date_arg("tu"), date_to=_date_arg("den"),
        sort=sort if sort in SORTS else "relevance",
        page=_page_arg(), per_page=current_app.config.get("SEARCH_PAGE_SIZE", 20),
    )
    found = search_service.search(current_user, search_request)
    state = {"q": search_request.text or None, "tu": search_request.date_from, "den": search_request.date_to,
             "sap_xep": sort if sort != "relevance" else None,
             **{p: v for p, v in selected.items() if v}}
    facets = _facet_view(found.facets, selected, state)
    return render_template("search/results.html", found=found, facets=facets, state=state,
                           selected=selected, staff=found.request.staff, sorts=_sort_labels())


def _sort_labels() -> list[tuple[str, str]]:
    return [("relevance", _("Liên quan nhất")), ("-date", _("Mới nhất")), ("date", _("Cũ nhất"))]


def _toggle_url(state: dict, param: str, value: str) -> str:
    """The results URL with ``value`` of facet ``param`` added or removed (back to page 1)."""
    chosen = list(state.get(param) or [])
    chosen = [v for v in chosen if v != value] if value in chosen else chosen + [value]
    target = {**state, param: chosen or None}
    if param == "thap_ky":
        target["nam"] = None  # years belong to the decades chosen
    return url_for("search.results", **{k: v for k, v in target.items() if v})


def _facet_view(counts: dict[str, dict[str, int]], selected: dict[str, list[str]], state: dict) -> list[dict]:
    """Facets as the template shows them: title, URL parameter, values with labels and counts."""
    titles = {
        "phong": _("Phông"), "thap_ky": _("Thập kỷ"), "nam": _("Năm"), "loai": _("Loại văn bản"),
        "co_quan": _("Cơ quan ban hành"), "che_do": _("Chế độ sử dụng"), "ngon_ngu": _("Ngôn ngữ"),
        "so_hoa": _("Số hóa"),
    }
    names = search_service.fonds_names(counts.get(f.FONDS, {}))
    out = []
    for param, field_name in FACET_PARAMS.items():
        values = counts.get(field_name, {})
        chosen = selected.get(param, [])
        if param == "nam" and not selected.get("thap_ky") and not chosen:
            continue  # years appear once a decade is chosen
        if param == "nam" and selected.get("thap_ky"):
            decades = set(selected["thap_ky"])
            values = {y: c for y, c in values.items() if f"{y[:3]}0" in decades}
        if field_name in (f.DECADE, f.YEAR):
            ordered = sorted(values.items(), reverse=True)
        else:
            ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
        shown = [(v, c) for v, c in ordered[:FACET_LIMIT]]
        shown += [(v, values.get(v, 0)) for v in chosen if v not in dict(shown)]
        if not shown:
            continue
        out.append({"param": param, "title": titles[param], "values": [
            {"value": v, "count": c, "label": _facet_label(field_name, v, names), "selected": v in chosen,
             "url": _toggle_url(state, param, v)}
            for v, c in shown
        ]})
    return out


def _facet_label(field_name: str, value: str, names: dict[str, str]) -> str:
    if field_name == f.FONDS:
        return names.get(value, value)
    if field_name == f.MODE:
        return str(labels.MODE.get(value, value))
    if field_name == f.DIGITISED:
        return _("Đã số hóa") if value == "1" else _("Chưa số hóa")
    if field_name == f.DECADE and value.isdecimal():
        return f"{value}–{int(value) + 9}"
    return value


@bp.get("/nang-cao")
def advanced():
    """The advanced search form; it builds a query and sends the reader to the results."""
    args = request.args
    if args.get("gui"):
        parts = []
        if args.get("tat_ca", "").strip():
            parts.append(args["tat_ca"].strip())
        if args.get("cum_tu", "").strip():
            parts.append('"' + args["cum_tu"].replace('"', " ").strip() + '"')
        any_words = args.get("bat_ky", "").split()
        if any_words:
            parts.append("(" + " OR ".join(w.replace('"', "") for w in any_words) + ")")
        for name, prefix in (("tieu_de", "title"), ("so_ky_hieu", "ref"), ("co_quan_bh", "issuer")):
            value = args.get(name, "").replace('"', " ").strip()
            if value:
                parts.append(f'{prefix}:"{value}"' if " " in value else f"{prefix}:{value}")
        for word in args.get("khong_co", "").split():
            parts.append("-" + word.replace('"', ""))
        target = {"q": " ".join(parts) or None, "tu": _date_arg("tu"), "den": _date_arg("den"),
                  "sap_xep": args.get("sap_xep") if args.get("sap_xep") in SORTS[1:] else None}
        for param in ("phong", "che_do", "so_hoa", "loai"):
            values = [v for v in args.getlist(param) if v]
            if values:
                target[param] = values
        return redirect(url_for("search.results", **{k: v for k, v in target.items() if v}))
    counts = search_service.search(current_user, SearchRequest(match_all=True, with_snippets=False)).facets
    names = search_service.fonds_names(counts.get(f.FONDS, {}))
    fonds = sorted(((code, names.get(code, code)) for code in counts.get(f.FONDS, {})), key=lambda item: item[1])
    modes = [(code, label) for code, label in labels.MODE.items()
             if code != "03" or can(current_user, "catalogue.search_classified")]
    types = sorted(counts.get(f.DOC_TYPE_FACET, {}))
    return render_template("search/advanced.html", fonds=fonds, modes=modes, types=types, sorts=_sort_labels())
