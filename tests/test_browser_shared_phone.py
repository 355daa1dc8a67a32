"""In real Chromium on a shared phone: an idle operator's session ends with a message, the next operator
takes the phone over with one badge scan (a scanner anywhere on the page, or the camera), and a scan the
first queued before the end is still credited to them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from shopfloor import clock
from shopfloor.auth.services import badge_payload
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import AuthSession, Bundle, WorkLog
from tests.browser_helpers import qr_video, sign_in_operator, wait_until
from tests.conftest import PHONE


def _idle(user_id: int, minutes: int = 61) -> None:
    with write_transaction():
        db.session.execute(update(AuthSession).where(AuthSession.user_id == user_id)
                           .values(used_at=clock.utcnow() - timedelta(minutes=minutes)))


def _session_owners() -> list[int]:
    db.session.remove()
    return [s.user_id for s in db.session.scalars(select(AuthSession))]


def test_idle_session_ends_and_the_next_operator_takes_over_with_one_badge_scan(live_server, new_context, factory):
    line, style, order, a = factory.floor()
    b = factory.user("operator", line=line, name="Rina Begum")
    factory.update(b, assigned_operation_id=style.operations[0].id)
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    a_id, b_id, b_badge = a.id, b.id, badge_payload(b)
    phone = new_context(**PHONE, service_workers="block").new_page()
    sign_in_operator(phone, live_server, a)
    phone.context.set_offline(True)                       # A scans without network: the scan waits on the phone
    phone.fill("#code", bundle.code)
    phone.press("#code", "Enter")
    wait_until(phone, "document.getElementById('outbox').dataset.count === '1'")
    phone.route("**/api/v1/scans", lambda route: route.abort())
    phone.context.set_offline(False)
    _idle(a_id)                                           # ... and leaves the phone for an hour
    phone.goto(f"{live_server}/me")
    assert "/login" in phone.url
    assert "Your session ended after 60 minutes without use." in phone.inner_text("[data-ended]")
    assert phone.locator(".who").count() == 0
    phone.unroute("**/api/v1/scans")
    with phone.expect_response("**/api/v1/scans", timeout=20000) as answer:
        phone.locator("body").focus()
        phone.keyboard.type(b_badge, delay=8)             # B's badge on a keyboard-wedge scanner
        phone.keyboard.press("Enter")
        phone.wait_for_url("**/me")
        phone.goto(f"{live_server}/scan")                 # B's scan page sends what the phone holds
    assert answer.value.status == 201
    assert "Rina Begum" in phone.inner_text(".who")
    assert _session_owners() == [b_id]                    # A's ended session is gone with the takeover
    wait_until(phone, "document.getElementById('outbox').dataset.count === '0'", timeout=15000)
    db.session.remove()
    assert [tuple(r) for r in db.session.execute(select(WorkLog.operator_id, WorkLog.pieces))] == [(a_id, 10)]


def test_badge_scanned_with_the_camera_signs_in_on_the_sign_in_page(live_server, factory, tmp_path,
                                                                  launch_chromium, new_context):
    line, style, order, a = factory.floor()
    a_id, a_name = a.id, a.name
    video = tmp_path / "badge.y4m"
    qr_video(video, badge_payload(a))
    camera = launch_chromium("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                             f"--use-file-for-fake-video-capture={video}")
    context = new_context(camera, **PHONE)
    context.grant_permissions(["camera"], origin=live_server)
    page = context.new_page()
    page.goto(f"{live_server}/scan")
    assert "/login" in page.url
    page.click("#camera-button")
    page.wait_for_url("**/scan", timeout=20000)
    assert a_name in page.inner_text(".who")
    assert _session_owners() == [a_id]


def test_a_scan_after_the_session_ended_leads_to_the_sign_in_page_with_the_reason(live_server, new_context, factory):
    _, _, order, a = factory.floor()
    a_id = a.id
    code = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first().code
    phone = new_context(**PHONE, service_workers="block").new_page()
    sign_in_operator(phone, live_server, a)
    _idle(a_id)                                           # the scan page stayed open, unused, for an hour
    phone.fill("#code", code)
    phone.press("#code", "Enter")                         # htmx asks for the card: refused, sent to sign in
    phone.wait_for_url("**/login?**ended=idle**")
    assert "60 minutes without use" in phone.inner_text("[data-ended]")
    db.session.remove()
    assert not db.session.scalars(select(WorkLog)).first()
