"""In Chromium: the review's trend charts keep every day's label inside the chart (the last day's label is centred
on the chart's last point), and the page does not scroll sideways on a phone or a desktop."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.models import Bundle, DefectType
from shopfloor.quality import catalogue
from shopfloor.quality.services import DefectEntry, record_inspection
from shopfloor.scan.services import record_scan
from tests.browser_helpers import sign_in_staff
from tests.conftest import PHONE
from tests.factories import PASSWORD

# Every x label's box (in the chart's own units) against the chart's width.
_LABELS_OUTSIDE = """() => [...document.querySelectorAll('svg.trend')].flatMap(svg => {
    const width = svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text.axis.x')].map(t => t.getBBox())
        .filter(b => b.x < 0 || b.x + b.width > width).map(b => [b.x, b.width, width]);
})"""


@pytest.mark.parametrize("options", [PHONE, {"viewport": {"width": 1920, "height": 1080}}], ids=["phone", "desktop"])
def test_the_dhu_trend_shows_every_days_label_inside_the_chart(options, live_server, new_context, factory):
    line, style, order, op = factory.floor()
    qc = factory.user("qc", line=line)
    manager = factory.user("manager")
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=bundle.code, operation_id=o.id, qty=5)
    catalogue.ensure_default_catalogue()
    seam = db.session.scalar(select(DefectType).where(DefectType.code == "open_seam"))
    for days_ago in (3, 0):   # two days of the default week: the trend's first and last labels
        record_inspection(inspector_id=qc.id, bundle_ref=bundle.code, kind="endline", checked=5, defective=1,
                          entries=[DefectEntry(seam.id, style.operations[-1].id, 1)],
                          now=clock.utcnow() - timedelta(days=days_ago))
    page = new_context(**options).new_page()
    page.goto(f"{live_server}/login?tab=staff")
    page.fill("#username", manager.username)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/review")
    labels = page.locator("svg.trend text.axis.x")
    assert labels.count() >= 2
    assert page.evaluate(_LABELS_OUTSIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= options["viewport"]["width"]


def test_the_review_s_orders_and_pay_are_a_card_per_row_on_a_phone(live_server, new_context, factory):
    """At 390 px the review's orders (13 columns of pay per operator, 8 of cost per order) scrolled sideways inside
    their cards, the totals out of sight. Each row is now a small card: its name and its forecast or line on the first
    line, every figure under its column's name, all on screen."""
    line, style, order, op = factory.floor()
    manager = factory.user("manager")
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=bundle.code, operation_id=o.id, qty=5,
                    log_anyway=True)
    page = new_context(**PHONE).new_page()
    sign_in_staff(page, live_server, manager)
    page.goto(f"{live_server}/review")
    page.wait_for_load_state()
    w = PHONE["viewport"]["width"]
    rows = {"#orders-table": (f"tr[data-order='{order.number}']", 8), "#pay-table": (f"tr[data-operator='{op.name}']", 13)}
    for table, (row_sel, n) in rows.items():
        assert page.evaluate(f"(() => {{ const t = document.querySelector('{table}');"
                             " return t.scrollWidth <= t.parentElement.clientWidth; })()"), table
        row = page.locator(f"{table} {row_sel}")
        cells = row.locator("td").all()
        assert len(cells) == n
        for cell in cells:
            box = cell.bounding_box()
            assert box is not None and box["width"] > 0 and 0 <= box["x"] and box["x"] + box["width"] <= w, table
        name, end = cells[0].bounding_box(), row.locator("td.card-end").bounding_box()
        assert abs(name["y"] - end["y"]) < 4 and end["x"] > name["x"]   # the name and its forecast / line on one line
    total = page.locator(f"#pay-table tr[data-operator='{op.name}'] td").last
    assert total.evaluate("td => getComputedStyle(td, '::before').content") == '"Total pay"'   # under its column's name
    assert page.locator("#pay-table thead").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= w
