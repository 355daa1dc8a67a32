"""Phone (390x844): an inspection tapped twice, or its form sent again through htmx, is saved once."""
from __future__ import annotations

from sqlalchemy import func, select

from shopfloor.extensions import db
from shopfloor.models import Bundle, Inspection
from shopfloor.quality import catalogue
from shopfloor.scan.services import record_scan
from tests.factories import PASSWORD


def _inspector_at_bundle(live_server, phone, factory):
    line, style, order, op = factory.floor()
    qc = factory.user("qc", line=line)
    catalogue.ensure_default_catalogue()
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=o.id, qty=10)
    phone.goto(f"{live_server}/login?tab=staff")
    phone.fill("#username", qc.username)
    phone.fill("#password", PASSWORD)
    phone.click("#login button[type=submit]")
    phone.goto(f"{live_server}/qc?code={b1.code}")
    phone.wait_for_selector(".inspect-form")
    phone.locator(".tile", has_text="Open seam").locator("[data-step='1']").click()


def _inspections() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Inspection))


def test_double_tap_on_save_saves_one_inspection(live_server, phone, factory):
    _inspector_at_bundle(live_server, phone, factory)
    phone.dblclick(".inspect-form button[type=submit]")
    phone.wait_for_selector("[data-kind=result]")
    phone.wait_for_load_state("networkidle")
    assert "Failed: 1 of 10 pieces defective" in phone.inner_text("#inspect")
    assert _inspections() == 1


def test_same_form_sent_again_says_already_saved_and_keeps_the_result(live_server, phone, factory):
    _inspector_at_bundle(live_server, phone, factory)
    # Keep a copy of the filled form (same one-time id), as a resend or a slow second tap would carry it.
    phone.evaluate("window.sentForm = document.querySelector('.inspect-form').cloneNode(true)")
    phone.click(".inspect-form button[type=submit]")
    phone.wait_for_selector("[data-kind=result]")
    phone.evaluate("""() => {
        const form = window.sentForm;
        document.querySelector('main').append(form);
        htmx.process(form);
        form.requestSubmit();
    }""")
    phone.wait_for_selector("#flash [data-once]", timeout=5000)
    assert "Already saved: this form was sent twice and saved once." in phone.inner_text("#flash")
    assert "Failed: 1 of 10 pieces defective" in phone.inner_text("#inspect")
    assert _inspections() == 1
