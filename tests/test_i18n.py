"""Every user-facing string goes through gettext; a second language really renders."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ALLOWED = {"Shopfloor", "SVG"}
_STRIP = [
    re.compile(r"<script\b.*?</script>", re.S), re.compile(r"<style\b.*?</style>", re.S),
    re.compile(r"<svg\b.*?</svg>", re.S),
    re.compile(r"\{#.*?#\}", re.S), re.compile(r"\{\{.*?\}\}", re.S), re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"<!--.*?-->", re.S), re.compile(r"<[^>]*>", re.S), re.compile(r"&[a-z#0-9]+;"),
    re.compile(r"\w+(?:[-_]\w+)+"),  # identifiers such as CSS classes in blocks
]


def untranslated(text: str) -> list[str]:
    for rx in _STRIP:
        text = rx.sub(" ", text)
    words = re.findall(r"[A-Za-z][A-Za-z']+", text)
    return [w for w in words if w not in ALLOWED]


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_is_translated(path):
    assert untranslated(path.read_text()) == []


def test_placeholders_and_titles_are_translated():
    bad = []
    for path in TEMPLATES.rglob("*.html"):
        for m in re.finditer(r'\b(placeholder|title|aria-label|alt)="([^"{]*[A-Za-z][^"{]*)"', path.read_text()):
            bad.append(f"{path.name}: {m.group(0)}")
    assert bad == []


def test_spanish_is_rendered_when_chosen(client, factory):
    client.post("/language", data={"lang": "es"})
    page = client.get("/login")
    assert "Iniciar sesión" in page.text and 'lang="es"' in page.text


def test_worker_sees_refusals_in_their_language(client, factory):
    from sqlalchemy import select

    from shopfloor.extensions import db
    from shopfloor.models import Bundle
    from tests.conftest import login

    line, style, order, op = factory.floor()
    factory.update(op, language="es")
    login(client, op)
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    resp = client.post("/scan/log", data={"bundle": b1.code, "operation": style.operations[0].id, "qty": "11",
                                          "client_id": "es-1"})
    assert resp.status_code == 409 and "Solo quedan 10 piezas" in resp.text
    page = client.get("/scan")
    assert "Cámara" in page.text and "escaneos pendientes de env" in page.text


# --- Every floor and QC message is translated into every floor language (the list: shopfloor/i18n.py) ---------

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "shopfloor" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None,
            "_p": ((1, "c"), 2), "pgettext": ((1, "c"), 2)}


def floor_messages() -> dict:
    """(context, msgid) -> first file using it, for the floor and QC templates and the modules they show."""
    from babel.messages.extract import extract_from_file

    from shopfloor.i18n import FLOOR_MODULES, FLOOR_TEMPLATES

    found = {}
    for method, base, patterns in (("jinja2", TEMPLATES, FLOOR_TEMPLATES),
                                   ("python", ROOT / "shopfloor", FLOOR_MODULES)):
        for pattern in patterns:
            files = sorted(base.glob(pattern))
            assert files, f"{pattern} matches no file (shopfloor/i18n.py)"
            for path in files:
                for _line, msgid, _comments, context in extract_from_file(
                        method, str(path), keywords=KEYWORDS, options={"extensions": "jinja2.ext.i18n"}):
                    found.setdefault((context, msgid), str(path.relative_to(ROOT)))
    return found


def test_floor_messages_are_found():
    messages = floor_messages()
    assert len(messages) > 300 and (None, "Bundle code") in messages and ("status", "In rework") in messages


@pytest.mark.parametrize("lang", __import__("shopfloor.i18n", fromlist=["x"]).FLOOR_LANGUAGES)
def test_every_floor_and_qc_message_is_translated(lang):
    from babel.messages.pofile import read_po

    with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh)
    missing = []
    for (context, msgid), where in floor_messages().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalogue.get(key, context=context)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(f"{where}: {key}")
    assert missing == [], f"{len(missing)} floor/QC messages lack a {lang} translation (run make messages, fill them)"


def test_spanish_catalogue_is_complete():
    from babel.messages.pofile import read_po

    with open(CATALOGUES / "es" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh)
    empty = [m.id for m in catalogue if m.id and not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    assert empty == []


def test_language_switcher_names_each_language_in_its_own_script(client):
    page = client.get("/login").text
    for name in ("English", "Español", "বাংলা", "Tiếng Việt", "हिन्दी"):
        assert name in page


@pytest.mark.parametrize("lang,word", [("bn", "বান্ডেল"), ("vi", "bó"), ("hi", "बंडल")])
def test_floor_language_renders(client, factory, lang, word):
    from tests.conftest import login

    _line, _style, _order, op = factory.floor()
    factory.update(op, language=lang)
    login(client, op)
    page = client.get("/scan").text
    assert f'lang="{lang}"' in page and word in page


# --- Icon-first floor screens: every floor action shows an icon beside its words ----------------------------

FLOOR_ACTIONS = ("scan/_card.html", "scan/page.html", "quality/my_rework.html", "quality/rework.html",
                 "quality/_inspect.html", "stoppages/_tiles.html", "stoppages/_status.html", "stoppages/page.html",
                 "auth/login.html", "attendance/gate.html", "attendance/_gate.html")
_ACTION = re.compile(r"<(button|a)\b([^>]*)>(.*?)</\1>", re.S)


@pytest.mark.parametrize("name", FLOOR_ACTIONS)
def test_floor_actions_carry_an_icon_beside_their_words(name):
    bare = []
    for m in _ACTION.finditer((TEMPLATES / name).read_text()):
        attrs, body = m.group(2), m.group(3)
        if m.group(1) == "a" and "btn" not in attrs:
            continue  # a plain link, not an action button
        if ("_(" in body or "|label" in body or "ngettext" in body) and "icon(" not in body and "<svg" not in body:
            bare.append(re.sub(r"\s+", " ", m.group(0))[:120])
    assert bare == []


def test_icons_are_hidden_from_screen_readers_and_the_words_stay(client, factory):
    from sqlalchemy import select

    from shopfloor.extensions import db
    from shopfloor.models import Bundle
    from tests.conftest import login

    _line, _style, order, op = factory.floor()
    login(client, op)
    code = db.session.scalars(select(Bundle.code).where(Bundle.order_id == order.id)).first()
    page = client.get(f"/scan/card?code={code}").text
    done = re.search(r"<button[^>]*data-done[^>]*>(.*?)</button>", page, re.S).group(1)
    assert '<svg class="icon"' in done and 'aria-hidden="true"' in done and "Done 10 pcs" in done
    assert "style=" not in page and " on" not in re.sub(r"<svg.*?</svg>", "", done)


def test_numbers_and_dates_follow_the_locale(app):
    from datetime import date

    from flask_babel import force_locale

    from shopfloor.templating import local_day, number

    with app.test_request_context():
        with force_locale("es"):
            assert number(1234.5, 1) == "1234,5" or number(1234.5, 1) == "1.234,5"
            assert local_day(date(2026, 12, 6)) == "6 dic 2026"
        with force_locale("hi"):
            assert number(1234567, 0) == "12,34,567"  # lakh grouping
        with force_locale("en"):
            assert local_day(date(2026, 12, 6)) == "Dec 6, 2026"


def test_figures_are_written_as_babel_writes_them_in_every_language(app):
    """templating.number reads each locale's signs and grouping from Babel once and writes the digits itself
    (a month's review has ten thousand figures): the same text as Babel's format_decimal with the locale's
    pattern, negative zero, lakh grouping and half-up money included."""
    import random
    from decimal import ROUND_HALF_UP, Decimal

    from flask_babel import force_locale, format_decimal, get_locale

    from shopfloor.config import Config
    from shopfloor.templating import number

    rng = random.Random(3)
    values = [0, -0.0, 0.004, -0.004, 999, 1000, 12345, 1234567, 12345678901, -1234.5, 2.675, 1e14,
              Decimal("0.175"), Decimal("-0.001"), Decimal("1234567.125")]
    values += [rng.uniform(-1e7, 1e7) for _ in range(50)] + [Decimal(f"{rng.uniform(-1e6, 1e6):.4f}") for _ in range(50)]
    with app.test_request_context():
        for lang in Config.LANGUAGES:
            with force_locale(lang):
                integer = get_locale().decimal_formats[None].pattern.split(";")[0].split(".")[0]
                for v in values:
                    for places in (0, 1, 2, 3):
                        rounded = (v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
                                   if isinstance(v, Decimal) else round(float(v), places))
                        babel = format_decimal(rounded, format=integer + ("." + "0" * places if places else ""))
                        assert number(v, places) == babel, (lang, v, places)


def test_no_message_carries_markup():
    """A translated message is markup to Jinja (autoescape marks gettext's result safe), so a message that holds
    "<token>" hides it as an unknown tag: text in angle brackets goes in as a %(name)s value, which is escaped."""
    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parent.parent / "shopfloor/translations/es/LC_MESSAGES/messages.po"
    with open(path, "rb") as fh:
        catalogue = read_po(fh)
    tagged = [m.id for m in catalogue if m.id
              and any(re.search(r"<[A-Za-z/!]", i) for i in (m.id if isinstance(m.id, tuple) else (m.id,)))]
    assert tagged == []
