"""The wall board in Chromium: unchanged polls cost almost nothing, a scan reaches the screen, every text is
readable on a 1920x1080 TV, and a phone gets stacked cards with a way home.

The board's clock is frozen (clock.utcnow, read by the live server in this process), so the version cannot
turn with the minute between polls and the test does not depend on the wall clock."""
from __future__ import annotations

import time as timer
from datetime import datetime, time, timezone

import pytest
from sqlalchemy import select

from shopfloor import clock
from shopfloor.extensions import db
from shopfloor.models import Bundle
from shopfloor.scan import services
from shopfloor.stoppages import services as stoppages
from shopfloor.vocabulary import StopReason, StopScope
from tests.browser_helpers import wait_until
from tests.conftest import PHONE
from tests.factories import PASSWORD

TV = {"viewport": {"width": 1920, "height": 1080}}
TOKEN = "board-token-for-tests"


def _local(hh: int, mm: int = 0) -> datetime:
    """Naive UTC for today's factory-local hh:mm."""
    local = datetime.combine(clock.local_today(), time(hh, mm), tzinfo=clock.factory_tz())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


@pytest.fixture()
def frozen(monkeypatch):
    """freeze(hh, mm): the board's clock stops at today's local hh:mm."""
    def freeze(hh: int, mm: int = 0) -> datetime:
        at = _local(hh, mm)
        monkeypatch.setattr(clock, "utcnow", lambda: at)
        return at
    return freeze


def _bundles(order):
    return db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()


class LivePolls:
    """The board's polls as Chromium's network layer saw them (CDP), bytes on the wire, headers included."""

    def __init__(self, context, page):
        self.seen: dict[str, dict] = {}
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def _response(self, event):
        if "/board/live" in event["response"]["url"]:
            self.seen[event["requestId"]] = {"status": event["response"]["status"]}

    def _finished(self, event):
        if event["requestId"] in self.seen:
            self.seen[event["requestId"]]["bytes"] = event["encodedDataLength"]

    @property
    def done(self) -> list[dict]:
        return [p for p in self.seen.values() if "bytes" in p]

    def wait_for(self, page, n: int, timeout: float = 15000) -> list[dict]:
        deadline = timer.monotonic() + timeout / 1000
        while len(self.done) < n:
            if timer.monotonic() > deadline:
                raise AssertionError(f"{len(self.done)} polls finished, waited for {n}")
            page.wait_for_timeout(100)
        return self.done


def test_unchanged_polls_cost_under_1kb_and_a_scan_reaches_the_screen(live_server, new_context, factory, frozen):
    line, style, order, op = factory.floor()
    at = frozen(10, 0)
    b1, _ = _bundles(order)
    context = new_context(**TV)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))     # an uncaught error ("htmx is not defined")
    polls = LivePolls(context, page)
    page.goto(f"{live_server}/board?token={TOKEN}")
    cell = f'[data-order="{order.number}"]'
    assert page.inner_text(cell) == "0 / 20"

    unchanged = polls.wait_for(page, 3)[:3]
    assert errors == []                                   # ("htmx is not defined" before)
    assert [p["status"] for p in unchanged] == [304, 304, 304]
    total = sum(p["bytes"] for p in unchanged)
    assert total <= 1024, unchanged                       # about 200 bytes each, headers included
    assert page.inner_text(cell) == "0 / 20"

    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                         operation_id=style.operations[-1].id, qty=10, now=at,
                         log_anyway=True)  # the output operation first (the style would ask)
    before = len(polls.done)
    wait_until(page, f"document.querySelector('{cell}').innerText === '10 / 20'")
    fetched = [p for p in polls.done[before:] if p["status"] == 200]
    assert fetched and fetched[0]["bytes"] > 1024          # the new board came whole, once
    assert page.inner_text(f"#line-{line.id} [data-kpi='output']").startswith("10")
    # and it is unchanged again: the next polls are 304s with the new version
    settled = len(polls.done)
    after = polls.wait_for(page, settled + 2)[settled:settled + 2]
    assert [p["status"] for p in after] == [304, 304]
    assert page.inner_text(cell) == "10 / 20"


MEASURE_TEXT = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el) continue;
    const box = el.getBoundingClientRect();
    const css = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || css.visibility === "hidden") continue;
    let px = parseFloat(css.fontSize);
    const svg = el.closest("svg");
    if (svg && el.getScreenCTM) px *= el.getScreenCTM().a;   // SVG text scales with its viewBox
    out.push({text, px, top: box.top, bottom: box.bottom, left: box.left, right: box.right});
  }
  return out;
}
"""


def _quality_and_overtime(factory, line, style, order, op):
    """A board with every kind of figure: output in the shift and at 19:00, a second line, a late order, open
    stops."""
    b1, b2 = _bundles(order)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                         operation_id=style.operations[-1].id, qty=10, now=_local(9, 15), log_anyway=True)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b2.code,
                         operation_id=style.operations[-1].id, qty=6, now=_local(19, 5), log_anyway=True)
    other = factory.line()
    factory.order(style=style, line=other, due_in_days=-2)
    # open stops: the operator's past the alert (20 min at 19:30), the other line's whole-line stop not yet
    stoppages.raise_stop(op, scope=StopScope.OPERATOR, reason=StopReason.NO_WORK, machine="M-07", now=_local(19, 10))
    stoppages.raise_stop(factory.user("supervisor"), scope=StopScope.LINE, line_id=other.id,
                         reason=StopReason.POWER, now=_local(19, 25))


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_tv_board_text_is_at_least_28px_and_overtime_has_its_bar(live_server, new_context, factory, frozen,
                                                                   tmp_path, locale):
    line, style, order, op = factory.floor()
    factory.update(op, assigned_operation_id=style.operations[-1].id)
    _quality_and_overtime(factory, line, style, order, op)
    frozen(19, 30)
    page = new_context(**TV, locale=locale).new_page()
    page.goto(f"{live_server}/board?token={TOKEN}")
    assert page.inner_text("h1") == {"en-US": "Production today", "es-ES": "Producción de hoy"}[locale]

    texts = page.evaluate(MEASURE_TEXT)
    assert len(texts) > 40                                           # headings, figures, hours, orders
    small = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < 28]
    assert small == []
    # Everything is on the screen (the TV does not scroll) and nothing is clipped off it.
    off = [t["text"] for t in texts if t["bottom"] > 1080 or t["right"] > 1920 or t["top"] < 0 or t["left"] < 0]
    assert off == []
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 1080

    panel = page.locator(f"#line-{line.id}")
    hours = panel.locator(".hour-label").all_inner_texts()
    assert hours == [f"{h:02d}" for h in range(8, 20)]               # 08 .. 19: the evening is charted
    evening = panel.locator('.hour[data-hour="19"]')
    assert evening.locator(".hour-val").inner_text() == "6"
    assert "now" in evening.get_attribute("class")
    stop = panel.locator(".line-stop")
    assert stop.count() == 1 and "alert" in stop.get_attribute("class") and stop.get_attribute("data-minutes") == "20"
    bar = evening.locator("rect").bounding_box()
    assert bar and bar["height"] > 10                                # a bar a person sees
    idle = panel.locator('.hour[data-hour="17"] rect').bounding_box()
    assert idle is None or idle["height"] < 1                        # no bar where nothing was made
    page.screenshot(path=str(tmp_path / f"board-1920x1080-{locale}.png"))    # for a person to judge


def test_tv_board_with_four_lines_keeps_28px_and_a_chart_per_line(live_server, new_context, factory, frozen,
                                                                  tmp_path):
    line, style, order, op = factory.floor()
    factory.update(op, assigned_operation_id=style.operations[-1].id)
    _quality_and_overtime(factory, line, style, order, op)
    for _ in range(2):
        factory.line()
    frozen(19, 30)
    page = new_context(**TV).new_page()
    page.goto(f"{live_server}/board?token={TOKEN}")
    assert page.locator(".line-panel").count() == 4
    texts = page.evaluate(MEASURE_TEXT)
    assert [(t["text"], t["px"]) for t in texts if t["px"] < 28] == []
    assert [t["text"] for t in texts if t["bottom"] > 1080 or t["right"] > 1920] == []
    plots = page.locator(".hours-plot").all()
    assert len(plots) == 4 and all(p.bounding_box()["height"] >= 80 for p in plots)   # room for bars in each
    evening = page.locator(f'#line-{line.id} .hour[data-hour="19"] rect').bounding_box()
    assert evening and evening["height"] > 2
    page.screenshot(path=str(tmp_path / "board-four-lines.png"))


def test_phone_board_stacks_a_card_per_line_and_leads_home(live_server, new_context, factory, frozen, tmp_path):
    line, style, order, op = factory.floor()
    factory.update(op, assigned_operation_id=style.operations[-1].id)
    _quality_and_overtime(factory, line, style, order, op)
    boss = factory.user("supervisor", line=line)
    frozen(19, 30)
    page = new_context(**PHONE).new_page()
    page.goto(f"{live_server}/login?tab=staff")
    page.fill("#username", boss.username)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/board")

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390   # nothing wider than the phone
    cards = [page.locator(".line-panel").nth(i).bounding_box() for i in range(page.locator(".line-panel").count())]
    assert len(cards) == 2
    assert all(c["x"] >= 0 and c["x"] + c["width"] <= 390 and c["width"] > 330 for c in cards)
    assert cards[1]["y"] >= cards[0]["y"] + cards[0]["height"]            # stacked, one under the other
    texts = page.evaluate(MEASURE_TEXT)
    assert min(t["px"] for t in texts) >= 12
    assert page.locator(".board-lines .kpi .value").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 28

    home = page.locator("a.board-back")
    box = home.bounding_box()
    assert home.inner_text().strip().endswith("Home") and box["height"] >= 44 and box["y"] < 200
    page.screenshot(path=str(tmp_path / "board-390x844.png"), full_page=True)
    home.click()
    page.wait_for_load_state()
    assert "/board" not in page.url and page.locator("#board").count() == 0
    assert page.locator("a.brand").count() == 1                            # the signed-in pages' header again


def test_the_kiosk_has_no_home_link(live_server, new_context, factory, frozen):
    factory.floor()
    frozen(10, 0)
    page = new_context(**PHONE).new_page()
    page.goto(f"{live_server}/board?token={TOKEN}")
    assert page.locator("#board").count() == 1 and page.locator("a.board-back").count() == 0


@pytest.mark.parametrize("w,h", [(820, 1180), (1180, 820), (1280, 720)])
def test_board_fits_a_tablet_and_a_720p_tv(live_server, new_context, factory, frozen, w, h):
    """A tablet (either way up) gets the cards, two a row, scrolling down only; a 720p TV (1280x720) the TV
    board, its text scaled with the width (28 px at 1920), all of it on the screen. Both overflowed sideways
    when the text was never under 28 px."""
    line, style, order, op = factory.floor()
    factory.update(op, assigned_operation_id=style.operations[-1].id)
    _quality_and_overtime(factory, line, style, order, op)
    factory.line()
    frozen(19, 30)
    page = new_context(viewport={"width": w, "height": h}).new_page()
    page.goto(f"{live_server}/board?token={TOKEN}")
    assert page.evaluate("document.documentElement.scrollWidth") <= w
    panels = page.locator(".line-panel").all()
    assert len(panels) >= 2
    for panel in panels:
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= w, (w, h, box)
        # each line keeps its chart (three lines with stops on a 720p TV leave it about 30 px: short, but its bars show)
        assert panel.locator(".hours-plot").bounding_box()["height"] > 24
    texts = page.evaluate(MEASURE_TEXT)
    assert [t["text"] for t in texts if t["right"] > w or t["left"] < 0] == []
    if w >= 1200:  # the TV: nothing below the screen, text no smaller than 1.46 % of the width
        assert [t["text"] for t in texts if t["bottom"] > h] == []
        assert page.evaluate("document.scrollingElement.scrollHeight") <= h
        assert min(t["px"] for t in texts) >= 18
    else:
        tops = [round(p.bounding_box()["y"]) for p in panels[:2]]
        assert tops[0] == tops[1]  # two cards side by side


def test_a_long_stop_is_cut_short_and_never_widens_its_line(live_server, new_context, factory, frozen):
    """On the TV, a second line's acknowledged breakdown with a long name ("Machine breakdown · Arif Uddin ·
    Acknowledged 15 min") widened that line's panel past the screen's edge: its style, target and the stop's
    minutes were cut off. The stop's text now ends in an ellipsis; its minutes and the panel stay on screen."""
    line, style, order, op = factory.floor()
    other = factory.line()
    who = factory.user("operator", line=other, name="Arif Uddin Chowdhury Mohammad Rahman")
    sup = factory.user("supervisor", line=other)
    stop = stoppages.raise_stop(sup, scope=StopScope.OPERATOR, reason=StopReason.BREAKDOWN, line_id=other.id,
                                operator_id=who.id, machine="Overlock M-07", now=_local(9, 0))
    stoppages.acknowledge(stop.id, sup, now=_local(9, 5))
    frozen(9, 20)
    page = new_context(**TV).new_page()
    page.goto(f"{live_server}/board?token={TOKEN}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    for panel in page.locator(".line-panel").all():
        box = panel.bounding_box()
        assert box["x"] + box["width"] <= 1920 and panel.evaluate("p => p.scrollWidth <= p.clientWidth")
    banner = page.locator(f"#line-{other.id} .line-stop")
    assert banner.locator(".stop-what").evaluate("e => e.scrollWidth > e.clientWidth")   # cut short, with …
    minutes = banner.locator(".stop-min")
    assert minutes.inner_text() == "20 min" and minutes.bounding_box()["x"] + minutes.bounding_box()["width"] <= 1920
