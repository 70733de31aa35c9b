"""Accessibility of the main pages, checked by axe-core (vendored in tests/e2e/vendor/) in Chromium.

Every page must have no violation of impact "serious" or "critical". On failure the whole list (rule id, impact,
help, target selectors) is printed and written to test-artifacts/e2e/axe-report.json so it can be fixed.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Fonds, ReadingCopy, RecordFile
from portal.services import accounts, records, requests

from ..conftest import PASSWORD

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
READER = ("tran.thi.mai.anh@gmail.com", "Trần Thị Mai Anh", "079198004321")
ARCHIVIST = ("nguyenthuha@luutru.dongnai.gov.vn", "Nguyễn Thu Hà")


def _world(app, make_scan) -> dict[str, int]:
    """A cleared reader with one request: an open file granted (copy ready) and a conditional one waiting."""
    with app.test_request_context(base_url=app.config["LIVE_URL"]):
        admin, _ = accounts.create_staff("quantri@luutru.dongnai.gov.vn", "admin", "Lê Quốc Bảo", PASSWORD)
        archivist, _ = accounts.create_staff(ARCHIVIST[0], "archivist", ARCHIVIST[1], PASSWORD)
        reader = accounts.register_reader({
            "email": READER[0], "password": PASSWORD, "password_confirm": PASSWORD, "full_name": READER[1],
            "id_kind": "cccd", "id_number": READER[2], "employer": "Bảo tàng Đồng Nai", "consents": ["account"]})
        accounts.confirm_email(accounts.make_confirm_token(reader))
        accounts.set_clearance(archivist, reader, "cleared")
        fonds = Fonds(code="SNV-DN", name="Sở Nội vụ tỉnh Đồng Nai",
                      description="Tài liệu của Sở Nội vụ tỉnh Đồng Nai về tổ chức bộ máy, công chức và lưu trữ.")
        open_file = RecordFile(
            fonds=fonds, file_code="SNV-DN.2015.008", inventory_no="3", box_no="5", file_no="8",
            title="Hồ sơ hội nghị tổng kết công tác văn thư, lưu trữ tỉnh Đồng Nai năm 2015",
            start_date="2015-12-02", end_date="2015-12-28", retention="01", mode="01",
            keywords="văn thư; lưu trữ; tổng kết", language="Tiếng Việt")
        cond_file = RecordFile(
            fonds=fonds, file_code="SNV-DN.1999.031", inventory_no="1", box_no="12", file_no="31",
            title="Hồ sơ thi tuyển công chức hành chính tỉnh Đồng Nai năm 1999",
            start_date="1999", end_date="1999", retention="02", mode="02", keywords="công chức; thi tuyển")
        db.session.add_all([open_file, cond_file])
        db.session.commit()
        records.attach_scan(admin, open_file, make_scan("tong-ket", "BÁO CÁO TỔNG KẾT CÔNG TÁC VĂN THƯ, LƯU TRỮ", [
            "Năm 2015, công tác văn thư, lưu trữ của tỉnh tiếp tục được quan tâm chỉ đạo.",
            "Các cơ quan, tổ chức đã ban hành danh mục hồ sơ và thực hiện lập hồ sơ công việc.",
            "Trung tâm Lưu trữ lịch sử tỉnh đã thu thập 1.250 mét giá tài liệu của các sở, ngành.",
        ], pages=2))
        requests.add_to_basket(reader, open_file.id)
        requests.add_to_basket(reader, cond_file.id)
        request = requests.submit_request(reader, {
            "purpose": "01", "research_topic": "Lịch sử ngành lưu trữ Đồng Nai sau năm 1975", "fee_category": "10",
        }, None, "axe-token")
        item = next(i for i in request.items if i.file_id == open_file.id)
        requests.decide(archivist, item, "approve")
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
        assert copy.status == "ready"
        return {"file": open_file.id, "item": item.id, "request": request.id}


def _axe(page) -> dict[str, list[dict]]:
    """Inject axe-core into the page; return its violations and the checks it could not decide ("incomplete")."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations', 'incomplete']});
        return {violations: r.violations, incomplete: r.incomplete};
    }""")


def _blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def _describe(report: dict[str, list[dict]]) -> str:
    lines = []
    for name, violations in report.items():
        for v in violations:
            lines.append(f"[{name}] {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
            for node in v["nodes"]:
                lines.append(f"      {node['impact']}: {' '.join(map(str, node['target']))}  {node['html'][:160]}")
                if node.get("failureSummary"):
                    lines.append("        " + node["failureSummary"].replace("\n", "\n        "))
    return "\n".join(lines)


def _check(results: dict[str, dict], artifacts: Path, name: str) -> None:
    """Write everything axe said to a JSON report; fail on serious/critical violations, print the rest."""
    (artifacts / f"axe-{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    violations = {page: r["violations"] for page, r in results.items()}
    blocking = {page: _blocking(v) for page, v in violations.items() if _blocking(v)}
    minor = {page: [v for v in vs if v.get("impact") not in BLOCKING] for page, vs in violations.items()}
    if any(minor.values()):
        print("axe — minor/moderate violations (not failing):\n" + _describe({k: v for k, v in minor.items() if v}))
    review = {page: [f"{v['id']} ({v['impact']}): " + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
                     for v in r["incomplete"]] for page, r in results.items()}
    if any(review.values()):
        print("axe — to review by hand (axe could not decide):\n"
              + "\n".join(f"[{page}] {line}" for page, lines in review.items() for line in lines))
    assert not blocking, "axe found serious/critical violations:\n" + _describe(blocking)


def _context(browser):
    # bypass_csp is for the test tool only: the portal sends script-src 'self', which would block axe's injected
    # <script>. The pages themselves are checked under their real CSP by test_viewer.py and test_journey.py.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 1000}, locale="vi-VN")
    context.set_default_timeout(20_000)
    return context


def _visit(page, url: str, artifacts: Path, name: str) -> dict[str, list[dict]]:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: HTTP {response.status if response else '?'}"
    page.wait_for_load_state("networkidle")
    violations = _axe(page)
    page.screenshot(path=str(artifacts / f"axe-{name}.png"), full_page=True)
    return violations


def test_main_pages_have_no_serious_accessibility_violations(live_app, browser, artifacts, make_scan,
                                                             browser_login):
    base = live_app.config["LIVE_URL"]
    ids = _world(live_app, make_scan)
    report: dict[str, dict] = {}

    visitor = _context(browser)
    page = visitor.new_page()
    report["home"] = _visit(page, f"{base}/", artifacts, "home")
    report["fonds"] = _visit(page, f"{base}/phong/SNV-DN", artifacts, "fonds")
    report["file"] = _visit(page, f"{base}/ho-so/{ids['file']}", artifacts, "file")
    report["register"] = _visit(page, f"{base}/tai-khoan/dang-ky", artifacts, "register")
    page.click("form.form button[type=submit]")  # the same form showing its errors beside the fields
    page.wait_for_selector(".errors")
    report["register-errors"] = _axe(page)
    report["login"] = _visit(page, f"{base}/tai-khoan/dang-nhap", artifacts, "login")
    visitor.close()

    reader_ctx = _context(browser)
    page = reader_ctx.new_page()
    browser_login(page, base, READER[0], PASSWORD)
    report["my-requests"] = _visit(page, f"{base}/phieu-yeu-cau/", artifacts, "my-requests")
    assert "SNV-DN.2015.008" in page.inner_text("main")
    report["request"] = _visit(page, f"{base}/phieu-yeu-cau/{ids['request']}", artifacts, "request")
    report["basket"] = _visit(page, f"{base}/phieu-yeu-cau/gio", artifacts, "basket")
    page.goto(f"{base}/doc/{ids['item']}")
    page.wait_for_selector("body[data-viewer-ready='1']")
    page.wait_for_selector(".page canvas")
    report["viewer"] = _axe(page)
    page.screenshot(path=str(artifacts / "axe-viewer.png"))
    reader_ctx.close()

    staff_ctx = _context(browser)
    page = staff_ctx.new_page()
    browser_login(page, base, ARCHIVIST[0], PASSWORD)
    report["staff-queue"] = _visit(page, f"{base}/nghiep-vu/yeu-cau", artifacts, "staff-queue")
    assert "SNV-DN.1999.031" in page.inner_text("main")  # the conditional item waiting for a decision
    report["staff-request"] = _visit(page, f"{base}/nghiep-vu/yeu-cau/{ids['request']}", artifacts, "staff-request")
    report["staff-readers"] = _visit(page, f"{base}/nghiep-vu/doc-gia?state=all", artifacts, "staff-readers")
    report["staff-dashboard"] = _visit(page, f"{base}/nghiep-vu/", artifacts, "staff-dashboard")
    staff_ctx.close()

    _check(report, artifacts, "report")


def test_search_page_has_no_serious_accessibility_violations(live_app, browser, artifacts):
    base = live_app.config["LIVE_URL"]
    # Catalogued through the staff services, as the staff forms do, so that the search index hears of them.
    with live_app.test_request_context(base_url=base):
        admin, _ = accounts.create_staff("quantri@luutru.dongnai.gov.vn", "admin", "Lê Quốc Bảo", PASSWORD)
        fonds = records.save_fonds(admin, {"code": "SNV-DN", "name": "Sở Nội vụ tỉnh Đồng Nai",
                                           "description": "Tổ chức bộ máy, công chức, văn thư và lưu trữ."})
        for year, no, title, mode in (
                (2015, 8, "Hồ sơ hội nghị tổng kết công tác văn thư, lưu trữ tỉnh Đồng Nai năm 2015", "01"),
                (1999, 31, "Hồ sơ kiểm tra công tác lưu trữ tại các huyện năm 1999", "02")):
            records.save_file(admin, fonds, {
                "file_code": f"SNV-DN.{year}.{no:03d}", "inventory_no": "3", "box_no": "5", "file_no": str(no),
                "title": title, "start_date": str(year), "end_date": str(year), "retention": "01", "mode": mode,
                "language": "Tiếng Việt", "keywords": "văn thư; lưu trữ", "condition": "01", "reliability": "02"})
    context = _context(browser)
    page = context.new_page()
    response = page.goto(f"{base}/tim-kiem?q=lưu trữ")
    if response is not None and response.status == 404:
        context.close()
        pytest.skip("/tim-kiem answers 404: the search page does not exist yet, so it is not checked")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    print(f"search page: {page.locator('main').inner_text()[:300]!r}")
    report = {"search": _axe(page)}
    page.screenshot(path=str(artifacts / "axe-search.png"), full_page=True)
    context.close()
    _check(report, artifacts, "report-search")
