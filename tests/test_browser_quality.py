"""Phone (390x844): an inspector fails pieces, the operator repairs them, the inspector re-checks and closes."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle, Rework
from shopfloor.quality import catalogue
from shopfloor.scan.services import record_scan
from tests.browser_helpers import sign_in_operator
from tests.conftest import PHONE
from tests.factories import PASSWORD


def _sign_in_staff(page, base, user):
    page.goto(f"{base}/login?tab=staff")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")


def test_inspection_with_defects_and_rework_cycle(live_server, new_context, factory):
    line, style, order, op = factory.floor()
    qc = factory.user("qc", line=line)
    catalogue.ensure_default_catalogue()
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=o.id, qty=10)
    code, op_id, seam = b1.code, op.id, style.operations[1]
    seam_id, seam_label = seam.id, f"{seam.seq}. {seam.name}"

    def phone():
        return new_context(**PHONE).new_page()

    inspector = phone()
    _sign_in_staff(inspector, live_server, qc)
    inspector.goto(f"{live_server}/qc")
    inspector.fill("#code", code)
    inspector.press("#code", "Enter")
    inspector.wait_for_selector(".inspect-form")
    # bad input first: more pieces checked than the bundle holds
    inspector.fill("#checked", "12")
    inspector.click(".inspect-form button[type=submit]")
    inspector.wait_for_selector("[data-kind=error]")
    assert "from 1 to 10" in inspector.inner_text("#inspect")
    inspector.fill("#checked", "10")
    tile = inspector.locator(".tile", has_text="Open seam")
    tile.locator("[data-step='1']").click()
    tile.locator("[data-step='1']").click()
    tile.locator("select").select_option(label=seam_label)
    inspector.click(".inspect-form button[type=submit]")
    inspector.wait_for_selector("[data-kind=result]")
    assert "Failed: 2 of 10 pieces defective" in inspector.inner_text("#inspect")
    assert inspector.evaluate("document.documentElement.scrollWidth") <= 390
    db.session.remove()
    rw = db.session.scalars(select(Rework)).one()
    assert (rw.pieces, rw.operation_id, rw.operator_id, rw.status) == (2, seam_id, op_id, "open")

    operator = phone()
    sign_in_operator(operator, live_server, db.session.get(type(qc), op_id))
    operator.goto(f"{live_server}/rework/mine")
    assert code in operator.inner_text("main")
    operator.click("text=Repaired")
    operator.wait_for_selector("text=Nothing to repair")
    db.session.remove()
    assert db.session.scalars(select(Rework)).one().status == "repaired"

    inspector.goto(f"{live_server}/qc/rework")
    inspector.click("text=Good: close")
    inspector.wait_for_selector("text=No open rework")
    db.session.remove()
    assert db.session.scalars(select(Rework)).one().status == "closed"
    assert db.session.get(Bundle, b1.id).status == "open"
