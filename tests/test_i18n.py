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
