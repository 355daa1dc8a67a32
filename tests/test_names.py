"""An operation's and a defect's name in each language: entered by the manager, shown to the worker in theirs,
the base name otherwise (a default defect: its catalogue translation)."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle, DefectType, Operation
from shopfloor.quality import catalogue
from tests.conftest import login


def _first_code(order) -> str:
    return db.session.scalars(select(Bundle.code).where(Bundle.order_id == order.id)).first()


def test_manager_names_an_operation_and_the_worker_reads_it_on_the_card(client, factory):
    line, style, order, op = factory.floor()
    manager = factory.user("manager")
    first = style.operations[0]
    login(client, manager)
    page = client.get(f"/styles/{style.id}/names")
    assert page.status_code == 200 and f'name="name-{first.id}-bn"' in page.text
    resp = client.post(f"/styles/{style.id}/names", data={f"name-{first.id}-bn": " কলার জোড়া ",
                                                          f"name-{first.id}-vi": "", f"name-{first.id}-hi": "कॉलर जोड़ना"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Operation, first.id).names == {"bn": "কলার জোড়া", "hi": "कॉलर जोड़ना"}

    factory.update(op, language="bn")
    login(client, op)
    card = client.get(f"/scan/card?code={_first_code(order)}").text
    assert "কলার জোড়া" in card
    factory.update(op, language="vi")  # no Vietnamese name: the base name
    login(client, op)
    assert first.name in client.get(f"/scan/card?code={_first_code(order)}").text


def test_a_default_defect_reads_in_the_inspectors_language_and_a_manager_name_wins(client, factory):
    line, style, order, op = factory.floor()
    catalogue.ensure_default_catalogue()
    qc, manager = factory.user("qc", line=line, language="vi"), factory.user("manager")
    login(client, qc)
    tiles = client.get(f"/qc/bundle?code={_first_code(order)}").text
    assert "Hở đường may" in tiles and "Open seam" not in tiles  # the catalogue's translation

    seam = db.session.scalar(select(DefectType).where(DefectType.code == "open_seam"))
    login(client, manager)
    assert client.post("/qc/defects/names", data={f"name-{seam.id}-vi": "Bung đường may"}).status_code == 302
    login(client, qc)
    assert "Bung đường may" in client.get(f"/qc/bundle?code={_first_code(order)}").text


def test_a_name_too_long_is_refused_and_nothing_is_kept(client, factory):
    line, style, order, op = factory.floor()
    login(client, factory.user("manager"))
    first = style.operations[0]
    resp = client.post(f"/styles/{style.id}/names", data={f"name-{first.id}-bn": "x" * 121})
    assert resp.status_code == 422 and "120" in resp.text and 'value="' + "x" * 121 in resp.text
    db.session.expire_all()
    assert db.session.get(Operation, first.id).names is None


def test_only_a_manager_names_things(client, factory):
    line, style, order, op = factory.floor()
    login(client, op)
    assert client.get(f"/styles/{style.id}/names").status_code in (302, 403)
