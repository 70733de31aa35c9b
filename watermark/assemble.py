"""Assembling stamped page images into one PDF with pikepdf (MPL-2.0, no AGPL/LGPL)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pikepdf

from .render import READING_DPI


def assemble_pdf(pages: Iterable[tuple[bytes, int, int, str]], out_path: Path, title: str,
                 dpi: int = READING_DPI) -> int:
    """Write JPEG pages (bytes, width, height, mode) as a PDF; return the page count.

    Each page is one image and nothing else: no text, no annotations, no layers
    to remove. The file is deliberately *not* linearised: measured with the
    vendored pdf.js (bench/viewer_first_page.py), a linearised copy made pdf.js
    read a range inside every page before showing the first one (42 range
    requests for 40 pages), while a plain file with its cross-reference table at
    the end is opened with 3 (the head, the xref, the page), and any page by
    link with one or two more.
    """
    pdf = pikepdf.new()
    count = 0
    for jpeg, width, height, mode in pages:
        image = pikepdf.Stream(pdf, jpeg)
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width, image.Height = width, height
        image.ColorSpace = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
        image.BitsPerComponent = 8
        image.Filter = pikepdf.Name.DCTDecode
        w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
        content = f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, round(w_pt, 2), round(h_pt, 2)],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=pikepdf.Stream(pdf, content),
        )
        pdf.pages.append(pikepdf.Page(page))
        count += 1
    pdf.docinfo[pikepdf.Name.Title] = title
    pdf.docinfo[pikepdf.Name.Producer] = "Phong doc truc tuyen"
    tmp = out_path.with_suffix(".part")
    pdf.save(tmp)
    tmp.replace(out_path)
    return count
