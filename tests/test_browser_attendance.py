"""The gate and the presence page in real Chromium at 390x844: a badge typed by a keyboard-wedge scanner
clocks in (big answer, a fresh form for the next badge), then out; no serious accessibility violation and
tap targets of at least 48 px on both pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from shopfloor.auth.services import badge_payload
from shopfloor.extensions import db
from shopfloor.models import Attendance
from tests.accessibility import assert_accessible, assert_tap_targets
from tests.conftest import PHONE
from tests.factories import PASSWORD


@pytest.fixture()
def gate(live_server, new_context, factory):
    line, style, order, op = factory.floor()
    factory.update(op, name="Amina Islam")
    supervisor = factory.user("supervisor", line=line)
    page = new_context(**PHONE).new_page()
    page.goto(f"{live_server}/login?tab=staff")
    page.fill("#username", supervisor.username)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()
    return page, op


def test_a_scanner_at_the_gate_clocks_in_then_out(live_server, gate):
    page, op = gate
    page.goto(f"{live_server}/gate")
    page.keyboard.type(badge_payload(op), delay=5)        # a wedge scanner types fast, anywhere on the page
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-punch="in"]')
    assert "— Amina Islam" in page.inner_text("#gate") and "Clocked in" in page.inner_text("#gate")
    db.session.rollback()
    (a,) = db.session.scalars(select(Attendance)).all()
    assert a.operator_id == op.id and a.clock_out is None
    page.fill("#badge", badge_payload(op))                  # typed into the fresh form's field
    page.click("#gate-form button[type=submit]")
    page.wait_for_selector('[data-punch="repeated"]')       # a second read within 2 minutes changes nothing
    db.session.rollback()
    assert db.session.scalars(select(Attendance)).one().clock_out is None


@pytest.mark.parametrize("path", ["/gate", "/attendance"])
def test_gate_and_presence_are_accessible_on_a_phone(live_server, gate, path):
    page, _op = gate
    page.goto(live_server + path)
    assert_accessible(page, path)
    assert_tap_targets(page, path)
