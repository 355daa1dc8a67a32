"""Every page a manager opens, at phone size (390x844) in real Chromium: the page itself never scrolls sideways. A wide
table or row may scroll inside its own box; the page may not (the style page was 609 px wide on a 390 px phone: the
screen reader's labels of its operation rows, positioned absolutely, escaped the row's scrolling box)."""
from __future__ import annotations

from datetime import date

from flask import url_for

from shopfloor import roles
from shopfloor.packing import shipments
from tests.browser_helpers import sign_in_staff
from tests.conftest import PHONE
from tests.packing_support import planned_order

W = PHONE["viewport"]["width"]
# Not pages: files, the board's poll, the phone's set-up files.
NOT_PAGES = (".pdf", ".csv", ".zpl", ".svg", ".crt", ".js", ".webmanifest", ".ico", "/board/live", "/stops/status")


def _manager_pages(app, detail: dict) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        declared = roles.rule_for(rule.endpoint)
        if ("GET" not in rule.methods or rule.rule.startswith(("/static", "/api")) or rule.rule.endswith(NOT_PAGES)
                or declared is None or "manager" not in declared.roles):
            continue
        if not rule.arguments:
            paths.append(rule.rule)
        elif rule.endpoint in detail:
            with app.test_request_context():
                paths.append(url_for(rule.endpoint, **detail[rule.endpoint]))
    return sorted(set(paths))


def test_no_manager_page_is_wider_than_a_phone(app, live_server, new_context, factory):
    line, style, order, op = factory.floor()
    packed, manager = planned_order(factory)
    shipment = shipments.create(number="SH-7", ex_factory=date(2026, 12, 9), carrier="Maersk", container="MSKU 1",
                                actor_id=manager.id)
    detail = {"planning.style": {"style_id": style.id}, "planning.order": {"order_id": order.id},
              "people.person": {"user_id": op.id}, "packing.order": {"order_id": packed.id},
              "shipping.shipment": {"shipment_id": shipment.id}, "names.operations": {"style_id": style.id},
              "imports.page": {"kind": "orders"}}
    paths = _manager_pages(app, detail)
    assert {"/styles/%d" % style.id, "/orders", "/people", "/review", "/balance"} <= set(paths)
    page = new_context(**PHONE).new_page()
    sign_in_staff(page, live_server, manager)
    page.wait_for_url(f"{live_server}/**")
    wide, seen = {}, 0
    for path in paths:
        answer = page.goto(f"{live_server}{path}")
        if answer is None or "text/html" not in answer.headers.get("content-type", "") or \
                not page.locator("header, .topbar").count():
            continue   # a fragment or a file, not a page
        seen += 1
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > W:
            wide[path] = width
    assert seen >= 25
    assert wide == {}
