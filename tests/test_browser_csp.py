"""With the Content-Security-Policy enforced, the scan page, the board and the inspection page work in
Chromium and the browser reports no violation (console or securitypolicyviolation event)."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle
from shopfloor.quality import catalogue
from tests.browser_helpers import sign_in_operator
from tests.conftest import PHONE
from tests.factories import PASSWORD

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


def _watched(context):
    """A page whose CSP violations are collected from the event and from the console."""
    context.add_init_script(WATCH)
    page = context.new_page()
    page.console_lines = []
    page.on("console", lambda m: page.console_lines.append(m.text))
    return page


def _violations(page) -> list[str]:
    events = page.evaluate("window.__csp || []")
    console = [t for t in page.console_lines if "Content Security Policy" in t or "Refused to" in t]
    return events + console


def test_scan_page_board_and_inspection_run_without_csp_violations(live_server, new_context, factory):
    line, style, order, op = factory.floor()
    factory.update(op, assigned_operation_id=style.operations[-1].id)
    qc = factory.user("qc", line=line)
    catalogue.ensure_default_catalogue()
    code = db.session.scalars(select(Bundle.code).where(Bundle.order_id == order.id)).first()
    order_number, qc_name = order.number, qc.username

    phone = _watched(new_context(**PHONE))
    sign_in_operator(phone, live_server, op)
    assert phone.evaluate("typeof htmx") == "object"  # htmx 4 runs without 'unsafe-eval'
    phone.fill("#code", code)
    phone.press("#code", "Enter")
    phone.wait_for_selector(".bundle-code")
    phone.click(".log-form [data-done]")
    phone.click("[data-log-anyway-button]")  # operations 1-2 have no pieces: the style asks first
    phone.wait_for_selector('[data-kind="ok"]')
    assert "Done: 10 pieces logged." in phone.inner_text("#bundle-card")
    assert _violations(phone) == []

    phone.goto(f"{live_server}/board")
    assert phone.locator(f'[data-order="{order_number}"]').inner_text() == "10 / 20"
    phone.wait_for_timeout(3500)  # one live poll (htmx) under the policy
    assert phone.locator("#board").count() == 1
    assert _violations(phone) == []

    inspector = _watched(new_context(**PHONE))
    inspector.goto(f"{live_server}/login?tab=staff")
    inspector.fill("#username", qc_name)
    inspector.fill("#password", PASSWORD)
    inspector.click("#login button[type=submit]")
    inspector.goto(f"{live_server}/qc")
    inspector.fill("#code", code)
    inspector.press("#code", "Enter")
    inspector.wait_for_selector(".inspect-form")
    tile = inspector.locator(".tile", has_text="Open seam")
    tile.locator("[data-step='1']").click()  # steppers.js, loaded from static/js under script-src 'self'
    assert tile.locator("input[type=number]").input_value() == "1"
    assert _violations(inspector) == []
