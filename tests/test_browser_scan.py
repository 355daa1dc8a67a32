"""The phone scan page in real Chromium at 390x844: offline outbox, wedge scanner, camera."""
from __future__ import annotations

from sqlalchemy import func, select

from shopfloor import security
from shopfloor.extensions import db
from shopfloor.models import Bundle, WorkLog
from tests.browser_helpers import qr_video, sign_in_operator, wait_until


def _bundles(order):
    return [(b.id, b.code) for b in db.session.scalars(
        select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number))]


def _logged(bundle_id: int) -> list[int]:
    db.session.remove()
    return list(db.session.scalars(select(WorkLog.pieces).where(WorkLog.bundle_id == bundle_id)))


def test_offline_scans_are_sent_once_when_back_online(live_server, phone, factory):
    _, style, order, op = factory.floor()
    (b1, c1), (b2, c2) = _bundles(order)
    sign_in_operator(phone, live_server, op)
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()  # now the service worker has the page
    wait_until(phone, "navigator.serviceWorker.controller !== null")
    phone.context.set_offline(True)
    for code in (c1, c2):
        phone.fill("#code", code)
        phone.press("#code", "Enter")
    wait_until(phone, "document.getElementById('outbox').dataset.count === '2'")
    assert "2 scans waiting to be sent" in phone.inner_text("#outbox")
    assert "saved on this phone" in phone.inner_text("#bundle-card")
    phone.reload()  # still offline: the service worker serves the page, the outbox survives
    wait_until(phone, "document.getElementById('outbox').dataset.count === '2'")
    assert _logged(b1) == [] and _logged(b2) == []
    phone.context.set_offline(False)
    wait_until(phone, "document.getElementById('outbox').dataset.count === '0'", timeout=15000)
    assert phone.locator("#outbox").is_hidden()
    assert _logged(b1) == [10] and _logged(b2) == [10]
    # The sent scans left the phone: after a reload the outbox is empty and nothing is sent again.
    posts = []
    phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/api/v1/scans" in r.url else None)
    phone.reload()
    wait_until(phone, "window.Outbox !== undefined")
    assert phone.evaluate("Outbox.all().then(items => items.map(i => i.bundle))") == []
    assert phone.evaluate("Outbox.flush(document.querySelector('meta[name=csrf-token]').content)"
                          ".then(r => r.sent + r.kept + r.refused.length)") == 0
    assert posts == []
    assert phone.locator("#outbox").is_hidden()
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(WorkLog)) == 2


def test_wedge_scanner_keystrokes_open_the_card(live_server, phone, factory):
    _, style, order, op = factory.floor()
    (_, c1), _ = _bundles(order)
    sign_in_operator(phone, live_server, op)
    phone.locator("body").focus()
    phone.keyboard.type(security.sign("bundle", c1), delay=8)
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".bundle-code")
    assert phone.inner_text(".bundle-code") == c1
    assert "Done 10 pcs" in phone.inner_text(".log-form button[type=submit]")


def test_camera_scan_log_undo_and_board(live_server, factory, tmp_path, launch_chromium, new_context):
    """Chromium's fake camera shows a ticket QR: the card opens, Done logs, the board shows it."""
    line, style, order, op = factory.floor()
    factory.update(op, assigned_operation_id=style.operations[-1].id)  # the last operation: line output
    line_id, order_number = line.id, order.number
    (b1, c1), _ = _bundles(order)
    video = tmp_path / "qr.y4m"
    qr_video(video, f"http://shopfloor.test/b/{security.sign('bundle', c1)}")
    camera = launch_chromium("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                             f"--use-file-for-fake-video-capture={video}")
    context = new_context(camera, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.grant_permissions(["camera"], origin=live_server)
    page = context.new_page()
    sign_in_operator(page, live_server, op)
    native = page.evaluate("'BarcodeDetector' in window")
    page.click("#camera-button")
    page.wait_for_selector(".bundle-code", timeout=20000)
    assert page.inner_text(".bundle-code") == c1
    assert not page.locator("#camera").evaluate("d => d.open")
    # Without a native detector the vendored polyfill and its local wasm did the decoding.
    assert native or page.evaluate("typeof BarcodeDetectionAPI") == "object"
    page.click(".log-form [data-done]")
    assert "Operations 1–2 are not done yet. Log anyway?" in page.inner_text("[data-ask-step]")
    page.click("[data-log-anyway-button]")  # the one extra tap of a style that warns
    page.wait_for_selector('[data-kind="ok"]')
    assert "Done: 10 pieces logged." in page.inner_text("#bundle-card")
    assert page.locator("form.undo").is_visible()
    assert _logged(b1) == [10]
    page.goto(f"{live_server}/board")
    assert page.locator(f'[data-order="{order_number}"]').inner_text() == "10 / 20"
    assert page.locator(f'#line-{line_id} [data-kpi="output"]').inner_text().startswith("10")
