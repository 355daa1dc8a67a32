"""Phone (390x844): an inspector fails pieces, the operator repairs them, the inspector re-checks and closes."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle, Rework
from shopfloor.quality import catalogue
from shopfloor.scan.services import record_scan
from tests.browser_helpers import sign_in_operator, sign_in_staff
from tests.conftest import PHONE


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
    sign_in_staff(inspector, live_server, qc)
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


def test_the_defect_catalogue_on_a_phone_shows_each_name_whole_on_its_own_line(live_server, new_context, factory):
    """At 390 px each defect's name field took half the row, beside its severity, so longer names were cut
    ("Broken / skip stitc"), and one defect's controls ran into the next's. The name now has the row, its
    severity, status and Save sit on the line under it, and a rule separates one defect from the next."""
    factory.floor()
    catalogue.ensure_default_catalogue()
    longest = max(catalogue.active_defects(), key=lambda d: len(d.name))
    mgr = factory.user("manager")
    page = new_context(**PHONE).new_page()
    sign_in_staff(page, live_server, mgr)
    page.goto(f"{live_server}/qc/defects")
    page.wait_for_load_state()
    width = PHONE["viewport"]["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    row = page.locator(f"form.defect-row:has(input[name=name][value='{longest.name}'])")
    name = row.locator("input[name=name]").bounding_box()
    sev, active, save = (row.locator(s).bounding_box() for s in ("select[name=severity]", "select[name=active]",
                                                                    "button"))
    assert name["width"] > 0.75 * width                         # the row's width, not half of it
    assert row.locator("input[name=name]").evaluate("i => i.scrollWidth <= i.clientWidth")   # the whole name shows
    assert min(sev["y"], active["y"], save["y"]) >= name["y"] + name["height"]   # the others under it...
    assert abs(sev["y"] - active["y"]) < 2 and abs(sev["y"] - save["y"]) < 8     # ...on one line
    assert save["x"] + save["width"] <= width
    assert row.evaluate("f => parseFloat(getComputedStyle(f).borderBottomWidth)") >= 1   # a rule before the next
