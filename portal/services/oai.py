"""OAI-PMH 2.0 for the public catalogue: how a national portal harvests this archive's files.

Records are the open and conditional files (metadata is public for both); a classified file
is never disseminated, listed or named. When a public file becomes classified (or its code
changes) a :class:`HarvestDeletion` is written in the same flush, so harvesters are told
``status="deleted"`` for the identifier they copied; the trace is kept (``persistent``).

Two metadata formats: ``oai_dc`` (required by the protocol) and ``tt05_hoso``, which carries
the fields of a file as TT 05/2025 lists them. Sets are fonds (``fonds:<code>``).
Resumption tokens are signed (tampering → ``badResumptionToken``) and carry the
request's arguments, a frozen ``until`` and the offset, so a harvest needs no server state.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable
from urllib.parse import quote, unquote

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, selectinload

from .. import labels
from ..db import utcnow
from ..extensions import db
from ..models import Fonds, HarvestDeletion, RecordFile
from ..models.records import AccessMode
from .discovery import absolute_url

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
TT05_NS = "urn:x-phong-doc-truc-tuyen:tt05-2025:ho-so:1.0"

FORMATS = {
    "oai_dc": (OAI_DC_NS, "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
    "tt05_hoso": (TT05_NS, None),  # schema URL is ours: filled in per request (static/oai/tt05_hoso.xsd)
}
PUBLIC_MODES = (AccessMode.OPEN.value, AccessMode.CONDITIONAL.value)
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
SET_SPEC_RE = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECOND_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

for _prefix, _uri in (("", OAI_NS), ("xsi", XSI_NS), ("oai_dc", OAI_DC_NS), ("dc", DC_NS),
                      ("oai-identifier", ID_NS), ("tt05", TT05_NS)):
    ET.register_namespace(_prefix, _uri)


class OaiError(Exception):
    """An OAI-PMH error condition: its code and a message for the harvester."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# --- the deletion trace, written by the module that needs it (a flush hook) ---------------------

@event.listens_for(Session, "before_flush")
def _trace_files_leaving_the_public_catalogue(session: Session, _context, _instances) -> None:
    """A public file turned classified, or renamed: keep its old identifier as deleted.

    A file made public again (under a code once traced) loses its trace, so it is harvested
    as a live record with a new datestamp.
    """
    for record in list(session.new) + list(session.dirty):
        if not isinstance(record, RecordFile):
            continue
        state = inspect(record)
        mode, code = state.attrs.mode.history, state.attrs.file_code.history
        if record not in session.new and not mode.has_changes() and not code.has_changes():
            continue
        old_mode = mode.deleted[0] if mode.deleted else record.mode
        old_code = code.deleted[0] if code.deleted else record.file_code
        was_public = record in session.dirty and old_mode in PUBLIC_MODES
        fonds_code = record.fonds.code if record.fonds is not None else ""
        if was_public and (record.mode not in PUBLIC_MODES or old_code != record.file_code):
            _remember_deleted(session, old_code, fonds_code, record.id)
        if record.mode in PUBLIC_MODES and record.file_code:
            trace = session.scalar(select(HarvestDeletion).where(HarvestDeletion.file_code == record.file_code))
            if trace is not None:
                session.delete(trace)


def _remember_deleted(session: Session, file_code: str, fonds_code: str, file_id: int | None) -> None:
    trace = session.scalar(select(HarvestDeletion).where(HarvestDeletion.file_code == file_code))
    if trace is None:
        session.add(HarvestDeletion(file_code=file_code, fonds_code=fonds_code, file_id=file_id,
                                    deleted_at=utcnow()))
    else:
        trace.deleted_at, trace.fonds_code = utcnow(), fonds_code


# --- identifiers, sets, dates ----------------------------------------------------------------------

def repository_identifier() -> str:
    return current_app.config["OAI_REPOSITORY_IDENTIFIER"]


def identifier_for(file_code: str) -> str:
    """``oai:<repository>:<file code>`` (characters outside the OAI syntax percent-encoded)."""
    return f"oai:{repository_identifier()}:{quote(file_code, safe='-_.!~*()/;?:@&=+$,')}"


def file_code_from(identifier: str) -> str | None:
    prefix = f"oai:{repository_identifier()}:"
    return unquote(identifier[len(prefix):]) if identifier.startswith(prefix) else None


def set_spec(fonds_code: str) -> str:
    return "fonds:" + (fonds_code if SET_SPEC_RE.match(fonds_code) else quote(fonds_code, safe="").replace("%", "_"))


def datestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_bound(value: str, *, until: bool) -> tuple[datetime, str]:
    if DAY_RE.match(value):
        granularity, moment = "day", _strptime(value, "%Y-%m-%d")
        return (moment + timedelta(days=1) if until else moment), granularity
    if SECOND_RE.match(value):
        moment = _strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        return (moment + timedelta(seconds=1) if until else moment), "second"
    raise OaiError("badArgument", f"'{value}' is not a UTC date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")


def _strptime(value: str, fmt: str) -> datetime:
    try:
        return datetime.strptime(value, fmt)
    except ValueError:
        raise OaiError("badArgument", f"'{value}' is not a valid date.") from None


# --- the protocol -------------------------------------------------------------------------------

@dataclass
class Harvest:
    """One list request's arguments, as carried in a resumption token."""

    prefix: str
    start: str | None = None
    until: str | None = None
    set: str | None = None
    offset: int = 0  # how many came before this page (the cursor the harvester sees)
    # The last key of the previous page: (datestamp, kind, id). The next page starts after it, so a
    # record that changes or is hidden mid-harvest never shifts another one out of the harvest.
    after: list | None = None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="oai-pmh-resumption")


def respond(args: dict[str, list[str]]) -> ET.Element:
    """The OAI-PMH response document for a request's arguments (GET query or POST form)."""
    root = ET.Element(f"{{{OAI_NS}}}OAI-PMH")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    ET.SubElement(root, f"{{{OAI_NS}}}responseDate").text = datestamp(utcnow())
    request_el = ET.SubElement(root, f"{{{OAI_NS}}}request")
    request_el.text = absolute_url("oai.endpoint")
    try:
        verb, params = _check_arguments(args)
        for name, value in (("verb", verb), *sorted(params.items())):
            request_el.set(name, value)
        handler = {"Identify": _identify, "ListMetadataFormats": _list_formats, "ListSets": _list_sets,
                   "ListIdentifiers": _list, "ListRecords": _list, "GetRecord": _get_record}[verb]
        root.append(handler(verb, params))
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            request_el.attrib.clear()  # the protocol: arguments are echoed only when they were valid
        error_el = ET.SubElement(root, f"{{{OAI_NS}}}error", code=error.code)
        error_el.text = error.message
    return root


def _check_arguments(args: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    verbs = args.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "Missing, repeated or unknown verb.")
    verb = verbs[0]
    required, optional = VERBS[verb]
    params: dict[str, str] = {}
    for name, values in args.items():
        if name == "verb":
            continue
        if name not in required | optional:
            raise OaiError("badArgument", f"Illegal argument '{name}' for {verb}.")
        if len(values) != 1:
            raise OaiError("badArgument", f"Argument '{name}' is repeated.")
        params[name] = values[0]
    if "resumptionToken" in params:
        if len(params) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return verb, params
    missing = required - params.keys()
    if missing:
        raise OaiError("badArgument", f"Missing required argument(s): {', '.join(sorted(missing))}.")
    return verb, params


def _el(parent: ET.Element, tag: str, text: str | None = None, ns: str = OAI_NS, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _earliest() -> datetime:
    first = [db.session.scalar(select(func.min(RecordFile.updated_at)).where(RecordFile.mode.in_(PUBLIC_MODES))),
             db.session.scalar(select(func.min(HarvestDeletion.deleted_at)))]
    found = [moment for moment in first if moment is not None]
    return min(found) if found else datetime(2025, 1, 1)


def _identify(_verb: str, _params: dict[str, str]) -> ET.Element:
    config = current_app.config
    body = ET.Element(f"{{{OAI_NS}}}Identify")
    _el(body, "repositoryName", f"{config['ARCHIVE_NAME']} – Phòng đọc trực tuyến")
    _el(body, "baseURL", absolute_url("oai.endpoint"))
    _el(body, "protocolVersion", "2.0")
    _el(body, "adminEmail", config.get("OAI_ADMIN_EMAIL") or config["MAIL_SENDER"])
    _el(body, "earliestDatestamp", datestamp(_earliest()))
    _el(body, "deletedRecord", "persistent")
    _el(body, "granularity", "YYYY-MM-DDThh:mm:ssZ")
    description = _el(body, "description")
    ident = ET.SubElement(description, f"{{{ID_NS}}}oai-identifier")
    ident.set(f"{{{XSI_NS}}}schemaLocation", f"{ID_NS} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd")
    _el(ident, "scheme", "oai", ns=ID_NS)
    _el(ident, "repositoryIdentifier", repository_identifier(), ns=ID_NS)
    _el(ident, "delimiter", ":", ns=ID_NS)
    _el(ident, "sampleIdentifier", identifier_for("UBND-DN.2020.015"), ns=ID_NS)
    return body


def _schema_url(prefix: str) -> str:
    return FORMATS[prefix][1] or absolute_url("static", filename=f"oai/{prefix}.xsd")


def _list_formats(_verb: str, params: dict[str, str]) -> ET.Element:
    if "identifier" in params:
        _find(params["identifier"])  # idDoesNotExist when unknown or never public
    body = ET.Element(f"{{{OAI_NS}}}ListMetadataFormats")
    for prefix, (namespace, _schema) in FORMATS.items():
        fmt = _el(body, "metadataFormat")
        _el(fmt, "metadataPrefix", prefix)
        _el(fmt, "schema", _schema_url(prefix))
        _el(fmt, "metadataNamespace", namespace)
    return body


def _list_sets(_verb: str, params: dict[str, str]) -> ET.Element:
    if "resumptionToken" in params:
        raise OaiError("badResumptionToken", "ListSets is answered in one response; this token is not ours.")
    body = ET.Element(f"{{{OAI_NS}}}ListSets")
    for fonds in db.session.scalars(select(Fonds).order_by(Fonds.code)):
        item = _el(body, "set")
        _el(item, "setSpec", set_spec(fonds.code))
        _el(item, "setName", fonds.name)
    return body


def _find(identifier: str) -> RecordFile | HarvestDeletion:
    code = file_code_from(identifier)
    if code:
        record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == code,
                                                            RecordFile.mode.in_(PUBLIC_MODES)))
        if record is not None:
            return record
        trace = db.session.scalar(select(HarvestDeletion).where(HarvestDeletion.file_code == code))
        if trace is not None:
            return trace
    raise OaiError("idDoesNotExist", "No such item in this repository.")


def _get_record(_verb: str, params: dict[str, str]) -> ET.Element:
    prefix = params["metadataPrefix"]
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"Format '{prefix}' is not offered.")
    found = _find(params["identifier"])
    body = ET.Element(f"{{{OAI_NS}}}GetRecord")
    _record(body, found, prefix)
    return body


def _harvest_from(params: dict[str, str]) -> Harvest:
    if "resumptionToken" in params:
        try:
            data = _serializer().loads(params["resumptionToken"])
            harvest = Harvest(**data)
        except (BadSignature, TypeError, ValueError):
            raise OaiError("badResumptionToken", "The resumption token is invalid or has expired.") from None
        return harvest
    harvest = Harvest(prefix=params["metadataPrefix"], start=params.get("from"), until=params.get("until"),
                      set=params.get("set"))
    if harvest.prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"Format '{harvest.prefix}' is not offered.")
    if harvest.start and harvest.until:
        if len(harvest.start) != len(harvest.until):
            raise OaiError("badArgument", "'from' and 'until' must have the same granularity.")
    for value in (harvest.start, harvest.until):
        if value:
            _parse_bound(value, until=False)
    if not harvest.until:
        # Freeze the end of the list now, so pages of one harvest describe one moment.
        harvest.until = datestamp(utcnow())
    return harvest


def _fonds_for_set(spec: str) -> list[str]:
    codes = [code for code in db.session.scalars(select(Fonds.code)) if set_spec(code) == spec]
    if not codes:
        raise OaiError("badArgument", f"No set '{spec}' in this repository.")
    return codes


def _list(verb: str, params: dict[str, str]) -> ET.Element:
    harvest = _harvest_from(params)
    page_size = current_app.config["OAI_PAGE_SIZE"]
    low = _parse_bound(harvest.start, until=False)[0] if harvest.start else None
    high = _parse_bound(harvest.until, until=True)[0] if harvest.until else None
    fonds_codes = _fonds_for_set(harvest.set) if harvest.set else None

    files = select(RecordFile.updated_at, RecordFile.id).join(Fonds).where(RecordFile.mode.in_(PUBLIC_MODES))
    traces = select(HarvestDeletion.deleted_at, HarvestDeletion.id)
    if low is not None:
        files, traces = files.where(RecordFile.updated_at >= low), traces.where(HarvestDeletion.deleted_at >= low)
    if high is not None:
        files, traces = files.where(RecordFile.updated_at < high), traces.where(HarvestDeletion.deleted_at < high)
    if fonds_codes is not None:
        files = files.where(Fonds.code.in_(fonds_codes))
        traces = traces.where(HarvestDeletion.fonds_code.in_(fonds_codes))
    # One ordered list of (datestamp, kind, id): live records and deletions interleaved by time.
    keys = sorted([(moment, 0, key) for moment, key in db.session.execute(files)]
                  + [(moment, 1, key) for moment, key in db.session.execute(traces)])
    if harvest.offset < 0 or (harvest.after is not None and len(harvest.after) != 3):
        raise OaiError("badResumptionToken", "The resumption token is invalid or has expired.")
    if not keys:
        raise OaiError("noRecordsMatch", "No records match the request.")
    rest = keys
    if harvest.after is not None:
        after = (datetime.fromisoformat(harvest.after[0]), int(harvest.after[1]), int(harvest.after[2]))
        rest = [key for key in keys if key > after]
    page = rest[:page_size]
    if not page:  # everything after the last page was hidden meanwhile
        raise OaiError("noRecordsMatch", "No more records match the request.")
    record_ids = [key for _, kind, key in page if kind == 0]
    trace_ids = [key for _, kind, key in page if kind == 1]
    loaded = {rec.id: rec for rec in db.session.scalars(
        select(RecordFile).where(RecordFile.id.in_(record_ids))
        .options(selectinload(RecordFile.fonds), selectinload(RecordFile.documents)))}
    gone = {trace.id: trace for trace in db.session.scalars(
        select(HarvestDeletion).where(HarvestDeletion.id.in_(trace_ids)))}

    body = ET.Element(f"{{{OAI_NS}}}{verb}")
    for _, kind, key in page:
        found = loaded[key] if kind == 0 else gone[key]
        if verb == "ListIdentifiers":
            _header(body, found)
        else:
            _record(body, found, harvest.prefix)
    following = harvest.offset + len(page)
    more = len(rest) > len(page)
    if more or harvest.offset > 0:
        # The list's size as of this page: what was harvested plus what is left.
        token = _el(body, "resumptionToken", completeListSize=str(harvest.offset + len(rest)),
                    cursor=str(harvest.offset))
        if more:
            last = page[-1]
            token.text = _serializer().dumps({**harvest.__dict__, "offset": following,
                                              "after": [last[0].isoformat(), last[1], last[2]]})
    return body


def _header(parent: ET.Element, found: RecordFile | HarvestDeletion) -> None:
    if isinstance(found, HarvestDeletion):
        header = _el(parent, "header", status="deleted")
        _el(header, "identifier", identifier_for(found.file_code))
        _el(header, "datestamp", datestamp(found.deleted_at))
        _el(header, "setSpec", set_spec(found.fonds_code))
        return
    header = _el(parent, "header")
    _el(header, "identifier", identifier_for(found.file_code))
    _el(header, "datestamp", datestamp(found.updated_at))
    _el(header, "setSpec", set_spec(found.fonds.code))


def _record(parent: ET.Element, found: RecordFile | HarvestDeletion, prefix: str) -> None:
    record = _el(parent, "record")
    _header(record, found)
    if isinstance(found, RecordFile):
        metadata = _el(record, "metadata")
        (_oai_dc if prefix == "oai_dc" else _tt05)(metadata, found)


def _span(record: RecordFile) -> Iterable[str]:
    return [value for value in (record.start_date, record.end_date) if value]


def _oai_dc(parent: ET.Element, record: RecordFile) -> None:
    dc = ET.SubElement(parent, f"{{{OAI_DC_NS}}}dc")
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {FORMATS['oai_dc'][1]}")

    def add(tag: str, text: str | None) -> None:
        if text:
            ET.SubElement(dc, f"{{{DC_NS}}}{tag}").text = text

    add("title", record.title)
    add("creator", record.fonds.name)
    for keyword in record.keyword_list:
        add("subject", keyword)
    add("description", f"Mục lục số {record.inventory_no}, hộp số {record.box_no}, hồ sơ số {record.file_no}; "
                       f"{record.document_count} văn bản"
        + (f", {record.pages} trang" if record.pages else "") + ".")
    add("publisher", current_app.config["ARCHIVE_NAME"])
    start, end = record.start_date, record.end_date
    add("date", f"{start}/{end}" if start and end and start != end else (start or end))
    add("type", "Collection")
    add("format", "Hồ sơ giấy" if not record.is_digitised else "Hồ sơ giấy, có bản số hóa")
    add("identifier", record.file_code)
    add("identifier", absolute_url("public.file_detail", code=record.file_code))
    add("language", record.language)
    add("relation", f"Phông {record.fonds.name} ({record.fonds.code})")
    add("rights", str(labels.MODE.get(record.mode, record.mode)))


def _tt05(parent: ET.Element, record: RecordFile) -> None:
    root = ET.SubElement(parent, f"{{{TT05_NS}}}hoSo")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{TT05_NS} {_schema_url('tt05_hoso')}")

    def add(el: ET.Element, tag: str, text: str | int | None, **attrs: str) -> None:
        if text is not None and text != "":
            child = ET.SubElement(el, f"{{{TT05_NS}}}{tag}", attrs)
            child.text = str(text)

    add(root, "maHoSo", record.file_code)
    phong = ET.SubElement(root, f"{{{TT05_NS}}}phong")
    add(phong, "maPhong", record.fonds.code)
    add(phong, "tenPhong", record.fonds.name)
    add(root, "mucLucSo", record.inventory_no)
    add(root, "hopSo", record.box_no)
    add(root, "hoSoSo", record.file_no)
    add(root, "tieuDe", record.title)
    add(root, "thoiGianBatDau", record.start_date)
    add(root, "thoiGianKetThuc", record.end_date)
    add(root, "thoiHanBaoQuan", labels.RETENTION.get(record.retention, record.retention), ma=record.retention)
    add(root, "cheDoSuDung", labels.MODE.get(record.mode, record.mode), ma=record.mode)
    add(root, "ngonNgu", record.language)
    for keyword in record.keyword_list:
        add(root, "tuKhoa", keyword)
    add(root, "tongSoVanBan", record.document_count)
    add(root, "soTo", record.sheets)
    add(root, "soTrang", record.pages)
    add(root, "tinhTrangVatLy", labels.CONDITION.get(record.condition, record.condition), ma=record.condition)
    add(root, "kyHieuThongTin", record.info_symbol)
    add(root, "mucDoTinCay", labels.RELIABILITY.get(record.reliability, record.reliability), ma=record.reliability)
    add(root, "ghiChu", record.notes)
    add(root, "duongDan", absolute_url("public.file_detail", code=record.file_code))
    for document in record.documents:
        doc = ET.SubElement(root, f"{{{TT05_NS}}}vanBan")
        add(doc, "so", document.number)
        add(doc, "kyHieu", document.notation)
        add(doc, "ngay", document.date)
        add(doc, "tenLoai", document.doc_type)
        add(doc, "coQuanBanHanh", document.issuer)
        add(doc, "trichYeu", document.summary)
        add(doc, "trangBatDau", document.first_page)
        add(doc, "soTrang", document.pages)
