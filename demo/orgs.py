"""Who issues the demo documents: the fonds' creators and the bodies they corresponded with.

Names follow the period: before 2004 the Sở Nội vụ was the Ban Tổ chức chính
quyền, before 1996 the Sở Kế hoạch và Đầu tư was the Ủy ban Kế hoạch, and
under the Republic of Vietnam the province's services were "Ty".
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Org:
    """An issuing body as it appears on paper and in the catalogue."""

    name: str  # as catalogued (cơ quan ban hành)
    code: str  # in the notation: "SNV" → 2923/SNV-VTLT
    agency: tuple[str, ...]  # letterhead lines; the last is the issuing body
    head: str  # title of its head, as signed: "GIÁM ĐỐC"
    deputy: str = ""  # title of a deputy signing for the head
    short: str = ""  # in sentences: "Sở Nội vụ"
    place: str = "Đồng Nai"
    era: str = "admin"  # admin or rvn

    @property
    def said(self) -> str:
        return self.short or self.name


UBND = Org("UBND tỉnh Đồng Nai", "UBND", ("ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG NAI"), "CHỦ TỊCH", "PHÓ CHỦ TỊCH",
           short="UBND tỉnh")
THC = Org("Tòa Hành chánh tỉnh Biên Hòa", "HC/BH", ("VIỆT-NAM CỘNG-HÒA", "TỈNH BIÊN-HÒA", "TÒA HÀNH-CHÁNH"),
          "TỈNH TRƯỞNG BIÊN HÒA", "PHÓ TỈNH TRƯỞNG", short="Tòa Hành chánh", place="Biên-Hòa", era="rvn")


def _so(name: str, code: str, short_upper: str, head: str = "GIÁM ĐỐC", deputy: str = "PHÓ GIÁM ĐỐC") -> Org:
    return Org(f"{name} tỉnh Đồng Nai", code, ("UBND TỈNH ĐỒNG NAI", short_upper), head, deputy, short=name)


def _ty(name: str, code: str, upper: str, head: str) -> Org:
    return Org(f"{name} Biên Hòa", code, ("VIỆT-NAM CỘNG-HÒA", "TỈNH BIÊN-HÒA", upper), head,
               short=name, place="Biên-Hòa", era="rvn")


SNV = _so("Sở Nội vụ", "SNV", "SỞ NỘI VỤ")

ORGS: dict[str, Org] = {
    "ubnd": UBND,
    "thc": THC,
    "snv": SNV,
    "tccq": _so("Ban Tổ chức chính quyền", "TCCQ", "BAN TỔ CHỨC CHÍNH QUYỀN", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
    "syt": _so("Sở Y tế", "SYT", "SỞ Y TẾ"),
    "snn": _so("Sở Nông nghiệp và Phát triển nông thôn", "SNN", "SỞ NÔNG NGHIỆP VÀ PTNT"),
    "stnmt": _so("Sở Tài nguyên và Môi trường", "STNMT", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"),
    "btdkt": Org("Ban Thi đua – Khen thưởng tỉnh Đồng Nai", "BTĐKT",
                 ("SỞ NỘI VỤ ĐỒNG NAI", "BAN THI ĐUA - KHEN THƯỞNG"), "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN",
                 short="Ban Thi đua – Khen thưởng tỉnh"),
    "svhttdl": _so("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"),
    "svhtt": _so("Sở Văn hóa – Thông tin", "SVHTT", "SỞ VĂN HÓA - THÔNG TIN"),
    "skhdt": _so("Sở Kế hoạch và Đầu tư", "SKHĐT", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ"),
    "ubkh": _so("Ủy ban Kế hoạch", "UBKH", "ỦY BAN KẾ HOẠCH", "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM"),
    "bqlkcn": Org("Ban Quản lý các Khu công nghiệp Đồng Nai", "KCNĐN", ("UBND TỈNH ĐỒNG NAI", "BAN QUẢN LÝ CÁC KCN"),
                  "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", short="Ban Quản lý các Khu công nghiệp"),
    "ttt": Org("Thanh tra tỉnh Đồng Nai", "TTT", ("UBND TỈNH ĐỒNG NAI", "THANH TRA TỈNH"), "CHÁNH THANH TRA",
               "PHÓ CHÁNH THANH TRA", short="Thanh tra tỉnh"),
    "cat": Org("Công an tỉnh Đồng Nai", "CAT", ("BỘ CÔNG AN", "CÔNG AN TỈNH ĐỒNG NAI"), "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
               short="Công an tỉnh"),
    "sldtbxh": _so("Sở Lao động – Thương binh và Xã hội", "SLĐTBXH", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"),
    "tnn": Org("Ty Nông nghiệp tỉnh Đồng Nai", "TNN", ("UBND TỈNH ĐỒNG NAI", "TY NÔNG NGHIỆP"), "TRƯỞNG TY",
               "PHÓ TRƯỞNG TY", short="Ty Nông nghiệp"),
    "cckl": Org("Chi cục Kiểm lâm tỉnh Đồng Nai", "CCKL", ("SỞ NN VÀ PTNT ĐỒNG NAI", "CHI CỤC KIỂM LÂM"),
                "CHI CỤC TRƯỞNG", "PHÓ CHI CỤC TRƯỞNG", short="Chi cục Kiểm lâm"),
    # Republic of Vietnam, province of Biên Hòa
    "ty_congchanh": _ty("Ty Công chánh", "CC/BH", "TY CÔNG-CHÁNH", "TRƯỞNG TY CÔNG CHÁNH"),
    "ty_diendia": _ty("Ty Điền địa", "ĐĐ/BH", "TY ĐIỀN-ĐỊA", "TRƯỞNG TY ĐIỀN ĐỊA"),
    "ty_kinhte": _ty("Ty Kinh tế", "KT/BH", "TY KINH-TẾ", "TRƯỞNG TY KINH TẾ"),
    "ty_xahoi": _ty("Ty Xã hội", "XH/BH", "TY XÃ-HỘI", "TRƯỞNG TY XÃ HỘI"),
    "ty_yte": _ty("Ty Y tế", "YT/BH", "TY Y-TẾ", "Y SĨ TRƯỞNG TY Y TẾ"),
    "ty_canhsat": _ty("Ty Cảnh sát Quốc gia", "CSQG/BH", "TY CẢNH-SÁT QUỐC-GIA", "CHỈ HUY TRƯỞNG"),
    "truong_ngoquyen": Org("Trường Trung học Ngô Quyền Biên Hòa", "NQ/BH",
                           ("VIỆT-NAM CỘNG-HÒA", "TỈNH BIÊN-HÒA", "TRƯỜNG TRUNG-HỌC NGÔ-QUYỀN"), "HIỆU TRƯỞNG",
                           short="Trường Trung học Ngô Quyền", place="Biên-Hòa", era="rvn"),
    "truong_mynghe": Org("Trường Mỹ nghệ thực hành Biên Hòa", "MN/BH",
                         ("VIỆT-NAM CỘNG-HÒA", "TỈNH BIÊN-HÒA", "TRƯỜNG MỸ-NGHỆ THỰC-HÀNH"), "GIÁM ĐỐC",
                         short="Trường Mỹ nghệ thực hành", place="Biên-Hòa", era="rvn"),
    "phong_nhanvien": _ty("Phòng Nhân viên Tòa Hành chánh", "NV/BH", "PHÒNG NHÂN-VIÊN", "CHÁNH SỰ VỤ"),
}


def org_for(key: str, year: int) -> Org:
    """The body ``key`` under the name it had in ``year``."""
    if key == "snv" and year < 2004:
        key = "tccq"
    elif key == "svhttdl" and year < 2008:
        key = "svhtt"
    elif key == "skhdt" and year < 1996:
        key = "ubkh"
    return ORGS[key]


def districts(year: int) -> str:
    """How a provincial letter addressed the district level in ``year``."""
    if year >= 2019:
        return "UBND các huyện, thành phố Long Khánh và thành phố Biên Hòa"
    if year >= 2003:
        return "UBND các huyện, thị xã Long Khánh và thành phố Biên Hòa"
    return "UBND các huyện và thành phố Biên Hòa"
