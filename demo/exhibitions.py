"""The demo's exhibitions, built through the real exhibition services."""
from __future__ import annotations

import io
from typing import Callable

from flask import current_app
from PIL import Image
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AccessMode, Exhibition, RecordFile
from portal.services.exhibitions import (
    render_page, save_exhibition, save_file_item, save_image_item, save_section, set_featured, set_published, slugify,
)


DEMO_TEXT = {
    "UBND-DN": {
        "slug": "dong-nai-xua-va-nay",
        "title": "Đồng Nai xưa và nay qua tài liệu lưu trữ",
        "title_en": "Đồng Nai past and present in the archives",
        "summary": "Từ ngày thành lập tỉnh năm 1976 đến những năm gần đây, hồ sơ của Ủy ban nhân dân tỉnh kể lại "
                   "những quyết định đã làm nên diện mạo Đồng Nai hôm nay.",
        "summary_en": "From the founding of the province in 1976 to recent years, the files of the Provincial "
                      "People's Committee tell of the decisions that shaped Đồng Nai as it is today.",
    },
    "THC-BH": {
        "slug": "bien-hoa-1956-1975",
        "title": "Biên Hòa 1956–1975 qua hồ sơ Tòa Hành chánh",
        "title_en": "Biên Hòa 1956–1975 in the records of the Province Office",
        "summary": "Phúc trình, công văn và sự vụ văn thư của Tòa Hành chánh tỉnh Biên Hòa cho thấy đời sống "
                   "hành chính của tỉnh trong gần hai mươi năm.",
        "summary_en": "Reports, letters and service notes of the Biên Hòa Province Office show the province's "
                      "administrative life over almost twenty years.",
    },
    "SNV": {
        "slug": "cong-tac-van-thu-luu-tru",
        "title": "Công tác văn thư, lưu trữ qua các thời kỳ",
        "title_en": "Records management through the years",
        "summary": "Kế hoạch, báo cáo và công văn của Sở Nội vụ về chỉnh lý, bảo quản và phát huy giá trị tài liệu "
                   "lưu trữ của tỉnh.",
        "summary_en": "Plans, reports and letters of the Department of Home Affairs on arranging, preserving and "
                      "promoting the province's archives.",
    },
}


def _demo_text(fonds_code: str, fonds_name: str) -> dict[str, str]:
    if fonds_code in DEMO_TEXT:
        return DEMO_TEXT[fonds_code]
    return {
        "slug": slugify(f"tu-kho-luu-tru {fonds_code}"),
        "title": f"Từ kho lưu trữ: {fonds_name}",
        "title_en": f"From the archive: {fonds_name}",
        "summary": f"Một số hồ sơ tiêu biểu của phông {fonds_name}, giới thiệu bằng thông tin hồ sơ và trang tài liệu "
                   "được số hóa.",
        "summary_en": f"A selection of files from the {fonds_name} fonds, shown by their description and a digitised "
                      "page.",
    }


def _jpeg(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=88)
    buffer.seek(0)
    return buffer


def _demo_exhibition(text: dict[str, str], files: list[RecordFile], archive: str) -> Exhibition:
    """One demo exhibition: a cover from the first open file's first page, sections by period."""
    cover_file = next(f for f in files if f.mode == AccessMode.OPEN.value)
    with render_page(cover_file, 1) as page:
        width, height = page.size
        cover = page.crop((0, 0, width, min(height, round(width * 0.6))))
    exhibition = save_exhibition(None, text, cover=_jpeg(cover), cover_source=cover_file)
    groups = [files[i:i + 3] for i in range(0, len(files), 3)][:3]
    for number, group in enumerate(groups):
        years = sorted({y for f in group for y in ((f.start_date or "")[:4], (f.end_date or "")[:4]) if y})
        period = f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else "")
        section = save_section(None, exhibition, {
            "title": f"Giai đoạn {period}" if period else f"Phần {number + 1}",
            "title_en": f"The years {period}" if period else f"Part {number + 1}",
            "body": f"<p>Các hồ sơ dưới đây ghi lại công việc của <strong>{group[0].fonds.name}</strong> "
                    f"{'trong những năm ' + period if period else ''} qua văn bản gốc: tờ trình, quyết định, "
                    "kế hoạch, báo cáo và công văn.</p><p>Muốn đọc toàn văn, bấm <em>Yêu cầu đọc hồ sơ này</em>: "
                    "hồ sơ vào giỏ của bạn, và bản đọc được cấp sau khi phiếu yêu cầu được duyệt.</p>",
            "body_en": f"<p>The files below record the work of <strong>{group[0].fonds.name}</strong>"
                       f"{' in ' + period if period else ''} through the original documents: submissions, "
                       "decisions, plans, reports and letters.</p><p>To read a whole file, choose <em>Request to "
                       "read this file</em>: it goes into your basket, and a reading copy is granted once the "
                       "request is approved.</p>",
        })
        if number == 0:
            first = group[0] if group[0].mode == AccessMode.OPEN.value else cover_file
            with render_page(first, 1) as page:
                width, height = page.size
                detail = page.crop((0, 0, width, max(1, height // 3)))
            save_image_item(None, section, {
                "caption": f"Phần đầu trang 1 của hồ sơ {first.file_code}: tên cơ quan, số, ký hiệu và quốc hiệu.",
                "caption_en": f"The head of page 1 of file {first.file_code}: issuing body, number and reference, "
                              "and the national motto.",
                "credit": archive, "credit_en": archive, "source_file": first.file_code,
            }, upload=_jpeg(detail))
        for record in group:
            is_open = record.mode == AccessMode.OPEN.value
            save_file_item(None, section, {
                "file_code": record.file_code, "page_no": "1" if is_open else "",
                "caption": None if is_open else "Hồ sơ tiếp cận có điều kiện: chỉ giới thiệu thông tin hồ sơ; "
                                                 "việc đọc cần lãnh đạo Lưu trữ duyệt.",
                "caption_en": None if is_open else "A conditional-access file: shown by its description only; "
                                                   "reading it needs the archive director's approval.",
            })
    set_published(None, exhibition, True)
    return exhibition


def create_demo_exhibitions(echo: Callable[[str], object] = print) -> list[Exhibition]:
    """Two published exhibitions built from digitised demo files (never classified), the first featured.

    Does nothing when exhibitions exist already, or when there are too few open digitised files.
    """
    if db.session.scalar(select(func.count(Exhibition.id))):
        echo("Đã có triển lãm: bỏ qua triển lãm mẫu.")
        return []
    candidates = list(db.session.scalars(
        select(RecordFile).where(RecordFile.scan_kind.is_not(None), RecordFile.scan_pages > 0,
                                 RecordFile.mode.in_([AccessMode.OPEN.value, AccessMode.CONDITIONAL.value]))
        .order_by(RecordFile.start_sort, RecordFile.file_code)))
    by_fonds: dict[int, list[RecordFile]] = {}
    for record in candidates:
        by_fonds.setdefault(record.fonds_id, []).append(record)

    def open_count(files: list[RecordFile]) -> int:
        return sum(f.mode == AccessMode.OPEN.value for f in files)

    groups = sorted((files for files in by_fonds.values() if open_count(files)), key=open_count, reverse=True)
    if len(groups) == 1 and open_count(groups[0]) >= 2:  # one fonds: split it in two, each with open files
        files = groups[0]
        opens = [i for i, record in enumerate(files) if record.mode == AccessMode.OPEN.value]
        cut = opens[len(opens) // 2]
        groups = [files[:cut], files[cut:]]
    if len(groups) < 2 or any(open_count(g) == 0 for g in groups[:2]):
        echo("Chưa đủ hồ sơ công khai đã số hóa để dựng triển lãm mẫu.")
        return []
    archive = current_app.config["ARCHIVE_NAME"]
    made = []
    for number, files in enumerate(groups[:2]):
        fonds = files[0].fonds
        chosen = _pick_demo_files(files)
        text = dict(_demo_text(fonds.code, fonds.name))
        if db.session.scalar(select(Exhibition.id).where(Exhibition.slug == text["slug"])):
            text["slug"] = f"{text['slug']}-{number + 1}"
        exhibition = _demo_exhibition(text, chosen, archive)
        if number == 0:
            set_featured(None, exhibition, True)
        made.append(exhibition)
        echo(f"Triển lãm mẫu: {exhibition.title} (/trien-lam/{exhibition.slug}"
             f"{', nổi bật' if exhibition.is_featured else ''}).")
    return made


def _pick_demo_files(files: list[RecordFile]) -> list[RecordFile]:
    """Up to nine files in date order, at most two of them conditional, starting with an open one."""
    picked: list[RecordFile] = []
    conditional = 0
    for record in files:
        if record.mode == AccessMode.CONDITIONAL.value:
            if conditional >= 2 or not picked:
                continue
            conditional += 1
        picked.append(record)
        if len(picked) == 9:
            break
    return picked
