"""Building the copy PDF with pikepdf: the selected pages at full scan resolution, the "BẢN SAO"
mark, a footer on every page and, for a certified copy, the certification block with a QR code.

Nothing of the scan is covered: page 1 gets a band above the scan for the mark (and, for a
certified copy, a band below for the certification block); every page gets a footer band.
The document is saved as PDF/A-2b through :func:`pikepdf.pdfa.save`, which writes the XMP
metadata and the sRGB output intent and validates the bytes it wrote. Pure: no Flask.
"""
from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import segno
from PIL import Image

from watermark import FONTS_DIR

from .pdftext import EmbeddedFont

ASSUMED_DPI = 300  # a scan without resolution metadata: archives scan at 300 dpi
MARK_BAND = 34.0  # points above the scan on page 1
FOOTER_BAND = 22.0  # points below the scan on every page
CERT_BAND = 170.0  # points for the certification block on page 1 of a certified copy
MARGIN = 24.0


@dataclass(frozen=True)
class SourcePage:
    """One page to copy: a page of a scanned PDF (``pdf_page`` ≥ 1) or a page image."""

    path: Path
    file_code: str
    pdf_page: int = 0  # 0: ``path`` is an image


@dataclass
class CopyText:
    """The words printed on the copy, already in the archive's language."""

    archive_name: str
    order_code: str
    mark: str = "BẢN SAO"
    footer: str = "{archive} · {order} · {file} · Trang {n}/{m}"
    certification: list[str] = field(default_factory=list)  # lines of the block; empty for a plain copy
    certification_title: str = ""
    verify_url: str = ""
    title: str = ""
    subject: str = ""


@dataclass(frozen=True)
class Built:
    pages: int
    size_bytes: int
    pdfa_passed: bool | None
    pdfa_findings: list[str]


# --- page images ------------------------------------------------------------------------------

def _png_stream(pdf: pikepdf.Pdf, data: bytes, image: Image.Image) -> pikepdf.Stream | None:
    """A PNG's compressed data as is (PNG predictors), when it is 8-bit gray or RGB and not interlaced."""
    if image.mode not in ("L", "RGB") or image.info.get("interlace"):
        return None
    idat, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR" and data[pos + 16] != 8:  # bit depth
            return None
        if kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    colors = 1 if image.mode == "L" else 3
    stream = pikepdf.Stream(pdf, b"".join(idat))
    stream.Filter = pikepdf.Name.FlateDecode
    stream.DecodeParms = pikepdf.Dictionary(Predictor=15, Colors=colors, BitsPerComponent=8, Columns=image.width)
    return stream


def image_xobject(pdf: pikepdf.Pdf, path: Path) -> tuple[pikepdf.Stream, float, float]:
    """An image XObject of a scan image and its size in points (JPEG and PNG pass through unchanged)."""
    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        dpi = image.info.get("dpi") or (ASSUMED_DPI, ASSUMED_DPI)
        xdpi = float(dpi[0]) if dpi[0] and float(dpi[0]) >= 50 else ASSUMED_DPI
        ydpi = float(dpi[1]) if dpi[1] and float(dpi[1]) >= 50 else ASSUMED_DPI
        width, height, mode = image.width, image.height, image.mode
        stream = None
        if image.format == "JPEG" and mode in ("L", "RGB") and not image.info.get("adobe_transform") is False:
            stream = pikepdf.Stream(pdf, data)
            stream.Filter = pikepdf.Name.DCTDecode
        elif image.format == "PNG":
            stream = _png_stream(pdf, data, image)
        if stream is None:  # TIFF, CMYK, palette, 16-bit...: decode and store as JPEG
            converted = image.convert("L" if mode in ("1", "L", "I;16", "I") else "RGB")
            mode = converted.mode
            buffer = io.BytesIO()
            converted.save(buffer, "JPEG", quality=92)
            stream = pikepdf.Stream(pdf, buffer.getvalue())
            stream.Filter = pikepdf.Name.DCTDecode
    stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    stream.Width, stream.Height, stream.BitsPerComponent = width, height, 8
    stream.ColorSpace = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
    return stream, width * 72 / xdpi, height * 72 / ydpi


# --- drawing ------------------------------------------------------------------------------------

class _Canvas:
    """Content-stream text and shapes in one or two embedded fonts."""

    def __init__(self, regular: EmbeddedFont, bold: EmbeddedFont) -> None:
        self.fonts = {"F1": regular, "F2": bold}
        self.ops: list[str] = []

    def text(self, x: float, y: float, text: str, size: float, font: str = "F1",
             color: tuple[float, float, float] = (0, 0, 0)) -> None:
        encoded = self.fonts[font].encode(text)
        self.ops.append(f"BT {color[0]:.3f} {color[1]:.3f} {color[2]:.3f} rg /{font} {size:.2f} Tf "
                        f"{x:.2f} {y:.2f} Td {encoded} Tj ET")

    def width(self, text: str, size: float, font: str = "F1") -> float:
        return self.fonts[font].width(text, size)

    def fit(self, text: str, size: float, max_width: float, font: str = "F1") -> str:
        """``text`` cut with an ellipsis so it fits ``max_width``."""
        if self.width(text, size, font) <= max_width:
            return text
        while text and self.width(text + "…", size, font) > max_width:
            text = text[:-1]
        return text + "…"

    def wrap(self, text: str, size: float, max_width: float, font: str = "F1") -> list[str]:
        lines, current = [], ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if current and self.width(candidate, size, font) > max_width:
                lines.append(current)
                current = word
            else:
                current = candidate
        return lines + ([current] if current else [])

    def rect(self, x: float, y: float, w: float, h: float, stroke: bool = False) -> None:
        self.ops.append(f"{x:.2f} {y:.2f} {w:.2f} {h:.2f} re {'S' if stroke else 'f'}")

    def raw(self, op: str) -> None:
        self.ops.append(op)


def qr_ops(url: str, x: float, y: float, size: float) -> str:
    """Vector QR code of ``url`` as filled squares, ``size`` points wide, lower-left at (x, y)."""
    code = segno.make(url, error="m")
    matrix = code.matrix
    modules = len(matrix) + 8  # the quiet zone of 4 modules on each side
    unit = size / modules
    ops = ["q 1 1 1 rg", f"{x:.2f} {y:.2f} {size:.2f} {size:.2f} re f", "0 0 0 rg"]
    for row_no, row in enumerate(matrix):
        for col_no, dark in enumerate(row):
            if dark:
                ops.append(f"{x + (col_no + 4) * unit:.3f} {y + size - (row_no + 5) * unit:.3f} "
                           f"{unit:.3f} {unit:.3f} re")
    ops.append("f Q")
    return "\n".join(ops)


def _certification(canvas: _Canvas, text: CopyText, width: float, bottom: float) -> None:
    """The certification block in the band ``[bottom, bottom + CERT_BAND]`` of page 1."""
    top = bottom + CERT_BAND - 8
    qr = 110.0
    box_w = width - 2 * MARGIN
    canvas.raw("q 0.6 0 0 RG 1.2 w")
    canvas.rect(MARGIN, bottom + 6, box_w, CERT_BAND - 12, stroke=True)
    canvas.raw("Q")
    text_w = box_w - qr - 30
    y = top - 16
    canvas.text(MARGIN + 10, y, canvas.fit(text.certification_title, 12, text_w, "F2"), 12, "F2", (0.6, 0, 0))
    y -= 15
    for line in text.certification:
        for part in canvas.wrap(line, 8.5, text_w)[:2]:
            if y < bottom + 12:
                break
            canvas.text(MARGIN + 10, y, part, 8.5)
            y -= 11
    if text.verify_url:
        canvas.raw(qr_ops(text.verify_url, MARGIN + box_w - qr - 8, bottom + 6 + (CERT_BAND - 12 - qr) / 2, qr))


# --- the document ---------------------------------------------------------------------------------

def build_copy(sources: list[SourcePage], text: CopyText, out_path: Path, *, validate: bool = False) -> Built:
    """Write the copy of ``sources`` to ``out_path`` (PDF/A-2b); returns what was built.

    When pages come from a scanned PDF (or ``validate`` is set) the written file is
    validated by pikepdf's PDF/A-2b validator; if it does not pass (a scanned PDF
    may carry things PDF/A forbids), it is written anyway and the findings are
    returned, so staff can see why. ``pdfa_passed`` is None when not validated.
    """
    pdf = pikepdf.new()
    regular = EmbeddedFont(FONTS_DIR / "DejaVuSerif.ttf", "PDCSAA")
    bold = EmbeddedFont(FONTS_DIR / "DejaVuSerif-Bold.ttf", "PDCSAB")
    originals: dict[Path, pikepdf.Pdf] = {}
    total = len(sources)
    pages: list[tuple[pikepdf.Dictionary, _Canvas]] = []
    try:
        for n, source in enumerate(sources, start=1):
            canvas = _Canvas(regular, bold)
            if source.pdf_page:
                if source.path not in originals:
                    originals[source.path] = pikepdf.open(source.path)
                foreign = originals[source.path].pages[source.pdf_page - 1]
                xobject = pdf.copy_foreign(foreign.as_form_xobject())
                box = [float(v) for v in foreign.mediabox]
                w, h = box[2] - box[0], box[3] - box[1]
                draw = f"q 1 0 0 1 {-box[0]:.2f} {-box[1]:.2f} cm /P0 Do Q"
            else:
                xobject, w, h = image_xobject(pdf, source.path)
                draw = f"q {w:.3f} 0 0 {h:.3f} 0 0 cm /P0 Do Q"
            first = n == 1
            below = FOOTER_BAND + (CERT_BAND if first and text.certification else 0)
            above = MARK_BAND if first else 0
            page_w, page_h = max(w, 420.0), h + below + above
            canvas.raw(f"q 1 0 0 1 {(page_w - w) / 2:.2f} {below:.2f} cm {draw} Q")
            footer = text.footer.format(archive=text.archive_name, order=text.order_code, file=source.file_code,
                                        n=n, m=total)
            footer = canvas.fit(footer, 7.5, page_w - 2 * MARGIN)
            canvas.text((page_w - canvas.width(footer, 7.5)) / 2, 8, footer, 7.5)
            if first:
                mark_size = 16.0
                canvas.text(page_w - MARGIN - canvas.width(text.mark, mark_size, "F2"), page_h - MARK_BAND + 10,
                            text.mark, mark_size, "F2", (0.7, 0, 0))
                if text.certification:
                    _certification(canvas, text, page_w, FOOTER_BAND)
            page = pikepdf.Dictionary(
                Type=pikepdf.Name.Page, MediaBox=[0, 0, round(page_w, 2), round(page_h, 2)],
                Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(P0=xobject)),
            )
            pages.append((page, canvas))
        fonts = pikepdf.Dictionary(F1=regular.embed(pdf), F2=bold.embed(pdf))
        for page, canvas in pages:
            page.Resources.Font = fonts
            page.Contents = pikepdf.Stream(pdf, zlib.compress("\n".join(canvas.ops).encode("latin-1"), 6))
            page.Contents.Filter = pikepdf.Name.FlateDecode
            pdf.pages.append(pikepdf.Page(page))
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = text.title or text.order_code
            meta["dc:creator"] = [text.archive_name]
            meta["dc:description"] = text.subject
            meta["xmp:CreatorTool"] = "Phong doc truc tuyen"
        tmp = out_path.with_suffix(".part")
        passed: bool | None = None
        findings: list[str] = []
        if originals or validate:
            # Pages taken from a scanned PDF may carry what PDF/A forbids: validate what was written.
            try:
                pikepdf.pdfa.save(pdf, tmp, "2b", output_intent="sRGB")
                passed = True
            except pikepdf.pdfa.PdfaError as error:
                findings = [f"{f.rule}: {f.message} ({f.where})" for f in error.report.findings][:20]
                passed = False
                pdf.save(tmp)
        else:
            # Only page images and our own text: the same structure every time, validated in the
            # tests (tests/test_copies.py); here the same repairs and metadata, without the
            # validation pass that would double the time.
            pikepdf.pdfa.prepare(pdf, "2b", output_intent="sRGB")
            pdf.save(tmp, **pikepdf.pdfa.resolve_save_kwargs(pikepdf.pdfa.Flavour("2b")))
        tmp.replace(out_path)
    finally:
        for original in originals.values():
            original.close()
    return Built(pages=total, size_bytes=out_path.stat().st_size, pdfa_passed=passed, pdfa_findings=findings)
