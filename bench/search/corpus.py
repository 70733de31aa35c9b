"""A deterministic Vietnamese benchmark corpus.

Every file gets about 200 syllables of page text made of syllable runs copied
from the real documents in ``../shared/corpus`` (so two-syllable words and
their neighbours are real Vietnamese), plus metadata shaped like a provincial
archive's: fonds of provincial bodies, file codes, titles, keywords, dates from
1976 to 2024, access modes (about 7 % classified), languages, and one to four
documents per file with a reference (``11495/UBND-KGVX``, ``30/2020/NĐ-CP``),
type, issuer, date and summary.
"""
from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from search.documents import SearchDocument, SearchDocumentPart

REPO = Path(__file__).resolve().parents[2]
# ../shared/corpus beside the checkout; a fresh clone has the same five texts in the demo.
CORPUS_FOLDERS = (REPO.parent / "shared" / "corpus", REPO / "demo" / "texts")
DEFAULT_CORPUS = next((p for p in CORPUS_FOLDERS if any(p.glob("*.txt"))), CORPUS_FOLDERS[0])

PROVINCES = (
    ("Đồng Nai", "DN"), ("Hậu Giang", "HG"), ("Quảng Trị", "QT"), ("Thanh Hóa", "TH"), ("Kiên Giang", "KG"),
    ("Bình Dương", "BD"), ("Long An", "LA"), ("Tây Ninh", "TN"), ("Bà Rịa - Vũng Tàu", "BRVT"),
    ("Thừa Thiên Huế", "TTH"), ("Nghệ An", "NA"), ("Đắk Lắk", "DL"),
)
BODIES = (
    ("Ủy ban nhân dân tỉnh {p}", "UBND", "UBND tỉnh {p}"),
    ("Sở Nội vụ tỉnh {p}", "SNV", "Sở Nội vụ tỉnh {p}"),
    ("Sở Tài chính tỉnh {p}", "STC", "Sở Tài chính tỉnh {p}"),
    ("Hội đồng nhân dân tỉnh {p}", "HDND", "HĐND tỉnh {p}"),
    ("Sở Giáo dục và Đào tạo tỉnh {p}", "SGDDT", "Sở Giáo dục và Đào tạo tỉnh {p}"),
    ("Sở Văn hóa, Thể thao và Du lịch tỉnh {p}", "SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch tỉnh {p}"),
)
DOC_TYPES = (
    ("Công văn", None), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Kế hoạch", "KH"), ("Báo cáo", "BC"),
    ("Tờ trình", "TTr"), ("Thông báo", "TB"), ("Biên bản", "BB"),
)
NATIONAL = (("Nghị định", "NĐ-CP", "Chính phủ"), ("Thông tư", "TT-BNV", "Bộ Nội vụ"),
            ("Quyết định", "QĐ-TTg", "Thủ tướng Chính phủ"))
UNITS = ("KGVX", "NCTH", "KT", "TH", "VX", "NC")
TITLE_HEADS = ("Hồ sơ về", "Tập công văn về", "Hồ sơ hội nghị về", "Tập báo cáo về", "Hồ sơ triển khai",
               "Tập quyết định về", "Hồ sơ kiểm tra")
LANGUAGES = (("Tiếng Việt", 92), ("Tiếng Pháp", 5), ("Tiếng Anh", 2), ("Hán Nôm", 1))
MODES = (("01", 75), ("02", 18), ("03", 7))
TOKEN_RE = re.compile(r"[^\W_]+")


@dataclass
class SourceText:
    """The syllables of the real documents, as runs we copy from."""

    runs: list[list[str]]
    frequency: Counter = field(default_factory=Counter)
    pair_frequency: Counter = field(default_factory=Counter)

    def run(self, rng: random.Random, length: int) -> list[str]:
        source = rng.choice(self.runs)
        if len(source) <= length:
            return list(source)
        start = rng.randrange(0, len(source) - length)
        return source[start:start + length]

    def syllables(self, rng: random.Random, count: int, low: int = 4, high: int = 18) -> str:
        out: list[str] = []
        while len(out) < count:
            out.extend(self.run(rng, rng.randint(low, high)))
            if rng.random() < 0.25:
                out[-1] += rng.choice((",", ".", ";"))
        return " ".join(out[:count])


def load_source(folder: Path = DEFAULT_CORPUS) -> SourceText:
    """Read ``folder/*.txt`` into runs of syllables (one run per line of text)."""
    runs: list[list[str]] = []
    frequency: Counter = Counter()
    pair_frequency: Counter = Counter()
    for path in sorted(folder.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        for line in re.split(r"[\n.;:!?()]+", text):
            words = [w for w in TOKEN_RE.findall(line) if not w.isdigit()]
            if len(words) >= 2:
                runs.append(words)
                frequency.update(w.lower() for w in words)
                pair_frequency.update(f"{a.lower()} {b.lower()}" for a, b in zip(words, words[1:]))
    if not runs:
        raise SystemExit(f"no corpus texts in {folder}")
    return SourceText(runs, frequency, pair_frequency)


def _weighted(rng: random.Random, items):
    values, weights = zip(*items)
    return rng.choices(values, weights)[0]


def generate(count: int, source: SourceText, seed: int = 20260101) -> list[SearchDocument]:
    """``count`` files, the same for the same ``seed``."""
    rng = random.Random(seed)
    fonds = [(body.format(p=p), f"{code}-{pc}", issuer.format(p=p), pc, code)
             for p, pc in PROVINCES for body, code, issuer in BODIES]
    files = []
    for n in range(1, count + 1):
        fonds_name, fonds_code, issuer, province_code, body_code = rng.choice(fonds)
        year = rng.randint(1976, 2024)
        last = min(2024, year + _weighted(rng, ((0, 60), (1, 25), (2, 10), (5, 5))))
        start = f"{year}-{rng.randint(1, 12):02d}" if rng.random() < 0.5 else str(year)
        end = str(last)
        documents = []
        for position in range(rng.randint(1, 4)):
            doc_year = rng.randint(year, last)
            if rng.random() < 0.12:
                doc_type, notation, doc_issuer = rng.choice(NATIONAL)
                number, notation = f"{rng.randint(1, 180)}/{doc_year}", notation
            else:
                doc_type, abbrev = rng.choice(DOC_TYPES)
                doc_issuer = issuer
                number = str(rng.randint(1, 15000))
                notation = f"{body_code}-{rng.choice(UNITS)}" if abbrev is None else f"{abbrev}-{body_code}"
            documents.append(SearchDocumentPart(
                number=number, notation=notation, doc_type=doc_type, issuer=doc_issuer,
                date=f"{doc_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                summary=source.syllables(rng, rng.randint(10, 25)),
            ))
        files.append(SearchDocument(
            id=n,
            file_code=f"{fonds_code}.{year}.{n:06d}",
            title=f"{rng.choice(TITLE_HEADS)} {source.syllables(rng, rng.randint(6, 14), 3, 8)}",
            keywords="; ".join(" ".join(source.run(rng, 2)) for _ in range(rng.randint(1, 4))),
            notes=source.syllables(rng, rng.randint(5, 15)) if rng.random() < 0.15 else "",
            fonds_code=fonds_code, fonds_name=fonds_name,
            start_date=start, end_date=end,
            mode=_weighted(rng, MODES), language=_weighted(rng, LANGUAGES),
            digitised=rng.random() < 0.7,
            documents=documents,
            text=source.syllables(rng, rng.randint(180, 220)),
        ))
    return files
