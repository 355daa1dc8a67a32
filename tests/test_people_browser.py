"""The people pages in real Chromium on a phone (390x844) and a desktop (1920x1080): no sideways scrolling,
no serious or critical axe-core violation, one h1, tap targets of at least 48 px on the phone; the list's
filters swap the list in place (htmx)."""
from __future__ import annotations

import pytest

from tests.accessibility import assert_accessible, assert_tap_targets
from tests.conftest import PHONE
from tests.factories import PASSWORD

PAGES = ("/people", "/people/new", "/people/{op}", "/people/import", "/lines")


@pytest.fixture()
def people(factory):
    l1, l2 = factory.line("L1"), factory.line("L2")
    op = factory.user("operator", line=l1, name="Amina Akter")
    for n in range(6):
        factory.user("operator", line=l2 if n % 2 else l1, name=f"Operator Number {n} With A Long Family Name")
    return {"op": op, "manager": factory.user("manager", name="Maria Lopez")}


def _sign_in(page, base, user) -> None:
    page.goto(f"{base}/login?tab=staff")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()


def _no_sideways_scroll(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{what}: {width} px wide in a {viewport} px window"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_people_pages_fit_and_are_accessible(live_server, new_context, people, size):
    options = PHONE if size == "phone" else {"viewport": {"width": 1920, "height": 1080}}
    page = new_context(**options).new_page()
    _sign_in(page, live_server, people["manager"])
    for path in PAGES:
        url = path.format(op=people["op"].id)
        page.goto(live_server + url)
        _no_sideways_scroll(page, url)
        assert_accessible(page, url)
        if size == "phone":
            assert_tap_targets(page, url)
    page.goto(live_server + "/people/import")
    page.fill("#csv_text", "name,line,pin\nGood One,L1,123456\n,L9,12\n")
    page.click("#upload button")
    page.wait_for_selector("#report")
    assert page.locator("tr[data-row]").count() == 3      # row 3: name, line, PIN
    _no_sideways_scroll(page, "import report")
    assert_accessible(page, "import report")


def test_filters_swap_the_list_in_place(live_server, new_context, people):
    page = new_context(**PHONE).new_page()
    _sign_in(page, live_server, people["manager"])
    page.goto(live_server + "/people")
    assert page.locator(".person-row").count() == 8
    page.select_option("#f-role", "manager")
    page.wait_for_function("() => document.querySelectorAll('.person-row').length === 1")
    assert page.locator(".person-name").inner_text() == "Maria Lopez"
    assert "role=manager" in page.url                      # the filtered list has its own address
    page.fill("#q", "amina")
    page.select_option("#f-role", "")
    page.wait_for_function("() => [...document.querySelectorAll('.person-name')].map(a => a.innerText).join() === 'Amina Akter'")
    assert "q=amina" in page.url


@pytest.mark.parametrize("size", [(390, 844), (820, 1180)])
def test_a_managers_links_are_one_row_with_the_current_page_in_view(live_server, new_context, people, size):
    """A manager has some twenty links: on a phone and a tablet they are one row that scrolls sideways (on a
    tablet they wrapped to four rows, a fifth of the screen), and the page's own link is scrolled into view."""
    w, h = size
    page = new_context(viewport={"width": w, "height": h}).new_page()
    _sign_in(page, live_server, people["manager"])
    page.goto(live_server + "/people")
    bar = page.locator("header.topbar").bounding_box()
    assert bar["height"] <= 130, f"the top bar is {bar['height']} px high at {w} px"
    links = page.locator(".nav a")
    assert links.count() >= 15
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, f"the links are on {len(tops)} rows at {w} px"
    current = page.locator(".nav a[aria-current=page]").bounding_box()
    assert current["x"] >= 0 and current["x"] + current["width"] <= w, f"People's link is out of view at {w} px"
    _no_sideways_scroll(page, "/people")
