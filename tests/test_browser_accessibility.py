"""Every floor page at phone size (390x844), in real Chromium: axe-core finds no serious or critical
violation, each page has one h1, and every link, button, select and input is at least 48 x 48 px."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import AuthSession, Bundle
from shopfloor.quality import catalogue, services as quality
from shopfloor.quality.services import DefectEntry
from shopfloor.scan.services import record_scan
from shopfloor.stoppages import services as stoppages
from shopfloor.vocabulary import StopReason, StopScope
from tests.accessibility import AXE, assert_accessible, assert_tap_targets
from tests.browser_helpers import sign_in_operator
from tests.conftest import PHONE
from tests.factories import PASSWORD


def _sign_in_staff(page, base, user) -> None:
    page.goto(f"{base}/login?tab=staff")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()


def _open_card(page, code: str, ready: str) -> None:
    page.fill("#code", code)
    page.press("#code", "Enter")
    page.wait_for_selector(ready)


@pytest.fixture()
def floor(factory):
    """An operator with work logged and 2 pieces waiting for repair, an inspector, a supervisor."""
    line, style, order, op = factory.floor()
    qc, supervisor = factory.user("qc", line=line), factory.user("supervisor", line=line)
    catalogue.ensure_default_catalogue()
    first, second = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number))
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=first.code, operation_id=o.id, qty=10)
    defect = next(d for d in catalogue.active_defects() if d.code == "open_seam")
    quality.record_inspection(inspector_id=qc.id, bundle_ref=first.code, kind="endline", checked=10,
                              entries=[DefectEntry(defect.id, style.operations[1].id, 2)])
    return {"operator": op, "qc": qc, "supervisor": supervisor, "fresh": second.code}


def _visit(name: str, page, base: str, floor: dict) -> None:
    """Open the page `name` as the person who uses it."""
    if name.startswith("sign-in"):
        page.goto(f"{base}/login" + {"sign-in": "", "sign-in badge": "?tab=badge", "sign-in staff": "?tab=staff"}[name])
    elif name == "session ended":
        sign_in_operator(page, base, floor["operator"])
        with write_transaction():
            db.session.execute(update(AuthSession).values(used_at=clock.utcnow() - timedelta(hours=2)))
        page.goto(f"{base}/me")
        page.wait_for_selector("[data-ended]")
    elif name == "board":
        page.goto(f"{base}/board?token=board-token-for-tests")
    elif name == "stops supervisor":
        stoppages.raise_stop(floor["operator"], scope=StopScope.OPERATOR, reason=StopReason.BREAKDOWN)
        _sign_in_staff(page, base, floor["supervisor"])
        page.goto(f"{base}/stops")
    elif name == "stop open":
        stoppages.raise_stop(floor["operator"], scope=StopScope.OPERATOR, reason=StopReason.NO_WORK)
        sign_in_operator(page, base, floor["operator"])
        page.goto(f"{base}/stops")
    elif name in ("inspection", "rework queue", "supervise"):
        _sign_in_staff(page, base, floor["supervisor" if name == "supervise" else "qc"])
        page.goto(base + {"inspection": "/qc", "rework queue": "/qc/rework", "supervise": "/supervise"}[name])
        if name == "inspection":
            _open_card(page, floor["fresh"], ".inspect-form")
    else:
        sign_in_operator(page, base, floor["operator"])
        page.goto(base + {"scan": "/scan", "card": "/scan", "card logged": "/scan", "my day": "/me",
                          "my rework": "/rework/mine", "stops": "/stops"}[name])
        if name.startswith("card"):
            _open_card(page, floor["fresh"], ".log-form")
        if name == "card logged":
            page.click(".log-form button[type=submit]")
            page.wait_for_selector('[data-kind="ok"]')


AXE_PAGES = ["sign-in", "sign-in badge", "sign-in staff", "session ended", "scan", "card", "card logged", "my day", "my rework", "rework queue",
             "inspection", "board", "supervise", "stops", "stop open", "stops supervisor"]
TAP_PAGES = ["sign-in", "sign-in badge", "sign-in staff", "session ended", "scan", "card", "card logged", "my day", "my rework", "rework queue",
             "inspection", "supervise", "stops", "stop open", "stops supervisor"]


@pytest.mark.parametrize("name", AXE_PAGES)
def test_floor_page_has_no_serious_accessibility_violation(name, live_server, new_context, floor):
    page = new_context(**PHONE).new_page()
    _visit(name, page, live_server, floor)
    assert_accessible(page, name)


@pytest.mark.parametrize("name", TAP_PAGES)
def test_phone_page_tap_targets_are_at_least_48_px(name, live_server, new_context, floor):
    page = new_context(**PHONE).new_page()
    _visit(name, page, live_server, floor)
    assert_tap_targets(page, name)


def test_the_checks_can_fail(live_server, new_context):
    """A page with a nameless button, a small link and two h1s is refused by each check."""
    page = new_context(**PHONE).new_page()
    page.goto(f"{live_server}/login")
    page.evaluate("""() => { const m = document.querySelector("main");
        m.insertAdjacentHTML("beforeend", '<h1>Again</h1><button id="nameless"></button><a href="/">x</a>'); }""")
    with pytest.raises(AssertionError, match="button-name"):
        assert_accessible(page, "broken")
    with pytest.raises(AssertionError, match='a "x"'):
        assert_tap_targets(page, "broken")


def test_no_page_loads_axe():
    """axe-core is for the tests only: no template, script or the service worker refers to it."""
    root = AXE.parent.parent.parent
    assert AXE.exists()
    sources = [*root.glob("templates/**/*.html"), *root.glob("static/js/*.js"), root / "static" / "sw.js"]
    assert sources and not [p for p in sources if "axe" in p.read_text()]
