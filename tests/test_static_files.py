"""The viewer's code reaches a phone compressed: static files in gzip to browsers that accept it."""
from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "portal" / "static"
WORKER = "vendor/pdfjs/build/pdf.worker.min.mjs"


def fetch(client, path: str, **headers: str):
    """(status, headers, body) of a GET, the response closed (static files are streamed from disk)."""
    with client.get(path, headers=headers) as response:
        return response.status_code, response.headers, response.get_data()


def test_the_pdfjs_worker_is_sent_compressed_and_unpacks_to_the_same_bytes(app, client):
    original = (STATIC / WORKER).read_bytes()
    status, headers, body = fetch(client, f"/static/{WORKER}", **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert headers["Content-Type"].startswith("text/javascript")
    assert len(body) < len(original) / 3  # what a reader on mobile data is spared
    assert gzip.decompress(body) == original
    status, _headers, _body = fetch(client, f"/static/{WORKER}", **{"Accept-Encoding": "gzip",
                                                                    "If-None-Match": headers["ETag"]})
    assert status == 304  # a returning reader's browser keeps it


def test_without_gzip_or_for_small_files_they_are_sent_as_they_are(app, client):
    status, headers, body = fetch(client, f"/static/{WORKER}")
    assert status == 200 and "Content-Encoding" not in headers and body == (STATIC / WORKER).read_bytes()
    _status, headers, _body = fetch(client, f"/static/{WORKER}", **{"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in headers
    status, headers, _body = fetch(client, "/static/js/print.js", **{"Accept-Encoding": "gzip"})
    assert status == 200 and "Content-Encoding" not in headers


def test_paths_outside_the_static_folder_are_not_found(app, client):
    for path in ("/static/../portal/config.py", "/static/%2e%2e/config.py", "/static/vendor/missing.mjs"):
        status, _headers, _body = fetch(client, path, **{"Accept-Encoding": "gzip"})
        assert status == 404, path
