"""Static files sent gzip-compressed to browsers that accept it.

The viewer's code (pdf.js: about 2.1 MB of scripts and styles) is most of what a reader on
mobile data waits for the first time they open a reading copy; compressed it is about a
quarter of that. A server in front (nginx ``gzip_static``) may do the same; this makes the
portal right on its own, with ``make run`` too. Each file is compressed once, on its first
request, into ``DATA_DIR/cache/static-gzip`` (the static folder may be read-only), under a
name that carries the source's size and time, so a changed file is compressed again.
"""
from __future__ import annotations

import gzip
import mimetypes
import os
import secrets
from pathlib import Path

from flask import Flask, current_app, request, send_file
from werkzeug.security import safe_join

COMPRESSIBLE = frozenset({".mjs", ".js", ".css", ".svg", ".json", ".ftl", ".txt", ".html", ".map", ".wasm", ".xsd"})
MIN_BYTES = 1024  # smaller files gain less than the header costs


def init_static_files(app: Flask) -> None:
    """Serve ``/static/...`` through :func:`static`, keeping Flask's own view as the fallback."""
    fallback = app.view_functions["static"]

    def static(filename: str):
        compressed = _compressed_copy(filename) if _accepts_gzip() else None
        if compressed is None:
            response = fallback(filename=filename)
        else:
            source, packed = compressed
            mimetype = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
            if source.suffix == ".mjs":
                mimetype = "text/javascript"
            response = send_file(packed, mimetype=mimetype, conditional=True, etag=True,
                                 max_age=current_app.get_send_file_max_age(filename))
            response.headers["Content-Encoding"] = "gzip"
        if Path(filename).suffix.lower() in COMPRESSIBLE:
            response.vary.add("Accept-Encoding")
        return response

    app.view_functions["static"] = static


def _accepts_gzip() -> bool:
    return "gzip" in (request.accept_encodings or ()) and request.accept_encodings["gzip"] > 0


def _compressed_copy(filename: str) -> tuple[Path, Path] | None:
    """(the source file, its gzip copy), or None when it is not worth compressing or not a static file."""
    folder = current_app.static_folder
    joined = safe_join(folder, filename) if folder else None
    if joined is None:
        return None
    source = Path(joined)
    if source.suffix.lower() not in COMPRESSIBLE or not source.is_file():
        return None
    stat = source.stat()
    if stat.st_size < MIN_BYTES:
        return None
    cache = Path(current_app.config["DATA_DIR"]) / "cache" / "static-gzip"
    packed = cache / f"{filename}.{stat.st_size}-{stat.st_mtime_ns}.gz"
    if not packed.exists():
        packed.parent.mkdir(parents=True, exist_ok=True)
        tmp = packed.with_name(f"{packed.name}.{secrets.token_hex(4)}.tmp")
        # mtime=0: the same source always gives the same bytes (and the same ETag) in every process.
        tmp.write_bytes(gzip.compress(source.read_bytes(), compresslevel=9, mtime=0))
        os.replace(tmp, packed)
    return source, packed
