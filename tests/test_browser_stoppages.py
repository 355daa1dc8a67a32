"""Stopping work from the scan page on a 390x844 phone in real Chromium: Stop work, a reason tile, the open
stop and its minutes; the stop's badge on the scan page leaves the bundle card's Done bar on screen."""
from __future__ import annotations

import os

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle
from shopfloor.models.stoppages import Stoppage
from shopfloor.vocabulary import StopReason, StopScope, StopStatus
from tests.browser_helpers import sign_in_operator
from tests.conftest import PHONE

W, H = PHONE["viewport"]["width"], PHONE["viewport"]["height"]
SHOTS = os.environ.get("SHOPFLOOR_SCREENSHOTS")


def _on_screen(page, selector: str) -> dict:
    b = page.locator(selector).bounding_box()
    assert b is not None and b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= W and \
        b["y"] + b["height"] <= H, (selector, b)
    return b


def test_operator_stops_work_from_the_scan_page(live_server, new_context, factory):
    line, style, order, op = factory.floor()
    code = db.session.scalars(select(Bundle.code).where(Bundle.order_id == order.id)).first()
    page = new_context(**PHONE).new_page()
    sign_in_operator(page, live_server, op)
    _on_screen(page, ".btn-stop")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "scan-page.png"))
    page.click(".btn-stop")
    page.wait_for_url("**/stops")
    for reason in StopReason:  # every tile on the first screen, none below the fold
        _on_screen(page, f'.stop-tile[data-reason="{reason.value}"]')
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "stop-page.png"))
    page.fill("#machine", "M-07")
    page.click('.stop-tile[data-reason="no_work"]')
    page.wait_for_selector(".stop-mine")
    assert page.locator(".stop-minutes").inner_text() == "0 min"
    assert page.locator(".stop-tile").count() == 0
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "stop-open.png"))
    db.session.remove()
    [stop] = db.session.scalars(select(Stoppage)).all()
    assert (stop.scope, stop.reason, stop.operator_id, stop.machine, stop.status) == \
        (StopScope.OPERATOR, StopReason.NO_WORK, op.id, "M-07", StopStatus.OPEN)
    page.click("text=Back to scanning")
    page.wait_for_url("**/scan")
    _on_screen(page, ".stop-badge")
    page.fill("#code", code)
    page.press("#code", "Enter")
    page.wait_for_selector(".bundle-code")
    _on_screen(page, "[data-done]")  # the sticky action bar stays on screen
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "scan-card-stopped.png"))
