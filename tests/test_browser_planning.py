"""A manager, in Chromium, creates an order with a size x colour grid, cuts it and prints its tickets."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle, Order
from tests.browser_helpers import sign_in_staff, wait_until
from tests.conftest import PHONE


def test_manager_creates_order_cuts_and_prints(live_server, new_context, factory, tmp_path):
    line = factory.line()
    style = factory.style(sizes="S,M,L")
    mgr = factory.user("manager")
    style_id, line_id = style.id, line.id
    page = new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
    sign_in_staff(page, live_server, mgr)
    page.goto(f"{live_server}/orders")
    page.fill("#number", "PO-77")
    page.fill("#customer", "Harbour Sport")
    # Choosing the style reloads the quantity grid (htmx, outerHTML): fill it only once the new grid is in,
    # or a late swap wipes the quantities typed into the old one.
    page.evaluate("document.getElementById('grid').dataset.stale = '1'")
    page.select_option("#style", value=str(style_id))
    page.wait_for_selector("#grid:not([data-stale])", state="attached")
    page.select_option("#line", value=str(line_id))
    page.fill("#due_date", (date.today() + timedelta(days=14)).isoformat())
    page.fill("input[name='colour-0']", "Navy")
    page.fill("input[name='qty-0-S']", "20")
    page.fill("input[name='qty-0-M']", "35")
    page.fill("input[name='colour-1']", "White")
    page.fill("input[name='qty-1-L']", "8")
    page.click("#new-order button.btn-primary")
    page.wait_for_url("**/orders/*")
    assert "PO-77" in page.inner_text("h1")
    page.fill("#bundle_size", "10")
    page.click("#cutting form[method=get] button")
    assert "4 × (10, 10, 10, 5)" in page.inner_text("#cutting")
    page.click("#cutting form[method=post] button")
    page.wait_for_selector("#bundles table")
    assert "7 bundles" in page.inner_text("#bundles h2")
    db.session.remove()
    order = db.session.scalar(select(Order).where(Order.number == "PO-77"))
    assert (order.customer, order.style_id, order.line_id, order.total_quantity) == (
        "Harbour Sport", style_id, line_id, 63)
    codes = [b.code for b in db.session.scalars(select(Bundle).where(Bundle.order_id == order.id))]
    assert len(codes) == 7 and all(c in page.inner_text("#bundles") for c in codes)
    # the tickets link serves the PDF
    href = page.get_attribute("text=Print tickets (A4 sheet)", "href")
    pdf = page.request.get(f"{live_server}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    # the key steps also fit a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/orders/{order.id}")
    assert page.locator("text=Print tickets (A4 sheet)").is_visible()


def test_the_schedule_on_a_phone_opens_with_today_in_view(live_server, new_context, factory):
    """The timeline is wider than a phone's card and scrolls sideways; it opens on today's line, not on the earliest
    milestone weeks before it, with the orders' names still at its left edge, and they stay there as it scrolls."""
    factory.floor()
    mgr = factory.user("manager")
    page = new_context(**PHONE).new_page()
    sign_in_staff(page, live_server, mgr)
    page.goto(f"{live_server}/schedule")
    page.wait_for_load_state()
    wrap, today = page.locator(".table-wrap:has(svg.gantt)"), page.locator("svg.gantt line.today")
    assert page.evaluate("document.querySelector('.table-wrap:has(svg.gantt)').scrollLeft") > 0
    name = page.locator("svg.gantt g.names text.label").first
    box, line, label = wrap.bounding_box(), today.bounding_box(), name.bounding_box()
    assert box["x"] <= label["x"] and label["x"] + label["width"] < line["x"] <= box["x"] + box["width"]
    page.evaluate("document.querySelector('.table-wrap:has(svg.gantt)').scrollLeft = 0")
    wait_until(page, "document.querySelector('svg.gantt g.names').getAttribute('transform') === 'translate(0,0)'")
    assert abs(name.bounding_box()["x"] - label["x"]) < 1   # the names did not move with the chart
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


def test_the_orders_list_on_a_phone_is_a_card_per_order_with_nothing_off_screen(live_server, new_context, factory):
    """At 390 px the eight columns of the orders list scrolled sideways in their card (the due date, quantities and
    output out of sight); each order is now a small card whose every figure is on screen."""
    _line, _style, order, _op = factory.floor()
    mgr = factory.user("manager")
    page = new_context(**PHONE).new_page()
    sign_in_staff(page, live_server, mgr)
    page.goto(f"{live_server}/orders")
    page.wait_for_load_state()
    assert page.evaluate("(() => { const w = document.querySelector('.table-wrap:has(.orders-table)');"
                         " return w.scrollWidth <= w.clientWidth; })()")
    row = page.locator(f"tr[data-order='{order.number}']")
    width = PHONE["viewport"]["width"]
    for cell in row.locator("td").all():
        box = cell.bounding_box()
        assert box is not None and box["width"] > 0 and 0 <= box["x"] and box["x"] + box["width"] <= width
    # each figure under its name (the column headings are hidden on a phone)
    due = row.locator("td[data-label='Due']")
    assert due.inner_text() == order.due_date.isoformat()
    assert due.evaluate("td => getComputedStyle(td, '::before').content") == '"Due"'
