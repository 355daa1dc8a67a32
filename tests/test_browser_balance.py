"""In Chromium: the supervise page of a 30-operator line on an 820x1180 tablet stays short (operators grouped by
line, operations of the line's style only); the balance page fits a 390x844 phone and a tablet without
sideways scrolling, and its Apply button works."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.balance import services
from shopfloor.extensions import db
from shopfloor.models import Order, Style, User
from shopfloor.vocabulary import SkillLevel
from tests.accessibility import assert_accessible, assert_tap_targets
from tests.conftest import PHONE
from tests.factories import PASSWORD

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
MAX_HEIGHT = 4000


def _line_of_30(factory):
    line = factory.line()
    style = factory.style(sams=(0.35, 0.45, 0.40, 0.70, 0.85, 0.50, 0.45, 0.30, 0.40))
    factory.order(style=style, line=line)
    sup = factory.user("supervisor", line=line)
    people = [factory.user("operator", line=line, name=f"Operator number {n:02d}") for n in range(30)]
    for i, p in enumerate(people):
        factory.update(p, assigned_operation_id=style.operations[i % 9].id)
        services.set_skill(sup, p.id, machine="Overlock", level=SkillLevel.QUALIFIED)
    return line, sup


def _sign_in(page, base, user):
    page.goto(f"{base}/login?tab=staff")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def _overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


def test_supervise_page_of_30_operators_fits_a_tablet(live_server, new_context, factory):
    line, sup = _line_of_30(factory)
    page = new_context(**TABLET).new_page()
    _sign_in(page, live_server, sup)
    page.goto(f"{live_server}/supervise?line={line.id}")
    assert page.locator("form.assign-form").count() == 30
    height = _height(page)
    assert height < MAX_HEIGHT, height
    assert not _overflows(page)
    # a change is confirmed on the page it comes back to
    page.select_option("form.assign-form >> nth=0 >> select[name=operation]", index=3)
    page.click("form.assign-form >> nth=0 >> button")
    page.wait_for_selector(".flash")
    assert "Saved:" in page.inner_text(".flash")


def test_balance_page_fits_phone_and_tablet_and_applies(live_server, new_context, factory):
    line, sup = _line_of_30(factory)
    style = db.session.scalar(select(Style).join(Order).where(Order.line_id == line.id))
    other = factory.style(code="BH-1")
    factory.update(other.operations[0], machine="Buttonhole machine")
    for options in (PHONE, TABLET):
        page = new_context(**options).new_page()
        _sign_in(page, live_server, sup)
        page.goto(f"{live_server}/balance?line={line.id}")
        page.wait_for_selector("#proposal")
        assert not _overflows(page), options["viewport"]
        if options is PHONE:
            assert_accessible(page, "balance")
            assert_tap_targets(page, "balance")
            page.goto(f"{live_server}/balance/skills?line={line.id}")
            assert_accessible(page, "skills")
            page.goto(f"{live_server}/balance?line={line.id}")
    # unticking an absent operator recomputes in place (htmx swaps the fragment, the address keeps the choice)
    page.click("details.present summary")
    page.uncheck("details.present input[name=present] >> nth=0")
    page.wait_for_selector('[data-kpi=operators]:text-is("29")')
    assert "chosen=1" in page.url
    # a style nobody present can sew: the refusal replaces the proposal (htmx swaps the 422 too)
    page.select_option("select[name=style]", label=f"{other.code} · {other.name}")
    page.wait_for_selector("[data-refusal]")
    assert "Nobody present can run" in page.inner_text("[data-refusal]") and page.locator("#apply").count() == 0
    page.select_option("select[name=style]", label=f"{style.code} · {style.name}")
    page.wait_for_selector("#apply")
    page.click("#apply button")
    page.wait_for_selector(".flash")
    assert "Applied:" in page.inner_text(".flash")
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.line_id == line.id, User.role == "operator",
                                                User.assigned_operation_id.is_(None))) is None
