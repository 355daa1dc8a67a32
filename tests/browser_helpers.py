"""Helpers for the Playwright tests."""
from __future__ import annotations

import io
import time

import qrcode
from PIL import Image

from tests.factories import PASSWORD, PIN


def wait_until(page, expression: str, timeout: float = 10000) -> None:
    """Like page.wait_for_function, which evaluates its string with eval inside the page: the CSP refuses
    'unsafe-eval', so poll page.evaluate (the driver's own evaluation, outside the page's policy)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(50)


def sign_in_operator(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.select_option("#user_id", value=str(user.id))
    page.fill("#pin", PIN)
    page.click("#login button[type=submit]")
    page.wait_for_url("**/scan")


def sign_in_staff(page, base: str, user) -> None:
    """Sign in through the sign-in page's staff tab (user name and password), as a person does."""
    page.goto(f"{base}/login?tab=staff")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()


def qr_video(path, payload: str, frames: int = 20) -> None:
    """A Y4M video (Chromium's fake camera input) showing a QR code on white."""
    w, h = 640, 480
    img = Image.new("RGB", (w, h), "white")
    q = qrcode.make(payload, border=4).convert("RGB").resize((360, 360), Image.NEAREST)
    img.paste(q, ((w - 360) // 2, (h - 360) // 2))
    y, cb, cr = img.convert("YCbCr").split()
    cb = cb.resize((w // 2, h // 2))
    cr = cr.resize((w // 2, h // 2))
    frame = y.tobytes() + cb.tobytes() + cr.tobytes()
    buf = io.BytesIO()
    buf.write(f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode())
    for _ in range(frames):
        buf.write(b"FRAME\n" + frame)
    with open(path, "wb") as fh:
        fh.write(buf.getvalue())
