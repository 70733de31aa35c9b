"""OAI-PMH at /oai: harvested over HTTP by a real client (Sickle), every response checked
against the OAI-PMH 2.0 schema (tests/schemas, written from the published specification),
with the oai_dc and tt05_hoso metadata schemas it carries."""
from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import BadArgument, BadResumptionToken, CannotDisseminateFormat, IdDoesNotExist, \
    NoRecordsMatch
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.extensions import db
from portal.models import HarvestDeletion, RecordFile

SCHEMAS = Path(__file__).resolve().parent / "schemas"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "tt05": "urn:x-phong-doc-truc-tuyen:tt05-2025:ho-so:1.0"}
REPO = "phongdoc.luutru.local"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "all.xsd")))


@pytest.fixture
def catalogue(app, make_file):
    """Five public files in UBND-DN (one conditional), one in UBND-QT, one classified; 2 records a page."""
    app.config["OAI_PAGE_SIZE"] = 2
    files = [make_file(mode="01", keywords="lưu trữ; văn thư") for _ in range(4)]
    files.append(make_file(mode="02", title="Hồ sơ tiếp cận có điều kiện"))
    files.append(make_file(mode="01", fonds_code="UBND-QT", title="Hồ sơ Quảng Trị"))
    secret = make_file(mode="03", title="Hồ sơ mật không được lộ")
    return {"public": files, "secret": secret}


@pytest.fixture
def base_url(app):
    """The app served on a free loopback port, for a real HTTP client."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def oai_get(base_url: str, **params: str) -> etree._Element:
    response = requests.get(f"{base_url}/oai?{urlencode(params)}", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    return etree.fromstring(response.content)


def valid(schema: etree.XMLSchema, document: etree._Element) -> etree._Element:
    assert schema.validate(document), schema.error_log
    return document


def error_code(document: etree._Element) -> str | None:
    found = document.find("oai:error", NS)
    return found.get("code") if found is not None else None


def oai_id(code: str) -> str:
    return f"oai:{REPO}:{code}"


def test_sickle_harvests_every_public_file_across_pages_and_never_a_classified_one(base_url, catalogue):
    sickle = Sickle(f"{base_url}/oai", max_retries=0)
    records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))
    expected = {oai_id(f.file_code) for f in catalogue["public"]}
    assert {r.header.identifier for r in records} == expected  # 6 records over 3 pages of 2
    titles = {r.metadata["title"][0] for r in records}
    assert "Hồ sơ tiếp cận có điều kiện" in titles and "Hồ sơ mật không được lộ" not in titles
    one = next(r for r in records if r.metadata["title"][0] == "Hồ sơ Quảng Trị")
    assert f"{base_url}/ho-so/{catalogue['public'][5].file_code}" in one.metadata["identifier"]
    assert one.header.setSpecs == ["fonds:UBND-QT"]
    headers = list(sickle.ListIdentifiers(metadataPrefix="tt05_hoso"))
    assert {h.identifier for h in headers} == expected


def test_every_verb_answers_a_schema_valid_document(base_url, catalogue, schema):
    identify = valid(schema, oai_get(base_url, verb="Identify"))
    assert identify.findtext("oai:Identify/oai:baseURL", namespaces=NS) == f"{base_url}/oai"
    assert identify.findtext("oai:Identify/oai:deletedRecord", namespaces=NS) == "persistent"
    formats = valid(schema, oai_get(base_url, verb="ListMetadataFormats"))
    assert {p.text for p in formats.iterfind(".//oai:metadataPrefix", NS)} == {"oai_dc", "tt05_hoso"}
    tt05_schema = formats.xpath("//oai:metadataFormat[oai:metadataPrefix='tt05_hoso']/oai:schema/text()",
                                namespaces=NS)[0]
    assert requests.get(tt05_schema, timeout=30).status_code == 200  # the schema we name is served
    sets = valid(schema, oai_get(base_url, verb="ListSets"))
    assert {s.text for s in sets.iterfind(".//oai:setSpec", NS)} == {"fonds:UBND-DN", "fonds:UBND-QT"}
    code = catalogue["public"][0].file_code
    for prefix in ("oai_dc", "tt05_hoso"):
        valid(schema, oai_get(base_url, verb="GetRecord", identifier=oai_id(code), metadataPrefix=prefix))
    # Paging: follow the tokens by hand, validating each page and its cursor.
    seen, params, cursor = [], {"verb": "ListRecords", "metadataPrefix": "tt05_hoso"}, 0
    while True:
        page = valid(schema, oai_get(base_url, **params))
        seen += [i.text for i in page.iterfind(".//oai:header/oai:identifier", NS)]
        token = page.find(".//oai:resumptionToken", NS)
        assert token is not None and token.get("completeListSize") == "6" and token.get("cursor") == str(cursor)
        if not token.text:
            break
        params, cursor = {"verb": "ListRecords", "resumptionToken": token.text}, cursor + 2
    assert len(seen) == len(set(seen)) == 6


def test_the_tt05_format_carries_the_file_fields(base_url, app, make_file, schema):
    record = make_file(mode="01", title="Hồ sơ về công tác lưu trữ", keywords="lưu trữ; Đồng Nai", sheets=12,
                       pages=24, info_symbol="KH-01", notes="Bản gốc")
    with app.app_context():
        stored = db.session.get(RecordFile, record.id)
        stored.start_date, stored.end_date = "2020-03", "2020-12-15"
        db.session.commit()
    document = valid(schema, oai_get(base_url, verb="GetRecord", identifier=oai_id(record.file_code),
                                     metadataPrefix="tt05_hoso"))
    hoso = document.find(".//tt05:hoSo", NS)
    text = {child.tag.split("}")[1]: child.text for child in hoso if len(child) == 0}
    assert text["maHoSo"] == record.file_code and text["tieuDe"] == "Hồ sơ về công tác lưu trữ"
    assert text["thoiGianBatDau"] == "2020-03" and text["thoiGianKetThuc"] == "2020-12-15"
    assert text["soTo"] == "12" and text["soTrang"] == "24" and text["kyHieuThongTin"] == "KH-01"
    assert hoso.find("tt05:cheDoSuDung", NS).get("ma") == "01"
    assert hoso.find("tt05:cheDoSuDung", NS).text == "Công khai"
    assert hoso.findtext("tt05:phong/tt05:maPhong", namespaces=NS) == "UBND-DN"
    assert [k.text for k in hoso.iterfind("tt05:tuKhoa", NS)] == ["lưu trữ", "Đồng Nai"]


@pytest.mark.parametrize("params, code", [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),  # metadataPrefix missing
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-45"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01", "until": "2030-01-01T00:00:00Z"},
     "badArgument"),  # granularities differ
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "fonds:KHONG-CO"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPO}:KHONG-CO", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:other.repo:UBND-DN.2020.001", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "ListIdentifiers", "resumptionToken": "bogus"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),  # exclusive
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2099-01-01"}, "noRecordsMatch"),
])
def test_errors_are_the_protocols_and_schema_valid(base_url, catalogue, schema, params, code):
    document = valid(schema, oai_get(base_url, **params))
    assert error_code(document) == code
    request_element = document.find("oai:request", NS)
    if code in ("badVerb", "badArgument"):
        assert not request_element.attrib  # the protocol: no attributes echoed for these


def test_sickle_raises_the_protocol_errors(base_url, catalogue):
    sickle = Sickle(f"{base_url}/oai", max_retries=0)
    with pytest.raises(CannotDisseminateFormat):
        sickle.GetRecord(identifier=oai_id(catalogue["public"][0].file_code), metadataPrefix="marc21")
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(identifier=oai_id(catalogue["secret"].file_code), metadataPrefix="oai_dc")
    with pytest.raises(BadResumptionToken):
        list(sickle.ListIdentifiers(resumptionToken="eyJ0YW1wZXJlZCI6dHJ1ZX0.bad"))
    with pytest.raises(BadArgument):
        list(sickle.ListRecords(metadataPrefix="oai_dc", until="yesterday"))
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListRecords(metadataPrefix="oai_dc", set="fonds:UBND-QT", **{"from": "2099-01-01"}))


def test_a_file_turned_classified_is_reported_deleted_and_its_metadata_is_gone(base_url, app, catalogue, schema):
    record = catalogue["public"][0]
    with app.app_context():
        stored = db.session.get(RecordFile, record.id)
        stored.mode = "03"
        db.session.commit()
    sickle = Sickle(f"{base_url}/oai", max_retries=0)
    headers = {h.identifier: h for h in sickle.ListIdentifiers(metadataPrefix="oai_dc")}
    assert headers[oai_id(record.file_code)].deleted
    assert sum(1 for h in headers.values() if not h.deleted) == 5
    got = valid(schema, oai_get(base_url, verb="GetRecord", identifier=oai_id(record.file_code),
                                metadataPrefix="oai_dc"))
    assert got.find(".//oai:header", NS).get("status") == "deleted"
    assert got.find(".//oai:metadata", NS) is None and "Hồ sơ số" not in etree.tostring(got, encoding=str)
    # Public again: a live record once more, the trace gone.
    with app.app_context():
        db.session.get(RecordFile, record.id).mode = "01"
        db.session.commit()
        assert db.session.scalar(select(HarvestDeletion)) is None
    live = {h.identifier: h for h in sickle.ListIdentifiers(metadataPrefix="oai_dc")}
    assert not live[oai_id(record.file_code)].deleted


def test_a_renamed_file_leaves_its_old_identifier_deleted(base_url, app, catalogue):
    record = catalogue["public"][1]
    with app.app_context():
        db.session.get(RecordFile, record.id).file_code = "UBND-DN.2020.999"
        db.session.commit()
    headers = {h.identifier: h for h in Sickle(f"{base_url}/oai").ListIdentifiers(metadataPrefix="oai_dc")}
    assert headers[oai_id(record.file_code)].deleted and not headers[oai_id("UBND-DN.2020.999")].deleted


def test_a_classified_file_created_as_such_leaves_no_trace(app, catalogue, base_url):
    with app.app_context():
        assert db.session.scalar(select(HarvestDeletion)) is None
    document = oai_get(base_url, verb="ListIdentifiers", metadataPrefix="oai_dc", set="fonds:UBND-DN")
    assert catalogue["secret"].file_code not in etree.tostring(document, encoding=str)


def test_sets_and_dates_select_records(base_url, catalogue):
    sickle = Sickle(f"{base_url}/oai")
    quang_tri = [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="fonds:UBND-QT")]
    assert quang_tri == [oai_id(catalogue["public"][5].file_code)]
    everything = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": "2000-01-01",
                                                                         "until": "2099-12-31"}))
    assert len(everything) == 6
    stamp = everything[-1].datestamp  # second granularity: 'until' includes that second
    upto = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", until=stamp))
    assert oai_id(everything[-1].identifier.rsplit(":", 1)[1]) in {h.identifier for h in upto}


def test_post_is_answered_like_get_without_a_csrf_token(app, base_url, catalogue, schema):
    app.config["WTF_CSRF_ENABLED"] = True
    response = requests.post(f"{base_url}/oai", data={"verb": "ListSets"}, timeout=30)
    assert response.status_code == 200
    assert error_code(valid(schema, etree.fromstring(response.content))) is None


def test_a_file_hidden_in_the_middle_of_a_harvest_never_pushes_another_out(base_url, app, catalogue, schema):
    """Pages follow the last key seen, not a count: hiding a file already harvested must not make
    the next page start one record too late (with an offset, the third record would be skipped)."""
    first = valid(schema, oai_get(base_url, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    seen = [i.text for i in first.iterfind(".//oai:header/oai:identifier", NS)]
    token = first.find(".//oai:resumptionToken", NS).text
    harvested = next(f for f in catalogue["public"] if oai_id(f.file_code) == seen[0])
    with app.app_context():
        db.session.get(RecordFile, harvested.id).mode = "03"  # leaves the list (its trace comes after `until`)
        db.session.commit()
    while token:
        page = valid(schema, oai_get(base_url, verb="ListIdentifiers", resumptionToken=token))
        seen += [i.text for i in page.iterfind(".//oai:header/oai:identifier", NS)]
        token = page.find(".//oai:resumptionToken", NS).text
    # Every file once (the hidden one may come again as a deletion, within the frozen `until` second).
    assert set(seen) == {oai_id(f.file_code) for f in catalogue["public"]}
    assert len(seen) - len(set(seen)) <= 1


def test_the_old_address_of_a_renamed_file_moves_to_the_new_one_but_never_reveals_a_classified_one(app, catalogue):
    record, client = catalogue["public"][2], app.test_client()
    old_code = record.file_code
    with app.app_context():
        db.session.get(RecordFile, record.id).file_code = "UBND-DN.2020.777"
        db.session.commit()
    moved = client.get(f"/ho-so/{old_code}")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/ho-so/UBND-DN.2020.777")
    assert client.get("/ho-so/UBND-DN.2020.777").status_code == 200
    with app.app_context():
        db.session.get(RecordFile, record.id).mode = "03"
        db.session.commit()
    assert client.get(f"/ho-so/{old_code}").status_code == 404
    assert client.get("/ho-so/UBND-DN.2020.777").status_code == 404
