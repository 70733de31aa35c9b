"""Assembling stamped page images into one PDF with pikepdf (MPL-2.0, no AGPL/LGPL)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, NamedTuple

import pikepdf

from .stamp import EncodedPage


class CopyWriter:
    """A reading copy's PDF being written, one page at a time (see :func:`assemble_pdf`).

    Each page is one image and nothing else: no text, no annotations, no layers
    to remove. The file is deliberately *not* linearised: measured with the
    vendored pdf.js (bench/viewer_first_page.py), a linearised copy made pdf.js
    read a range inside every page before showing the first one (42 range
    requests for 40 pages), while a plain file with its cross-reference table at
    the end is opened with 3 (the head, the xref, the page), and any page by
    link with one or two more: qpdf writes every page dictionary right after the
    page tree, at the head of the file, so pdf.js walking the tree to page 200
    reads the head, not a range inside each of the 199 pages before it (checked
    by tests/test_reading_ranges.py).
    """

    def __init__(self, title: str) -> None:
        self.pdf = pikepdf.new()
        self.pdf.docinfo[pikepdf.Name.Title] = title
        self.pdf.docinfo[pikepdf.Name.Producer] = "Phong doc truc tuyen"
        self.count = 0

    def add(self, page: EncodedPage) -> None:
        """Append one page: the image, drawn over the whole page."""
        pdf = self.pdf
        image = pikepdf.Stream(pdf, page.jpeg)
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width, image.Height = page.width, page.height
        image.ColorSpace = pikepdf.Name.DeviceGray if page.mode == "L" else pikepdf.Name.DeviceRGB
        image.BitsPerComponent = 8
        image.Filter = pikepdf.Name.DCTDecode
        w_pt, h_pt = page.width_pt, page.height_pt
        content = f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode()
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, round(w_pt, 2), round(h_pt, 2)],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=pikepdf.Stream(pdf, content),
        )))
        self.count += 1

    def save(self, out_path: Path) -> int:
        """Write the PDF to ``out_path`` (whole or not at all); return the page count."""
        tmp = out_path.with_suffix(".part")
        self.pdf.save(tmp)
        tmp.replace(out_path)
        self.pdf.close()
        return self.count


def assemble_pdf(pages: Iterable[EncodedPage], out_path: Path, title: str) -> int:
    """Write encoded pages (:func:`watermark.stamp.stamp_jpeg`) as a PDF; return the page count."""
    writer = CopyWriter(title)
    for page in pages:
        writer.add(page)
    return writer.save(out_path)


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SECTION = re.compile(rb"(\d+) (\d+)\s*\r?\n")


class Layout(NamedTuple):
    """Where a copy's parts lie: what a viewer fetches first (see :func:`layout`)."""

    head_end: int  # the head (catalogue, page tree, every page dictionary) ends here
    first_page_end: int  # the first page's content and image, right after the head, end here
    xref_start: int  # the cross-reference table and trailer run from here to the end


def layout(path: Path) -> Layout | None:
    """Where a copy's head and first page end and its cross-reference table begins, or None.

    A copy's head holds the page tree and every page dictionary, then the first page's content
    and image (see :class:`CopyWriter`); its cross-reference table is at the end. A viewer that
    knows both fetches them at once, while pdf.js is still loading, instead of one range after
    another once pdf.js has parsed what the previous range held (two more round trips on a
    phone's link), and no more of the neighbouring pages than its range alignment needs. None
    when the cross-reference table is not a classic one this reads (the viewer then waits for
    pdf.js to ask).
    """
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - 1024))
        match = _STARTXREF.search(handle.read())
        if match is None:
            return None
        start = int(match.group(1))
        if not 0 < start < size:
            return None
        handle.seek(start)
        table = handle.read(size - start)
    offsets = _xref_offsets(table)
    if not offsets:
        return None
    try:
        with pikepdf.open(path) as pdf:
            if not len(pdf.pages):
                return None
            page = pdf.pages[0].obj
            needed = [page.Contents.objgen] if "/Contents" in page else []
            resources = page.get("/Resources")
            if resources is not None and "/XObject" in resources:
                needed += [xobject.objgen for xobject in resources.XObject.values()]
    except pikepdf.PdfError:
        return None
    if not needed or any(ref not in offsets for ref in needed):
        return None
    last = max(offsets[ref] for ref in needed)
    # The first page's last object ends where the next object (or the table) begins.
    end = min((offset for offset in offsets.values() if offset > last), default=start)
    return Layout(min(offsets[ref] for ref in needed), end, start)


def _xref_offsets(table: bytes) -> dict[tuple[int, int], int]:
    """{(object, generation): offset} of the objects in use in one classic ``xref`` section."""
    if not table.startswith(b"xref"):
        return {}
    offsets: dict[tuple[int, int], int] = {}
    position = 4
    while True:
        while position < len(table) and table[position:position + 1] in b" \r\n":
            position += 1
        section = _SECTION.match(table, position)
        if section is None:
            return offsets
        first, count = int(section.group(1)), int(section.group(2))
        position = section.end()
        for number in range(first, first + count):
            entry = table[position:position + 20].split()
            position += 20
            if len(entry) != 3:
                return {}
            if entry[2] == b"n":
                offsets[(number, int(entry[1]))] = int(entry[0])
