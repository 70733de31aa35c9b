"""What the demo archive holds: three fonds and the files in them.

Each :class:`FileSpec` is one catalogued file (hồ sơ); :mod:`.generate` turns
it into TT 05/2025 metadata and documents. The fonds are those a provincial
historical archive in Đồng Nai would plausibly hold:

- ``UBND-DN`` Ủy ban nhân dân tỉnh Đồng Nai (1976–), two inventories;
- ``SNV`` Sở Nội vụ tỉnh Đồng Nai (2004–), which runs the archive and keeps the
  records-management files, including texts other provinces sent for reference;
- ``THC-BH`` Tòa Hành chánh tỉnh Biên Hòa (1956–1975), the province office under
  the Republic of Vietnam, whose records the archive received after 1975.

The people named in generated documents are invented; the five real texts
(:mod:`.corpus`) keep their own.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import corpus

FONDS = {
    "UBND-DN": "Ủy ban nhân dân tỉnh Đồng Nai",
    "SNV": "Sở Nội vụ tỉnh Đồng Nai",
    "THC-BH": "Tòa Hành chánh tỉnh Biên Hòa (1956–1975)",
}


@dataclass(frozen=True)
class DocSpec:
    """A document fixed in advance (a real text, or one a real text refers to)."""

    doc_type: str
    date: str
    summary: str = ""
    number: str = ""
    notation: str = ""
    issuer: str = ""  # "own" (the fonds), "partner" (the topic's partner), or a real text's name
    text: str = ""  # a corpus text name: the document is that real text


@dataclass(frozen=True)
class FileSpec:
    """One file of the demo catalogue."""

    fonds: str
    inventory: str
    year: int
    title: str
    topic: str
    subject: str  # noun phrase the document summaries are built from
    mode: str = "01"
    digitised: bool = True
    end_year: int | None = None
    months: tuple[int, int] | None = None  # the file covers these months of ``year``
    kinds: tuple[str, ...] = ()  # document types to generate (empty: picked by the topic)
    summaries: tuple[tuple[str, str], ...] = ()  # (type, trích yếu) for the first document of that type
    docs: tuple[DocSpec, ...] = ()
    retention: str = "01"
    condition: str = "01"
    language: str = "Tiếng Việt"
    keywords: str = ""
    notes: str = ""


def real(name: str, date: str) -> DocSpec:
    return DocSpec(doc_type="", date=date, text=name)


FILES: tuple[FileSpec, ...] = (
    # --- UBND tỉnh Đồng Nai, mục lục 01 (1976–2000) --------------------------------------------
    FileSpec("UBND-DN", "01", 1976, "Hồ sơ về việc thành lập tỉnh Đồng Nai trên cơ sở hợp nhất các tỉnh Biên Hòa, "
             "Long Khánh và Bà Rịa; bàn giao công tác giữa các cơ quan", "tochuc",
             "việc bàn giao công tác khi hợp nhất tỉnh", digitised=False, condition="02",
             keywords="thành lập tỉnh; hợp nhất tỉnh; địa giới hành chính; Biên Hòa; Long Khánh; Bà Rịa",
             kinds=("Quyết định", "Công văn", "Báo cáo", "Biên bản")),
    FileSpec("UBND-DN", "01", 1979, "Báo cáo tình hình khắc phục hậu quả chiến tranh, rà phá bom mìn và khai hoang "
             "phục hóa năm 1979", "haucanchien", "công tác rà phá bom mìn, khai hoang phục hóa", condition="02",
             keywords="hậu quả chiến tranh; rà phá bom mìn; khai hoang; kinh tế mới",
             kinds=("Báo cáo", "Công văn")),
    FileSpec("UBND-DN", "01", 1986, "Hồ sơ tổng kết 10 năm xây dựng và phát triển tỉnh Đồng Nai (1976–1986)", "kinhte",
             "tổng kết 10 năm xây dựng và phát triển tỉnh", digitised=False, retention="01",
             keywords="tổng kết; kinh tế - xã hội; 10 năm", kinds=("Kế hoạch", "Báo cáo", "Công văn", "Thông báo"),
             summaries=(("Kế hoạch", "Tổ chức tổng kết 10 năm xây dựng và phát triển tỉnh"),
                        ("Báo cáo", "Tổng kết 10 năm xây dựng và phát triển tỉnh Đồng Nai (1976–1986)"))),
    FileSpec("UBND-DN", "01", 1991, "Hồ sơ về việc điều chỉnh địa giới hành chính, bàn giao các huyện Châu Thành, "
             "Long Đất, Xuyên Mộc về tỉnh Bà Rịa – Vũng Tàu", "tochuc",
             "việc bàn giao các huyện Châu Thành, Long Đất, Xuyên Mộc về tỉnh Bà Rịa – Vũng Tàu",
             keywords="địa giới hành chính; Bà Rịa - Vũng Tàu; bàn giao; Xuyên Mộc",
             kinds=("Công văn", "Quyết định", "Biên bản")),
    FileSpec("UBND-DN", "01", 1995, "Hồ sơ về việc thành lập và quy hoạch chi tiết Khu công nghiệp Biên Hòa II",
             "kinhte", "quy hoạch chi tiết Khu công nghiệp Biên Hòa II",
             keywords="khu công nghiệp; Biên Hòa II; quy hoạch; đầu tư", kinds=("Tờ trình", "Quyết định", "Công văn")),
    FileSpec("UBND-DN", "01", 1997, "Hồ sơ giải quyết khiếu nại về đền bù giải tỏa mở rộng đường Cách Mạng Tháng Tám, "
             "thành phố Biên Hòa của bà Lê Thị Hoa", "khieunai",
             "giải quyết khiếu nại của bà Lê Thị Hoa về đền bù giải tỏa", mode="02", digitised=False, retention="02",
             keywords="khiếu nại; đền bù; giải tỏa; Biên Hòa", notes="Có thông tin cá nhân của người khiếu nại.",
             kinds=("Đơn", "Báo cáo", "Quyết định")),
    FileSpec("UBND-DN", "01", 1993, "Hồ sơ về công tác bảo vệ bí mật nhà nước năm 1993", "baomat",
             "công tác bảo vệ bí mật nhà nước năm 1993", mode="03", digitised=False,
             keywords="bí mật nhà nước; bảo mật", kinds=("Chỉ thị", "Báo cáo")),
    FileSpec("UBND-DN", "01", 2000, "Hồ sơ khắc phục hậu quả mưa lũ năm 2000 tại các huyện Tân Phú, Định Quán",
             "thientai", "khắc phục hậu quả mưa lũ tại các huyện Tân Phú, Định Quán", months=(9, 12), condition="02",
             keywords="lũ lụt; thiên tai; Tân Phú; Định Quán; cứu trợ", kinds=("Báo cáo", "Công văn", "Quyết định")),
    # --- UBND tỉnh Đồng Nai, mục lục 02 (2001–2023) --------------------------------------------
    FileSpec("UBND-DN", "02", 2002, "Hồ sơ về việc xếp hạng di tích lịch sử – văn hóa Văn miếu Trấn Biên", "vanhoa",
             "xếp hạng di tích lịch sử – văn hóa Văn miếu Trấn Biên",
             keywords="di tích; Văn miếu Trấn Biên; văn hóa; xếp hạng", kinds=("Tờ trình", "Quyết định")),
    FileSpec("UBND-DN", "02", 2003, "Hồ sơ về việc thành lập thị xã Long Khánh và các phường, xã trực thuộc", "tochuc",
             "việc thành lập thị xã Long Khánh",
             keywords="thị xã Long Khánh; đơn vị hành chính; thành lập", kinds=("Tờ trình", "Công văn", "Báo cáo")),
    FileSpec("UBND-DN", "02", 2004, "Hồ sơ tổ chức thi tuyển công chức hành chính năm 2004", "tochuc",
             "tổ chức thi tuyển công chức hành chính năm 2004", mode="02", retention="02",
             keywords="thi tuyển; công chức; tuyển dụng", notes="Danh sách thí sinh có thông tin cá nhân.",
             kinds=("Kế hoạch", "Quyết định", "Thông báo")),
    FileSpec("UBND-DN", "02", 2005, "Hồ sơ thanh tra việc quản lý, sử dụng đất của các nông, lâm trường quốc "
             "doanh trên địa bàn tỉnh", "datdai",
             "thanh tra việc quản lý, sử dụng đất của các nông, lâm trường quốc doanh", mode="02",
             digitised=False, end_year=2006, keywords="thanh tra; đất đai; nông trường; lâm trường",
             kinds=("Quyết định", "Báo cáo", "Thông báo", "Công văn")),
    FileSpec("UBND-DN", "02", 2008, "Hồ sơ tổ chức kỷ niệm 310 năm hình thành và phát triển vùng đất Biên Hòa "
             "– Đồng Nai (1698–2008)", "vanhoa", "tổ chức các hoạt động kỷ niệm 310 năm vùng đất Biên Hòa – Đồng Nai",
             keywords="kỷ niệm; 310 năm; Biên Hòa - Đồng Nai; lễ hội", kinds=("Kế hoạch", "Quyết định", "Báo cáo")),
    FileSpec("UBND-DN", "02", 2010, "Hồ sơ triển khai Chương trình mục tiêu quốc gia xây dựng nông thôn mới trên địa "
             "bàn tỉnh giai đoạn 2010–2020", "kinhte", "Chương trình xây dựng nông thôn mới giai đoạn 2010–2020",
             keywords="nông thôn mới; chương trình mục tiêu quốc gia; nông nghiệp",
             kinds=("Kế hoạch", "Quyết định", "Công văn")),
    FileSpec("UBND-DN", "02", 2011, "Hồ sơ về việc đặt tên, đổi tên đường trên địa bàn thành phố Biên Hòa năm 2011",
             "vanhoa", "việc đặt tên, đổi tên đường trên địa bàn thành phố Biên Hòa",
             keywords="đặt tên đường; Biên Hòa; đô thị", kinds=("Tờ trình", "Công văn", "Quyết định")),
    FileSpec("UBND-DN", "02", 2012, "Hồ sơ về công tác phòng cháy, chữa cháy rừng mùa khô 2012–2013", "rung",
             "công tác phòng cháy, chữa cháy rừng mùa khô 2012–2013", digitised=False, end_year=2013,
             keywords="phòng cháy; chữa cháy rừng; kiểm lâm; mùa khô", kinds=("Chỉ thị", "Kế hoạch", "Báo cáo")),
    FileSpec("UBND-DN", "02", 2013, "Hồ sơ giải quyết đơn tố cáo của công dân đối với cán bộ địa chính xã Phước Tân, "
             "thành phố Biên Hòa", "khieunai", "xác minh nội dung tố cáo đối với cán bộ địa chính xã Phước Tân",
             mode="03", keywords="tố cáo; địa chính; xác minh",
             notes="Có thông tin của người tố cáo; phải giữ bí mật theo Luật Tố cáo.",
             kinds=("Quyết định", "Báo cáo", "Thông báo")),
    FileSpec("UBND-DN", "02", 2014, "Hồ sơ về công tác bảo vệ bí mật nhà nước năm 2014", "baomat",
             "công tác bảo vệ bí mật nhà nước năm 2014", mode="03",
             keywords="bí mật nhà nước; bảo mật; kiểm tra", kinds=("Kế hoạch", "Báo cáo")),
    FileSpec("UBND-DN", "02", 2015, "Báo cáo tình hình kinh tế – xã hội năm 2015 và nhiệm vụ, giải pháp năm 2016",
             "kinhte", "tình hình kinh tế – xã hội năm 2015", months=(11, 12),
             keywords="kinh tế - xã hội; báo cáo năm; kế hoạch", kinds=("Báo cáo", "Thông báo")),
    FileSpec("UBND-DN", "02", 2016, "Hồ sơ về bầu cử đại biểu Quốc hội khóa XIV và đại biểu HĐND các cấp nhiệm kỳ "
             "2016–2021", "tochuc", "công tác bầu cử đại biểu Quốc hội khóa XIV và đại biểu HĐND các cấp",
             digitised=False, keywords="bầu cử; Quốc hội; Hội đồng nhân dân",
             kinds=("Kế hoạch", "Quyết định", "Công văn", "Báo cáo", "Báo cáo"),
             summaries=(("Quyết định", "Về việc thành lập Tổ giúp việc Ủy ban bầu cử tỉnh"),)),
    FileSpec("UBND-DN", "02", 2017, "Hồ sơ khen thưởng tập thể, cá nhân có thành tích xuất sắc trong phong trào "
             "thi đua năm 2017", "khenthuong", "khen thưởng thành tích phong trào thi đua năm 2017",
             keywords="thi đua; khen thưởng; bằng khen", kinds=("Tờ trình", "Quyết định")),
    FileSpec("UBND-DN", "02", 2018, "Hồ sơ giải quyết khiếu nại của ông Trần Văn Tám, xã Phước Tân, thành phố Biên Hòa "
             "về bồi thường, hỗ trợ khi Nhà nước thu hồi đất", "khieunai",
             "giải quyết khiếu nại của ông Trần Văn Tám", mode="02", digitised=False, retention="02",
             keywords="khiếu nại; thu hồi đất; bồi thường", notes="Có thông tin cá nhân của người khiếu nại.",
             kinds=("Đơn", "Báo cáo", "Quyết định", "Thông báo")),
    FileSpec("UBND-DN", "02", 2019, "Hồ sơ phương án bảo đảm an ninh, trật tự tại các khu công nghiệp trên địa "
             "bàn tỉnh", "baomat", "phương án bảo đảm an ninh, trật tự tại các khu công nghiệp", mode="03",
             digitised=False,
             keywords="an ninh trật tự; khu công nghiệp; phương án", kinds=("Kế hoạch", "Công văn")),
    FileSpec("UBND-DN", "02", 2019, "Hồ sơ khắc phục hậu quả ngập úng trên địa bàn thành phố Biên Hòa mùa mưa năm 2019",
             "thientai", "khắc phục hậu quả ngập úng trên địa bàn thành phố Biên Hòa", months=(8, 11),
             keywords="ngập úng; thoát nước; Biên Hòa; thiên tai", kinds=("Báo cáo", "Thông báo", "Công văn")),
    FileSpec("UBND-DN", "02", 2020, "Hồ sơ về việc kiểm tra, đôn đốc thực hiện quy định về lập hồ sơ và lưu trữ hồ sơ "
             "điện tử năm 2020", "vtlt", "việc thực hiện quy định về công tác lưu trữ", months=(6, 9),
             keywords="lưu trữ; hồ sơ điện tử; văn thư; kiểm tra",
             docs=(
                 DocSpec("Công văn", "2020-06-01", "Về việc kiểm tra, đôn đốc các đơn vị, địa phương thực hiện việc "
                         "lập và lưu trữ hồ sơ điện tử", "6182", "UBND-KGVX", "own"),
                 DocSpec("Công văn", "2020-07-24", "Về kết quả tự kiểm tra việc thực hiện quy định về công tác lưu trữ "
                         "tại các đơn vị, địa phương", "2923", "SNV-VTLT", "partner"),
                 real(corpus.DONG_NAI, "2020-09-28"),
             )),
    FileSpec("UBND-DN", "02", 2020, "Hồ sơ về kết quả xác định Chỉ số cải cách hành chính năm 2020 của các sở, ban, "
             "ngành và UBND cấp huyện", "cchc", "xác định Chỉ số cải cách hành chính năm 2020",
             keywords="cải cách hành chính; PAR INDEX; chỉ số", kinds=("Kế hoạch", "Báo cáo", "Quyết định"),
             summaries=(("Quyết định", "Về việc phê duyệt kết quả xác định Chỉ số cải cách hành chính năm 2020 của "
                                       "các sở, ban, ngành và UBND cấp huyện"),)),
    FileSpec("UBND-DN", "02", 2021, "Hồ sơ triển khai các biện pháp cấp bách phòng, chống dịch COVID-19 trên địa bàn "
             "tỉnh (tháng 7–9/2021)", "covid", "các biện pháp cấp bách phòng, chống dịch COVID-19", months=(7, 9),
             keywords="COVID-19; phòng chống dịch; giãn cách xã hội; y tế",
             kinds=("Chỉ thị", "Công văn", "Thông báo", "Báo cáo")),
    FileSpec("UBND-DN", "02", 2021, "Hồ sơ hỗ trợ người lao động và người sử dụng lao động gặp khó khăn do đại dịch "
             "COVID-19 theo Nghị quyết số 68/NQ-CP", "ansinh",
             "hỗ trợ người lao động gặp khó khăn do đại dịch COVID-19",
             digitised=False, keywords="COVID-19; hỗ trợ; người lao động; an sinh xã hội",
             kinds=("Kế hoạch", "Quyết định", "Quyết định", "Báo cáo")),
    FileSpec("UBND-DN", "02", 2022, "Hồ sơ hỗ trợ các hộ gia đình chính sách, người có công nhân dịp Tết Nguyên đán "
             "Quý Mão 2023", "ansinh", "hỗ trợ gia đình chính sách, người có công nhân dịp Tết Nguyên đán Quý Mão 2023",
             mode="02", months=(11, 12), keywords="người có công; chính sách; Tết; hỗ trợ",
             notes="Danh sách kèm theo có thông tin cá nhân.", kinds=("Tờ trình", "Quyết định")),
    FileSpec("UBND-DN", "02", 2023, "Hồ sơ tổ chức Lễ kỷ niệm 325 năm hình thành và phát triển vùng đất Biên Hòa "
             "– Đồng Nai (1698–2023)", "vanhoa",
             "tổ chức Lễ kỷ niệm 325 năm hình thành và phát triển vùng đất Biên Hòa – Đồng Nai",
             keywords="kỷ niệm; 325 năm; Biên Hòa - Đồng Nai; triển lãm",
             kinds=("Kế hoạch", "Quyết định", "Thông báo")),
    # --- Sở Nội vụ tỉnh Đồng Nai ----------------------------------------------------------------
    FileSpec("SNV", "01", 2008, "Hồ sơ chỉnh lý tài liệu tồn đọng của các sở, ban, ngành giai đoạn 2008–2010", "vtlt",
             "chỉnh lý tài liệu tồn đọng, tích đống tại các sở, ban, ngành", end_year=2010,
             keywords="chỉnh lý; tài liệu tồn đọng; lưu trữ", kinds=("Kế hoạch", "Công văn", "Báo cáo")),
    FileSpec("SNV", "01", 2009, "Hồ sơ đào tạo, bồi dưỡng cán bộ, công chức cấp xã năm 2009", "tochuc",
             "đào tạo, bồi dưỡng cán bộ, công chức cấp xã năm 2009", digitised=False, retention="04",
             keywords="đào tạo; bồi dưỡng; công chức cấp xã", kinds=("Kế hoạch", "Công văn", "Báo cáo")),
    FileSpec("SNV", "01", 2010, "Hồ sơ về việc điều chỉnh địa giới hành chính, mở rộng thành phố Biên Hòa", "tochuc",
             "việc điều chỉnh địa giới hành chính, mở rộng thành phố Biên Hòa",
             keywords="địa giới hành chính; Biên Hòa; đô thị", kinds=("Tờ trình", "Công văn", "Báo cáo")),
    FileSpec("SNV", "01", 2011, "Hồ sơ áp dụng hệ thống quản lý chất lượng theo tiêu chuẩn TCVN ISO 9001:2008 tại các "
             "cơ quan hành chính", "cchc", "áp dụng hệ thống quản lý chất lượng TCVN ISO 9001:2008",
             digitised=False, retention="05", keywords="ISO 9001; cải cách hành chính; chất lượng",
             kinds=("Kế hoạch", "Báo cáo")),
    FileSpec("SNV", "01", 2013, "Hồ sơ xử lý kỷ luật cán bộ, công chức năm 2013", "tochuc",
             "xử lý kỷ luật cán bộ, công chức năm 2013", mode="02", digitised=False, retention="02",
             keywords="kỷ luật; công chức", notes="Có thông tin cá nhân.",
             kinds=("Báo cáo", "Tờ trình", "Quyết định")),
    FileSpec("SNV", "01", 2014, "Hồ sơ đề nghị phong tặng, truy tặng danh hiệu vinh dự nhà nước “Bà mẹ Việt Nam "
             "anh hùng” đợt năm 2014", "khenthuong",
             "đề nghị phong tặng, truy tặng danh hiệu “Bà mẹ Việt Nam anh hùng”",
             mode="02", keywords="Bà mẹ Việt Nam anh hùng; khen thưởng; người có công",
             notes="Danh sách có thông tin cá nhân và gia đình.", kinds=("Công văn", "Tờ trình")),
    FileSpec("SNV", "01", 2015, "Hồ sơ thẩm tra lý lịch, quy hoạch cán bộ lãnh đạo, quản lý giai đoạn 2015–2020",
             "tochuc", "quy hoạch cán bộ lãnh đạo, quản lý giai đoạn 2015–2020", mode="03", digitised=False,
             keywords="quy hoạch cán bộ; lý lịch; lãnh đạo", kinds=("Kế hoạch", "Báo cáo", "Tờ trình")),
    FileSpec("SNV", "01", 2016, "Hồ sơ tinh giản biên chế theo Nghị định số 108/2014/NĐ-CP đợt 1 năm 2016", "tochuc",
             "tinh giản biên chế đợt 1 năm 2016", mode="02", retention="02",
             keywords="tinh giản biên chế; Nghị định 108; chế độ chính sách",
             notes="Danh sách đối tượng có thông tin cá nhân.", kinds=("Công văn", "Tờ trình", "Quyết định")),
    FileSpec("SNV", "01", 2017, "Hồ sơ tổ chức thi tuyển công chức hành chính năm 2017", "tochuc",
             "tổ chức thi tuyển công chức hành chính năm 2017", mode="02", digitised=False, retention="02",
             keywords="thi tuyển; công chức; tuyển dụng", kinds=("Kế hoạch", "Thông báo", "Quyết định", "Báo cáo")),
    FileSpec("SNV", "01", 2018, "Hồ sơ thẩm định đề án vị trí việc làm của các cơ quan, tổ chức hành chính thuộc UBND "
             "tỉnh", "tochuc", "đề án vị trí việc làm của các cơ quan, tổ chức hành chính",
             keywords="vị trí việc làm; biên chế; thẩm định", kinds=("Công văn", "Báo cáo", "Tờ trình")),
    FileSpec("SNV", "01", 2019, "Tập tài liệu tham khảo kế hoạch công tác văn thư, lưu trữ năm 2019 của các tỉnh",
             "vtlt", "công tác văn thư, lưu trữ năm 2019", keywords="văn thư; lưu trữ; kế hoạch; Thanh Hóa",
             notes="Văn bản của các tỉnh gửi trao đổi kinh nghiệm.", docs=(real(corpus.THANH_HOA, "2019-02-19"),)),
    FileSpec("SNV", "01", 2019, "Hồ sơ hướng dẫn xây dựng Danh mục hồ sơ và lập hồ sơ công việc tại các cơ quan, tổ "
             "chức", "vtlt", "hướng dẫn xây dựng Danh mục hồ sơ và lập hồ sơ công việc",
             keywords="danh mục hồ sơ; lập hồ sơ; văn thư", kinds=("Công văn", "Kế hoạch")),
    FileSpec("SNV", "01", 2020, "Hồ sơ kiểm tra công tác văn thư, lưu trữ năm 2020", "vtlt",
             "kiểm tra công tác văn thư, lưu trữ năm 2020", keywords="kiểm tra; văn thư; lưu trữ; Kiên Giang",
             notes="Kèm tin bài của Sở Nội vụ tỉnh Kiên Giang để tham khảo.",
             docs=(
                 DocSpec("Kế hoạch", "2020-04-20", "Kiểm tra công tác văn thư, lưu trữ năm 2020", issuer="own"),
                 real(corpus.KIEN_GIANG_NEWS, "2020-09-21"),
                 DocSpec("Báo cáo", "2020-11-16", "Kết quả kiểm tra công tác văn thư, lưu trữ năm 2020",
                         issuer="own"),
             )),
    FileSpec("SNV", "01", 2020, "Hồ sơ xét tuyển viên chức sự nghiệp giáo dục năm 2020", "tochuc",
             "xét tuyển viên chức sự nghiệp giáo dục năm 2020", mode="02", digitised=False, retention="02",
             keywords="xét tuyển; viên chức; giáo dục", kinds=("Kế hoạch", "Thông báo", "Quyết định")),
    FileSpec("SNV", "01", 2021, "Tập tài liệu tham khảo văn bản chỉ đạo về công tác văn thư, lưu trữ của các tỉnh "
             "năm 2021", "vtlt", "công tác văn thư, lưu trữ năm 2021",
             keywords="văn thư; lưu trữ; chỉ thị; Hậu Giang; Quảng Trị",
             notes="Văn bản của các tỉnh gửi trao đổi kinh nghiệm; bản của tỉnh Hậu Giang chưa ghi số, ngày.",
             docs=(real(corpus.QUANG_TRI, "2021-06-25"), real(corpus.HAU_GIANG, "2021"))),
    FileSpec("SNV", "01", 2021, "Hồ sơ khen thưởng tập thể, cá nhân có thành tích trong công tác phòng, chống dịch "
             "COVID-19", "khenthuong", "khen thưởng thành tích phòng, chống dịch COVID-19", months=(10, 12),
             keywords="khen thưởng; COVID-19; thi đua", kinds=("Công văn", "Tờ trình", "Quyết định")),
    FileSpec("SNV", "01", 2022, "Hồ sơ sắp xếp, kiện toàn tổ chức bộ máy các cơ quan chuyên môn thuộc UBND tỉnh",
             "tochuc", "sắp xếp, kiện toàn tổ chức bộ máy các cơ quan chuyên môn",
             keywords="tổ chức bộ máy; sắp xếp; tinh gọn", kinds=("Kế hoạch", "Báo cáo", "Tờ trình")),
    FileSpec("SNV", "01", 2022, "Hồ sơ về công tác bảo vệ bí mật nhà nước trong ngành Nội vụ năm 2022", "baomat",
             "công tác bảo vệ bí mật nhà nước năm 2022", mode="03",
             keywords="bí mật nhà nước; bảo mật; Nội vụ", kinds=("Kế hoạch", "Báo cáo")),
    FileSpec("SNV", "01", 2023, "Hồ sơ số hóa tài liệu lưu trữ tại Lưu trữ lịch sử tỉnh năm 2023", "vtlt",
             "số hóa tài liệu lưu trữ tại Lưu trữ lịch sử tỉnh năm 2023",
             keywords="số hóa; tài liệu lưu trữ; Lưu trữ lịch sử; phòng đọc",
             kinds=("Kế hoạch", "Quyết định", "Báo cáo")),
    FileSpec("SNV", "01", 2023, "Hồ sơ giải quyết khiếu nại về kết quả xét tuyển viên chức năm 2023 của bà Nguyễn Thị "
             "Mai", "khieunai", "giải quyết khiếu nại của bà Nguyễn Thị Mai về kết quả xét tuyển", mode="02",
             digitised=False, retention="03", keywords="khiếu nại; xét tuyển; viên chức",
             notes="Có thông tin cá nhân của người khiếu nại.", kinds=("Đơn", "Báo cáo", "Quyết định")),
    # --- Tòa Hành chánh tỉnh Biên Hòa (1956–1975) -----------------------------------------------
    FileSpec("THC-BH", "01", 1957, "Hồ sơ về việc xây cất trường Trung học Ngô Quyền Biên Hòa", "rvn_giaoduc",
             "xây cất trường Trung học Ngô Quyền", condition="02",
             keywords="trường học; Ngô Quyền; xây cất; giáo dục", kinds=("Tờ trình", "Công văn", "Nghị định")),
    FileSpec("THC-BH", "01", 1959, "Hồ sơ về việc tu bổ cầu, đường trong tỉnh năm 1959", "rvn_kinhte",
             "tu bổ cầu, đường trong tỉnh", digitised=False, condition="02", language="Tiếng Việt; Tiếng Pháp",
             keywords="cầu đường; công chánh; Liên tỉnh lộ 24", kinds=("Phúc trình", "Công văn", "Công văn")),
    FileSpec("THC-BH", "01", 1960, "Hồ sơ tranh chấp ruộng đất tại xã Tân Uyên giữa ông Nguyễn Văn Sáu và ông Lê "
             "Văn Bảy", "rvn_diendia", "tranh chấp ruộng đất tại xã Tân Uyên", mode="02", condition="02",
             keywords="tranh chấp; ruộng đất; điền địa; Tân Uyên", notes="Có thông tin cá nhân của đương sự.",
             kinds=("Đơn", "Phúc trình", "Công văn")),
    FileSpec("THC-BH", "01", 1962, "Hồ sơ về giá lúa gạo và việc tiếp tế thực phẩm trong tỉnh năm 1962", "rvn_kinhte",
             "giá lúa gạo và việc tiếp tế thực phẩm", condition="02",
             keywords="lúa gạo; giá cả; tiếp tế", kinds=("Phúc trình", "Sự vụ văn thư")),
    FileSpec("THC-BH", "01", 1963, "Hồ sơ về việc thiết lập Khu kỹ nghệ Biên Hòa", "rvn_kinhte",
             "thiết lập Khu kỹ nghệ Biên Hòa", keywords="Khu kỹ nghệ Biên Hòa; công nghiệp; đất đai",
             kinds=("Công văn", "Phúc trình", "Nghị định")),
    FileSpec("THC-BH", "01", 1964, "Hồ sơ cứu trợ đồng bào nạn nhân hỏa hoạn tại xã Tân Mai", "rvn_xahoi",
             "cứu trợ đồng bào nạn nhân hỏa hoạn tại xã Tân Mai", digitised=False, condition="03",
             keywords="cứu trợ; hỏa hoạn; xã hội", notes="Tài liệu bị ẩm mốc, chữ mờ; hạn chế sử dụng bản gốc.",
             kinds=("Phúc trình", "Công văn")),
    FileSpec("THC-BH", "01", 1965, "Hồ sơ lý lịch công chức Tòa Hành chánh tỉnh Biên Hòa", "rvn_nhansu",
             "lý lịch công chức Tòa Hành chánh", mode="02", digitised=False, retention="02",
             keywords="lý lịch; công chức; nhân viên", notes="Có thông tin cá nhân.",
             kinds=("Sự vụ văn thư", "Công văn", "Nghị định")),
    FileSpec("THC-BH", "01", 1966, "Hồ sơ về hoạt động của Trường Mỹ nghệ thực hành Biên Hòa", "rvn_giaoduc",
             "hoạt động của Trường Mỹ nghệ thực hành Biên Hòa",
             keywords="Trường Mỹ nghệ; gốm Biên Hòa; giáo dục; thủ công", kinds=("Phúc trình", "Công văn")),
    FileSpec("THC-BH", "01", 1968, "Hồ sơ cấp giấy phép khai thác lâm sản tại quận Tân Uyên năm 1968", "rvn_kinhte",
             "cấp giấy phép khai thác lâm sản tại quận Tân Uyên", digitised=False, condition="02",
             keywords="lâm sản; giấy phép; Tân Uyên", kinds=("Đơn", "Công văn", "Nghị định")),
    FileSpec("THC-BH", "01", 1970, "Hồ sơ thống kê dân số và nhà cửa tỉnh Biên Hòa năm 1970", "rvn_xahoi",
             "thống kê dân số và nhà cửa trong tỉnh", keywords="dân số; thống kê; nhà cửa",
             kinds=("Sự vụ văn thư", "Phúc trình")),
    FileSpec("THC-BH", "01", 1971, "Hồ sơ về việc chủng ngừa đậu mùa và tiêm ngừa dịch tả trong tỉnh năm 1971",
             "rvn_yte", "chủng ngừa đậu mùa và tiêm ngừa dịch tả", keywords="y tế; chủng đậu; dịch tả; tiêm ngừa",
             kinds=("Thông cáo", "Phúc trình")),
    FileSpec("THC-BH", "01", 1972, "Phúc trình tình hình an ninh hằng tháng của các quận năm 1972", "rvn_anninh",
             "tình hình an ninh trong tỉnh", mode="03", keywords="an ninh; phúc trình; quận",
             kinds=("Phúc trình", "Phúc trình", "Sự vụ văn thư")),
    FileSpec("THC-BH", "01", 1973, "Hồ sơ về nhân sự và an ninh nội bộ Tòa Hành chánh năm 1973", "rvn_nhansu",
             "nhân sự và an ninh nội bộ", mode="03", digitised=False, keywords="nhân sự; an ninh nội bộ",
             kinds=("Sự vụ văn thư", "Phúc trình")),
    FileSpec("THC-BH", "01", 1974, "Hồ sơ về việc cho thuê sạp và chỉnh trang chợ Biên Hòa", "rvn_kinhte",
             "cho thuê sạp và chỉnh trang chợ Biên Hòa", condition="03",
             keywords="chợ Biên Hòa; tiểu thương; cho thuê sạp",
             notes="Tài liệu bị ẩm mốc, một số tờ rách mép; phục vụ bằng bản số hóa.",
             kinds=("Thông cáo", "Công văn")),
)
