"""The bundle card on a 390x844 phone in real Chromium, with a 12-operation style: what is on screen right
after a scan, the taps from card to logged, Done's label, the operation's reset, the "log anyway" step
(online and from the outbox), a block, and the rework-aware maximum."""
from __future__ import annotations

import os

from sqlalchemy import select

from shopfloor import security
from shopfloor.extensions import db
from shopfloor.models import Bundle, WorkLog
from shopfloor.quality import catalogue
from shopfloor.quality import services as quality
from shopfloor.quality.services import DefectEntry
from shopfloor.scan import services
from shopfloor.vocabulary import SequenceCheck
from tests.browser_helpers import qr_video, sign_in_operator, wait_until
from tests.conftest import PHONE

W, H = PHONE["viewport"]["width"], PHONE["viewport"]["height"]
SHOTS = os.environ.get("SHOPFLOOR_SCREENSHOTS")  # a folder: the tests leave what they measured as pictures

# Counts the taps a person makes on the page (trusted pointer presses), from the moment it is installed.
COUNT_TAPS = """() => { window.__taps = 0;
  document.addEventListener('pointerdown', e => { if (e.isTrusted) window.__taps++; }, true); }"""


def _floor(factory, n_ops=12, check=None):
    line, style, order, op = factory.floor(sams=[0.5] * n_ops, sequence_check=SequenceCheck(check) if check else None,
                                           assign=False)
    bundles = [(b.id, b.code) for b in db.session.scalars(
        select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number))]
    return line, style, [o.id for o in style.operations], bundles, op


def _logged(bundle_id: int) -> list[tuple[int, int]]:
    db.session.remove()
    return [(w.operation_id, w.pieces) for w in db.session.scalars(
        select(WorkLog).where(WorkLog.bundle_id == bundle_id).order_by(WorkLog.id))]


def _box(page, selector: str) -> dict:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return box


def _on_screen(page, selector: str) -> dict:
    """The element's box, asserted wholly inside the 390x844 viewport as it is now (no scrolling)."""
    b = _box(page, selector)
    assert b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= W and b["y"] + b["height"] <= H, (selector, b)
    return b


def _open_card(page, code: str) -> None:
    page.fill("#code", code)
    page.press("#code", "Enter")
    page.wait_for_selector(".bundle-code")


def test_camera_scan_of_a_12_operation_style_logs_in_one_tap_all_on_screen(live_server, factory, tmp_path,
                                                                         launch_chromium, new_context):
    line, style, op_ids, bundles, op = _floor(factory)
    (b1, c1), _ = bundles
    # The operator sews operation 10; operations 1-9 already have this bundle's pieces.
    for i in range(9):
        services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=c1, operation_id=op_ids[i],
                             qty=10)
    factory.update(op, assigned_operation_id=op_ids[9])
    video = tmp_path / "qr.y4m"
    qr_video(video, f"http://shopfloor.test/b/{security.sign('bundle', c1)}")
    camera = launch_chromium("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                             f"--use-file-for-fake-video-capture={video}")
    context = new_context(camera, **PHONE)
    context.grant_permissions(["camera"], origin=live_server)
    page = context.new_page()
    sign_in_operator(page, live_server, op)
    page.tap("#camera-button")
    page.wait_for_selector(".bundle-code", timeout=20000)
    assert page.inner_text(".bundle-code") == c1
    # Right after the card loads: the operator's operation, the pieces and Done are all on screen.
    assert page.locator(".card-op").count() == 12
    assert page.evaluate("document.scrollingElement.scrollHeight") > H   # the card is longer than the screen
    assert page.evaluate("window.scrollY") == 0
    sel, qty, done = _on_screen(page, "#operation"), _on_screen(page, "#qty"), _on_screen(page, "[data-done]")
    assert page.input_value("#operation") == str(op_ids[9])
    assert "10. Op 10" in page.locator("#operation option:checked").inner_text()
    assert page.input_value("#qty") == "10" and page.inner_text("[data-done]") == "Done 10 pcs"
    assert min(sel["height"], qty["height"], done["height"]) >= 44       # thumb-sized
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "card-12-ops.png"))
    page.evaluate(COUNT_TAPS)
    page.tap("[data-done]")
    page.wait_for_selector('[data-kind="ok"]')
    assert page.evaluate("window.__taps") == 1                         # card to logged: one tap
    assert _logged(b1)[-1] == (op_ids[9], 10)
    # The confirmation and the camera button for the next bundle are on screen, without scrolling.
    _on_screen(page, '[data-kind="ok"]')
    _on_screen(page, "#camera-button")
    assert page.inner_text('[data-kind="ok"]') == "Done: 10 pieces logged."
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "card-logged.png"))


def test_done_follows_pieces_and_operation_and_a_new_operation_resets_them(live_server, phone, factory):
    line, style, op_ids, bundles, op = _floor(factory, check="off")
    (b1, c1), _ = bundles
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=c1, operation_id=op_ids[4], qty=6)
    factory.update(op, assigned_operation_id=op_ids[2])
    sign_in_operator(phone, live_server, op)
    _open_card(phone, c1)
    done = phone.locator("[data-done]")
    assert phone.input_value("#operation") == str(op_ids[2]) and done.inner_text() == "Done 10 pcs"
    phone.fill("#qty", "4")
    assert done.inner_text() == "Done 4 pcs" and done.is_enabled()
    phone.fill("#qty", "11")
    assert done.inner_text() == "Only 10 left" and done.is_disabled()
    phone.fill("#qty", "0")
    assert done.is_disabled()
    # Another operation: its own maximum and all of its pieces, whatever was typed before.
    phone.select_option("#operation", str(op_ids[4]))
    assert phone.input_value("#qty") == "4" and phone.get_attribute("#qty", "max") == "4"
    assert done.inner_text() == "Done 4 pcs" and done.is_enabled()
    phone.fill("#qty", "3")
    assert done.inner_text() == "Done 3 pcs"
    # A tap on a row of the bulletin chooses it too.
    phone.tap(f'[data-op="{op_ids[0]}"]')
    assert phone.input_value("#operation") == str(op_ids[0]) and phone.input_value("#qty") == "10"
    assert phone.locator(f'[data-op="{op_ids[0]}"]').get_attribute("class").split().count("card-op-chosen") == 1
    phone.select_option("#operation", str(op_ids[2]))        # back to the operator's own
    phone.fill("#qty", "2")
    phone.tap("[data-done]")
    phone.wait_for_selector('[data-kind="ok"]')
    assert _logged(b1) == [(op_ids[4], 6), (op_ids[2], 2)]


def test_without_an_assigned_operation_on_this_style_nothing_is_chosen(live_server, phone, factory):
    line, style, op_ids, bundles, op = _floor(factory, n_ops=4)
    factory.update(op, assigned_operation_id=factory.style().operations[0].id)   # another style's operation
    sign_in_operator(phone, live_server, op)
    _open_card(phone, bundles[0][1])
    assert phone.input_value("#operation") == ""
    assert phone.inner_text("[data-done]") == "Choose your operation" and phone.locator("[data-done]").is_disabled()
    phone.select_option("#operation", str(op_ids[0]))
    assert phone.inner_text("[data-done]") == "Done 10 pcs" and phone.locator("[data-done]").is_enabled()


def test_warn_asks_once_and_log_anyway_is_one_more_tap(live_server, phone, factory):
    line, style, op_ids, bundles, op = _floor(factory)
    (b1, c1), _ = bundles
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=c1, operation_id=op_ids[5], qty=10,
                         log_anyway=True)
    factory.update(op, assigned_operation_id=op_ids[8])     # operation 9; 1-5 and 7-8 have no pieces
    sign_in_operator(phone, live_server, op)
    _open_card(phone, c1)
    phone.tap("[data-done]")
    ask = phone.locator("[data-ask-step]")
    assert ask.is_visible() and ask.inner_text().startswith("Operations 1–5, 7–8 are not done yet. Log anyway?")
    _on_screen(phone, "[data-log-anyway-button]")
    if SHOTS:
        phone.screenshot(path=os.path.join(SHOTS, "card-ask.png"))
    assert _logged(b1) == [(op_ids[5], 10)]                # asked: nothing sent
    phone.tap("[data-ask-cancel]")
    assert ask.is_hidden()
    phone.evaluate(COUNT_TAPS)
    phone.tap("[data-done]")
    phone.tap("[data-log-anyway-button]")
    phone.wait_for_selector('[data-kind="ok"]')
    assert phone.evaluate("window.__taps") == 2            # Done, then "Log anyway": the one extra tap
    assert _logged(b1) == [(op_ids[5], 10), (op_ids[8], 10)]
    _on_screen(phone, '[data-kind="ok"]')


def test_warn_from_the_outbox_asks_on_the_page_and_a_confirmed_item_is_not_asked_again(live_server, phone,
                                                                                      factory):
    line, style, op_ids, bundles, op = _floor(factory, n_ops=4)
    (b1, c1), (b2, c2) = bundles
    factory.update(op, assigned_operation_id=op_ids[2])     # operation 3; 1-2 have no pieces
    sign_in_operator(phone, live_server, op)
    _open_card(phone, c1)
    phone.context.set_offline(True)
    # Answered on the card while offline: queued with the answer.
    phone.tap("[data-done]")
    phone.tap("[data-log-anyway-button]")
    wait_until(phone, "document.getElementById('outbox').dataset.count === '1'")
    # A scan queued without a card (offline, the assigned operation): the server will ask.
    phone.fill("#code", c2)
    phone.press("#code", "Enter")
    wait_until(phone, "document.getElementById('outbox').dataset.count === '2'")
    assert phone.evaluate("Outbox.all().then(a => a.map(i => [i.bundle, !!i.log_anyway]).sort())") == \
        sorted([[c1, True], [c2, False]])
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(phone, "document.getElementById('outbox-asks').hidden === false", timeout=15000)
    assert _logged(b1) == [(op_ids[2], 10)] and _logged(b2) == []
    asks = phone.locator("#outbox-asks li")
    assert asks.count() == 1 and f"{c2}: Operations 1–2 are not done yet. Log anyway?" in asks.inner_text()
    assert phone.evaluate("document.getElementById('outbox').dataset.count") == "1"   # still on the phone
    phone.tap("#outbox-asks [data-answer='1']")
    wait_until(phone, "document.getElementById('outbox').dataset.count === '0'", timeout=15000)
    assert _logged(b2) == [(op_ids[2], 10)] and _logged(b1) == [(op_ids[2], 10)]
    assert phone.locator("#outbox-asks").is_hidden()


def test_block_shows_why_and_done_stays_off(live_server, phone, factory):
    line, style, op_ids, bundles, op = _floor(factory, check="block")
    (b1, c1), _ = bundles
    factory.update(op, assigned_operation_id=op_ids[7])
    sign_in_operator(phone, live_server, op)
    _open_card(phone, c1)
    note = _on_screen(phone, "[data-block-note]")
    assert note["height"] > 0
    assert phone.inner_text("[data-block-note]") == "Operations 1–7 are not done yet: log them first."
    assert phone.locator("[data-done]").is_disabled()
    if SHOTS:
        phone.screenshot(path=os.path.join(SHOTS, "card-block.png"))
    phone.select_option("#operation", str(op_ids[0]))
    assert phone.locator("[data-block-note]").is_hidden() and phone.locator("[data-done]").is_enabled()
    phone.select_option("#operation", str(op_ids[7]))
    assert phone.locator("[data-done]").is_disabled()
    assert _logged(b1) == []


def test_a_bundle_in_rework_shows_what_can_really_be_logged(live_server, phone, factory):
    line, style, op_ids, bundles, op = _floor(factory, n_ops=4)
    (b1, c1), _ = bundles
    qc = factory.user("qc", line=line)
    catalogue.ensure_default_catalogue()
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=c1, operation_id=op_ids[0], qty=10)
    stain = next(d for d in catalogue.active_defects() if d.code == "stain")
    quality.record_inspection(inspector_id=qc.id, bundle_ref=c1, kind="endline", checked=10,
                              entries=[DefectEntry(stain.id, op_ids[0], 4)])
    factory.update(op, assigned_operation_id=op_ids[1])
    sign_in_operator(phone, live_server, op)
    _open_card(phone, c1)
    assert phone.input_value("#qty") == "6" and phone.get_attribute("#qty", "max") == "6"
    assert phone.inner_text("[data-done]") == "Done 6 pcs"
    assert "4 pieces in rework" in phone.inner_text(f'[data-op="{op_ids[1]}"]')
    if SHOTS:
        phone.screenshot(path=os.path.join(SHOTS, "card-rework.png"))
    phone.fill("#qty", "7")
    assert phone.inner_text("[data-done]") == "Only 6 left" and phone.locator("[data-done]").is_disabled()
    phone.fill("#qty", "6")
    phone.tap("[data-done]")
    phone.wait_for_selector('[data-kind="ok"]')
    assert _logged(b1) == [(op_ids[0], 10), (op_ids[1], 6)]
