"""OCR speed: pages per second of the portal's recognition next to the ``tesseract`` command line.

    .venv/bin/python -m bench.ocr.run [--pages 12] [--procs 2]

Makes typewritten A4 pages at 300 dpi (the demo's 1956–1975 look: worn paper, ragged right, text from
the five corpus documents), then reads the same pages two ways, each with ``--procs`` pages at a time
and one thread per page (``OMP_THREAD_LIMIT=1``), so both use the same cores:

* **pipeline**: :func:`watermark.ocr.recognise` in worker processes, the model loaded once per process
  (what the ``ocr.file`` job does: text, word boxes and confidence from one recognition);
* **tesseract CLI** (the baseline): ``tesseract page.png out -l vie txt tsv`` per page, which also gives
  text and word boxes, and loads the model for every page.

Prints pages/s of each and the ratio (goal: the pipeline within 10% of the command line, i.e. ≥ 0.9).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

from demo.letters import Letter, Para
from demo.pages import render_letter

DPI = 300
TEXTS = Path(__file__).resolve().parents[2] / "demo" / "texts"


def corpus_words() -> list[str]:
    words: list[str] = []
    for path in sorted(TEXTS.glob("*.txt")):
        words.extend(path.read_text(encoding="utf-8").split())
    return words or "Ủy ban nhân dân tỉnh Đồng Nai báo cáo công tác lưu trữ".split()


def typewritten_page(words: list[str], rng: random.Random) -> Image.Image:
    """One A4 page at 300 dpi in the demo's typewritten look (1956–1975: ragged right, worn paper)."""
    start = rng.randrange(0, max(1, len(words) - 600))
    body = [Para(" ".join(words[i:i + 60])) for i in range(start, start + 540, 60)]
    letter = Letter(doc_type="Công văn", issuer="Tòa Hành chánh tỉnh Biên Hòa", summary="Về việc báo cáo",
                    date="1968-05-02", number="125", notation="HC", style="rvn",
                    agency=["VIỆT NAM CỘNG HÒA", "TỈNH BIÊN HÒA", "TÒA HÀNH CHÁNH"],
                    place_date="Biên Hòa, ngày 02 tháng 5 năm 1968", subject=["V/v báo cáo tình hình"],
                    recipients=["Ông Tỉnh trưởng"], body=body, signer="Nguyễn Văn A")
    return render_letter(letter, DPI, rng, 1968)[0]


def _pipeline_page(path: str) -> int:
    from watermark import ocr  # noqa: PLC0415 - imported in the worker process

    with Image.open(path) as image:
        image.load()
        reading = ocr.recognise(image)
    return len(reading.words)


def _cli_page(args: tuple[str, str]) -> int:
    path, out = args
    subprocess.run(["tesseract", path, out, "-l", "vie", "txt", "tsv"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return sum(1 for line in Path(out + ".tsv").read_text(encoding="utf-8").splitlines()[1:]
               if line.split("\t")[-1].strip())


def timed(label: str, function, items, procs: int) -> tuple[float, int]:
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=procs) as pool:
        words = sum(pool.map(function, items))
    seconds = time.perf_counter() - start
    print(f"  {label:<16} {len(items) / seconds:6.2f} pages/s   ({seconds:6.1f} s, {words} words)", flush=True)
    return len(items) / seconds, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("tesseract") is None:
        sys.exit("the tesseract command is missing: apt-get install tesseract-ocr tesseract-ocr-vie")
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one thread per page: parallelism comes from the processes
    rng = random.Random(15)
    words = corpus_words()
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
        paths = []
        for n in range(args.pages):
            path = Path(folder) / f"page{n:03d}.png"
            typewritten_page(words, rng).save(path, dpi=(DPI, DPI))
            paths.append(str(path))
        print(f"{args.pages} typewritten A4 pages at {DPI} dpi, {args.procs} at a time, one thread each")
        timed("warm-up", _pipeline_page, paths[:args.procs], args.procs)
        pipeline, _ = timed("pipeline", _pipeline_page, paths, args.procs)
        cli, _ = timed("tesseract CLI", _cli_page, [(p, p + ".out") for p in paths], args.procs)
        print(f"  pipeline / CLI   {pipeline / cli:6.2f}   (goal ≥ 0.90)")


if __name__ == "__main__":
    main()
