"""Text in a PDF with an embedded, subset TrueType font (PDF/A asks every font to be embedded).

The font is written as a Type0 font with a CIDFontType2 descendant, Identity-H
encoding and a ToUnicode map, so Vietnamese text is drawn with the font's own
glyphs and can still be copied out as text. Pure functions of pikepdf objects:
no Flask here.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont


class EmbeddedFont:
    """One TrueType font being used in a document: collects the glyphs drawn, then embeds a subset.

    Call :meth:`encode` for every string drawn (it returns the hex string for a
    ``Tj`` operator), :meth:`width` to measure, and :meth:`embed` once at the
    end to get the font dictionary.
    """

    def __init__(self, path: Path, tag: str = "AAAAAA") -> None:
        self.path = path
        self.data = _font_bytes(path)
        self.font = TTFont(io.BytesIO(self.data), lazy=True)
        self.cmap = self.font.getBestCmap()
        self.hmtx = self.font["hmtx"]
        self.units = self.font["head"].unitsPerEm
        self.name = self.font["name"].getDebugName(6) or path.stem
        self.tag = tag
        self.used: dict[int, str] = {}  # glyph id -> the text it stands for
        self._glyph_order = self.font.getGlyphOrder()
        self._gid = {name: n for n, name in enumerate(self._glyph_order)}

    def _glyph(self, char: str) -> int:
        name = self.cmap.get(ord(char)) or ".notdef"
        return self._gid.get(name, 0)

    def width(self, text: str, size: float) -> float:
        """The advance width of ``text`` at ``size`` points."""
        total = 0
        for char in text:
            total += self.hmtx[self._glyph_order[self._glyph(char)]][0]
        return total * size / self.units

    def encode(self, text: str) -> str:
        """``<…>`` hex glyph ids of ``text`` for a Tj operator; remembers the glyphs used."""
        out = []
        for char in text:
            gid = self._glyph(char)
            self.used.setdefault(gid, char)
            out.append(f"{gid:04X}")
        return "<" + "".join(out) + ">"

    def _subset_program(self) -> bytes:
        # Subsetting takes most of a second per font, so every document shares one subset: the
        # glyphs of Vietnamese and Latin text (made once per process); a document that uses a
        # glyph outside it (a title in another script) gets its own.
        base = self._repertoire()
        extra = frozenset(set(self.used) - base)
        return _subset(self.path, frozenset(base | extra))

    def _repertoire(self) -> frozenset[int]:
        return frozenset({0} | {self._glyph(char) for char in REPERTOIRE})

    def embed(self, pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        """The Type0 font dictionary (an indirect object) with the subset program embedded."""
        head, hhea, os2 = self.font["head"], self.font["hhea"], self.font["OS/2"]
        scale = 1000 / self.units
        base = pikepdf.Name("/" + f"{self.tag}+{self.name}".replace(" ", ""))
        program = pikepdf.Stream(pdf, self._subset_program())
        descriptor = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor, FontName=base, Flags=32,
            FontBBox=[round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
            ItalicAngle=0, Ascent=round(hhea.ascent * scale), Descent=round(hhea.descent * scale),
            CapHeight=round(getattr(os2, "sCapHeight", hhea.ascent) * scale), StemV=80,
            FontFile2=program,
        ))
        widths = []
        for gid in sorted(self.used):
            widths += [gid, [round(self.hmtx[self._glyph_order[gid]][0] * scale)]]
        cid_font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=base,
            CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
            FontDescriptor=descriptor, W=widths, DW=1000, CIDToGIDMap=pikepdf.Name.Identity,
        ))
        return pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=base, Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[cid_font], ToUnicode=pikepdf.Stream(pdf, self._to_unicode()),
        ))

    def _to_unicode(self) -> bytes:
        lines = [
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
        ]
        pairs = sorted(self.used.items())
        for start in range(0, len(pairs), 100):
            chunk = pairs[start:start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{gid:04X}> <{''.join(f'{u:04X}' for u in _utf16(text))}>" for gid, text in chunk]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")


# Every letter a Vietnamese text can hold, ASCII, and the punctuation our labels use.
REPERTOIRE = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
    + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
    + "–—‘’“”…·•×°№"
)


@lru_cache(maxsize=8)
def _font_bytes(path: Path) -> bytes:
    return path.read_bytes()


@lru_cache(maxsize=16)
def _subset(path: Path, gids: frozenset[int]) -> bytes:
    """The font program of ``path`` reduced to ``gids``, glyph ids unchanged (CIDToGIDMap /Identity)."""
    options = subset.Options()
    options.retain_gids = True
    options.notdef_outline = True
    options.hinting = False  # screen hinting is not used when a PDF is rendered or printed
    options.name_IDs = ["*"]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    font = TTFont(io.BytesIO(_font_bytes(path)))
    for tag in ("GSUB", "GPOS", "GDEF", "kern", "FFTM"):  # not used by a PDF; slow to read
        if tag in font:
            del font[tag]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(gids))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _utf16(text: str) -> list[int]:
    data = text.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
