"""Turn the catalogue (:mod:`.catalogue`) into files with metadata and documents.

Everything is deterministic: each file draws from its own ``random.Random``
seeded with the demo seed and the file's code, so adding a file never changes
the others. Generated documents are written in the style of the real ones:
the same header, the same kinds of sentences (for records management, the
real sentences), numbers that grow through the year, references to the
earlier documents of the same file, and signatures of invented officials.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import corpus
from .catalogue import FILES, FONDS, FileSpec
from .letters import Letter, Para, long_date, short_date
from .orgs import SNV, THC, UBND, Org, districts, org_for
from .pages import page_count
from .topics import TOPICS, Topic, fill

SEED = 20250701  # Luật Lưu trữ 2024 takes effect
MAX_PAGES = 6  # a digitised demo file has 2–6 pages
MIN_PAGES = 2

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE_M = ("Văn", "Minh", "Hữu", "Quốc", "Thanh", "Đức", "Công", "Xuân")
MIDDLE_F = ("Thị", "Ngọc", "Thanh", "Thu", "Kim", "Bích")
GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Lâm", "Long", "Nam", "Phong", "Phúc", "Quang",
           "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Việt", "Lộc", "Tài", "Khải")
GIVEN_F = ("Hà", "Hương", "Lan", "Mai", "Nga", "Thảo", "Trang", "Yến", "Hạnh", "Loan", "Phượng", "Dung")

OWN = {"UBND-DN": UBND, "SNV": SNV, "THC-BH": THC}
FILE_PATTERNS = {
    "UBND-DN": (("Tờ trình", "Quyết định", "Công văn"), ("Kế hoạch", "Công văn", "Báo cáo"),
                ("Báo cáo", "Thông báo", "Công văn")),
    "SNV": (("Công văn", "Kế hoạch", "Báo cáo"), ("Báo cáo", "Công văn")),
    "THC-BH": (("Phúc trình", "Sự vụ văn thư"), ("Công văn", "Phúc trình")),
}
ABBREV = {"Quyết định": "QĐ", "Kế hoạch": "KH", "Báo cáo": "BC", "Tờ trình": "TTr", "Thông báo": "TB",
          "Chỉ thị": "CT", "Biên bản": "BB"}
# How many documents of each type an issuer numbers in a year, roughly: numbers grow with the date.
PER_YEAR = {"Công văn": 14000, "Quyết định": 4200, "Kế hoạch": 320, "Báo cáo": 600, "Tờ trình": 240,
            "Thông báo": 700, "Chỉ thị": 30, "Biên bản": 60}


def person(rng: random.Random, female: bool | None = None) -> str:
    """An invented Vietnamese name."""
    if female is None:
        female = rng.random() < 0.4
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    return f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"


def official(org: Org, year: int, deputy: bool) -> str:
    """The (invented) head or deputy of ``org`` in ``year``: the same person all year."""
    return person(random.Random(f"{SEED}:{org.code}:{year}:{deputy}"))


@dataclass
class BuiltFile:
    """A catalogue file ready for the manifest: metadata, documents, and the letters to scan."""

    spec: FileSpec
    file_code: str
    inventory_no: str
    box_no: str
    file_no: str
    start_date: str
    end_date: str
    pages: int
    sheets: int
    letters: list[Letter] = field(default_factory=list)
    doc_rows: list[dict[str, str]] = field(default_factory=list)

    @property
    def digitised(self) -> bool:
        return self.spec.digitised

    def manifest_row(self, scan: str) -> dict[str, str]:
        spec = self.spec
        return {
            "fonds_code": spec.fonds, "fonds_name": FONDS[spec.fonds], "inventory_no": self.inventory_no,
            "box_no": self.box_no, "file_no": self.file_no, "file_code": self.file_code, "title": spec.title,
            "start_date": self.start_date, "end_date": self.end_date, "retention": spec.retention,
            "mode": spec.mode, "language": spec.language, "keywords": spec.keywords, "sheets": str(self.sheets),
            "pages": str(self.pages), "condition": spec.condition, "notes": spec.notes, "scan": scan,
        }


# --- numbering and dates ----------------------------------------------------------------------------

def _day_of_year(value: date) -> int:
    return value.timetuple().tm_yday


def number_for(doc_type: str, issued: date, rng: random.Random, big: bool) -> str:
    """A number that fits the date: an issuer's n-th document of the year."""
    per_year = PER_YEAR.get(doc_type, 200) * (1 if big else 0.25)
    if issued.year < 1995:
        per_year *= 0.3
    return str(max(1, int(per_year * _day_of_year(issued) / 366) + rng.randint(0, 9)))


def notation_for(doc_type: str, org: Org, dept: str, year: int) -> str:
    """Ký hiệu: "QĐ-UBND", "UBND-KGVX", "SNV-VTLT", "TTr-SNV" …, in the style of ``year``."""
    if org.era == "rvn":
        return org.code
    code = org.code
    if code == "UBND" and year < 2004:
        code = "UBT"
    if doc_type == "Công văn":
        return f"{code}-{dept}" if dept and code in ("UBND", "SNV") else code
    abbrev = ABBREV.get(doc_type, "")
    return f"{abbrev}.{code}" if code == "UBT" else f"{abbrev}-{code}"


def _dates(spec: FileSpec, count: int, rng: random.Random) -> list[date]:
    """``count`` sorted document dates within the file's period (working days)."""
    if spec.months:
        start, end = date(spec.year, spec.months[0], 1), date(spec.year, spec.months[1], 28)
    else:
        start, end = date(spec.year, 1, 5), date(spec.end_year or spec.year, 12, 20)
    span = (end - start).days
    days = sorted(rng.sample(range(span), count)) if span >= count else list(range(count))
    result = []
    for offset in days:
        day = start + timedelta(days=offset)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        result.append(day)
    return sorted(result)


# --- writing documents ----------------------------------------------------------------------------

class Writer:
    """Writes the documents of one file, each aware of the ones before it."""

    def __init__(self, spec: FileSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.topic: Topic = TOPICS[spec.topic]
        self.own = OWN[spec.fonds]
        self.year = spec.year
        partner = org_for(self.topic.partner, spec.year)
        if partner.code == self.own.code:
            partner = UBND
        self.partner = partner
        self.previous: list[Letter] = []
        self.rvn = spec.fonds == "THC-BH"

    # -- helpers --
    def pick(self, items: list[str], k: int) -> list[str]:
        k = min(k, len(items))
        return [fill(s, self.rng) for s in self.rng.sample(items, k)]

    def actions(self, k: int) -> list[str]:
        items = list(self.topic.actions)
        if self.spec.topic == "vtlt":
            items += [s for s in corpus_sentences() if _is_directive(s)]
        return self.pick(items, k)

    def results(self, k: int) -> list[str]:
        return self.pick(self.topic.results, k)

    def problems(self, k: int) -> list[str]:
        items = list(self.topic.problems)
        if self.spec.topic == "vtlt":
            items += [s for s in corpus_sentences() if s.startswith(("Tuy nhiên", "Bên cạnh"))]
        return self.pick(items, k) if items else []

    def bases(self, when: date) -> list[str]:
        laws = [text for start, end, text in self.topic.bases if start <= when.year <= end]
        return [_local_government_law(when.year)] + laws[:2]

    def reference(self, letter: Letter) -> str:
        """"Kế hoạch số 12/KH-UBND ngày 04/3/2020 của UBND tỉnh" for an earlier document."""
        kind = "Văn bản" if letter.doc_type == "Công văn" else letter.doc_type
        number = f" số {letter.reference}" if letter.number else ""
        return f"{kind}{number} ngày {short_date(letter.date)} của {_short_issuer(letter.issuer)}"

    def earlier(self, *types: str) -> Letter | None:
        for letter in reversed(self.previous):
            if not types or letter.doc_type in types:
                return letter
        return None

    def upstream(self, when: date) -> str:
        """A reference to a superior body's text (invented number) when the file has none to cite."""
        earlier = self.earlier()
        if earlier is not None:
            return self.reference(earlier)
        past = when - timedelta(days=self.rng.randint(15, 60))
        if self.own is UBND:
            n = self.rng.randint(10, 400)
            return f"Nghị quyết số {n}/NQ-HĐND ngày {short_date(past.isoformat())} của HĐND tỉnh"
        n = number_for("Công văn", past, self.rng, True)
        year_code = "UBT" if past.year < 2004 else "UBND"
        return f"Văn bản số {n}/{year_code}-{self.topic.dept or 'TH'} ngày {short_date(past.isoformat())} của UBND tỉnh"

    def signature(self, org: Org, kind: str, when: date) -> tuple[list[str], str]:
        deputy = self.rng.random() < 0.65
        if org is UBND:
            if kind == "Thông báo":
                return ["TL. CHỦ TỊCH", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"], person(self.rng)
            if kind == "Chỉ thị":
                return ["CHỦ TỊCH"], official(org, when.year, False)
            lines = ["TM. ỦY BAN NHÂN DÂN"] if kind in ("Kế hoạch", "Báo cáo") else []
            lines += ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] if deputy else ["CHỦ TỊCH"]
            return lines, official(org, when.year, deputy)
        if org.era == "rvn":
            if org is THC and deputy:
                return ["T.U.N. TỈNH TRƯỞNG", "PHÓ TỈNH TRƯỞNG"], official(org, when.year, True)
            return [org.head], official(org, when.year, False)
        if deputy and org.deputy:
            return [f"KT. {org.head}", org.deputy], official(org, when.year, True)
        return [org.head], official(org, when.year, False)

    # -- documents --
    def write(self, doc_type: str, when: date, summary: str = "", number: str = "", notation: str = "",
              issuer: str = "") -> Letter:
        org = self._issuer(doc_type, issuer)
        summary = summary or self.summary(doc_type)
        letter = Letter(doc_type=doc_type, issuer=org.name, summary=summary, date=when.isoformat(),
                        style=org.era, agency=list(org.agency), place_date=long_date(when.isoformat(), org.place))
        if doc_type != "Đơn":
            letter.number = number or number_for(doc_type, when, self.rng, org in (UBND, SNV, THC))
            dept = self.topic.dept if org is UBND else ("VTLT" if self.spec.topic == "vtlt" else "TCBC")
            letter.notation = notation or notation_for(doc_type, org, dept, when.year)
        if self.rvn:
            self._rvn_body(letter, org, when)
        else:
            self._admin_body(letter, org, when)
        self.previous.append(letter)
        return letter

    def _issuer(self, doc_type: str, issuer: str) -> Org:
        if issuer == "own":
            return self.own
        if issuer == "partner":
            return self.partner
        if self.rvn:
            return self.partner if doc_type in ("Phúc trình", "Tờ trình") else THC
        if self.own is UBND:
            if doc_type == "Tờ trình" or (doc_type == "Báo cáo" and self.rng.random() < 0.5):
                return self.partner
            return UBND
        # Sở Nội vụ: proposals go up to the UBND, which decides.
        if doc_type == "Quyết định" and self.earlier("Tờ trình"):
            return UBND
        return SNV

    def summary(self, doc_type: str) -> str:
        s, y = self.spec.subject.removeprefix("việc "), self.year
        seen = sum(1 for letter in self.previous if letter.doc_type == doc_type)
        act = s.startswith(ACTS)  # the subject says what is done: "khắc phục hậu quả …"
        decide = s if act else f"phê duyệt {s}"
        if self.rvn:
            return f"V/v {s}" if doc_type != "Đơn" else _petition(s)
        override = dict(self.spec.summaries).get(doc_type)
        if override and not seen:
            return override
        report = (s if s.startswith(("tình hình", "kết quả")) else f"Kết quả {s}" if act or s.startswith("công tác")
                  else f"tình hình thực hiện {s}")
        options = {
            "Công văn": [f"V/v {s}" if act else f"V/v triển khai {s}", f"V/v đôn đốc thực hiện {s}",
                         f"V/v báo cáo tình hình {s}"],
            "Kế hoạch": [_capital(s) if act or s.startswith("công tác") else _capital(f"triển khai {s}")],
            "Quyết định": [f"Về việc {decide}", f"Về việc thành lập Tổ công tác liên ngành về {s}"],
            "Báo cáo": [_capital(report), _capital(report) + " (bổ sung)"],
            "Tờ trình": [f"Về việc {s}" if s.startswith("đề nghị") else
                         f"Về việc đề nghị {s}" if act else f"Về việc đề nghị phê duyệt {s}"],
            "Thông báo": [f"Kết luận của Phó Chủ tịch UBND tỉnh tại cuộc họp về {s}"],
            "Chỉ thị": [f"Về tăng cường {s}" if not s.startswith("các biện pháp") else f"Về {s}"],
            "Biên bản": [_capital(s)],
            "Đơn": [_petition(s)],
        }[doc_type]
        text = options[seen % len(options)]
        return text.replace(f"năm {y} năm {y}", f"năm {y}")

    def _admin_body(self, letter: Letter, org: Org, when: date) -> None:
        kind, rng = letter.doc_type, self.rng
        topic = self.topic
        head = f"{org.said}"
        letter.signature, letter.signer = self.signature(org, kind, when)
        letter.cc = ["- Như trên;"] if kind in ("Công văn", "Tờ trình") else []
        body: list[Para] = []
        if kind == "Công văn":
            letter.subject = _wrap(letter.summary, 34)
            if org is UBND:
                letter.recipients = [f"- {self.partner.said};", "- Các sở, ban, ngành tỉnh;",
                                     f"- {districts(when.year)}."]
                body.append(Para(f"Thực hiện {self.upstream(when)}; xét đề nghị của {self.partner.said} về "
                                 f"{self.spec.subject}, Chủ tịch UBND tỉnh có ý kiến chỉ đạo như sau:"))
                for i, action in enumerate(self.actions(rng.randint(2, 3)), start=1):
                    body.append(Para(f"{i}. {action}"))
                body.append(Para(rng.choice(CLOSINGS_UBND).format(partner=self.partner.said)))
                letter.cc += ["- Chủ tịch, các PCT UBND tỉnh;", "- Chánh, Phó CVP UBND tỉnh;",
                              f"- Lưu: VT, {topic.dept}."]
            elif org is SNV:
                letter.recipients = ["- Các sở, ban, ngành tỉnh;", f"- {districts(when.year)}."]
                body.append(Para(f"Thực hiện {self.upstream(when)}, Sở Nội vụ đề nghị các cơ quan, đơn vị, địa "
                                 f"phương triển khai thực hiện một số nội dung sau:"))
                for i, action in enumerate(self.actions(rng.randint(2, 3)), start=1):
                    body.append(Para(f"{i}. {action}"))
                body.append(Para("Trong quá trình triển khai thực hiện, nếu có khó khăn, vướng mắc, đề nghị các cơ "
                                 "quan, đơn vị phản ánh về Sở Nội vụ để được hướng dẫn./."))
                letter.cc += ["- UBND tỉnh (b/c);", "- Giám đốc, các PGĐ Sở;", f"- Lưu: VT, {letter.notation[4:]}."]
            else:  # a body reporting up to the UBND
                letter.recipients = ["- Ủy ban nhân dân tỉnh Đồng Nai."]
                body.append(Para(f"Thực hiện {self.upstream(when)}, {head} báo cáo UBND tỉnh về {self.spec.subject} "
                                 f"như sau:"))
                body += [Para(f"{i}. {s}") for i, s in enumerate(self.results(2) + self.problems(1), start=1)]
                body.append(Para(f"{head} kính báo cáo UBND tỉnh xem xét, chỉ đạo./."))
                letter.cc += ["- Lưu: VT."]
        elif kind == "Kế hoạch":
            letter.heading = "KẾ HOẠCH"
            letter.subject = _wrap(letter.summary, 55)
            body.append(Para(f"Thực hiện {self.upstream(when)}; {org.said} ban hành Kế hoạch "
                             f"{letter.summary[0].lower()}{letter.summary[1:]} như sau:"))
            body.append(Para("I. MỤC ĐÍCH, YÊU CẦU", "heading"))
            body.append(Para("1. Mục đích", "heading"))
            body.append(Para(topic.purpose or "Bảo đảm triển khai thực hiện thống nhất, hiệu quả."))
            body.append(Para("2. Yêu cầu", "heading"))
            body.append(Para("Các cơ quan, đơn vị, địa phương xác định rõ nhiệm vụ, thời gian hoàn thành, trách "
                             "nhiệm của từng tập thể, cá nhân; triển khai kịp thời, đồng bộ, đúng quy định."))
            body.append(Para("II. NỘI DUNG THỰC HIỆN", "heading"))
            body += [Para(f"- {s}") for s in self.actions(3)]
            body.append(Para("III. TỔ CHỨC THỰC HIỆN", "heading"))
            body.append(Para(f"1. {self.partner.said if org is UBND else 'Các phòng, đơn vị thuộc Sở'} chủ trì, "
                             f"theo dõi, đôn đốc việc thực hiện Kế hoạch này; tổng hợp kết quả, báo cáo "
                             f"{'UBND tỉnh' if org is UBND else 'Giám đốc Sở'} trước ngày 15/12/{when.year}."))
            body.append(Para("2. Trong quá trình triển khai thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn "
                             "vị, địa phương kịp thời phản ánh để được hướng dẫn, giải quyết./."))
            letter.cc = ["- Các sở, ban, ngành tỉnh;", f"- {districts(when.year)};", "- Lưu: VT."]
        elif kind == "Báo cáo":
            letter.heading = "BÁO CÁO"
            letter.subject = _wrap(letter.summary, 55)
            body.append(Para(f"Thực hiện {self.upstream(when)}, {org.said} báo cáo {letter.summary[0].lower()}"
                             f"{letter.summary[1:]} như sau:"))
            body.append(Para("I. KẾT QUẢ THỰC HIỆN", "heading"))
            body += [Para(s) for s in self.results(2)]
            problems = self.problems(1)
            if problems:
                body.append(Para("II. TỒN TẠI, HẠN CHẾ", "heading"))
                body += [Para(s) for s in problems]
            body.append(Para(("III" if problems else "II") + ". PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", "heading"))
            body += [Para(f"- {s}") for s in self.actions(2)]
            body.append(Para(f"Trên đây là báo cáo {letter.summary[0].lower()}{letter.summary[1:]} của {org.said}./."))
            letter.cc = ["- UBND tỉnh (b/c);" if org is not UBND else "- Bộ Nội vụ (b/c);",
                         "- Các cơ quan, đơn vị liên quan;", "- Lưu: VT."]
        elif kind == "Quyết định":
            letter.heading = "QUYẾT ĐỊNH"
            letter.subject = _wrap(letter.summary, 55)
            authority = "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI" if org is UBND else f"GIÁM ĐỐC {org.agency[-1]}"
            body.append(Para(authority, "center"))
            if org is UBND:
                body += [Para(b, "basis") for b in self.bases(when)]
            proposal = self.earlier("Tờ trình")
            if proposal is not None:
                body.append(Para(f"Xét đề nghị của {_head_of(proposal.issuer)} tại Tờ trình số {proposal.reference} "
                                 f"ngày {short_date(proposal.date)}.", "basis"))
            else:
                proposer = _head_of(self.partner.name) if org is UBND else "Chánh Văn phòng Sở"
                body.append(Para(f"Theo đề nghị của {proposer}.", "basis"))
            body.append(Para("QUYẾT ĐỊNH:", "center"))
            article = letter.summary.removeprefix("Về việc ")
            body.append(Para(f"Điều 1. {_capital(article)} (chi tiết theo phụ lục kèm theo Quyết định này)."))
            body.append(Para(f"Điều 2. {self.actions(1)[0]}"))
            body.append(Para("Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Thủ trưởng các cơ "
                             "quan, đơn vị và cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./."))
            letter.cc = ["- Như Điều 3;", "- Lưu: VT."]
        elif kind == "Tờ trình":
            letter.heading = "TỜ TRÌNH"
            letter.subject = _wrap(letter.summary, 55)
            letter.recipients = ["Ủy ban nhân dân tỉnh Đồng Nai"]
            body.append(Para(f"Căn cứ {self.upstream(when)}; {org.said} kính trình UBND tỉnh "
                             f"{letter.summary.removeprefix('Về việc ')} như sau:"))
            body.append(Para("I. SỰ CẦN THIẾT", "heading"))
            body += [Para(s) for s in self.results(1) + self.problems(1)]
            body.append(Para("II. NỘI DUNG ĐỀ XUẤT", "heading"))
            body += [Para(f"- {s}") for s in self.actions(2)]
            body.append(Para(f"{org.said} kính trình UBND tỉnh xem xét, quyết định./."))
            letter.cc += ["- Lưu: VT."]
        elif kind == "Thông báo":
            letter.heading = "THÔNG BÁO"
            letter.subject = _wrap(letter.summary, 55)
            chair = person(rng)
            meeting = when - timedelta(days=rng.randint(2, 6))
            body.append(Para(f"Ngày {short_date(meeting.isoformat())}, tại trụ sở UBND tỉnh, Phó Chủ tịch UBND tỉnh "
                             f"{chair} chủ trì cuộc họp về {self.spec.subject}. Tham dự có đại diện lãnh đạo "
                             f"{self.partner.said} và các cơ quan, đơn vị liên quan."))
            body.append(Para(f"Sau khi nghe {self.partner.said} báo cáo và ý kiến của các đại biểu dự họp, Phó Chủ "
                             f"tịch UBND tỉnh {chair} kết luận như sau:"))
            body += [Para(f"{i}. {s}") for i, s in enumerate(self.actions(3), start=1)]
            body.append(Para("Văn phòng UBND tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./."))
            letter.cc = ["- Các thành phần dự họp;", "- Lưu: VT."]
        elif kind == "Chỉ thị":
            letter.heading = "CHỈ THỊ"
            letter.subject = _wrap(letter.summary, 55)
            body += [Para(s) for s in self.results(1) + self.problems(1)]
            body.append(Para(f"Để {topic.purpose[0].lower()}{topic.purpose[1:-1]}, Chủ tịch UBND tỉnh yêu cầu:"))
            body += [Para(f"{i}. {s}") for i, s in enumerate(self.actions(3), start=1)]
            body.append(Para("Giám đốc các sở, Thủ trưởng các ban, ngành, Chủ tịch UBND các huyện, thành phố chịu "
                             "trách nhiệm tổ chức triển khai thực hiện nghiêm túc Chỉ thị này./."))
            letter.cc = ["- TT Tỉnh ủy, TT HĐND tỉnh;", "- Các sở, ban, ngành;", "- Lưu: VT."]
        elif kind == "Biên bản":
            letter.heading = "BIÊN BẢN"
            letter.subject = _wrap(letter.summary, 55)
            body.append(Para(f"Hôm nay, vào lúc 08 giờ 30 ngày {short_date(when.isoformat())}, tại trụ sở UBND tỉnh "
                             f"Đồng Nai, chúng tôi gồm:"))
            body.append(Para(f"Bên giao: ông {person(rng, False)}, đại diện {org.said};", "item"))
            body.append(Para(f"Bên nhận: ông {person(rng, False)}, đại diện cơ quan tiếp nhận.", "item"))
            body += [Para(s) for s in self.actions(2)]
            body.append(Para("Biên bản được lập thành 04 bản có giá trị như nhau, mỗi bên giữ 02 bản./."))
            letter.signature = ["ĐẠI DIỆN BÊN NHẬN"]
        letter.body = body

    def _rvn_body(self, letter: Letter, org: Org, when: date) -> None:
        kind, rng = letter.doc_type, self.rng
        letter.place_date = long_date(when.isoformat(), "Biên-Hòa")
        letter.signature, letter.signer = self.signature(org, kind, when)
        body: list[Para] = []
        if kind == "Đơn":
            letter.agency = []
            letter.heading = "ĐƠN XIN CAN THIỆP"
            who = _named_person(self.spec.title) or person(rng, False)
            letter.issuer = f"Ông {who}"
            letter.recipients = ["Ông Tỉnh Trưởng tỉnh Biên Hòa"]
            names = re.findall(r"ông ([A-ZĐ]\w*(?: [A-ZĐ]\w*){1,3})", self.spec.title)
            other = next((n for n in names if n != who), "")
            body.append(Para(f"Tôi tên là {who}, {rng.randint(38, 64)} tuổi, làm ruộng, ngụ tại xã Tân Uyên, quận "
                             f"Tân Uyên, tỉnh Biên Hòa."))
            if other:
                body.append(Para(f"Trân trọng trình Ông Tỉnh Trưởng rõ: tôi có một thửa ruộng diện tích "
                                 f"{rng.randint(1, 4)} mẫu tại ấp Bình Hòa, xã Tân Uyên, đứng bộ tên tôi và canh tác "
                                 f"đã nhiều năm. Từ đầu mùa mưa năm nay, ông {other} tự ý lấn ranh, cày cấy trên "
                                 f"phần ruộng nói trên; tôi đã trình Hội đồng xã nhưng chưa được giải quyết."))
                body.append(Para("Nay tôi làm đơn này kính xin Ông Tỉnh Trưởng cho người xét lại và can thiệp để "
                                 "tôi được tiếp tục canh tác trên phần ruộng của tôi."))
            else:
                body.append(Para(f"Nay tôi làm đơn này kính xin Ông Tỉnh Trưởng cho phép {self.spec.subject}, "
                                 f"theo bản kê khai và sơ đồ đính kèm."))
            body.append(Para("Đa tạ Ông Tỉnh Trưởng."))
            letter.signature, letter.signer = ["Người đứng đơn"], who
        else:
            letter.heading = {"Phúc trình": "PHÚC TRÌNH", "Nghị định": "NGHỊ ĐỊNH", "Thông cáo": "THÔNG CÁO",
                              "Sự vụ văn thư": "SỰ VỤ VĂN THƯ", "Tờ trình": "TỜ TRÌNH"}.get(kind, "")
            if kind in ("Phúc trình", "Tờ trình"):
                letter.recipients = ["Ông Tỉnh Trưởng tỉnh Biên Hòa"]
            elif kind in ("Công văn", "Sự vụ văn thư"):
                letter.recipients = [f"Ông {self.partner.head.title()}", "Quý Ông Quận Trưởng trong tỉnh"]
            body.append(Para(f"Trích yếu: {letter.summary}.", "item"))
            earlier = self.earlier()
            if earlier is not None:
                body.append(Para(f"Tham chiếu: {_rvn_reference(earlier)}.", "item"))
            if kind == "Nghị định":
                body.append(Para("TỈNH TRƯỞNG BIÊN HÒA", "center"))
                constitution = "ngày 26 tháng 10 năm 1956" if when.year < 1967 else "ngày 01 tháng 4 năm 1967"
                body.append(Para(f"Chiếu Hiến pháp {constitution};", "item"))
                body.append(Para("Chiếu Sắc lệnh số 57-a ngày 24 tháng 10 năm 1956 tổ chức nền hành chánh quốc gia;",
                                 "item"))
                body.append(Para(f"Chiếu đề nghị của Ông {self.partner.head.title()};", "item"))
                body.append(Para("NGHỊ ĐỊNH:", "center"))
                body.append(Para(f"Điều thứ nhất. Nay chấp thuận việc {self.spec.subject} theo dự án đính kèm."))
                body.append(Para(f"Điều thứ hai. {self.actions(1)[0]}"))
                body.append(Para(f"Điều thứ ba. Ông Phó Tỉnh Trưởng, Ông Chánh Sự Vụ, Ông {self.partner.head.title()} "
                                 "chiếu nhiệm vụ thi hành nghị định này."))
            elif kind == "Thông cáo":
                body.append(Para("Tòa Hành chánh tỉnh Biên Hòa trân trọng thông cáo để đồng bào được rõ:"))
                body += [Para(s) for s in self.actions(2)]
                body.append(Para("Yêu cầu đồng bào lưu ý và thi hành đúng."))
            elif kind in ("Phúc trình", "Tờ trình"):
                body.append(Para(f"Trân trọng phúc trình Ông Tỉnh Trưởng rõ về {self.spec.subject} trong tháng "
                                 f"{when.month} năm {when.year} như sau:"))
                body += [Para(s) for s in self.results(2) + self.problems(1)]
                body.append(Para("Kính trình Ông Tỉnh Trưởng tường lãm và cho chỉ thị thi hành." if kind == "Phúc trình"
                                 else "Nay trân trọng kính trình Ông Tỉnh Trưởng duyệt y."))
            else:
                body.append(Para(f"Chiếu văn thư tham chiếu, Tòa Hành chánh trân trọng yêu cầu Quý Ông lưu ý về "
                                 f"{self.spec.subject}:"))
                body += [Para(s) for s in self.actions(2)]
                body.append(Para("Yêu cầu Quý Ông thi hành và phúc trình kết quả về Tòa Hành chánh."))
            letter.cc = ["- Ông Phó Tỉnh Trưởng", "- Hồ sơ, lưu"] if org is THC else []
        letter.body = body


# Subjects that already say what is decided ("khen thưởng …"), so a decision is "Về việc khen thưởng …".
ACTS = ("khen thưởng", "xếp hạng", "hỗ trợ", "thành lập", "đặt tên", "tổ chức", "thanh tra", "xác minh", "giải quyết",
        "cho thuê", "điều chỉnh", "sắp xếp", "tinh giản", "đề nghị", "chỉnh lý", "số hóa", "kiểm tra", "áp dụng",
        "triển khai", "khắc phục", "đào tạo", "xét tuyển", "thi tuyển", "cấp", "bàn giao", "xử lý", "thẩm định",
        "thiết lập", "tu bổ", "xây cất", "chủng ngừa", "cứu trợ", "thống kê", "hướng dẫn")

CLOSINGS_UBND = (
    "Chủ tịch UBND tỉnh yêu cầu Thủ trưởng các cơ quan, đơn vị, địa phương triển khai thực hiện nghiêm túc./.",
    "Trong quá trình thực hiện nếu có khó khăn, vướng mắc kịp thời báo cáo Chủ tịch UBND tỉnh (thông qua "
    "{partner}) để có ý kiến chỉ đạo./.",
)


def _local_government_law(year: int) -> str:
    if year >= 2016:
        return "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"
    if year >= 2004:
        return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 26 tháng 11 năm 2003;"
    if year >= 1995:
        return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 21 tháng 6 năm 1994;"
    if year >= 1990:
        return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 30 tháng 6 năm 1989;"
    if year >= 1984:
        return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 30 tháng 6 năm 1983;"
    return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban hành chính các cấp ngày 27 tháng 10 năm 1962;"


def _short_issuer(name: str) -> str:
    return name.removesuffix(" tỉnh Đồng Nai").replace("UBND", "UBND tỉnh", 1) if name.startswith("UBND tỉnh Đồng") \
        else name.removesuffix(" tỉnh Đồng Nai")


def _head_of(org_name: str) -> str:
    short = org_name.removesuffix(" tỉnh Đồng Nai")
    if short.startswith("Sở "):
        return f"Giám đốc {short}"
    if short.startswith("Ban "):
        return f"Trưởng {short}"
    if short.startswith("Thanh tra"):
        return "Chánh Thanh tra tỉnh"
    return f"Thủ trưởng {short}"


def _rvn_reference(letter: Letter) -> str:
    kind = "Văn thư" if letter.doc_type in ("Công văn", "Sự vụ văn thư") else letter.doc_type
    return f"{kind} số {letter.reference} ngày {short_date(letter.date)} của {letter.issuer.removesuffix(' Biên Hòa')}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _petition(subject: str) -> str:
    who = re.search(r"(ông|bà) ([A-ZĐ]\w*(?: [A-ZĐ]\w*)+)", subject)
    if subject.startswith("giải quyết khiếu nại") and who:
        return f"Đơn khiếu nại của {who.group(0)}{subject.split(who.group(0), 1)[1]}"
    if subject.startswith("cấp"):
        return f"Đơn xin {subject}"
    return f"Đơn xin can thiệp về việc {subject}"


def _named_person(title: str) -> str:
    match = re.search(r"(?:ông|bà) ([A-ZĐ]\w*(?: [A-ZĐ]\w*){1,3})", title)
    return match.group(1) if match else ""


def _wrap(text: str, width: int) -> list[str]:
    """Break a printed summary into lines of about ``width`` characters, without a short last line."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 1 and len(lines[-1]) < width // 3 and width > 30:
        return _wrap(text, width - 6)
    return lines


_SENTENCES: list[str] = []


def corpus_sentences() -> list[str]:
    if not _SENTENCES:
        _SENTENCES.extend(corpus.corpus_sentences())
    return _SENTENCES


def _is_directive(sentence: str) -> bool:
    """A real sentence that can stand as one task of any document: an order, complete, self-contained."""
    return (bool(re.match(r"^(Tổ chức|Đẩy mạnh|Rà soát|Bố trí|Tăng cường|Chủ động|Giao|Thực hiện|Lập hồ sơ|Các sở|"
                          r"Sở Nội vụ|Thủ trưởng|Chủ tịch UBND cấp huyện)", sentence))
            and len(sentence) <= 420 and "hạn chế" not in sentence and not sentence.endswith(":")
            and not re.search(r"(Công văn|Chỉ thị|Kế hoạch) này", sentence))


# --- files ----------------------------------------------------------------------------------------------

def _letters_for(spec: FileSpec, rng: random.Random, real: dict[str, Letter]) -> list[Letter]:
    writer = Writer(spec, rng)
    if spec.docs:
        letters = []
        for doc in spec.docs:
            if doc.text:
                letter = real[doc.text]
                writer.previous.append(letter)
            else:
                letter = writer.write(doc.doc_type, date.fromisoformat(doc.date), doc.summary, doc.number,
                                      doc.notation, doc.issuer)
            letters.append(letter)
        return letters
    kinds = spec.kinds or rng.choice(FILE_PATTERNS[spec.fonds])
    return [writer.write(kind, when) for kind, when in zip(kinds, _dates(spec, len(kinds), rng))]


def _period(letters: list[Letter], spec: FileSpec, precision: str) -> tuple[str, str]:
    dates = sorted(letter.date for letter in letters if letter.date)
    first, last = dates[0], dates[-1]
    if spec.end_year and not last.startswith(str(spec.end_year)):
        last = str(spec.end_year)
    cut = {"day": 10, "month": 7, "year": 4}[precision]
    return first[:cut], last[:cut]


def build_files() -> list[BuiltFile]:
    """Every file of the demo catalogue, with documents and page counts; deterministic."""
    real = corpus.real_letters()
    built: list[BuiltFile] = []
    counters: dict[tuple[str, str], int] = {}
    order = sorted(FILES, key=lambda f: (f.fonds, f.inventory, f.year))
    for index, spec in enumerate(order):
        key = (spec.fonds, spec.inventory)
        rng = random.Random(f"{SEED}:{spec.fonds}:{spec.year}:{spec.title}")
        counters[key] = counters.get(key, 0) + rng.randint(3, 40)
        file_no = counters[key]
        letters = _letters_for(spec, rng, real)
        precision = ("day", "day", "month", "year")[index % 4] if not spec.docs else "day"
        start, end = _period(letters, spec, precision)
        built_file = BuiltFile(
            spec=spec, file_code=f"{spec.fonds}.{start[:4]}.{file_no:03d}", inventory_no=spec.inventory,
            box_no=str(file_no // 6 + 1), file_no=str(file_no), start_date=start, end_date=end, pages=0, sheets=0,
        )
        if spec.digitised:
            _fit_pages(built_file, letters, rng)
        else:
            _paper_pages(built_file, letters, rng)
        built.append(built_file)
    return built


def _fit_pages(built: BuiltFile, letters: list[Letter], rng: random.Random) -> None:
    """Keep a digitised file within 2–6 scanned pages, each document starting on a new sheet."""
    counts = [page_count(letter) for letter in letters]
    while sum(counts) > MAX_PAGES and len(letters) > 1 and not letters[-1].source:
        letters.pop()
        counts.pop()
    while sum(counts) > MAX_PAGES:  # one long generated document: shorten its body
        longest = max(range(len(letters)), key=lambda i: counts[i])
        if letters[longest].source or len(letters[longest].body) < 3:
            raise ValueError(f"{built.file_code}: {sum(counts)} pages do not fit in {MAX_PAGES}")
        letters[longest].body = letters[longest].body[:-2] + letters[longest].body[-1:]
        counts[longest] = page_count(letters[longest])
    if sum(counts) < MIN_PAGES:
        letters[-1].body += [Para(s) for s in Writer(built.spec, rng).results(2)]
        counts[-1] = page_count(letters[-1])
    built.letters = letters
    first = 1
    for letter, count in zip(letters, counts):
        built.doc_rows.append(_doc_row(built.file_code, letter, first, count))
        first += count
    built.pages = first - 1
    built.sheets = built.pages


def _paper_pages(built: BuiltFile, letters: list[Letter], rng: random.Random) -> None:
    """A file not yet digitised: documents of a few pages each, a cover sheet and a closing sheet."""
    first = 2
    for letter in letters:
        count = rng.randint(1, 6)
        built.doc_rows.append(_doc_row(built.file_code, letter, first, count))
        first += count
    built.pages = first
    built.sheets = built.pages if rng.random() < 0.6 else (built.pages + 1) // 2
    built.letters = letters


def _doc_row(file_code: str, letter: Letter, first: int, pages: int) -> dict[str, str]:
    return {
        "file_code": file_code, "number": letter.number, "notation": letter.notation, "date": letter.date,
        "type": letter.doc_type, "issuer": letter.issuer, "summary": letter.summary,
        "first_page": str(first), "pages": str(pages),
    }
