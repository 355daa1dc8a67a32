"""Real Chromium at phone size: an operator signs in with name + PIN and lands on the scan page."""
from __future__ import annotations

from shopfloor.extensions import db
from shopfloor.models import User
from tests.factories import PIN


def _failed_pins(user_id: int) -> int:
    db.session.remove()  # the live server wrote in its own transaction
    return db.session.get(User, user_id).failed_pin_count


def test_operator_signs_in_on_a_phone(live_server, phone, factory):
    line = factory.line()
    user_id = factory.user("operator", line=line, name="Fatema Khatun").id
    phone.goto(f"{live_server}/scan")
    assert "/login" in phone.url
    phone.select_option("#user_id", label=f"Fatema Khatun · {line.code}")
    phone.fill("#pin", "000000")
    phone.click("button[type=submit]")
    assert "Wrong PIN" in phone.locator(".alert-error").inner_text()
    assert _failed_pins(user_id) == 1
    phone.select_option("#user_id", label=f"Fatema Khatun · {line.code}")
    phone.fill("#pin", PIN)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/scan")
    assert phone.locator("#code").is_visible()
    assert "Fatema Khatun" in phone.locator(".who").inner_text()
    assert _failed_pins(user_id) == 0
    # the page fits a phone: no horizontal scrolling
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
