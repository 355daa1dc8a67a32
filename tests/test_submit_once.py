"""Every form submits once: each POST form, read from its rendered page, is sent twice and saves once.

Each test GETs the page, takes the form as rendered (its fields and hidden one-time id), posts the very
same form twice, counts the rows in the database, and reads what the second answer tells the user.
"""
from __future__ import annotations

from decimal import Decimal

from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import select

from shopfloor.auth import services as auth_services
from shopfloor.extensions import db
from shopfloor.models import (AqlAudit, Bundle, CustomerReturn, DefectType, Inspection, Material, Operation, Order,
                              Rework, Style, User, WorkLog)
from shopfloor.models.planning import Milestone
from shopfloor.planning import materials, schedule
from shopfloor.quality import catalogue, services as quality
from shopfloor.quality.services import DefectEntry
from shopfloor.scan.services import record_scan
from tests.conftest import login
from tests.factories import PASSWORD, PIN
from tests.html_forms import SAVED, count, form_for, post_forms, send

def twice(client, page: str, action: str, press: str | None = None, **values):
    """GET page, fill the form posting to action, send it twice; returns both answers."""
    html = client.get(page).text
    form = form_for(html, action)
    assert form.fields[1][0] == "_once" and len(form.fields[1][1]) >= 16, "the form carries its one-time id"
    data = form.data(press, **values)
    first = send(client, form, data, page=page)
    _forget_request_caches()
    second = send(client, form, data, page=page)
    _forget_request_caches()
    return first, second


def _forget_request_caches() -> None:
    # Requests share the test's app context (see conftest.login): drop the user and locale cached on g.
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


def assert_told_saved(first, second):
    assert first.status_code == 200 and SAVED not in first.text
    assert second.status_code == 200 and SAVED in second.text
    assert "error-page" not in second.text and 'role="alert"' not in second.text


@pytest.fixture()
def floor(factory):
    """A line, a 3-operation style, an order cut in two bundles; bundle 1 sewn by the operator; a QC."""
    line, style, order, op = factory.floor()
    qc = factory.user("qc", line=line)
    manager = factory.user("manager")
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=o.id, qty=10)
    catalogue.ensure_default_catalogue()
    return {"line": line, "style": style, "order": order, "op": op, "qc": qc, "manager": manager, "b1": b1}


def _open_rework(f, repaired=False) -> Rework:
    seam = f["style"].operations[1]
    defect = db.session.scalar(select(DefectType).where(DefectType.code == "open_seam"))
    quality.record_inspection(inspector_id=f["qc"].id, bundle_ref=f["b1"].code, kind="endline", checked=10,
                              entries=[DefectEntry(defect.id, seam.id, 2)])
    rw = db.session.scalars(select(Rework)).one()
    if repaired:
        quality.mark_repaired(rw.id, user_id=f["op"].id, is_staff=False)
    return rw


# --- quality ---------------------------------------------------------------------------------------

def test_inspection_saved_once(client, floor):
    login(client, floor["qc"])
    defect = db.session.scalar(select(DefectType).where(DefectType.code == "open_seam"))
    first, second = twice(client, f"/qc?code={floor['b1'].code}", "/qc/inspections",
                          **{f"count-{defect.id}": "1"})
    assert count(Inspection) == 1 and count(Rework) == 1
    assert "Failed: 1 of 10 pieces defective" in first.text
    assert_told_saved(first, second)
    assert second.headers["HX-Retarget"] == "#flash"        # shown in the page's flash area, result kept


def test_rework_recheck_saved_once(client, floor):
    rw = _open_rework(floor, repaired=True)
    login(client, floor["qc"])
    first, second = twice(client, "/qc/rework", f"/qc/rework/{rw.id}/recheck", press="pass")
    assert count(Inspection, Inspection.kind == "recheck") == 1
    assert db.session.get(Rework, rw.id).status == "closed"
    assert_told_saved(first, second)


def test_rework_repaired_by_operator_saved_once(client, floor):
    rw = _open_rework(floor)
    login(client, floor["op"])
    first, second = twice(client, "/rework/mine", f"/rework/{rw.id}/repaired")
    assert count(Rework, Rework.status == "repaired") == 1
    assert "Nothing to repair." in first.text
    assert_told_saved(first, second)


def test_rework_repaired_by_inspector_saved_once(client, floor):
    rw = _open_rework(floor)
    login(client, floor["qc"])
    first, second = twice(client, "/qc/rework", f"/rework/{rw.id}/repaired")
    assert count(Rework, Rework.status == "repaired") == 1
    assert "Repaired — re-check" in first.text
    assert_told_saved(first, second)


def test_audit_saved_once(client, floor):
    login(client, floor["qc"])
    order = floor["order"]
    first, second = twice(client, f"/qc/audit?order={order.id}&lot=500&level=II&cartons=10", "/qc/audit",
                          major="1")
    assert count(AqlAudit) == 1
    assert_told_saved(first, second)


def test_return_saved_once(client, floor):
    login(client, floor["qc"])
    first, second = twice(client, "/qc/returns", "", reference="RMA-7", pieces="3", reason="Loose hem")
    assert count(CustomerReturn) == 1 and count(Rework, Rework.return_id.is_not(None)) == 1
    assert "RMA-7" in first.text
    assert_told_saved(first, second)


def test_defect_type_added_once(client, floor):
    login(client, floor["manager"])
    before = count(DefectType)
    html = client.get("/qc/defects").text
    new = [f for f in post_forms(html) if f.action == "" and "id" not in dict(f.fields)]
    assert len(new) == 1
    data = new[0].data(name="Glue stain")
    first = send(client, new[0], data, page="/qc/defects")
    second = send(client, new[0], data, page="/qc/defects")
    assert count(DefectType) == before + 1 and count(DefectType, DefectType.name == "Glue stain") == 1
    assert_told_saved(first, second)


def test_defect_type_edit_saved_once(client, floor):
    login(client, floor["manager"])
    seam = db.session.scalar(select(DefectType).where(DefectType.code == "open_seam"))
    html = client.get("/qc/defects").text
    form = next(f for f in post_forms(html) if dict(f.fields).get("id") == str(seam.id))
    data = form.data(name="Open seam (side)", severity="critical")
    first = send(client, form, data, page="/qc/defects")
    second = send(client, form, data, page="/qc/defects")
    assert count(DefectType, DefectType.name == "Open seam (side)", DefectType.severity == "critical") == 1
    assert_told_saved(first, second)


# --- planning --------------------------------------------------------------------------------------

def test_style_created_once(client, factory):
    login(client, factory.user("manager"))
    first, second = twice(client, "/styles", "/styles", code="tee-9", name="Tee", sizes="S,M")
    assert count(Style, Style.code == "TEE-9") == 1
    assert_told_saved(first, second)


def test_style_edit_saved_once(client, factory):
    style = factory.style()
    login(client, factory.user("manager"))
    first, second = twice(client, f"/styles/{style.id}", f"/styles/{style.id}", name="Renamed tee")
    assert count(Style) == 1 and db.session.get(Style, style.id).name == "Renamed tee"
    assert_told_saved(first, second)


def test_operation_added_once(client, factory):
    style = factory.style()
    login(client, factory.user("manager"))
    first, second = twice(client, f"/styles/{style.id}", f"/styles/{style.id}/operations", name="Label",
                          machine="SN", sam="0.3")
    assert count(Operation, Operation.style_id == style.id) == 4
    assert count(Operation, Operation.name == "Label") == 1
    assert_told_saved(first, second)


def test_operation_moved_once(client, factory):
    style = factory.style()
    last = style.operations[-1]
    login(client, factory.user("manager"))
    first, second = twice(client, f"/styles/{style.id}", f"/operations/{last.id}", press="up")
    names = db.session.scalars(select(Operation.name).where(Operation.style_id == style.id)
                               .order_by(Operation.seq)).all()
    assert names == ["Op 1", "Op 3", "Op 2"]                # one place up, not two
    assert_told_saved(first, second)


def test_order_created_once(client, factory):
    line, style = factory.line(), factory.style(sizes="S,M")
    login(client, factory.user("manager"))
    due = (date.today() + timedelta(days=20)).isoformat()
    first, second = twice(client, "/orders", "/orders", number="PO-1", customer="Acme", due_date=due,
                          **{"colour-0": "Red", "qty-0-S": "12", "qty-0-M": "8"})
    assert count(Order) == 1 and db.session.scalar(select(Order)).total_quantity == 20
    assert_told_saved(first, second)


def test_order_cut_once(client, factory):
    order = factory.order(cut=False, qty=None)
    login(client, factory.user("manager"))
    first, second = twice(client, f"/orders/{order.id}?bundle_size=10", f"/orders/{order.id}/cut")
    assert count(Bundle, Bundle.order_id == order.id) == 2
    assert_told_saved(first, second)


def test_material_added_once(client, factory):
    order = factory.order()
    login(client, factory.user("manager"))
    first, second = twice(client, f"/orders/{order.id}", f"/orders/{order.id}/materials", name="Jersey",
                          quantity="120")
    assert count(Material, Material.order_id == order.id) == 1
    assert_told_saved(first, second)


def test_material_receipt_saved_once(client, factory):
    order = factory.order()
    m = materials.add_material(order.id, kind="fabric", name="Jersey", quantity=Decimal("100"), unit="m", supplier="",
                               ordered_on=None, expected_on=None)
    login(client, factory.user("manager"))
    first, second = twice(client, f"/orders/{order.id}", f"/materials/{m.id}/receive", quantity="40")
    assert float(db.session.get(Material, m.id).received) == 40.0    # received once, not 80
    assert_told_saved(first, second)


def test_milestone_edit_saved_once(client, factory):
    order = factory.order()
    ms = schedule.milestones(order)
    login(client, factory.user("manager"))
    first, second = twice(client, f"/orders/{order.id}", f"/milestones/{ms[0].id}", owner="Ana")
    assert count(Milestone, Milestone.owner == "Ana") == 1 and count(Milestone) == len(ms)
    assert_told_saved(first, second)


# --- supervision and the floor ---------------------------------------------------------------------

def test_assignment_saved_once(client, floor):
    login(client, floor["manager"])
    op, target = floor["op"], floor["style"].operations[2]
    first, second = twice(client, "/supervise", f"/supervise/assign/{op.id}", operation=str(target.id))
    assert db.session.get(User, op.id).assigned_operation_id == target.id
    assert_told_saved(first, second)


def test_correction_saved_once(client, floor):
    login(client, floor["manager"])
    entry = db.session.scalars(select(WorkLog).order_by(WorkLog.id)).first()
    first, second = twice(client, f"/supervise?code={floor['b1'].code}", f"/supervise/correct/{entry.id}",
                          reason="Wrong operation")
    assert count(WorkLog, WorkLog.reverses_id == entry.id) == 1
    assert "Corrected: the entry was reversed" in first.text
    assert_told_saved(first, second)


def test_scan_log_form_saved_once_by_its_client_id(client, floor):
    """The scan form's own id (client_id, set by scan.js, also used by the offline outbox)."""
    op, b2 = floor["op"], db.session.scalars(select(Bundle).where(Bundle.number == 2)).first()
    login(client, op)
    card = client.get(f"/scan/card?code={b2.code}", headers={"HX-Request": "true"}).text
    form = form_for(card, "/scan/log")
    data = form.data(client_id="tap-tap-1")
    first = send(client, form, data, page="/scan")
    second = send(client, form, data, page="/scan")
    assert count(WorkLog, WorkLog.bundle_id == b2.id) == 1
    assert "Done: 10 pieces logged." in first.text
    assert second.status_code == 200 and "Already saved: 10 pieces" in second.text


def test_scan_undo_saved_once(client, floor):
    op, b2 = floor["op"], db.session.scalars(select(Bundle).where(Bundle.number == 2)).first()
    login(client, op)
    scanned = client.post("/scan/log", data={"bundle": b2.code, "operation": floor["style"].operations[0].id,
                                             "qty": "10", "client_id": "undo-once-1"}, headers={"HX-Request": "true"})
    log_id = db.session.scalar(select(WorkLog.id).where(WorkLog.client_id == "undo-once-1"))
    form = form_for(scanned.text, f"/scan/undo/{log_id}")
    data = form.data()
    first = send(client, form, data, page="/scan")
    second = send(client, form, data, page="/scan")
    assert count(WorkLog, WorkLog.reverses_id == log_id) == 1
    assert "Undone. Nothing was counted." in first.text
    assert_told_saved(first, second)


# --- signing in, out, language ---------------------------------------------------------------------

@pytest.mark.parametrize("tab,action", [("pin", "/login/pin"), ("badge", "/login/badge"),
                                        ("staff", "/login/password")])
def test_sign_in_form_sent_twice_signs_in_once(client, factory, tab, action):
    op, manager = factory.user("operator"), factory.user("manager")
    values = {"pin": {"user_id": str(op.id), "pin": PIN}, "badge": {"badge": auth_services.badge_payload(op)},
              "staff": {"username": manager.username, "password": PASSWORD}}[tab]
    first, second = twice(client, f"/login?tab={tab}", action, **values)
    assert_told_saved(first, second)
    assert "Sign out" in second.text                       # signed in, not sent back to the sign-in page


def test_badge_link_confirmation_sent_twice(client, factory):
    op = factory.user("operator")
    first, second = twice(client, f"/badge/{auth_services.badge_payload(op)}", "/login/badge")
    assert_told_saved(first, second)
    assert "Sign out" in second.text


def test_sign_out_sent_twice(client, factory):
    login(client, factory.user("manager"))
    first, second = twice(client, "/styles", "/logout")
    assert "You are signed out." in first.text
    assert second.status_code == 200 and SAVED in second.text and "Sign out" not in second.text


def test_language_choice_sent_twice(client, factory):
    login(client, factory.user("manager"))
    first, second = twice(client, "/styles", "/language", press="es")
    assert first.status_code == 200 and 'lang="es"' in first.text
    assert "Ya guardado: este formulario se envió dos veces" in second.text   # told in the chosen language
