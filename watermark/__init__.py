"""Rasterise and stamp reading-copy pages (pure functions of page, reader, request and time).

The vendored DejaVu fonts (every Vietnamese letter; licence in ``fonts/LICENSE-DejaVu.txt``)
live in :data:`FONTS_DIR`, shared by the watermark and the demo scans.
"""
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
