"""Assembling stamped page images into one PDF with pikepdf (MPL-2.0, no AGPL/LGPL)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

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
