"""Everything pdfium does runs here, in worker processes.

pdfium is not thread-safe, and the web server and the importer may be
threaded, so every page rendering and every text extraction runs in a small
pool of separate processes (started with "spawn": no inherited locks or
database connections): page derivatives at import, a single page chosen for an
exhibition, and the text layer read for the search index.
"""
from __future__ import annotations

import atexit
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from PIL import Image

from watermark.imaging import pdf_page_texts, pdf_page_words, render_pdf_page_file
from watermark.render import PageResult, RenderError, render_image_pages, render_pdf_pages

from ..models import ScanKind
from .scans import ScanError, ScanInfo

_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        workers = int(current_app.config.get("RENDER_WORKERS", 2))
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
    return _pool


def _chunks(items: list, parts: int) -> list[list]:
    size = max(1, -(-len(items) // parts))
    return [items[i:i + size] for i in range(0, len(items), size)]


def render_derivatives(info: ScanInfo, folder: Path) -> list[PageResult]:
    """Render every page of a stored scan into ``folder`` (pages/ and thumbs/).

    Raises :class:`ScanError` naming the page that could not be rendered.
    """
    max_pixels = int(current_app.config["SCAN_MAX_PIXELS"])
    workers = int(current_app.config.get("RENDER_WORKERS", 2))
    pool = _executor()
    if info.kind == ScanKind.PDF.value:
        pdf = str(folder / "original.pdf")
        futures = [pool.submit(render_pdf_pages, pdf, str(folder), chunk, max_pixels)
                   for chunk in _chunks(list(range(1, info.pages + 1)), workers)]
    else:
        sources = [(n, str(folder / str(name))) for n, (name, _w, _h) in enumerate(info.page_sizes, start=1)]
        futures = [pool.submit(render_image_pages, chunk, str(folder), max_pixels)
                   for chunk in _chunks(sources, workers)]
    results: list[PageResult] = []
    try:
        for future in futures:
            results.extend(future.result())
    except RenderError as exc:
        for future in futures:
            future.cancel()
        raise ScanError(_("Không hiển thị được trang %(n)d của bản quét; tệp có thể bị hỏng.", n=exc.page_no)) \
            from exc
    results.sort(key=lambda r: r.page_no)
    if [r.page_no for r in results] != list(range(1, info.pages + 1)):
        raise ScanError(_("Số trang hiển thị được không khớp với bản quét."))
    return results


def render_pdf_page(pdf_path: Path, page_no: int, max_width: int, max_dpi: int = 300) -> Image.Image:
    """One page of a stored PDF as an RGB image, rendered in a worker process."""
    max_pixels = int(current_app.config["SCAN_MAX_PIXELS"])
    return _executor().submit(render_pdf_page_file, str(pdf_path), page_no, max_width, max_dpi, max_pixels).result()


def pdf_texts(pdf_path: Path) -> list[str]:
    """The text layer of every page of a stored PDF, read in a worker process."""
    return _executor().submit(pdf_page_texts, str(pdf_path)).result()


def pdf_words(pdf_path: Path, page_no: int) -> tuple[str, list[list]]:
    """The text layer of one page of a stored PDF and its word boxes, read in a worker process."""
    return _executor().submit(pdf_page_words, str(pdf_path), page_no).result()
