"""Sentences the generated documents are written from, one bank per subject.

Each bank holds directives (``actions``), findings (``results``),
shortcomings (``problems``), the purpose of a plan and the legal bases in
force by year. The records-management bank also borrows the sentences of the
five real texts (:func:`.corpus.corpus_sentences`). Placeholders such as
``{n}`` are filled with plausible figures by :func:`fill`.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field


@dataclass
class Topic:
    partner: str  # key in orgs.ORGS
    dept: str  # the UBND department code in a công văn's notation (UBND-KGVX)
    actions: list[str]
    results: list[str]
    problems: list[str]
    purpose: str
    bases: list[tuple[int, int, str]] = field(default_factory=list)  # (from year, to year, legal basis)


def vn_number(value: int) -> str:
    """1246380 → "1.246.380"."""
    return f"{value:,}".replace(",", ".")


def fill(text: str, rng: random.Random) -> str:
    """Replace the placeholders of a bank sentence with figures."""
    values = {
        "n": vn_number(rng.randint(120, 980)), "n2": vn_number(rng.randint(40, 110)),
        "m": vn_number(rng.randint(1200, 9800)), "k": str(rng.randint(6, 38)), "k2": str(rng.randint(2, 5)),
        "pct": f"{rng.randint(81, 98)},{rng.randint(1, 9)}", "b": f"{rng.randint(12, 480)},{rng.randint(1, 9)}",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


TOPICS: dict[str, Topic] = {
    "vtlt": Topic(
        "snv", "KGVX",
        actions=[
            "Các sở, ban, ngành, UBND cấp huyện chỉ đạo văn thư cơ quan lập Danh mục hồ sơ ngay từ đầu năm; cán "
            "bộ, công chức, viên chức lập hồ sơ công việc và giao nộp vào Lưu trữ cơ quan đúng thời hạn.",
            "Sở Nội vụ chủ trì, phối hợp với các đơn vị liên quan hướng dẫn nghiệp vụ chỉnh lý, xác định giá trị "
            "tài liệu; thu nộp tài liệu có giá trị bảo quản vĩnh viễn vào Lưu trữ lịch sử tỉnh theo đúng quy định.",
            "Thủ trưởng các cơ quan, tổ chức bố trí kho lưu trữ đủ diện tích, trang bị giá, hộp, cặp và các thiết "
            "bị phòng cháy, chữa cháy để bảo quản an toàn tài liệu.",
            "Lưu trữ lịch sử tỉnh đẩy mạnh số hóa tài liệu có giá trị, xây dựng cơ sở dữ liệu tài liệu lưu trữ và "
            "tổ chức phục vụ độc giả khai thác tài liệu trên môi trường mạng.",
            "Các cơ quan, đơn vị thực hiện nghiêm việc lập hồ sơ điện tử trên Hệ thống quản lý văn bản và điều hành; "
            "không để tình trạng văn bản điện tử không được đưa vào hồ sơ.",
        ],
        results=[
            "Năm qua, {k} cơ quan, tổ chức đã giao nộp {m} hồ sơ, tương đương {n2} mét giá tài liệu vào Lưu trữ "
            "lịch sử tỉnh.",
            "Lưu trữ lịch sử tỉnh đã số hóa {m} hồ sơ với gần {n} nghìn trang tài liệu, phục vụ {n} lượt độc giả "
            "khai thác, sử dụng.",
            "Qua kiểm tra, {pct}% cơ quan, đơn vị đã ban hành Danh mục hồ sơ; công tác quản lý văn bản đi, đến cơ "
            "bản được thực hiện đúng quy định.",
        ],
        problems=[  # and the real texts' own ("Tuy nhiên …")
            "Việc lập hồ sơ công việc tại một số cơ quan còn mang tính hình thức; tài liệu tồn đọng, tích đống chưa "
            "được chỉnh lý, có nguy cơ hư hỏng.",
            "Kho lưu trữ của nhiều cơ quan chưa bảo đảm diện tích và trang thiết bị bảo quản theo quy định.",
        ],
        purpose="Nâng cao nhận thức và trách nhiệm của cán bộ, công chức, viên chức đối với công tác văn thư, lưu "
                "trữ; bảo vệ, bảo quản an toàn và phát huy giá trị tài liệu lưu trữ.",
        bases=[(2012, 2099, "Căn cứ Luật Lưu trữ ngày 11 tháng 11 năm 2011;"),
               (2020, 2099, "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác "
                            "văn thư;"),
               (2017, 2099, "Căn cứ Chỉ thị số 35/CT-TTg ngày 07 tháng 9 năm 2017 của Thủ tướng Chính phủ về tăng "
                            "cường công tác lập hồ sơ và giao nộp hồ sơ, tài liệu vào Lưu trữ cơ quan, Lưu trữ "
                            "lịch sử;"),
               (2001, 2011, "Căn cứ Pháp lệnh Lưu trữ quốc gia ngày 04 tháng 4 năm 2001;")],
    ),
    "covid": Topic(
        "syt", "KGVX",
        actions=[
            "Sở Y tế chủ trì, phối hợp với UBND các huyện, thành phố tổ chức xét nghiệm tầm soát SARS-CoV-2 cho "
            "người dân tại các khu vực có nguy cơ cao, hoàn thành trong thời gian sớm nhất.",
            "UBND các huyện, thành phố kích hoạt các tổ COVID cộng đồng, kiểm soát chặt chẽ việc đi lại của người "
            "dân; người dân chỉ ra khỏi nhà khi thật sự cần thiết.",
            "Ban Quản lý các Khu công nghiệp hướng dẫn doanh nghiệp thực hiện phương án “3 tại chỗ” hoặc “một cung "
            "đường, hai điểm đến”, bảo đảm an toàn cho người lao động.",
            "Sở Công Thương phối hợp với các địa phương bảo đảm cung ứng lương thực, thực phẩm và hàng hóa thiết "
            "yếu cho người dân trong khu vực cách ly, phong tỏa.",
            "Công an tỉnh tăng cường kiểm tra, xử lý nghiêm các trường hợp vi phạm quy định về phòng, chống dịch.",
        ],
        results=[
            "Các cơ sở thu dung, điều trị trên địa bàn tỉnh đã tiếp nhận {m} người bệnh, trong đó {n} người đã khỏi "
            "bệnh và xuất viện.",
            "Các lực lượng tuyến đầu, tổ COVID cộng đồng đã phát huy vai trò giám sát người cách ly tại nhà, kịp "
            "thời phát hiện và báo cáo các trường hợp có triệu chứng.",
            "Hoạt động sản xuất tại các khu công nghiệp được duy trì; {n} doanh nghiệp với khoảng {m} người lao động "
            "thực hiện phương án “3 tại chỗ”.",
        ],
        problems=[
            "Việc truy vết, khoanh vùng ổ dịch tại một số địa phương còn chậm; công tác phối hợp giữa các lực lượng "
            "có lúc chưa chặt chẽ.",
            "Nhân lực y tế, trang thiết bị và sinh phẩm xét nghiệm còn thiếu so với yêu cầu khi số ca mắc tăng nhanh.",
        ],
        purpose="Chủ động kiểm soát, ngăn chặn sự lây lan của dịch bệnh, bảo vệ tối đa sức khỏe, tính mạng của "
                "Nhân dân; từng bước khôi phục hoạt động sản xuất, kinh doanh.",
        bases=[(2008, 2099, "Căn cứ Luật Phòng, chống bệnh truyền nhiễm ngày 21 tháng 11 năm 2007;"),
               (2020, 2099, "Căn cứ Chỉ thị số 16/CT-TTg ngày 31 tháng 3 năm 2020 của Thủ tướng Chính phủ về thực "
                            "hiện các biện pháp cấp bách phòng, chống dịch COVID-19;")],
    ),
    "cchc": Topic(
        "snv", "TH",
        actions=[
            "Các sở, ban, ngành, UBND cấp huyện tiếp tục rà soát, đơn giản hóa thủ tục hành chính, công khai đầy đủ "
            "thủ tục hành chính trên Cổng Dịch vụ công của tỉnh.",
            "Sở Nội vụ chủ trì, phối hợp với Văn phòng UBND tỉnh kiểm tra công tác cải cách hành chính tại ít nhất "
            "{k} cơ quan, đơn vị trong năm.",
            "Người đứng đầu các cơ quan, đơn vị chịu trách nhiệm trước Chủ tịch UBND tỉnh về kết quả thực hiện nhiệm "
            "vụ cải cách hành chính của cơ quan, đơn vị mình.",
            "Các cơ quan, đơn vị tự đánh giá, chấm điểm đầy đủ các tiêu chí, tiêu chí thành phần, kèm theo tài liệu "
            "kiểm chứng, gửi về Sở Nội vụ đúng thời hạn.",
        ],
        results=[
            "Trong năm, toàn tỉnh đã tiếp nhận {m} hồ sơ thủ tục hành chính, trong đó giải quyết đúng hạn đạt {pct}%.",
            "Chỉ số cải cách hành chính của các sở, ban, ngành đạt bình quân {pct} điểm, tăng so với năm trước.",
            "Bộ phận Một cửa các cấp được kiện toàn, bố trí công chức có năng lực, tinh thần trách nhiệm để tiếp "
            "nhận và trả kết quả.",
        ],
        problems=[
            "Tỷ lệ hồ sơ trực tuyến còn thấp; một số thủ tục hành chính còn giải quyết trễ hạn nhưng chưa có văn bản "
            "xin lỗi người dân.",
            "Công tác tự kiểm tra cải cách hành chính tại một số đơn vị còn hình thức, chưa gắn với trách nhiệm của "
            "người đứng đầu.",
        ],
        purpose="Nâng cao chất lượng, hiệu quả công tác cải cách hành chính, xây dựng nền hành chính phục vụ, "
                "chuyên nghiệp, hiện đại; lấy sự hài lòng của người dân, doanh nghiệp làm thước đo.",
        bases=[(2012, 2020, "Căn cứ Nghị quyết số 30c/NQ-CP ngày 08 tháng 11 năm 2011 của Chính phủ ban hành "
                            "Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011 - 2020;")],
    ),
    "thientai": Topic(
        "snn", "KTN",
        actions=[
            "UBND các huyện, thành phố rà soát các khu vực thường xuyên ngập úng, sạt lở; xây dựng phương án di dời, "
            "sơ tán dân đến nơi an toàn khi có tình huống xấu xảy ra.",
            "Sở Nông nghiệp và Phát triển nông thôn chủ trì kiểm tra an toàn các hồ chứa, đê bao, cống tiêu thoát "
            "nước; chủ động vận hành điều tiết hồ chứa theo quy trình.",
            "Sở Xây dựng phối hợp với UBND thành phố Biên Hòa khẩn trương nạo vét, khơi thông các tuyến cống, suối, "
            "kênh tiêu thoát nước trên địa bàn.",
            "Sở Tài chính tham mưu UBND tỉnh bố trí kinh phí dự phòng để kịp thời hỗ trợ các hộ dân bị thiệt hại.",
        ],
        results=[
            "Mưa lớn kéo dài đã gây ngập sâu từ 0,3 đến 1,2 m tại {k} khu vực, làm {n} căn nhà bị ngập, {m} ha cây "
            "trồng bị thiệt hại.",
            "Các lực lượng chức năng đã kịp thời di dời {n} hộ dân đến nơi an toàn; không có thiệt hại về người.",
            "Ước tổng giá trị thiệt hại khoảng {b} tỷ đồng; các địa phương đã cấp phát gạo, nước uống và nhu yếu "
            "phẩm cho các hộ bị ảnh hưởng.",
        ],
        problems=[
            "Hệ thống thoát nước tại một số khu dân cư chưa được đầu tư đồng bộ, nhiều tuyến suối bị lấn chiếm, bồi "
            "lắng làm hạn chế khả năng tiêu thoát nước.",
            "Công tác dự báo, cảnh báo ở cơ sở còn hạn chế; ý thức phòng, tránh thiên tai của một bộ phận người dân "
            "chưa cao.",
        ],
        purpose="Chủ động phòng ngừa, ứng phó kịp thời, khắc phục khẩn trương và có hiệu quả hậu quả thiên tai, bảo "
                "đảm an toàn tính mạng, tài sản của Nhân dân và Nhà nước.",
        bases=[(2014, 2099, "Căn cứ Luật Phòng, chống thiên tai ngày 19 tháng 6 năm 2013;")],
    ),
    "datdai": Topic(
        "stnmt", "KTN",
        actions=[
            "Sở Tài nguyên và Môi trường chủ trì kiểm tra, xác định nguồn gốc đất, thời điểm sử dụng đất làm cơ sở "
            "xem xét, giải quyết theo đúng quy định.",
            "Các nông, lâm trường rà soát hiện trạng quản lý, sử dụng đất; lập phương án sử dụng đất, bàn giao phần "
            "diện tích không có nhu cầu sử dụng về địa phương quản lý.",
            "UBND các huyện tăng cường kiểm tra, xử lý dứt điểm các trường hợp lấn chiếm, chuyển nhượng, cho thuê "
            "đất trái phép.",
        ],
        results=[
            "Qua kiểm tra, có {k} trường hợp sử dụng đất không đúng mục đích, {k2} trường hợp chuyển nhượng trái phép "
            "đã được lập biên bản, đề nghị xử lý.",
            "Tổng diện tích đất các nông, lâm trường đang quản lý là {m} ha, trong đó {n} ha đã giao khoán cho hộ "
            "gia đình, cá nhân.",
        ],
        problems=[
            "Hồ sơ địa chính qua nhiều thời kỳ không thống nhất, ranh giới nhiều thửa đất chưa được xác định rõ ngoài "
            "thực địa, gây khó khăn cho công tác quản lý.",
        ],
        purpose="Bảo đảm đất đai được quản lý, sử dụng đúng mục đích, tiết kiệm, hiệu quả, bảo vệ quyền và lợi "
                "ích hợp pháp của người sử dụng đất.",
        bases=[(2004, 2014, "Căn cứ Luật Đất đai ngày 26 tháng 11 năm 2003;"),
               (2014, 2099, "Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;")],
    ),
    "khenthuong": Topic(
        "btdkt", "TH",
        actions=[
            "Hội đồng Thi đua – Khen thưởng các cấp xét chọn, đề nghị khen thưởng bảo đảm đúng đối tượng, tiêu "
            "chuẩn, chú trọng khen thưởng người lao động trực tiếp.",
            "Ban Thi đua – Khen thưởng (Sở Nội vụ) thẩm định hồ sơ, tổng hợp danh sách, trình Chủ tịch UBND tỉnh "
            "xem xét, quyết định.",
            "Các cơ quan, đơn vị tổ chức trao tặng khen thưởng trang trọng, thiết thực; kịp thời biểu dương, nhân "
            "rộng các điển hình tiên tiến.",
        ],
        results=[
            "Phong trào thi đua yêu nước tiếp tục được triển khai sâu rộng với nhiều hình thức phong phú, thiết thực, "
            "gắn với thực hiện nhiệm vụ chính trị của từng cơ quan, đơn vị.",
            "Hội đồng Thi đua – Khen thưởng tỉnh đã xét, đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh cho {k} tập "
            "thể và {n} cá nhân có thành tích xuất sắc.",
            "Qua thẩm định, {k} hồ sơ đủ điều kiện, tiêu chuẩn; {k2} hồ sơ đề nghị bổ sung thành tích, minh chứng.",
        ],
        problems=[
            "Việc phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến ở một số đơn vị chưa được quan tâm đúng mức; "
            "hồ sơ đề nghị khen thưởng còn gửi chậm so với thời gian quy định.",
        ],
        purpose="Kịp thời động viên, khen thưởng các tập thể, cá nhân có thành tích xuất sắc, tạo động lực thúc "
                "đẩy phong trào thi đua yêu nước trên địa bàn tỉnh.",
        bases=[(2004, 2099, "Căn cứ Luật Thi đua, Khen thưởng ngày 26 tháng 11 năm 2003;"),
               (2018, 2099, "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ quy định chi "
                            "tiết thi hành một số điều của Luật Thi đua, Khen thưởng;")],
    ),
    "tochuc": Topic(
        "snv", "NC",
        actions=[
            "Các sở, ban, ngành rà soát chức năng, nhiệm vụ, cơ cấu tổ chức, bảo đảm không chồng chéo, trùng lắp; "
            "hoàn thành việc sắp xếp các phòng, đơn vị trực thuộc theo đúng quy định.",
            "Sở Nội vụ chủ trì thẩm định, tổng hợp tình hình biên chế, số lượng người làm việc; tham mưu UBND tỉnh "
            "giao chỉ tiêu biên chế năm sau.",
            "Thủ trưởng các cơ quan, đơn vị làm tốt công tác tư tưởng, bảo đảm chế độ, chính sách cho cán bộ, công "
            "chức, viên chức chịu tác động của việc sắp xếp.",
            "Hội đồng tuyển dụng tổ chức thi tuyển công khai, minh bạch, khách quan, đúng quy định; niêm yết kết "
            "quả tại trụ sở và trên Cổng thông tin điện tử của tỉnh.",
        ],
        results=[
            "Sau sắp xếp, giảm {k} phòng chuyên môn và {k2} đơn vị sự nghiệp công lập; số lượng lãnh đạo cấp phòng "
            "giảm {n2} người.",
            "Tổng số chỉ tiêu cần tuyển là {n2}, số thí sinh đăng ký dự tuyển là {n}, số thí sinh đủ điều kiện dự "
            "thi là {n}.",
            "Đến nay, {pct}% cơ quan, đơn vị đã có đề án được phê duyệt, làm cơ sở cho việc tuyển dụng, bố trí và "
            "quản lý cán bộ, công chức.",
        ],
        problems=[
            "Việc xây dựng bản mô tả công việc và khung năng lực của từng vị trí việc làm tại một số đơn vị còn "
            "chung chung, chưa sát thực tế.",
        ],
        purpose="Tiếp tục sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả gắn với tinh giản biên chế "
                "và cơ cấu lại đội ngũ cán bộ, công chức, viên chức.",
        bases=[(2010, 2099, "Căn cứ Luật Cán bộ, công chức ngày 13 tháng 11 năm 2008;"),
               (2015, 2099, "Căn cứ Nghị định số 108/2014/NĐ-CP ngày 20 tháng 11 năm 2014 của Chính phủ về chính "
                            "sách tinh giản biên chế;")],
    ),
    "vanhoa": Topic(
        "svhttdl", "KGVX",
        actions=[
            "Sở Văn hóa, Thể thao và Du lịch chủ trì xây dựng kịch bản, tổ chức chương trình nghệ thuật và các hoạt "
            "động văn hóa, thể thao chào mừng.",
            "Báo Đồng Nai, Đài Phát thanh – Truyền hình Đồng Nai mở chuyên trang, chuyên mục tuyên truyền về truyền "
            "thống lịch sử, văn hóa của vùng đất Biên Hòa – Đồng Nai.",
            "UBND thành phố Biên Hòa chỉnh trang đô thị, trang trí cờ, hoa, băng rôn trên các tuyến đường chính và "
            "tại khu vực tổ chức lễ.",
            "Bảo tàng Đồng Nai phối hợp với Lưu trữ lịch sử tỉnh tổ chức trưng bày tài liệu, hiện vật, hình ảnh về "
            "quá trình hình thành và phát triển của tỉnh.",
            "Hội đồng tư vấn đặt tên đường lấy ý kiến rộng rãi của Nhân dân về danh sách tên đường trước khi trình "
            "HĐND tỉnh xem xét, quyết định.",
        ],
        results=[
            "Các hoạt động được tổ chức trang trọng, an toàn, tiết kiệm, thu hút đông đảo các tầng lớp Nhân dân "
            "tham gia.",
            "Triển lãm đã giới thiệu {n} tài liệu, hình ảnh, hiện vật, đón hơn {m} lượt khách tham quan.",
            "Công trình có giá trị tiêu biểu về lịch sử, văn hóa, kiến trúc; hồ sơ khoa học đã được lập đầy đủ theo "
            "quy định.",
        ],
        problems=[
            "Kinh phí xã hội hóa cho các hoạt động còn hạn chế; việc phối hợp giữa một số đơn vị trong khâu chuẩn bị "
            "còn chậm.",
        ],
        purpose="Giáo dục truyền thống yêu nước, khơi dậy niềm tự hào về vùng đất, con người Biên Hòa – Đồng Nai; "
                "quảng bá hình ảnh của tỉnh đến bạn bè trong nước và quốc tế.",
        bases=[(2002, 2099, "Căn cứ Luật Di sản văn hóa ngày 29 tháng 6 năm 2001;")],
    ),
    "kinhte": Topic(
        "skhdt", "KTNS",
        actions=[
            "Sở Kế hoạch và Đầu tư chủ trì tổng hợp, đánh giá tình hình thực hiện các chỉ tiêu kinh tế – xã hội, "
            "báo cáo UBND tỉnh trước ngày 15 hằng tháng.",
            "Ban Quản lý các Khu công nghiệp đẩy nhanh tiến độ đầu tư hạ tầng kỹ thuật, hệ thống xử lý nước thải "
            "tập trung; tăng cường xúc tiến, thu hút đầu tư.",
            "UBND các huyện, thành phố tập trung tháo gỡ khó khăn, vướng mắc trong công tác bồi thường, giải phóng "
            "mặt bằng các dự án trọng điểm.",
            "Các sở, ngành đẩy mạnh giải ngân vốn đầu tư, xử lý nghiêm các trường hợp chậm trễ, gây cản trở tiến độ.",
        ],
        results=[
            "Tổng sản phẩm trên địa bàn tăng {pct}% so với năm trước; cơ cấu kinh tế tiếp tục chuyển dịch theo "
            "hướng công nghiệp – dịch vụ.",
            "Thu ngân sách nhà nước trên địa bàn ước đạt {m} tỷ đồng, đạt {pct}% dự toán.",
            "Trong năm đã cấp mới giấy chứng nhận đầu tư cho {k} dự án với tổng vốn đăng ký {n} triệu USD.",
        ],
        problems=[
            "Tiến độ giải ngân vốn đầu tư còn chậm; công tác bồi thường, giải phóng mặt bằng một số dự án kéo dài.",
        ],
        purpose="Đánh giá đầy đủ, khách quan tình hình thực hiện nhiệm vụ phát triển kinh tế – xã hội, đề ra giải "
                "pháp phù hợp để hoàn thành các chỉ tiêu kế hoạch.",
    ),
    "haucanchien": Topic(
        "tnn", "KT",
        actions=[
            "Bộ Chỉ huy quân sự tỉnh phối hợp với các huyện tổ chức rà phá bom mìn, vật nổ còn sót lại trên các khu "
            "vực khai hoang, bảo đảm an toàn cho Nhân dân sản xuất.",
            "Ty Nông nghiệp hướng dẫn các hợp tác xã, tập đoàn sản xuất khai hoang phục hóa, mở rộng diện tích gieo "
            "trồng lúa, hoa màu.",
            "UBND các huyện tổ chức đưa dân đi xây dựng vùng kinh tế mới, bảo đảm các điều kiện ăn, ở, sản xuất "
            "ban đầu cho đồng bào.",
        ],
        results=[
            "Trong năm đã rà phá được {n} ha, thu gom, hủy {m} quả bom, mìn, đạn các loại.",
            "Toàn tỉnh đã khai hoang, phục hóa {m} ha đất canh tác, đưa {n} hộ đi vùng kinh tế mới.",
        ],
        problems=[
            "Còn xảy ra một số vụ tai nạn do bom mìn trong lúc khai hoang; vật tư, phương tiện phục vụ rà phá còn "
            "thiếu.",
        ],
        purpose="Khắc phục hậu quả chiến tranh, ổn định đời sống Nhân dân, đẩy mạnh sản xuất nông nghiệp.",
    ),
    "khieunai": Topic(
        "ttt", "NC",
        actions=[
            "Thanh tra tỉnh tiến hành xác minh nội dung đơn, báo cáo kết quả và kiến nghị biện pháp xử lý trong thời "
            "hạn 30 ngày.",
            "Cơ quan, cá nhân có liên quan có trách nhiệm cung cấp đầy đủ thông tin, tài liệu theo yêu cầu của Tổ "
            "xác minh.",
            "Áp dụng biện pháp giữ bí mật thông tin của người tố cáo; không tiết lộ họ tên, địa chỉ, bút tích của "
            "người tố cáo.",
        ],
        results=[
            "Qua xác minh, nội dung đơn có {k2} nội dung đúng một phần, các nội dung còn lại không có cơ sở.",
            "Cán bộ bị tố cáo đã có thiếu sót khi ký xác nhận hồ sơ chuyển nhượng đất mà chưa kiểm tra đầy đủ nguồn "
            "gốc sử dụng đất.",
        ],
        problems=[
            "Hồ sơ địa chính lưu tại UBND xã không đầy đủ, gây khó khăn cho việc xác minh.",
        ],
        purpose="Giải quyết đơn đúng thẩm quyền, trình tự, thời hạn; bảo vệ quyền và lợi ích hợp pháp của công dân.",
        bases=[(2012, 2018, "Căn cứ Luật Tố cáo ngày 11 tháng 11 năm 2011;"),
               (2012, 2099, "Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011;"),
               (1999, 2011, "Căn cứ Luật Khiếu nại, tố cáo ngày 02 tháng 12 năm 1998;")],
    ),
    "baomat": Topic(
        "cat", "NC",
        actions=[
            "Thủ trưởng các cơ quan, đơn vị rà soát, xác định độ mật đối với văn bản, tài liệu; ban hành danh mục bí "
            "mật nhà nước thuộc phạm vi quản lý.",
            "Việc soạn thảo, in, sao, chụp tài liệu mật phải thực hiện trên máy tính, thiết bị không kết nối mạng "
            "Internet và được người có thẩm quyền cho phép.",
            "Công an tỉnh phối hợp với Sở Nội vụ kiểm tra công tác bảo vệ bí mật nhà nước tại các cơ quan, đơn vị; "
            "kịp thời phát hiện, xử lý vi phạm.",
        ],
        results=[
            "Trong năm, các cơ quan, đơn vị đã quản lý {n} văn bản mật đến và {k} văn bản mật đi, không để xảy ra "
            "lộ, mất bí mật nhà nước.",
            "Đã tổ chức {k2} lớp tập huấn nghiệp vụ bảo vệ bí mật nhà nước cho {n} cán bộ, công chức làm công tác văn "
            "thư, lưu trữ, cơ yếu.",
        ],
        problems=[
            "Một số đơn vị còn sử dụng máy tính có kết nối Internet để soạn thảo văn bản mật; sổ đăng ký văn bản mật "
            "ghi chép chưa đầy đủ.",
        ],
        purpose="Bảo vệ tuyệt đối an toàn bí mật nhà nước; nâng cao ý thức, trách nhiệm của cán bộ, công chức trong "
                "công tác bảo vệ bí mật nhà nước.",
        bases=[(2001, 2020, "Căn cứ Pháp lệnh Bảo vệ bí mật nhà nước ngày 28 tháng 12 năm 2000;"),
               (2020, 2099, "Căn cứ Luật Bảo vệ bí mật nhà nước ngày 15 tháng 11 năm 2018;")],
    ),
    "ansinh": Topic(
        "sldtbxh", "KGVX",
        actions=[
            "Sở Lao động – Thương binh và Xã hội chủ trì rà soát, thẩm định danh sách đối tượng được hỗ trợ, bảo đảm "
            "đúng đối tượng, công khai, minh bạch.",
            "UBND các xã, phường, thị trấn niêm yết công khai danh sách tại trụ sở và nhà văn hóa ấp, khu phố trong "
            "thời gian 05 ngày làm việc.",
            "Kho bạc Nhà nước tỉnh phối hợp chi trả kịp thời kinh phí hỗ trợ cho các đối tượng trước Tết Nguyên đán.",
        ],
        results=[
            "Tổng số đối tượng được hỗ trợ là {m} người, với tổng kinh phí {b} tỷ đồng từ nguồn ngân sách tỉnh.",
            "Danh sách kèm theo gồm họ tên, năm sinh, địa chỉ thường trú, diện đối tượng và mức hỗ trợ của từng "
            "người.",
        ],
        problems=[
            "Việc rà soát, cập nhật biến động đối tượng tại một số xã, phường còn chậm.",
        ],
        purpose="Thể hiện sự quan tâm của Đảng, Nhà nước đối với người có công, gia đình chính sách; bảo đảm mọi "
                "người, mọi nhà đều được vui xuân, đón Tết.",
        bases=[(2021, 2099, "Căn cứ Pháp lệnh Ưu đãi người có công với cách mạng ngày 09 tháng 12 năm 2020;")],
    ),
    "rung": Topic(
        "cckl", "KTN",
        actions=[
            "Chi cục Kiểm lâm bố trí lực lượng trực 24/24 giờ tại các vùng rừng trọng điểm có nguy cơ cháy cao trong "
            "suốt mùa khô.",
            "Các chủ rừng phát dọn thực bì, làm đường băng cản lửa, chuẩn bị đầy đủ phương tiện, dụng cụ chữa cháy "
            "theo phương châm “bốn tại chỗ”.",
        ],
        results=["Trong mùa khô đã xảy ra {k2} vụ cháy thực bì dưới tán rừng, được phát hiện và dập tắt kịp thời."],
        problems=["Một số chủ rừng chưa bố trí đủ lực lượng chuyên trách bảo vệ rừng."],
        purpose="Chủ động phòng cháy, chữa cháy rừng trong mùa khô, hạn chế thấp nhất thiệt hại do cháy rừng gây ra.",
        bases=[(2005, 2099, "Căn cứ Luật Bảo vệ và Phát triển rừng ngày 03 tháng 12 năm 2004;")],
    ),
    # --- Republic of Vietnam, province of Biên Hòa ---------------------------------------------
    "rvn_giaoduc": Topic(
        "ty_congchanh", "",
        actions=[
            "Yêu cầu Ông Hiệu trưởng lập danh sách giáo sư, học sinh và nhu cầu bàn ghế, dụng cụ giảng huấn cho niên "
            "khóa tới, gởi về Tòa Hành chánh trước ngày 15 tháng tới.",
            "Ty Công chánh lo việc đấu thầu, giám sát thi công và nghiệm thu công trình theo đúng họa đồ đã được "
            "duyệt y.",
            "Ngân sách tỉnh đài thọ các khoản chi phí nói trên; phần còn lại do Hội Phụ huynh học sinh đóng góp.",
        ],
        results=[
            "Trường hiện có {k} lớp với {n} học sinh; số phòng học hiện hữu không đủ, nhiều lớp phải học hai buổi luân "
            "phiên.",
            "Ty Công chánh đã lập dự toán xây cất thêm bốn phòng học bằng gạch, mái ngói, tổng số tiền là {m}.000 "
            "đồng.",
            "Trường hiện có ba ban: gốm, đúc đồng và chạm gỗ; sản phẩm gốm men của trường được trưng bày tại nhiều "
            "hội chợ trong và ngoài nước.",
        ],
        problems=["Nhiều bàn ghế đã hư hỏng, mái phòng học bị dột trong mùa mưa."],
        purpose="",
    ),
    "rvn_kinhte": Topic(
        "ty_kinhte", "",
        actions=[
            "Yêu cầu Quý Ông Quận Trưởng phổ biến rộng rãi đến các xã trực thuộc và theo dõi giá cả thị trường, "
            "phúc trình về Tòa Hành chánh mỗi tuần.",
            "Các nhà kỹ nghệ xin thuê đất phải nộp đơn kèm theo dự án, sơ đồ và bản kê khai số vốn, số nhân công "
            "dự trù.",
            "Tiểu thương được thuê sạp phải đóng tiền thuê trước ngày mồng năm mỗi tháng tại văn phòng Quản lý chợ "
            "và giữ gìn vệ sinh chung.",
        ],
        results=[
            "Giá lúa tại các quận trong tháng dao động từ {k}0 đến {k}5 đồng một giạ; giá gạo thường tại chợ Biên "
            "Hòa không có gì thay đổi đáng kể.",
            "Khu kỹ nghệ Biên Hòa được thiết lập trên diện tích chừng 370 mẫu tây, tại quận Đức Tu, gần Quốc lộ 1 "
            "và đường xe lửa xuyên Việt.",
            "Chợ Biên Hòa hiện có {n} sạp, trong đó {k} sạp bị hư hại cần được sửa chữa trước mùa mưa.",
        ],
        problems=["Việc chuyên chở lúa gạo từ các quận về tỉnh lỵ gặp nhiều trở ngại vì đường sá hư hỏng."],
        purpose="",
    ),
    "rvn_diendia": Topic(
        "ty_diendia", "",
        actions=[
            "Ty Điền địa đề nghị cho đo đạc lại ranh giới thửa ruộng với sự hiện diện của Hội đồng xã và hai bên "
            "đương sự.",
            "Yêu cầu Ông Quận Trưởng Tân Uyên triệu tập hai bên đương sự để hòa giải và phúc trình kết quả.",
        ],
        results=[
            "Theo địa bộ xã Tân Uyên, thửa ruộng số {n} diện tích {k2} mẫu {k2} sào đứng bộ tên ông Nguyễn Văn Sáu.",
            "Hai bên đương sự đã được mời đến Ty Điền địa để hòa giải nhưng không đi đến kết quả.",
        ],
        problems=["Địa bộ của xã bị thất lạc một phần trong thời gian chiến tranh."],
        purpose="",
    ),
    "rvn_xahoi": Topic(
        "ty_xahoi", "",
        actions=[
            "Yêu cầu các Ông Quận Trưởng đôn đốc Hội đồng xã hoàn tất bản kiểm kê dân số và nhà cửa, gởi về Tòa "
            "Hành chánh trước cuối tháng.",
            "Ty Xã hội phân phát gạo, nước mắm và tiền mặt cho các gia đình nạn nhân theo danh sách đã được duyệt.",
        ],
        results=[
            "Theo kết quả kiểm kê, dân số toàn tỉnh tính đến ngày 30 tháng 6 là {m}00 người, phân phối trong các "
            "quận Đức Tu, Dĩ An, Công Thanh, Tân Uyên, Long Thành và Nhơn Trạch.",
            "Toàn tỉnh có {m} căn nhà, trong đó {pct}% là nhà lá, vách ván.",
        ],
        problems=["Việc kiểm kê tại một số ấp xa quận lỵ còn chậm trễ."],
        purpose="",
    ),
    "rvn_yte": Topic(
        "ty_yte", "",
        actions=[
            "Yêu cầu Quý Ông Quận Trưởng thông báo cho đồng bào biết ngày giờ các toán y tế đến xã để đồng bào đến "
            "chủng ngừa đông đủ.",
            "Các trẻ em chưa được chủng đậu và những người chưa tiêm ngừa dịch tả trong năm phải đến các trạm y tế "
            "gần nhất.",
        ],
        results=[
            "Trong tháng, các toán lưu động của Ty Y tế đã chủng đậu cho {m} người và tiêm ngừa dịch tả cho {m} "
            "người tại các quận.",
            "Không ghi nhận trường hợp dịch tả nào trong tỉnh; các trạm y tế xã đều được cấp thêm thuốc men.",
        ],
        problems=["Thuốc chủng đậu phải giữ lạnh nhưng nhiều trạm y tế xã chưa có tủ lạnh."],
        purpose="",
    ),
    "rvn_anninh": Topic(
        "ty_canhsat", "",
        actions=[
            "Đề nghị tăng cường thêm nhân viên Cảnh sát tại các trạm kiểm soát trên Quốc lộ 1 và Liên tỉnh lộ 24.",
            "Yêu cầu các Ông Quận Trưởng phúc trình tình hình an ninh trong quận trước ngày mồng năm mỗi tháng.",
        ],
        results=[
            "Tình hình an ninh trong tháng tương đối ổn định; các cuộc tuần tiễu được thực hiện đều đặn tại các xã "
            "ven quận lỵ.",
            "Trong tháng đã xảy ra {k} vụ trộm cắp tài sản; các thủ phạm đã bị bắt giữ và chuyển giao Tòa án.",
        ],
        problems=["Nhân viên tại một số trạm kiểm soát còn thiếu."],
        purpose="",
    ),
    "rvn_nhansu": Topic(
        "phong_nhanvien", "",
        actions=["Yêu cầu các nhân viên bổ túc hồ sơ cá nhân gồm bản sao khai sanh, văn bằng và chứng chỉ hạnh kiểm, "
                 "nộp tại Phòng Nhân viên trước cuối tháng."],
        results=["Tòa Hành chánh hiện có {n2} công chức và nhân viên, trong đó {k} người thuộc ngạch thơ ký hành "
                 "chánh."],
        problems=["Hồ sơ cá nhân của một số nhân viên còn thiếu sót."],
        purpose="",
    ),
}
