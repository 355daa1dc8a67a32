"""Every floor and QC page in every language, at phone size (390x844) in real Chromium: the page never
scrolls sideways, no button's words are clipped, no input's placeholder is cut, nothing sticks out of the
screen. SHOPFLOOR_SCREENSHOTS=<folder> leaves a picture of each page per language."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import update

from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import User
from tests.conftest import PG_URL, PHONE
from tests.test_browser_accessibility import _sign_in_staff, _visit, floor  # noqa: F401 (the fixture)

# Layout in five languages depends on the pages, not the database: the SQLite run checks it (the suite's time).
pytestmark = pytest.mark.skipif(bool(PG_URL), reason="page layout per language: checked in the SQLite run")

SHOTS = os.environ.get("SHOPFLOOR_SCREENSHOTS")
LANGS = ("en", "es", "bn", "vi", "hi")
PAGES = ["sign-in", "sign-in badge", "sign-in staff", "scan", "card", "card logged", "my day", "my rework",
         "rework queue", "inspection", "board", "stops", "stop open", "stops supervisor", "gate", "audit",
         "returns", "defects"]

# What does not fit a 390 px phone: the page's own width, controls out of the screen, clipped words.
OVERFLOW = r"""() => {
  const W = document.documentElement.clientWidth, bad = [];
  if (document.documentElement.scrollWidth > W) bad.push('page is ' + document.documentElement.scrollWidth + ' px wide');
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.innerText || el.placeholder || el.value || '').trim().slice(0, 40) + '"';
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const ctx = document.createElement('canvas').getContext('2d');
  for (const el of document.querySelectorAll('button, .btn, a, input, select, h1, h2, label')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest('.sr-only, [hidden], dialog:not([open])') || scrolls(el)) continue;
    if (r.left < -1 || r.right > W + 1) bad.push('out of the screen: ' + name(el));
    const cs = getComputedStyle(el);
    if (el.matches('input[placeholder]')) {
      ctx.font = getComputedStyle(el, '::placeholder').font;  // the placeholder's own size
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (ctx.measureText(el.placeholder).width > room + 1) bad.push('placeholder clipped: ' + name(el));
    } else if (el.matches('button, .btn, select') && el.scrollWidth > el.clientWidth + 1) {
      bad.push('words clipped: ' + name(el));
    }
  }
  return bad;
}"""


def _visit_any(name, page, base, floor):
    if name == "gate":
        _sign_in_staff(page, base, floor["supervisor"])
        page.goto(f"{base}/gate")
    elif name in ("audit", "returns", "defects"):
        _sign_in_staff(page, base, floor["qc"])
        page.goto(f"{base}/qc/{name}")
    else:
        _visit(name, page, base, floor)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGES)
def test_floor_page_fits_a_phone_in_every_language(name, lang, live_server, new_context, floor):
    with write_transaction():
        db.session.execute(update(User).values(language=lang))
    page = new_context(**PHONE, locale=lang).new_page()
    _visit_any(name, page, live_server, floor)
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == lang
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name.replace(' ', '-')}-{lang}.png"), full_page=True)
    bad = page.evaluate(OVERFLOW)
    assert not bad, f"{name} in {lang}: {bad}"
