"""The first day on the floor, as README's "First day on the floor" tells it, walked in real Chromium on the
demo factory: a phone set up from /setup, an operator signs in, opens a bundle from a printed ticket and logs it
with one tap, a supervisor's tablet, the board on the TV, the tickets as printed.

Each step asserts what a person sees there; the pictures it takes are the README's. `make screenshots` runs
it with SHOPFLOOR_SCREENSHOTS=docs/first-day (else they go to the test's temporary folder)."""
from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, time, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from shopfloor import clock, demo
from shopfloor.extensions import db
from shopfloor.lan import certificates
from shopfloor.lan.certificates import TLSFiles, machine_names
from shopfloor.models import Bundle, Operation, Order, User, WorkLog
from shopfloor.tickets.services import order_tickets
from tests.conftest import PHONE

TOKEN = "board-token-for-tests"
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
TV = {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture()
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SHOPFLOOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture()
def demo_floor(ctx, tmp_path, monkeypatch):
    """The demo factory at 11:30 on a working morning, served as `make run` serves it on a LAN: its address
    and its own CA."""
    at = datetime.combine(clock.local_today(), time(11, 30), tzinfo=clock.factory_tz())
    monkeypatch.setattr(clock, "utcnow", lambda: at.astimezone(timezone.utc).replace(tzinfo=None))
    files = TLSFiles.under(tmp_path)
    certificates.ensure(files, machine_names(["192.168.1.20"], host_name="cutting-pc"))
    saved = {k: ctx.config[k] for k in ("PUBLIC_BASE_URL", "LAN_ADDRESS", "HTTP_PORT", "TLS_PORT", "LAN_CA_CERT")}
    ctx.config.update(PUBLIC_BASE_URL="", LAN_ADDRESS="192.168.1.20", HTTP_PORT=8000, TLS_PORT=8443,
                      LAN_CA_CERT=str(files.ca_cert))
    demo.seed(days=1)
    try:
        yield
    finally:
        ctx.config.update(saved)


def _work_for_an_operator() -> tuple[User, Order, Bundle]:
    """A demo operator, an order of their line whose style has their assigned operation, and a bundle of it
    with none of that operation logged yet."""
    for operator in db.session.scalars(select(User).where(User.role == "operator",
                                                          User.assigned_operation_id.is_not(None)).order_by(User.id)):
        op = db.session.get(Operation, operator.assigned_operation_id)
        for order in db.session.scalars(select(Order).where(Order.line_id == operator.line_id,
                                                            Order.style_id == op.style_id).order_by(Order.id)):
            logged = select(WorkLog.id).where(WorkLog.bundle_id == Bundle.id, WorkLog.operation_id == op.id)
            bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id, ~logged.exists())
                                        .order_by(Bundle.number)).first()
            if bundle is not None:
                return operator, order, bundle
    raise AssertionError("the demo factory has no open work for an assigned operator")


def _in_view(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= vh and box["x"] + box["width"] <= vw, selector


def test_first_day_on_the_floor(demo_floor, live_server, new_context, shots):
    # 1. A phone is set up once: /setup (linked from the sign-in page) gives the CA and the HTTPS address.
    phone = new_context(**PHONE).new_page()
    phone.goto(f"{live_server}/login")
    phone.screenshot(path=str(shots / "1-sign-in.png"))
    phone.click("a[href='/setup']")
    assert phone.locator("h1").inner_text() == "Set up a phone"
    assert phone.locator("img.qr").count() == 2                   # the CA download and the HTTPS address
    assert "https://192.168.1.20:8443" in phone.content()
    phone.screenshot(path=str(shots / "2-setup.png"), full_page=True)

    # 2. An operator signs in with name and PIN and opens a bundle from its ticket (what the QR opens).
    operator, order, bundle = _work_for_an_operator()
    _, tickets = order_tickets(order.id)
    assert tickets[0].payload.startswith("http://192.168.1.20:8000/b/")   # the phone's own camera opens this
    phone.goto(f"{live_server}/login")
    phone.select_option("#user_id", value=str(operator.id))
    phone.fill("#pin", demo.DEMO_PIN)
    phone.click("#login button[type=submit]")
    phone.wait_for_url("**/scan")
    phone.fill("#code", bundle.code)
    phone.press("#code", "Enter")
    phone.wait_for_selector(".bundle-code")
    phone.screenshot(path=str(shots / "3-card.png"))
    # The operation, the pieces and Done are on screen without scrolling (the card's action bar).
    for part in ("#operation", "#qty", "button[data-done]"):
        _in_view(phone, part)

    # 3. One tap logs it; the confirmation is on screen and the next scan one tap away.
    phone.click("button[data-done]")
    log_anyway = phone.locator("button[data-log-anyway-button]")
    if log_anyway.count() and log_anyway.is_visible():        # earlier operations not done yet: asked once
        log_anyway.click()
    phone.wait_for_selector(".alert-ok")
    _in_view(phone, ".alert-ok")
    phone.screenshot(path=str(shots / "4-logged.png"))

    # 4. The supervisor's tablet: the lines, who is working, what waits for them.
    tablet = new_context(**TABLET).new_page()
    tablet.goto(f"{live_server}/login?tab=staff")
    tablet.fill("#username", "supervisor")
    tablet.fill("#password", demo.DEMO_PASSWORD)
    tablet.click("form[action='/login/password'] button[type=submit]")
    tablet.goto(f"{live_server}/supervise")
    assert tablet.locator("h1").count() == 1
    tablet.screenshot(path=str(shots / "5-supervise-tablet.png"))

    # 5. The board on the TV, from its kiosk link: both demo lines, text readable across the room.
    tv = new_context(**TV).new_page()
    tv.goto(f"{live_server}/board?token={TOKEN}")
    text = tv.locator("#board").inner_text()
    assert "L1" in text and "L2" in text
    tv.screenshot(path=str(shots / "6-board-tv.png"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is needed to draw the tickets")
def test_first_day_tickets_as_printed(demo_floor, client, shots, tmp_path):
    """The manager prints an order's tickets on A4: each QR holds the phone address (checked in the test
    above); the picture is the README's."""
    manager = db.session.scalars(select(User).where(User.username == "manager")).one()
    client.post("/login/password", data={"username": manager.username, "password": demo.DEMO_PASSWORD})
    order = db.session.scalars(select(Order).where(Order.number == "ORD-1004")).one()
    pdf = client.get(f"/orders/{order.id}/tickets.pdf?layout=a4")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    (tmp_path / "tickets.pdf").write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "tickets.pdf"),
                    str(shots / "7-tickets-a4")], check=True)
    assert (shots / "7-tickets-a4.png").stat().st_size > 10_000
