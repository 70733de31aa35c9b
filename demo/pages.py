"""Lay out a :class:`Letter` on A4 pages and draw them as scanned page images.

Layout happens in points (1/72 inch) with metrics from the vendored DejaVu
fonts, so a document has the same page breaks at every resolution; drawing
scales the layout to the requested dpi and adds what a scanner adds: an
off-white, slightly mottled paper, specks, a faint edge shadow, a small skew.
Pages are greyscale ("L"), as archives scan plain text.

Administrative documents follow the NĐ 30/2020 layout: issuing body and
number top left, national motto and place and date top right, then the type
and summary, the recipients, a justified body, and the "Nơi nhận" list
beside the signature block with its seal. The 1956–1975 documents are
typewritten; the news item looks like a printed web page.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from watermark import FONTS_DIR

from .letters import Letter, Para

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
REF_PX = 100  # fonts are measured at this pixel size and scaled

FACES = {
    "serif": "DejaVuSerif.ttf",
    "bold": "DejaVuSerif-Bold.ttf",
    "italic": "DejaVuSerif-Italic.ttf",
    "sans": "DejaVuSans.ttf",
}


def font_path(face: str) -> Path:
    """The vendored font file for ``face`` (serif, bold, italic, sans)."""
    return FONTS_DIR / FACES[face]


@lru_cache(maxsize=None)
def _font(face: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(face)), px, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=200_000)
def text_width(face: str, size: float, text: str) -> float:
    """Width of ``text`` in points at ``size`` points."""
    return _font(face, REF_PX).getlength(text) * size / REF_PX


# --- layout ---------------------------------------------------------------------------------------

@dataclass
class Run:
    """Text placed with its left end on the baseline at (x, y), in points."""

    x: float
    y: float
    text: str
    face: str
    size: float
    bold: bool = False  # drawn twice, a hair apart: bold for a face without a bold file
    grey: int = 0  # lighter ink, 0 = full ink


@dataclass
class Mark:
    """A non-text mark: rule, seal, signature, photo, band."""

    kind: str
    x: float
    y: float
    w: float = 0
    h: float = 0


@dataclass
class Page:
    runs: list[Run] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Look:
    """Typography of one page style."""

    body: str
    size: float
    leading: float
    left: float = 85.0  # 3 cm
    right: float = 48.0
    top: float = 57.0
    bottom: float = 62.0
    indent: float = 28.0
    gap: float = 5.0
    justify: bool = True


LOOKS = {
    "admin": Look("serif", 11.5, 16.5),
    # Typed in 1956–1975: ragged right, tighter lines. (DejaVu Sans Mono lacks most Vietnamese letters.)
    "rvn": Look("serif", 11, 15.5, left=80, right=50, top=60, indent=40, gap=4, justify=False),
    "news": Look("sans", 10.5, 15.0, left=60, right=55, top=50, indent=0, gap=7),
}


def wrap(text: str, face: str, size: float, width: float, first_indent: float = 0) -> list[list[str]]:
    """Break ``text`` into lines of words no wider than ``width`` (the first line ``first_indent`` narrower)."""
    lines: list[list[str]] = [[]]
    used = first_indent
    space = text_width(face, size, " ")
    limit = width
    for word in text.split():
        w = text_width(face, size, word)
        if lines[-1] and used + space + w > limit:
            lines.append([word])
            used = w
        else:
            used += (space if lines[-1] else 0) + w
            lines[-1].append(word)
    return lines


class Flow:
    """Places lines top to bottom, starting a new page when one is full."""

    def __init__(self, look: Look, numbered: bool = True) -> None:
        self.look = look
        self.pages: list[Page] = [Page()]
        self.y = look.top
        self.numbered = numbered

    @property
    def page(self) -> Page:
        return self.pages[-1]

    @property
    def width(self) -> float:
        return PAGE_W - self.look.left - self.look.right

    @property
    def bottom(self) -> float:
        return PAGE_H - self.look.bottom

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = self.look.top + 22
        if self.numbered:
            number = str(len(self.pages))
            x = (PAGE_W - text_width(self.look.body, 11, number)) / 2
            self.page.runs.append(Run(x, self.look.top - 4, number, self.look.body, 11))

    def room(self, height: float) -> None:
        if self.y + height > self.bottom:
            self.new_page()

    def line(self, words: list[str], face: str, size: float, x: float, width: float, *, justify: bool,
             bold: bool = False, leading: float | None = None) -> None:
        leading = leading or self.look.leading * size / self.look.size
        self.room(leading)
        self.y += leading
        if justify and len(words) > 1:
            natural = sum(text_width(face, size, w) for w in words)
            space = (width - natural) / (len(words) - 1)
            if space < text_width(face, size, " ") * 2.2:
                cursor = x
                for word in words:
                    self.page.runs.append(Run(cursor, self.y, word, face, size, bold))
                    cursor += text_width(face, size, word) + space
                return
        self.page.runs.append(Run(x, self.y, " ".join(words), face, size, bold))

    def paragraph(self, text: str, face: str | None = None, size: float | None = None, *, indent: float | None = None,
                  align: str = "justify", bold: bool = False, x: float | None = None,
                  width: float | None = None) -> None:
        look = self.look
        face = face or look.body
        size = size or look.size
        indent = look.indent if indent is None else indent
        x0 = look.left if x is None else x
        width = width or self.width
        lines = wrap(text, face, size, width, indent if align == "justify" else 0)
        for i, words in enumerate(lines):
            if align == "center":
                line_w = text_width(face, size, " ".join(words))
                self.line(words, face, size, x0 + (width - line_w) / 2, line_w, justify=False, bold=bold)
            elif align == "right":
                line_w = text_width(face, size, " ".join(words))
                self.line(words, face, size, x0 + width - line_w, line_w, justify=False, bold=bold)
            else:
                start = x0 + (indent if i == 0 else 0)
                last = i == len(lines) - 1
                self.line(words, face, size, start, width - (start - x0), justify=look.justify and not last,
                          bold=bold)
        self.y += look.gap


def _centered(page: Page, text: str, face: str, size: float, cx: float, y: float, bold: bool = False) -> float:
    """Place ``text`` centred on ``cx``; return its width."""
    width = text_width(face, size, text)
    page.runs.append(Run(cx - width / 2, y, text, face, size, bold))
    return width


def _fit(text: str, face: str, size: float, width: float) -> float:
    while size > 7 and text_width(face, size, text) > width:
        size -= 0.25
    return size


def layout(letter: Letter) -> list[Page]:
    """The pages of ``letter``, in points."""
    if letter.style == "news":
        return _layout_news(letter)
    look = LOOKS[letter.style]
    rvn = letter.style == "rvn"
    flow = Flow(look)
    page = flow.page
    left, width = look.left, flow.width
    head_face, bold_face = "serif", "bold"

    # Header: issuing body and number (left), motto and place-date (right).
    left_w = 200 if not rvn else 215
    lcx = left + left_w / 2 - (12 if not rvn else 0)
    rcx = left + left_w + (width - left_w) / 2
    y = look.top + 10
    if letter.agency:
        for i, line in enumerate(letter.agency):
            is_body = i == len(letter.agency) - 1 or letter.agency[0] == "ỦY BAN NHÂN DÂN"
            size = _fit(line, bold_face if is_body else head_face, 11 if not rvn else 10.5, left_w + 10)
            _centered(page, line, bold_face if is_body else head_face, size, lcx, y, )
            y += 14
        page.marks.append(Mark("rule", lcx - 30, y - 7, 60))
        y += 9
    elif rvn:
        _centered(page, "VIỆT-NAM CỘNG-HÒA", "bold", 11, PAGE_W / 2, y)
        y += 20
    number_y = y + 4
    if letter.agency and (letter.reference or letter.notation):
        _centered(page, f"Số: {letter.reference}", head_face, 11.5 if not rvn else 10.5, lcx, number_y)
    sub_y = number_y
    if not letter.heading and letter.subject:
        for line in letter.subject:
            sub_y += 13
            _centered(page, line, head_face, 10.5 if not rvn else 10, lcx, sub_y)
    if letter.style == "admin":
        motto1, motto2 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"
        size1 = _fit(motto1, "bold", 11, width - left_w)
        _centered(page, motto1, "bold", size1, rcx, look.top + 10)
        w2 = _centered(page, motto2, "bold", min(11.5, size1 + 1), rcx, look.top + 24)
        page.marks.append(Mark("rule", rcx - w2 / 2, look.top + 28, w2))
    if letter.place_date:
        face = "italic"
        size = _fit(letter.place_date, face, 11.5 if not rvn else 10.5, width - left_w)
        _centered(page, letter.place_date, face, size, rcx if letter.agency else left + width - 120, number_y)
    flow.y = max(sub_y, number_y) + 14

    # Type heading and its summary.
    if letter.heading:
        flow.y += 8
        flow.paragraph(letter.heading, bold_face, 13 if not rvn else 11.5, align="center", indent=0)
        flow.y -= look.gap
        for line in letter.subject if not rvn else []:
            flow.paragraph(line, bold_face, 11.5, align="center", indent=0)
            flow.y -= look.gap
        if not rvn:
            page.marks.append(Mark("rule", PAGE_W / 2 + (left - look.right) / 2 - 40, flow.y + 9, 80))
        flow.y += 12

    # Recipients.
    if letter.recipients:
        label = "Kính gửi:" if not rvn else "Kính gởi:"
        if len(letter.recipients) == 1:
            flow.paragraph(f"{label} {letter.recipients[0].lstrip('- ')}", indent=0, align="center")
        else:
            label_x = left + 70
            flow.y += look.leading
            page = flow.page
            page.runs.append(Run(label_x, flow.y, label, look.body, look.size))
            flow.y -= look.leading
            item_x = label_x + text_width(look.body, look.size, label) + 8
            for item in letter.recipients:
                flow.paragraph(item, indent=0, align="left", x=item_x, width=left + width - item_x)
                flow.y -= look.gap
        flow.y += 8

    # Body.
    for para in letter.body:
        _body_para(flow, para)

    _signature_block(flow, letter)
    return flow.pages


def _body_para(flow: Flow, para: Para) -> None:
    look = flow.look
    if para.kind == "heading":
        flow.paragraph(para.text, "bold")
    elif para.kind == "center":
        flow.paragraph(para.text, "bold", align="center", indent=0)
    elif para.kind == "item":
        flow.paragraph(para.text, indent=0, align="left" if not look.justify else "justify")
    elif para.kind == "basis":  # "Căn cứ …" of a decision: italic
        flow.paragraph(para.text, "italic")
    elif para.kind == "right":
        flow.paragraph(para.text, "italic" if look.body == "serif" else look.body, align="right", indent=0)
    elif para.kind == "lead":
        flow.paragraph(para.text, "bold" if look.body == "serif" else look.body, bold=look.body != "serif")
    elif para.kind == "photo":
        flow.room(200)
        w, h = 300, 185
        flow.page.marks.append(Mark("photo", (PAGE_W - w) / 2 + (look.left - look.right) / 2, flow.y + 6, w, h))
        flow.y += h + 10
        flow.paragraph(para.text, look.body, look.size - 1.5, align="center", indent=0)
    else:
        flow.paragraph(para.text)


def _signature_block(flow: Flow, letter: Letter) -> None:
    """"Nơi nhận" on the left, signature, seal and name on the right, kept together on one page."""
    look = flow.look
    rvn = letter.style == "rvn"
    if not letter.signature and not letter.cc:
        return
    left, width = look.left, flow.width
    cc_lines: list[tuple[str, str, float]] = []
    if letter.cc:
        cc_lines.append(("Nơi nhận:" if not rvn else "Sao gởi:", "bold", 10.5))
        for item in letter.cc:
            for words in wrap(item, look.body, 9.5, 215):
                cc_lines.append((" ".join(words), look.body, 9.5))
    sig = letter.signature
    height = max(len(cc_lines) * 12.5, len(sig) * 15 + 88) + 10
    flow.y += 6
    if flow.y + height > flow.bottom:
        flow.new_page()
    page = flow.page
    y0 = flow.y
    y = y0
    for text, face, size in cc_lines:
        y += 12.5 if size < 10 else 14
        page.runs.append(Run(left, y, text, face, size))
    cx = left + width - 120
    y = y0
    face = "bold"
    for line in sig:
        y += 15
        _centered(page, line, face, 11.5 if not rvn else 11, cx, y)
    if letter.style == "admin" and sig:
        page.marks.append(Mark("seal", cx - 36, y + 36, 36))
    if sig:
        page.marks.append(Mark("signature", cx - 35, y + 38, 75))
    y += 82
    if letter.signer:
        _centered(page, letter.signer, face, 11.5 if not rvn else 11, cx, y)
    elif sig:
        _centered(page, "(Đã ký)", "italic", 10.5, cx, y)
    flow.y = max(y, y0 + len(cc_lines) * 12.5) + 10


def _layout_news(letter: Letter) -> list[Page]:
    """A news item as a browser prints it: site header, headline, date, text, photo, byline."""
    look = LOOKS["news"]
    flow = Flow(look, numbered=False)
    page = flow.page
    left, width = look.left, flow.width
    page.marks.append(Mark("band", left, look.top - 8, width, 30))
    page.runs.append(Run(left + 10, look.top + 12, letter.agency[0].upper(), "sans", 13, bold=True, grey=235))
    page.runs.append(Run(left, look.top + 40, letter.agency[1], "sans", 9.5, grey=90))
    page.marks.append(Mark("rule", left, look.top + 46, width))
    flow.y = look.top + 52
    for words in wrap(letter.subject[0], "sans", 15, width):
        flow.line(words, "sans", 15, left, width, justify=False, bold=True, leading=21)
    flow.paragraph(letter.place_date, "sans", 9.5, align="left", indent=0)
    for i, para in enumerate(letter.body):
        _body_para(flow, Para(para.text, "lead") if i == 0 and para.kind == "body" else para)
    for number, pg in enumerate(flow.pages, start=1):
        footer = f"{letter.agency[0]} – {letter.agency[1]}"
        pg.runs.append(Run(left, PAGE_H - 30, footer, "sans", 8, grey=110))
        label = f"{number}/{len(flow.pages)}"
        pg.runs.append(Run(left + width - text_width("sans", 8, label), PAGE_H - 30, label, "sans", 8, grey=110))
    return flow.pages


def page_count(letter: Letter) -> int:
    return len(layout(letter))


# --- drawing ---------------------------------------------------------------------------------------

@dataclass
class Paper:
    """How worn the sheet and the ink are."""

    tone: int  # paper grey level
    ink: int  # text grey level
    mottle: float  # strength of the paper's blotches
    specks: int
    skew: float  # degrees
    blur: float


def paper_for(style: str, year: int, rng: random.Random) -> Paper:
    old = style == "rvn" or year < 1990
    return Paper(
        tone=rng.randint(214, 228) if old else rng.randint(232, 244),
        ink=rng.randint(38, 62) if old else rng.randint(18, 36),
        mottle=rng.uniform(2.5, 4) if old else rng.uniform(1.2, 2.2),
        specks=rng.randint(60, 160) if old else rng.randint(12, 45),
        skew=rng.uniform(-0.7, 0.7),
        blur=0.55 if old else 0.0,
    )


def draw_page(page: Page, dpi: int, paper: Paper, rng: random.Random) -> Image.Image:
    """Draw ``page`` at ``dpi`` as a greyscale scan."""
    scale = dpi / 72
    w, h = round(PAGE_W * scale), round(PAGE_H * scale)
    # Uneven margins: the sheet sat a little off on the glass.
    dx, dy = rng.uniform(-6, 6) * scale, rng.uniform(-5, 5) * scale
    image = Image.new("L", (w, h), paper.tone)
    draw = ImageDraw.Draw(image)
    for mark in page.marks:
        _draw_mark(image, draw, mark, scale, dx, dy, paper, rng)
    for run in page.runs:
        font = _font(run.face, max(6, round(run.size * scale)))
        fill = run.grey if run.grey else paper.ink
        x, y = run.x * scale + dx, run.y * scale + dy
        draw.text((x, y), run.text, fill=fill, font=font, anchor="ls")
        if run.bold:
            draw.text((x + max(1, scale * 0.35), y), run.text, fill=fill, font=font, anchor="ls")
    if paper.blur:
        image = image.filter(ImageFilter.GaussianBlur(paper.blur * scale / 2))
    # Paper texture: low-frequency blotches, added around the tone.
    small = Image.effect_noise((max(8, w // 24), max(8, h // 24)), paper.mottle * 1.5).resize((w, h), Image.BILINEAR)
    image = ImageChops.add(image, small, scale=1.0, offset=-128)
    grain = Image.effect_noise((w // 2, h // 2), 2.5).resize((w, h), Image.NEAREST)
    image = ImageChops.add(image, grain, scale=1.0, offset=-128)
    draw = ImageDraw.Draw(image)
    for _ in range(paper.specks):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.choice((0.6, 0.8, 1.0, 1.4, 2.0)) * scale * 0.7
        draw.ellipse((x - r, y - r * rng.uniform(0.6, 1.3), x + r, y + r), fill=rng.randint(60, 170))
    # A faint shadow along one edge where the page did not lie flat.
    edge = rng.choice(("left", "right", "top", None))
    if edge:
        for i in range(int(6 * scale)):
            shade = max(0, paper.tone - 70 + i * 10)
            box = {"left": (i, 0, i, h), "right": (w - 1 - i, 0, w - 1 - i, h), "top": (0, i, w, i)}[edge]
            draw.line(box, fill=min(shade, paper.tone))
    image = image.rotate(paper.skew, resample=Image.BILINEAR, fillcolor=paper.tone - 8)
    return image


def _draw_mark(image: Image.Image, draw: ImageDraw.ImageDraw, mark: Mark, scale: float, dx: float, dy: float,
               paper: Paper, rng: random.Random) -> None:
    x, y = mark.x * scale + dx, mark.y * scale + dy
    if mark.kind == "rule":
        draw.line((x, y, x + mark.w * scale, y), fill=paper.ink, width=max(1, round(scale * 0.6)))
    elif mark.kind == "band":
        draw.rectangle((x, y, x + mark.w * scale, y + mark.h * scale), fill=70)
    elif mark.kind == "photo":
        _photo(image, x, y, mark.w * scale, mark.h * scale, rng)
    elif mark.kind == "seal":
        _seal(image, x, y, mark.w * scale, rng)
    elif mark.kind == "signature":
        _signature(draw, x, y, mark.w * scale, scale, rng)


def _photo(image: Image.Image, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
    """A printed news photo of a meeting: a wall, people seated behind a long table."""
    w, h = round(w), round(h)
    wall = Image.linear_gradient("L").resize((w, h)).point(lambda v: 150 + v * 0.25)
    draw = ImageDraw.Draw(wall)
    draw.rectangle((0, 0, w, h * 0.12), fill=rng.randint(70, 100))  # a banner on the wall
    people = rng.randint(4, 6)
    for i in range(people):
        cx = w * (i + 0.5) / people + rng.uniform(-w * 0.03, w * 0.03)
        head, top = h * rng.uniform(0.07, 0.085), h * rng.uniform(0.3, 0.38)
        draw.ellipse((cx - head, top, cx + head, top + head * 2.4), fill=rng.randint(55, 95))
        draw.ellipse((cx - head * 0.9, top - head * 0.2, cx + head * 0.9, top + head), fill=rng.randint(20, 40))
        draw.polygon([(cx - head * 2.6, h * 0.75), (cx - head * 1.4, top + head * 2.4),
                      (cx + head * 1.4, top + head * 2.4), (cx + head * 2.6, h * 0.75)], fill=rng.randint(40, 120))
    draw.rectangle((0, h * 0.66, w, h), fill=rng.randint(90, 120))  # the table
    draw.rectangle((0, h * 0.66, w, h * 0.69), fill=200)
    wall = wall.filter(ImageFilter.GaussianBlur(max(1, w / 250)))
    image.paste(wall, (round(x), round(y)))


def _seal(image: Image.Image, cx: float, cy: float, r: float, rng: random.Random) -> None:
    """The red round seal, grey in a greyscale scan, printed over the signature."""
    size = round(r * 2 + 8)
    layer = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(layer)
    c = size / 2
    grey = rng.randint(120, 150)
    width = max(1, round(r / 16))
    draw.ellipse((c - r, c - r, c + r, c + r), outline=grey, width=width)
    draw.ellipse((c - r * 0.72, c - r * 0.72, c + r * 0.72, c + r * 0.72), outline=grey, width=max(1, width // 2))
    star = [(c + math.cos(math.radians(-90 + i * 36)) * (r * 0.32 if i % 2 == 0 else r * 0.13),
             c + math.sin(math.radians(-90 + i * 36)) * (r * 0.32 if i % 2 == 0 else r * 0.13)) for i in range(10)]
    draw.polygon(star, fill=grey)
    for i in range(28):  # the lettering around the rim, as ticks
        angle = math.radians(i * 360 / 28 + rng.uniform(-2, 2))
        r1, r2 = r * 0.78, r * 0.93
        draw.line((c + math.cos(angle) * r1, c + math.sin(angle) * r1, c + math.cos(angle) * r2,
                   c + math.sin(angle) * r2), fill=grey, width=max(1, width // 2))
    box = (round(cx - c), round(cy - c))
    region = image.crop((box[0], box[1], box[0] + size, box[1] + size))
    image.paste(ImageChops.darker(region, layer), box)


def _signature(draw: ImageDraw.ImageDraw, x: float, y: float, w: float, scale: float, rng: random.Random) -> None:
    """A quick handwritten flourish."""
    points = []
    steps = 40
    amp = rng.uniform(6, 11) * scale
    freq = rng.uniform(2.5, 4.5)
    for i in range(steps + 1):
        t = i / steps
        points.append((x + t * w, y + math.sin(t * math.pi * freq) * amp * (1 - t * 0.6) - t * 8 * scale))
    draw.line(points, fill=rng.randint(30, 70), width=max(1, round(scale * 0.9)), joint="curve")
    draw.line((x + w * 0.1, y + amp * 0.8, x + w * 0.95, y - amp * 0.4), fill=rng.randint(30, 70),
              width=max(1, round(scale * 0.7)))


def render_letter(letter: Letter, dpi: int, rng: random.Random, year: int) -> list[Image.Image]:
    """Scanned page images of ``letter``."""
    pages = layout(letter)
    return [draw_page(page, dpi, paper_for(letter.style, year, rng), rng) for page in pages]
