"""The OAI-PMH endpoint: GET or POST, one URL, the protocol's XML (services/oai.py does the work)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from flask import Blueprint, make_response, request
from flask_babel import force_locale

from ..extensions import csrf
from ..services import oai

bp = Blueprint("oai", __name__)


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # harvesters POST form-encoded arguments; nothing here changes state
def endpoint():
    """Answer one OAI-PMH request (arguments from the query string, or the form for POST)."""
    source = request.form if request.method == "POST" else request.args
    args = {name: source.getlist(name) for name in source.keys()}
    with force_locale("vi"):  # the catalogue's language, whatever the harvester's cookie
        document = oai.respond(args)
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding="utf-8",
                                                                       xml_declaration=False)
    response = make_response(body)
    response.headers["Content-Type"] = "text/xml; charset=utf-8"
    return response
