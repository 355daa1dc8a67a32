"""Packing a carton on a 390x844 phone in real Chromium: the packer signs in, scans a carton label and then
bundles with a keyboard-wedge scanner (fast keys ending in Enter); the scan field and the carton's fill stay on
screen, the carton closes itself when full."""
from __future__ import annotations

import io
import os
import subprocess
from datetime import date

from PIL import Image
from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models.packing import Carton
from shopfloor.packing import labels, shipments
from shopfloor.vocabulary import CartonStatus
from tests.accessibility import assert_accessible, assert_tap_targets
from tests.browser_helpers import sign_in_staff, wait_until
from tests.conftest import PHONE
from tests.packing_support import bundles, planned_order, sew

W, H = PHONE["viewport"]["width"], PHONE["viewport"]["height"]
SHOTS = os.environ.get("SHOPFLOOR_SCREENSHOTS")


def _on_screen(page, selector: str) -> None:
    b = page.locator(selector).bounding_box()
    assert b is not None and b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= W and \
        b["y"] + b["height"] <= H, (selector, b)


def _wedge(page, code: str) -> None:
    """A scanner: the code typed in a burst (a few ms a key), then Enter."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def test_packer_packs_a_carton_by_wedge_scan_on_a_phone(live_server, new_context, factory):
    order, _m = planned_order(factory)  # carton 1: S/Blue 20
    b0, b1 = bundles(order, "S")[:2]
    for b in (b0, b1):
        sew(factory, order, b)
    packer = factory.user("packer")
    c1 = db.session.scalar(select(Carton).where(Carton.number == 1))
    sscc, carton_id, codes = c1.sscc, c1.id, (b0.code, b1.code)
    page = new_context(**PHONE).new_page()
    sign_in_staff(page, live_server, packer)
    page.wait_for_url("**/pack")
    _on_screen(page, "#pack-code")
    page.focus("#pack-code")
    _wedge(page, f"(00){sscc}")
    page.wait_for_selector(".carton-state")
    assert "Carton 1 of 3" in page.inner_text("#pack-carton")
    page.focus("#pack-code")
    _wedge(page, codes[0])
    wait_until(page, "document.querySelector('[data-fill]') && "
                     "document.querySelector('[data-fill]').textContent.includes('10 of 20')")
    assert "Packed: 10 pcs" in page.inner_text("#pack-carton")
    for sel in ("#pack-code", "[data-fill]", ".alert-ok"):
        _on_screen(page, sel)
    assert page.evaluate("document.activeElement.id") == "pack-code"  # ready for the next scan
    assert_accessible(page, "pack page")
    assert_tap_targets(page, "pack page")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "pack-phone.png"))
    _wedge(page, codes[0])  # the same bundle again: refused, nothing counted
    page.wait_for_selector(".alert-error")
    assert "Every piece of bundle" in page.inner_text(".alert-error")
    page.keyboard.type(codes[1], delay=150)  # typed by a person, sent with the button
    page.click("#pack-form button[type=submit]")
    wait_until(page, "document.querySelector('.carton-state').dataset.status === 'closed'")
    _on_screen(page, "[data-fill]")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "pack-phone-closed.png"))
    db.session.remove()
    carton = db.session.get(Carton, carton_id)
    assert (carton.packed, carton.status) == (20, CartonStatus.CLOSED)


def _label_video(path, pdf: bytes, tmp_path) -> None:
    """A Y4M video (Chromium's fake camera) of the carton label's barcode, rendered from the label PDF."""
    (tmp_path / "label.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / "label.pdf"),
                    str(tmp_path / "label")], check=True)
    label = Image.open(tmp_path / "label.png").convert("RGB")
    w, h = label.size
    barcode = label.crop((0, int(h * 0.55), w, h))  # the lower part: SSCC barcode and its digits
    frame_img = Image.new("RGB", (640, 480), "white")
    scale = min(600 / barcode.width, 440 / barcode.height)
    barcode = barcode.resize((int(barcode.width * scale), int(barcode.height * scale)), Image.NEAREST)
    frame_img.paste(barcode, ((640 - barcode.width) // 2, (480 - barcode.height) // 2))
    y, cb, cr = frame_img.convert("YCbCr").split()
    frame = y.tobytes() + cb.resize((320, 240)).tobytes() + cr.resize((320, 240)).tobytes()
    buf = io.BytesIO()
    buf.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
    for _ in range(20):
        buf.write(b"FRAME\n" + frame)
    path.write_bytes(buf.getvalue())


def test_the_phone_camera_reads_a_carton_label(live_server, factory, tmp_path, launch_chromium, new_context):
    """Chromium's fake camera shows the printed label's GS1-128 barcode: that carton opens."""
    order, _m = planned_order(factory)
    packer = factory.user("packer")
    c2 = db.session.scalar(select(Carton).where(Carton.number == 2))
    video = tmp_path / "label.y4m"
    _label_video(video, labels.render_pdf(labels.carton_labels(order.id, [c2.id])), tmp_path)
    camera = launch_chromium("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                             f"--use-file-for-fake-video-capture={video}")
    context = new_context(camera, **PHONE)
    context.grant_permissions(["camera"], origin=live_server)
    page = context.new_page()
    sign_in_staff(page, live_server, packer)
    page.wait_for_url("**/pack")
    page.click("#camera-button")
    page.wait_for_selector(".carton-state", timeout=20000)
    assert "Carton 2 of 3" in page.inner_text("#pack-carton")
    assert not page.locator("#camera").evaluate("d => d.open")


def test_the_shipments_page_on_a_phone_is_a_card_per_row_with_nothing_off_screen(live_server, new_context, factory):
    """At 390 px both tables of the shipments page scrolled sideways in their cards (shipped, status, cartons out of
    sight; order numbers broken over two lines). Each row is now a small card: its name and status on the first
    line, every figure under its column's name, all on screen."""
    order, manager = planned_order(factory)
    shipments.create(number="SH-0042", ex_factory=date(2026, 12, 9), carrier="Maersk Line",
                     container="MSKU 4801123", actor_id=manager.id)
    page = new_context(**PHONE).new_page()
    sign_in_staff(page, live_server, manager)
    page.goto(f"{live_server}/shipments")
    page.wait_for_load_state()
    for table in ("#packing-orders", "#shipments"):
        assert page.evaluate(f"(() => {{ const t = document.querySelector('{table}');"
                             " return t.scrollWidth <= t.parentElement.clientWidth; })()"), table
    rows = {"#packing-orders": f"tr[data-order='{order.number}']", "#shipments": "tr[data-shipment='SH-0042']"}
    for table, row_sel in rows.items():
        row = page.locator(f"{table} {row_sel}")
        cells = row.locator("td").all()
        assert len(cells) == 6
        for cell in cells:
            box = cell.bounding_box()
            assert box is not None and box["width"] > 0 and 0 <= box["x"] and box["x"] + box["width"] <= W, table
        name, status = cells[0].bounding_box(), row.locator("td.card-end").bounding_box()
        assert abs(name["y"] - status["y"]) < 4 and status["x"] > name["x"]   # name and status on one line
        assert cells[0].evaluate("td => td.getClientRects().length") == 1
        assert cells[0].locator("a").evaluate("a => a.getClientRects().length") == 1   # the number on one line
    shipped = page.locator(f"#packing-orders tr[data-order='{order.number}'] td[data-shipped]")
    carrier = page.locator("#shipments tr[data-shipment='SH-0042'] td[data-label='Carrier']")
    for cell, label, value in ((shipped, "Shipped", "0"), (carrier, "Carrier", "Maersk Line")):
        assert cell.inner_text() == value                  # each figure under its column's name
        assert cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'
        assert cell.evaluate("td => getComputedStyle(td, '::before').display") == "block"
