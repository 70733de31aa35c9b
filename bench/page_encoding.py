"""Benchmark: what a reading-copy page weighs in each encoding, and whether it still reads.

    .venv/bin/python -m bench.page_encoding [--demo-pages 6] [--candidates]

Pages measured (grayscale A4 scans, like the archive's typewritten and printed files):
- the benchmark page of ``bench/reading_copy.py`` (150 dpi, 36 dense lines of Vietnamese text), two pages;
- demo pages (``demo/pages.py``: administrative letters, typewritten pre-1975 letters, press pages with a
  photo; paper mottle and grain, seals, signatures) at 150 dpi, the resolution of real derivatives, and at
  the demo's own 110 dpi.
Each page goes the real way: the scan is made a derivative (``watermark.render``), stamped with the
visible watermark and archive name and marked (``watermark.stamp``), then encoded (``watermark.encoding``).

For each encoding it prints the average KB per page and the readability. Tesseract (``vie``, one block
read line by line) reads the master scan; its text is the words read with confidence ≥ 70 that hold a
letter or digit (a seal, a signature, a photo are not text a reader could lose). It then reads the
reading page, scaled back to the master's size as a screen shows it, and the agreement is the share of
the master text's characters found in order in the page's text: 1 − (edit distance / master length)
where letters the page has in addition (the diagonal watermark, read as letters) are not errors, i.e.
the longest common subsequence over the master's length. The plain edit-distance agreement, which
counts the watermark's letters as errors, is printed beside it ("strict").
A third measure needs no choice of words at all: Tesseract reads the master scan with the same visible
stamp drawn on it (the diagonal reader line and the archive's name, lossless, at the master's size), so
the stamp's letters are in both texts; "vs stamped master" is the plain character agreement (1 − edit
distance / length) of the reading page's whole text against that text, every word counted. Tesseract
reads the diagonal line, seals and signatures differently from one image of them to the next, so the
same figure is printed for a ``lossless`` row: the stamped and marked page at the derivative's
resolution as PNG, no JPEG at all. What an encoding costs is its distance below that row.
The archive's name is read alone from its band (``--psm 7``) to check it stays crisp.
Goals (issue 19): ≤ 200 KB per page on average, agreement ≥ 98 % on every page.
``--candidates`` also measures the other encodings tried when choosing.
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np
from PIL import Image

from watermark.encoding import BASELINE, DATA_SAVER, STANDARD, PageEncoding, encode_page
from watermark.mark import copy_key
from watermark.render import deriv_name, render_image_pages
from watermark.stamp import Stamp, archive_name_box, decode_page, stamp_image, stamp_visible

ARCHIVE_NAME = "Lưu trữ lịch sử tỉnh Đồng Nai"
CONFIDENT = 70.0
# Not an encoding a copy uses: the stamped page as PNG, the floor of what OCR noise alone costs.
LOSSLESS = PageEncoding("lossless", 150, 100)
CANDIDATES = (
    PageEncoding("150dpi-q50", 150, 50), PageEncoding("120dpi-q50", 120, 50), PageEncoding("120dpi-q45", 120, 45),
    PageEncoding("110dpi-q50", 110, 50), PageEncoding("100dpi-q40", 100, 40),
)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (row by row; insertions by a running minimum)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    positions = np.arange(len(b) + 1)
    row = positions.copy()
    for i, char in enumerate(a, 1):
        cost = (codes_b != ord(char)).astype(np.int64)
        candidate = np.empty_like(row)
        candidate[0] = i
        candidate[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        row = np.minimum.accumulate(candidate - positions) + positions
    return int(row[-1])


def common_subsequence(a: str, b: str) -> int:
    """Length of the longest common subsequence of two strings (row by row; a running maximum)."""
    if not a or not b:
        return 0
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    row = np.zeros(len(b) + 1, dtype=np.int64)
    for char in a:
        candidate = row.copy()
        candidate[1:] = np.maximum(row[1:], row[:-1] + (codes_b == ord(char)))
        row = np.maximum.accumulate(candidate)
    return int(row[-1])


def recovered(master: str, other: str) -> float:
    """Share of the master text's characters found, in order, in the other text (LCS / length).

    Text the other page has in addition (the diagonal watermark line, read as letters) is not
    counted against it; a character missed or misread is.
    """
    a, b = " ".join(master.split()), " ".join(other.split())
    return common_subsequence(a, b) / max(1, len(a))


def agreement(master: str, other: str) -> float:
    """Share of the master text's characters that the other text gets right (1 − distance / length)."""
    a, b = " ".join(master.split()), " ".join(other.split())
    return 1.0 - edit_distance(a, b) / max(1, len(a))


def ocr_words(image: Image.Image, psm: int = 6) -> list[tuple[str, float]]:
    """Words Tesseract reads in ``image`` (Vietnamese model), each with its confidence (0-100).

    ``--psm 6`` reads one block line by line, so two images of one page are read in the same order
    whatever their columns.
    """
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    result = subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie", "--psm", str(psm), "tsv"],
                            input=buffer.getvalue(), capture_output=True, check=True)
    words = []
    for line in result.stdout.decode("utf-8", "replace").splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) == 12 and fields[11].strip():
            words.append((fields[11].strip(), float(fields[10])))
    return words


def ocr(image: Image.Image, psm: int = 6) -> str:
    """All the text Tesseract reads in ``image``, words in reading order."""
    return " ".join(word for word, _ in ocr_words(image, psm))


def confident_text(image: Image.Image) -> str:
    """The text of a master page: the words Tesseract reads with confidence ≥ :data:`CONFIDENT` and that
    hold a letter or digit. What it only guesses at (a seal, a signature, a photo, paper specks) is not
    text a reader could lose."""
    return " ".join(word for word, confidence in ocr_words(image)
                    if confidence >= CONFIDENT and any(char.isalnum() for char in word))


def name_band(page: Image.Image, stamped_size: tuple[int, int]) -> Image.Image:
    """The band where the archive's name is printed (placed on the stamped page of ``stamped_size``),
    enlarged for Tesseract."""
    left, top, right, bottom = archive_name_box(stamped_size, ARCHIVE_NAME)
    sx, sy = page.width / stamped_size[0], page.height / stamped_size[1]
    band = page.crop((int(left * sx), int(top * sy), int(right * sx) + 1, int(bottom * sy) + 1))
    return band.resize((band.width * 2, band.height * 2), Image.LANCZOS)


def bench_pages(folder: Path) -> list[Path]:
    """Two pages of the benchmark scan (bench/reading_copy.py)."""
    from bench.reading_copy import make_pages

    make_pages(folder, 2)
    return sorted(folder.glob("*.png"))


def demo_pages(folder: Path, count: int, dpi: int) -> list[Path]:
    """``count`` demo scan pages at ``dpi``, spread over the page styles (letters, typewritten, press)."""
    from demo.generate import build_files
    from demo.pages import draw_page, layout, paper_for

    folder.mkdir(parents=True, exist_ok=True)
    by_style: dict[str, list] = {}  # every page of every digitised demo letter, by page style
    for built in build_files():
        if built.digitised:
            for letter in built.letters:
                for page in layout(letter):
                    by_style.setdefault(letter.style, []).append((built, letter, page))
    styles = sorted(by_style)
    paths = []
    for n in range(count):
        pages = by_style[styles[n % len(styles)]]
        built, letter, page = pages[(n // len(styles)) * 7 % len(pages)]
        rng = random.Random(f"bench:{built.file_code}:{n}")
        image = draw_page(page, dpi, paper_for(letter.style, built.spec.year, rng), rng)
        path = folder / f"{letter.style}-{n:02d}.jpg"
        image.save(path, "JPEG", quality=90, dpi=(dpi, dpi))
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-pages", type=int, default=6)
    parser.add_argument("--candidates", action="store_true", help="also measure the encodings not chosen")
    args = parser.parse_args()
    encodings = [LOSSLESS, BASELINE, STANDARD, DATA_SAVER] + (list(CANDIDATES) if args.candidates else [])
    stamp = Stamp(archive_name=ARCHIVE_NAME, reader_name="Trần Thị Bích Ngọc", account_id=1024,
                  request_code="YC-2026-000123", issued_at=datetime(2026, 12, 2, 9, 30),
                  mark_key=copy_key("bench-secret", 7))

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        groups = {
            "benchmark 150 dpi": bench_pages(work / "bench"),
            "demo 150 dpi": demo_pages(work / "demo150", args.demo_pages, 150),
            "demo 110 dpi": demo_pages(work / "demo110", args.demo_pages, 110),
        }
        sizes: dict[tuple[str, str], list[int]] = {}
        agreements: dict[tuple[str, str], list[float]] = {}
        recalls: dict[tuple[str, str], list[float]] = {}
        against_stamped: dict[tuple[str, str], list[float]] = {}

        names: dict[tuple[str, str], list[float]] = {}
        for group, paths in groups.items():
            derivs = work / ("d-" + group.replace(" ", "-"))
            derivs.mkdir()
            render_image_pages([(n, str(p)) for n, p in enumerate(paths, 1)], str(derivs), 60_000_000)
            for n, path in enumerate(paths, 1):
                master = Image.open(path).convert("L")
                master_text = confident_text(master)
                stamped_master_text = ocr(stamp_visible(master, stamp.trace_line, stamp.archive_name))
                stamped = stamp_image(decode_page((derivs / deriv_name(n)).read_bytes()), stamp, n)
                for encoding in encodings:
                    if encoding is LOSSLESS:
                        buffer = io.BytesIO()
                        stamped.save(buffer, "PNG")
                        jpeg = buffer.getvalue()
                    else:
                        jpeg, _w, _h = encode_page(stamped, encoding)
                    shown = Image.open(io.BytesIO(jpeg)).convert("L").resize(master.size, Image.BICUBIC)
                    key = (group, encoding.name)
                    sizes.setdefault(key, []).append(len(jpeg))
                    shown_text = ocr(shown)
                    agreements.setdefault(key, []).append(agreement(master_text, shown_text))
                    recalls.setdefault(key, []).append(recovered(master_text, shown_text))
                    against_stamped.setdefault(key, []).append(agreement(stamped_master_text, shown_text))

                    names.setdefault(key, []).append(agreement(ARCHIVE_NAME, ocr(name_band(shown, stamped.size), psm=7)))
                print(f"  … {group}: page {n} of {len(paths)} measured", flush=True)

    print()
    print("Reading-copy page encodings (stamped + marked grayscale A4 pages; Tesseract vie; baseline = before issue 19)")
    print(f"  master text: the words Tesseract reads on the master scan with confidence ≥ {CONFIDENT:.0f} (letters, digits)")
    print("  agreement: share of the master text's characters read, in order, on the reading page (1 − edit")
    print("    distance over the master's length, where letters the page has in addition — the diagonal watermark")
    print("    line — are not errors: longest common subsequence / length). Goal ≥ 98 % on every page.")
    print("  strict: plain edit-distance agreement with the master text (the watermark's letters count as errors)")
    print("  vs stamped master: plain edit-distance agreement of the whole text with the master scan's whole")
    print("    text, the same visible stamp drawn on the master (its letters in both); min and mean over the pages")
    print("    (lossless: the stamped page as PNG, no JPEG: what OCR noise on the stamp, seals and signatures costs)")
    print("  name: the archive's name read alone from its band at the bottom (edit-distance agreement, worst page)")
    header = f"{'pages':<19} {'encoding':<12} {'dpi':>4} {'q':>3} {'KB/page':>8} {'agreement min':>14} {'mean':>6} " \
             f"{'strict mean':>12} {'vs stamped min':>15} {'mean':>6} {'name':>5}"
    print(header)
    print("-" * len(header))
    overall: dict[str, list[int]] = {}
    for group in groups:
        for encoding in encodings:
            key = (group, encoding.name)
            overall.setdefault(encoding.name, []).extend(sizes[key])
            quality = "png" if encoding is LOSSLESS else str(encoding.quality)
            print(f"{group:<19} {encoding.name:<12} {encoding.dpi:>4} {quality:>3} "
                  f"{statistics.mean(sizes[key]) / 1024:>8.0f} {100 * min(recalls[key]):>13.1f}% "
                  f"{100 * statistics.mean(recalls[key]):>5.1f}% {100 * statistics.mean(agreements[key]):>11.1f}% "
                  f"{100 * min(against_stamped[key]):>14.1f}% {100 * statistics.mean(against_stamped[key]):>5.1f}% "
                  f"{100 * max(0.0, min(names[key])):>4.0f}%")
    print()
    for encoding in encodings[1:]:
        print(f"all pages, {encoding.name:<12} {statistics.mean(overall[encoding.name]) / 1024:>6.0f} KB/page"
              f"   (goal ≤ 200 KB; baseline {statistics.mean(overall[BASELINE.name]) / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
