"""The five real documents of the demo, read from ``texts/``.

They are public Vietnamese administrative texts about records management
(administrative documents and plain news are not protected works under
Luật Sở hữu trí tuệ Điều 15). Three are official letters with the usual
header; two are news items from provincial portals, one of which reports a
directive (Chỉ thị 06/CT-UBND of Quảng Trị) and is printed here as that
directive. The texts are kept byte for byte as found; the OCR slips of the
Thanh Hóa plan are corrected here, in :data:`CORRECTIONS`, so the scans read
as the original did.

:func:`real_letters` parses them into :class:`Letter` objects: number and
notation, date, type, issuer, trích yếu, recipients, body, signature.
"""
from __future__ import annotations

import re
from pathlib import Path

from .letters import Letter, Para, long_date, nfc, one_line

TEXTS_DIR = Path(__file__).resolve().parent / "texts"

# Texts and what they become in the demo catalogue (see catalogue.py).
HAU_GIANG = "hau-giang-2021-cong-van-ubnd-ncth.txt"
QUANG_TRI = "quang-tri-2021-chi-thi-06.txt"
KIEN_GIANG_NEWS = "so-noi-vu-2020-tin-kiem-tra.txt"
DONG_NAI = "dong-nai-2020-cong-van-11495.txt"
THANH_HOA = "thanh-hoa-2019-ke-hoach-39.txt"

# OCR slips in the Thanh Hóa plan (the original is a signed PDF that was OCR'd).
CORRECTIONS: dict[str, list[tuple[str, str]]] = {
    THANH_HOA: [
        ("lưa trữ", "lưu trữ"), ("Ủy ban.\nnhân dân", "Ủy ban\nnhân dân"), ("văn thu; lưu trữ năm.\n2019",
                                                                          "văn thư, lưu trữ năm\n2019"),
        ("phương hưởng", "phương hướng"), ("thực tiêu", "thực tiễn"), ("lửu trê; trong đó", "lưu trữ; trong đó"),
        ("trách.\nnhiệm", "trách\nnhiệm"), ("thông nhất đạt.\n", "thống nhất đạt\n"), ("văn.\nthư, th trữ",
                                                                                       "văn\nthư, lưu trữ"),
        ("thu thập.\nchỉnh lý", "thu thập,\nchỉnh lý"), ("thi liệu", "tài liệu"), ("lưu trữ.\nđạt hiệu quả",
                                                                                     "lưu trữ\nđạt hiệu quả."),
        ("thành phố.\ntăng cường tổ chức tuyến truyền, phổ biến pháp huật, cán văn bản",
         "thành phố\ntăng cường tổ chức tuyên truyền, phổ biến pháp luật, các văn bản"),
        ("lưu cữ trán", "lưu trữ trên"),
        ("thông tin.\nđại chúng, công thông tin", "thông tin\nđại chúng, cổng thông tin"),
        ("giao nộp bổ sơ", "giao nộp hồ sơ"), ("Lau trữ", "Lưu trữ"), ("trên địa bàn tỉnh.\nThanh Hóa;",
                                                                       "trên địa bàn tỉnh\nThanh Hóa;"),
        ("tồn dọng, tích đống tại các sở, ban, ngành cấp tỉnh; UBND các.\nhuyện",
         "tồn đọng, tích đống tại các sở, ban, ngành cấp tỉnh; UBND các\nhuyện"),
        ("công tác.\nvăn thư, lưu trữ\n", "công tác\nvăn thư, lưu trữ\n"),
        ("... Các cấp", "- Các cấp"), ("sửa\nđồi", "sửa\nđổi"), ("lmu trữ", "lưu trữ"), ("Trong đó ,", "Trong đó,"),
        ("bảo quán", "bảo quản"), ("Lưu tre)", "Lưu trữ)"), ("03/0/2011", "03/6/2011"),
        ("13/2011/TT BNV", "13/2011/TT-BNV"), ("lập Hế sơ", "lập hồ sơ"), ("công rác", "công tác"),
        ("thì\nđua", "thi\nđua"), ("không.\nlập hồ sơ", "không\nlập hồ sơ"), ("UBND các huyện.\nthị xã",
                                                                           "UBND các huyện,\nthị xã"),
        ("tiêu chuẩn.\nngạch", "tiêu chuẩn\nngạch"), ("tiêa chuẩn", "tiêu chuẩn"), ("và tiên\nchuẩn",
                                                                                   "và tiêu\nchuẩn"),
        ("thành phố.\nbố trí", "thành phố\nbố trí"), ("tập trang", "tập trung"), ("trong.\nmôi trường",
                                                                                 "trong\nmôi trường"),
        ("Chính lý, xác định giá trị tài liệu, bảo quản, số hóa tái liện tưu\ntrữ.",
         "Chỉnh lý, xác định giá trị tài liệu, bảo quản, số hóa tài liệu lưu\ntrữ."),
        ("lưu trở", "lưu trữ"), ("lưu trữ,\n- Giao", "lưu trữ\n- Giao"), ("đơn vị còn.\ndiễn ra",
                                                                           "đơn vị còn\ndiễn ra"),
        ("tích đếng", "tích đống"), ("văn thu, lưu trữ, ứng", "văn thư, lưu trữ, ứng"), ("điều bành", "điều hành"),
        ("dử liệu", "dữ liệu"), ("triển khai thực.\nhiện", "triển khai thực\nhiện"), ("nhà:\nnước", "nhà\nnước"),
        ("tốn đọng,\ntích đồng", "tồn đọng,\ntích đống"), ("chỉnh lý tái liệu", "chỉnh lý tài liệu"),
        ("đút điểm tài liệu tần dọng", "dứt điểm tài liệu tồn đọng"), ("tỉnh thần", "tinh thần"),
        ("công túc bảo vệ", "công tác bảo vệ"), ("lĩnh vực.\nvăn thư", "lĩnh vực\nvăn thư"),
        ("lưu trú theo.\nquy định", "lưu trữ theo\nquy định"),
        ("tế chức Triển lâm tư.\nliệu, tài liệu lưu trứ;", "tổ chức Triển lãm “Tư\nliệu, tài liệu lưu trữ;"),
        ("Chỉ cục", "Chi cục"), ("Lưu trì)", "Lưu trữ)"), ("hướng.\ndẫn", "hướng\ndẫn"), ("tài liệm", "tài liệu"),
        ("từ tính đến", "từ tỉnh đến"), ("dủ diện tích", "đủ diện tích"), ("09/2037/TT- BNV", "09/2007/TT-BNV"),
        ("tỉnh trạng các cơ quan", "tình trạng các cơ quan"), ("tăng cường.\nkiểm tra", "tăng cường\nkiểm tra"),
        ("tài liệu hu trữ, nghiệm thư:", "tài liệu lưu trữ, nghiệm thu"), ("xây dụng", "xây dựng"),
        ("Văn tư và", "Văn thư và"), ("lịch sử tỉnh.\n(Chi cục", "lịch sử tỉnh\n(Chi cục"),
        ("\n\n1. Giám đốc các sở", "\nIII. TỔ CHỨC THỰC HIỆN\n1. Giám đốc các sở"),
    ],
    QUANG_TRI: [("pháp luật luật", "pháp luật"), ("trình bảy", "trình bày")],
}

TYPE_HEADINGS = {
    "KẾ HOẠCH": "Kế hoạch", "CHỈ THỊ": "Chỉ thị", "QUYẾT ĐỊNH": "Quyết định", "BÁO CÁO": "Báo cáo",
    "TỜ TRÌNH": "Tờ trình", "THÔNG BÁO": "Thông báo",
}
NUMBER_RE = re.compile(r"^Số:\s*(\d*)\s*/\s*([\w\-]+)")
PLACE_DATE_RE = re.compile(r"^(?P<place>[^,]+), ngày\s*(?P<d>\d{0,2})\s*tháng\s*(?P<m>\d{0,2})\s*năm\s*(?P<y>\d{4})")
NUMBERED_RE = re.compile(r"^(?:[IVX]+\.|\d+\.|[a-zđ]\)|-)\s")
ACRONYM_RE = re.compile(r"^[A-ZĐ]{2,}\b")  # "UBND các huyện" continues the line before
NOISE_RE = re.compile(r"^(?:Ký bởi:.*|\d{1,2}/\d{1,2}/\d{4} \d\d:\d\d:\d\d|\d{1,2}|psd|[A-Z]:\\.*)$")
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def read_text(name: str) -> str:
    """A corpus text, NFC-normalised, with its OCR corrections applied."""
    text = nfc((TEXTS_DIR / name).read_text(encoding="utf-8")).replace("**", "")
    for wrong, right in CORRECTIONS.get(name, []):
        if wrong not in text:
            raise ValueError(f"{name}: correction target not found: {wrong!r}")
        text = text.replace(wrong, right, 1)
    return text


def _iso_date(day: str, month: str, year: str) -> str:
    if day and month:
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if month:
        return f"{int(year):04d}-{int(month):02d}"
    return year


def _issuer_name(agency: list[str]) -> str:
    """"UBND tỉnh Đồng Nai" from the printed block "ỦY BAN NHÂN DÂN / TỈNH ĐỒNG NAI"."""
    if len(agency) >= 2 and agency[0] == "ỦY BAN NHÂN DÂN":
        province = agency[1].split(" ", 1)
        return f"UBND {province[0].lower()} {province[1].title()}"
    return " ".join(agency).capitalize()


def _paragraphs(lines: list[str]) -> list[Para]:
    """Join hard-wrapped lines into paragraphs; numbered short lines become headings."""
    paras: list[str] = []
    for line in lines:
        if not paras or NUMBERED_RE.match(line) or line.isupper() and len(line) > 6:
            paras.append(line)
        elif line[:1].islower() or ACRONYM_RE.match(line):
            paras[-1] += _joiner(paras[-1]) + line  # a wrapped line
        elif paras[-1].endswith((".", ":", ";")) or _looks_like_heading(paras[-1]):
            paras.append(line)
        else:
            paras[-1] += _joiner(paras[-1]) + line
    return [Para(one_line(text), "heading" if _looks_like_heading(text) else "body") for text in paras]


def _joiner(text: str) -> str:
    """No space after a reference broken at its hyphen ("4115/2014/QĐ-" + "UBND")."""
    return "" if re.search(r"/[\wĐ]+-$", text) else " "


def _looks_like_heading(text: str) -> bool:
    """"II. NỘI DUNG", "1. Mục đích", "a) Tuyên truyền …": numbered, short, no closing punctuation."""
    text = one_line(text)
    if text.isupper() and len(text) < 80:
        return True
    return bool(NUMBERED_RE.match(text)) and not text.startswith("-") and len(text) < 110 and not text.endswith(
        (".", ";", ":", ","))


def parse_official(name: str) -> Letter:
    """Parse a letter with the usual header (issuer, motto, number, place and date)."""
    text = read_text(name)
    lines: list[str] = []
    columns: list[tuple[str, str]] = []  # OCR of a two-column header: left and right on one line
    for raw in text.splitlines():
        raw = raw.strip()
        if not raw or NOISE_RE.match(raw):
            lines.append("")
            continue
        if re.search(r"\S {3,}\S", raw):
            left, right = re.split(r" {3,}", raw, maxsplit=1)
            columns.append((left.strip(), right.strip()))
            lines.extend([left.strip(), right.strip()])
        else:
            lines.append(raw)

    letter = Letter(doc_type="Công văn", issuer="", summary="", date="", source=name)
    i = 0
    agency: list[str] = []
    while i < len(lines) and not NUMBER_RE.match(lines[i]):
        line = lines[i]
        if line and line not in MOTTO and line.isupper():
            agency.append(line)
        i += 1
    letter.agency = agency
    letter.issuer = _issuer_name(agency)
    match = NUMBER_RE.match(lines[i])
    letter.number, letter.notation = match.group(1), match.group(2)
    i += 1
    while not PLACE_DATE_RE.match(lines[i]):
        i += 1
    match = PLACE_DATE_RE.match(lines[i])
    letter.place_date = lines[i]
    letter.date = _iso_date(match["d"], match["m"], match["y"])
    i += 1
    while not lines[i]:
        i += 1

    # Type heading and its subject, or a công văn's "V/v" lines.
    if lines[i] in TYPE_HEADINGS:
        letter.heading = lines[i]
        letter.doc_type = TYPE_HEADINGS[lines[i]]
        i += 1
        letter.subject.append(lines[i])
        i += 1
        while lines[i][:1].islower():
            letter.subject.append(lines[i])
            i += 1
        letter.summary = one_line(" ".join(letter.subject))
    elif lines[i].startswith("V/v"):
        while lines[i]:
            letter.subject.append(lines[i])
            i += 1
        letter.summary = "Về việc " + one_line(" ".join(letter.subject))[4:]

    body: list[str] = []
    rest = lines[i:]
    j = 0
    while j < len(rest) and not rest[j].startswith("Nơi nhận"):
        line = rest[j]
        if line.startswith("Kính gửi"):
            j += 1
            while j < len(rest) and (not rest[j] or rest[j].startswith("-")):
                if rest[j]:
                    letter.recipients.append(rest[j])
                j += 1
            continue
        if line:
            body.append(line)
        elif body and body[-1] != "":
            body.append("")
        j += 1
    letter.body = _paragraphs_from_blocks(body)
    j += 1
    tail = [line for line in rest[j:] if line]
    right = {r for _l, r in columns}
    letter.cc = [line for line in tail if line.startswith("-")]
    letter.signature = [line for line in tail if line.isupper() and not line.startswith("-")]
    names = [line for line in tail if not line.startswith("-") and not line.isupper() and line not in right]
    letter.signer = names[-1] if names else ""
    return letter


def _paragraphs_from_blocks(lines: list[str]) -> list[Para]:
    """Body lines, where an empty string marks a blank line in the source."""
    if "" in lines and lines.count("") > 3:
        # Blank-line separated paragraphs; a block starting in lower case
        # continues the previous one (a page break in the source).
        blocks: list[list[str]] = [[]]
        for line in lines:
            if line:
                blocks[-1].append(line)
            elif blocks[-1]:
                blocks.append([])
        paras: list[Para] = []
        for block in filter(None, blocks):
            text = one_line(" ".join(block))
            if paras and text[:1].islower() and not NUMBERED_RE.match(text):
                paras[-1].text += " " + text
            else:
                paras.extend(_paragraphs([text]))
        return paras
    return _paragraphs([line for line in lines if line])


def parse_directive_news(name: str) -> Letter:
    """A news item reporting a directive, printed as the directive it reports."""
    text = read_text(name)
    blocks = [one_line(b) for b in re.split(r"\n\s*\n", text) if b.strip()]
    headline = blocks[0]
    match = re.search(r"Ngày (\d{1,2})/(\d{1,2})/(\d{4}), (.+?) đã ký ban hành Chỉ thị số (\d+)/([\w\-]+) (về .+?)\.$",
                      next(b for b in blocks if "đã ký ban hành" in b))
    day, month, year, signer_title, number, notation, about = match.groups()
    province = re.search(r"tỉnh ([A-ZĐ]\w+(?: [A-ZĐ]\w+)*)$", headline).group(1)
    body = []
    numbered = 0
    in_list = False
    for block in blocks:
        if block == headline or "đã ký ban hành" in block or re.match(r"^\d\d:\d\d,", block):
            continue
        if block.startswith(("Chủ tịch UBND tỉnh cũng giao", "(BTV)", "Các tin khác")):
            break
        if in_list:
            numbered += 1
            body.append(Para(f"{numbered}. {block}"))
        else:
            body.append(Para(block))
        in_list = in_list or block.endswith("những nội dung sau:")
    body.append(Para("Chủ tịch UBND tỉnh yêu cầu Giám đốc các sở, Thủ trưởng các ban, ngành; Chủ tịch UBND các "
                     "huyện, thành phố, thị xã và các cơ quan, tổ chức liên quan nghiêm túc triển khai thực hiện "
                     "Chỉ thị này./."))
    date = _iso_date(day, month, year)
    subject = about[0].upper() + about[1:]
    return Letter(
        doc_type="Chỉ thị", issuer=f"UBND tỉnh {province}", summary=subject, date=date, number=number,
        notation=notation, agency=["ỦY BAN NHÂN DÂN", f"TỈNH {province.upper()}"],
        place_date=long_date(date, province), heading="CHỈ THỊ", subject=_wrap_subject(subject), body=body,
        cc=["- Văn phòng Chính phủ;", "- Bộ Nội vụ;", "- Cục Văn thư và Lưu trữ nhà nước;",
            "- TT Tỉnh ủy, TT HĐND tỉnh;", "- Các sở, ban, ngành cấp tỉnh;", "- UBND các huyện, thành phố, thị xã;",
            "- Lưu: VT, NC."],
        signature=[signer_title.replace("Chủ tịch UBND tỉnh", "CHỦ TỊCH")], signer="", source=name,
    )


def parse_news(name: str) -> Letter:
    """A news item from a Sở Nội vụ portal, printed as a web page."""
    text = read_text(name)
    blocks = [one_line(b) for b in re.split(r"\n\s*\n", text) if b.strip()]
    stamp = next(i for i, b in enumerate(blocks) if re.match(r"^\(\d\d:\d\d \| \d\d/\d\d/\d{4}\)$", b))
    headline = blocks[stamp - 1]
    day, month, year = re.search(r"(\d\d)/(\d\d)/(\d{4})", blocks[stamp]).groups()
    portal = next(b for b in blocks if b.startswith("Cổng thông tin"))
    section = blocks[blocks.index(portal) + 1]
    body: list[Para] = []
    for block in blocks[stamp + 1:]:
        if block.startswith("Ông ") and "phát biểu" in block:
            body.append(Para(block, "photo"))  # a photo caption: drawn under a picture
        elif block.startswith("Tin và ảnh:"):
            body.append(Para(block, "right"))
        else:
            body.append(Para(block))
    # The districts named (Giang Thành, Hòn Đất, Hà Tiên …) are those of Kiên Giang.
    return Letter(
        doc_type="Tin bài", issuer="Sở Nội vụ tỉnh Kiên Giang", summary=headline,
        date=_iso_date(day, month, year), style="news", agency=[portal, section],
        place_date=blocks[stamp], subject=[headline], body=body, source=name,
    )


def _wrap_subject(subject: str, width: int = 60) -> list[str]:
    lines: list[str] = []
    for word in subject.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def real_letters() -> dict[str, Letter]:
    """The five real documents by text name."""
    return {
        HAU_GIANG: parse_official(HAU_GIANG),
        QUANG_TRI: parse_directive_news(QUANG_TRI),
        KIEN_GIANG_NEWS: parse_news(KIEN_GIANG_NEWS),
        DONG_NAI: parse_official(DONG_NAI),
        THANH_HOA: parse_official(THANH_HOA),
    }


# A borrowed sentence must read right in any year and province: no dates or numbered
# references (they date it) and no other province's names.
LOCAL_RE = re.compile(r"\d|Thanh Ho|Quảng Trị|Hậu Giang|Kiên Giang|Hà Tiên|Châu Thành|Hòn Đất|Long Khánh|Biên Hòa")


def corpus_sentences() -> list[str]:
    """Sentences of the real texts that fit any province and year, for generated documents to borrow."""
    sentences = []
    for letter in real_letters().values():
        for para in letter.body:
            if para.kind != "body":
                continue
            for sentence in re.split(r"(?<=[.;])\s+(?=[A-ZĐ])", NUMBERED_RE.sub("", para.text)):
                sentence = sentence.strip()
                if 60 <= len(sentence) <= 700 and not LOCAL_RE.search(sentence):
                    sentences.append(sentence)
    return sentences
