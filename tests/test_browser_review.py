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
