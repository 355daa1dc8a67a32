"""In real Chromium: a scan queued on a shared phone is credited to the operator who made it."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle, WorkLog
from tests.browser_helpers import sign_in_operator, wait_until
from tests.conftest import PHONE


def test_scan_queued_by_a_is_credited_to_a_after_b_signs_in_on_the_same_phone(live_server, new_context, factory):
    line, style, order, a = factory.floor()
    b = factory.user("operator", line=line)
    factory.update(b, assigned_operation_id=style.operations[0].id)
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    # Service workers blocked so that the test's network rules see every request the page makes.
    phone = new_context(**PHONE, service_workers="block").new_page()
    sign_in_operator(phone, live_server, a)
    phone.context.set_offline(True)
    phone.fill("#code", bundle.code)
    phone.press("#code", "Enter")
    wait_until(phone, "document.getElementById('outbox').dataset.count === '1'")
    # Back on the network, but the scan API unreachable: A signs out with the scan still queued.
    phone.route("**/api/v1/scans", lambda route: route.abort())
    phone.context.set_offline(False)
    phone.wait_for_timeout(300)
    phone.click("form.logout button[type=submit]")
    phone.wait_for_url("**/login**")
    phone.unroute("**/api/v1/scans")
    sent = []
    phone.on("request", lambda r: sent.append(r) if r.url.endswith("/api/v1/scans") else None)
    with phone.expect_response("**/api/v1/scans", timeout=20000) as answer:
        sign_in_operator(phone, live_server, b)            # B's scan page sends what the phone holds
    assert answer.value.status == 201
    assert b.name in phone.inner_text(".who")
    wait_until(phone, "document.getElementById('outbox').dataset.count === '0'", timeout=15000)
    db.session.remove()
    entries = db.session.execute(select(WorkLog.operator_id, WorkLog.pieces, WorkLog.bundle_id)).all()
    assert [tuple(e) for e in entries] == [(a.id, 10, bundle.id)]   # A's work, sent under B's session
    assert len(sent) == 1 and '"operator"' in (sent[0].post_data or "")
