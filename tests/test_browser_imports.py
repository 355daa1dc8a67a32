"""A manager, in Chromium, uploads an XLSX of styles with errors, reads them by row and column on a phone and
on a desktop, then uploads a clean file and imports it."""
from __future__ import annotations

import io
import os

from openpyxl import Workbook

from shopfloor.models import Style
from tests.conftest import PHONE
from tests.factories import PASSWORD
from tests.html_forms import count
from tests.test_imports import STYLE_HEADER

SHOTS = os.environ.get("SHOPFLOOR_SHOTS")   # a folder: screenshots of the pages (not kept in the repository)


def _xlsx(path, rows) -> str:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return str(path)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_manager_checks_a_file_with_errors_then_imports_a_clean_one(live_server, new_context, factory, tmp_path):
    mgr = factory.user("manager")
    factory.style("OLD1")
    bad = _xlsx(tmp_path / "bad.xlsx", [STYLE_HEADER,
                                        ["T1", "Basic tee", "S,M", 1, "Join shoulders", "Overlock", 0.1234, None, "no"],
                                        ["T1", "Other", None, 1, None, None, 0, 0.12345, "maybe"],
                                        ["OLD1", "Again", "S", 1, "Join", None, "abc", None, None]])
    good = _xlsx(tmp_path / "good.xlsx", [STYLE_HEADER,
                                          ["T1", "Basic tee", "S,M", 1, "Join shoulders", "Overlock", 0.35, None, "no"],
                                          ["T1", None, None, 2, "Hem", "Flatlock", 0.4, 0.05, "yes"]])
    for name, options in (("phone", PHONE), ("desktop", {"viewport": {"width": 1920, "height": 1080}})):
        page = new_context(**options).new_page()
        page.goto(f"{live_server}/login?tab=staff")
        page.fill("#username", mgr.username)
        page.fill("#password", PASSWORD)
        page.click("#login button[type=submit]")
        page.goto(f"{live_server}/styles")
        page.click("a[href='/import/styles']")
        page.wait_for_url("**/import/styles")
        assert _fits(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/styles-layout-{name}.png", full_page=True)
        page.set_input_files("#file", bad)
        page.click("#upload button.btn-primary")
        page.wait_for_selector("table.import-errors")
        rows = page.locator("table.import-errors tbody tr")
        assert rows.count() >= 7 and "nothing was imported" in page.inner_text("#report")
        assert page.locator("table.import-errors").is_visible() and _fits(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/styles-errors-{name}.png", full_page=True)
        assert count(Style) == 1
    page.set_input_files("#file", good)
    page.click("#upload button.btn-primary")
    page.wait_for_selector("#report form button")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/styles-clean-desktop.png", full_page=True)
    page.click("#report form button")
    page.wait_for_selector("#imported")
    assert "Imported: 1 styles." in page.inner_text("#imported") and count(Style) == 2
    page.goto(f"{live_server}/import/orders")
    page.set_input_files("#file", _xlsx(tmp_path / "orders.xlsx", [
        ["order number", "customer", "style code", "due date", "size", "colour", "quantity"],
        ["PO-1", "Acme", "T1", "2027-01-01", "XL", "Navy", 0],
        ["PO-1", "Other", None, None, "S", None, 10]]))
    page.click("#upload button.btn-primary")
    page.wait_for_selector("table.import-errors")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/orders-errors-desktop.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/orders-errors-phone.png", full_page=True)
