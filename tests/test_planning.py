"""Styles, bulletins, orders with a size x colour grid, cutting — and bad input changes nothing."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from shopfloor.extensions import db
from shopfloor.models import Bundle, Operation, Order, Style
from shopfloor.planning import styles as planning_styles
from tests.conftest import login


def test_manager_builds_a_style_and_bulletin(client, factory):
    login(client, factory.user("manager"))
    bad = client.post("/styles", data={"code": "", "name": "x", "sizes": "S"})
    assert bad.status_code == 422 and "code and a name" in bad.text
    resp = client.post("/styles", data={"code": "tee-1", "name": "Tee", "sizes": "S, M,L", "target_cost": "1.20"})
    style = db.session.scalar(select(Style).where(Style.code == "TEE-1"))
    assert resp.status_code == 302 and style.sizes == ["S", "M", "L"]
    for name, sam in (("Shoulder", "0.5"), ("Side seam", "1,0"), ("Hem", "0.75")):
        client.post(f"/styles/{style.id}/operations", data={"name": name, "machine": "OL", "sam": sam})
    bad_sam = client.post(f"/styles/{style.id}/operations", data={"name": "X", "sam": "0"})
    assert bad_sam.status_code == 422 and "SAM must be" in bad_sam.text
    db.session.expire_all()
    ops = db.session.scalars(select(Operation).where(Operation.style_id == style.id).order_by(Operation.seq)).all()
    assert [o.name for o in ops] == ["Shoulder", "Side seam", "Hem"]
    assert float(ops[1].sam) == 1.0 and float(ops[0].piece_rate) == 0.025   # default rate = SAM x 0.05
    page = client.get(f"/styles/{style.id}?operators=30")
    # total SAM 2.25; 30 operators x 60 / 2.25 x 0.70 = 560 pieces/hour
    assert "Total SAM: 2.25 min" in page.text and "560.0 pieces/hour" in page.text
    client.post(f"/operations/{ops[2].id}", data={"action": "up"})
    db.session.expire_all()
    assert [o.name for o in db.session.scalars(select(Operation).where(Operation.style_id == style.id)
                                               .order_by(Operation.seq))] == ["Shoulder", "Hem", "Side seam"]


def test_order_grid_and_cutting(client, factory):
    line = factory.line()
    style = factory.style(sizes="S,M")
    login(client, factory.user("manager"))
    due = (date.today() + timedelta(days=20)).isoformat()
    form = {"number": "PO-9", "customer": "Acme", "style": style.id, "line": line.id, "due_date": due,
            "colour-0": "Red", "qty-0-S": "25", "qty-0-M": "12", "colour-1": "Blue", "qty-1-S": "7"}
    bad = client.post("/orders", data={**form, "qty-1-M": "-3"})
    assert bad.status_code == 422 and "cannot be negative" in bad.text
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    resp = client.post("/orders", data=form)
    order = db.session.scalar(select(Order).where(Order.number == "PO-9"))
    assert resp.status_code == 302 and order.total_quantity == 44
    preview = client.get(f"/orders/{order.id}?bundle_size=10")
    assert "3 × (10, 10, 5)" in preview.text and "1 × (12)" in preview.text and "1 × (7)" in preview.text
    too_big = client.post(f"/orders/{order.id}/cut", data={"bundle_size": "50"})
    assert too_big.status_code == 422 and "Bundle size must be between" in too_big.text
    assert db.session.scalar(select(func.count()).select_from(Bundle)) == 0
    client.post(f"/orders/{order.id}/cut", data={"bundle_size": "10"})
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).all()
    assert sorted(b.pieces for b in bundles) == [5, 7, 10, 10, 12]
    assert all(len({(b.size, b.colour)}) == 1 for b in bundles)
    page = client.get(f"/orders/{order.id}")
    assert "5 bundles" in page.text and f"/orders/{order.id}/tickets.pdf?layout=a4" in page.text
    again = client.post(f"/orders/{order.id}/cut", data={"bundle_size": "10"})
    assert again.status_code == 422 and "already cut" in again.text


def test_total_sam_counts_active_operations_only(factory):
    unsaved = Style(code="NEW", name="New", sizes_csv="M")
    unsaved.operations = [Operation(seq=1, name="A", sam=Decimal("0.5")), Operation(seq=2, name="B", sam=Decimal("1"))]
    assert unsaved.total_sam == Decimal("1.5")            # not yet flushed: active by default
    style = factory.style(sams=(0.5, 1.0, 0.75))
    planning_styles.set_operation_active(style.operations[1].id, False)
    db.session.expire_all()
    assert db.session.get(Style, style.id).total_sam == Decimal("1.25")


def test_fragment_addresses_opened_directly_show_the_whole_page(client, factory):
    """The order grid and the inspector's bundle card are htmx fragments; a bookmark or a new tab on their
    address shows the whole page (navigation, the form), never a bare fragment."""
    style = factory.style(sizes="S,M,XL")
    factory.style(code="OTHER", sizes="S")
    order = factory.order(style=style)
    code = db.session.scalars(select(Bundle.code).where(Bundle.order_id == order.id)).first()
    login(client, factory.user("manager"))
    direct = client.get(f"/orders/grid?style={style.id}").text
    assert "<nav" in direct and 'name="customer"' in direct and ">XL<" in direct
    swapped = client.get(f"/orders/grid?style={style.id}", headers={"HX-Request": "true"}).text
    assert "<nav" not in swapped and ">XL<" in swapped and 'name="customer"' not in swapped
    login(client, factory.user("qc"))
    page = client.get(f"/qc/bundle?code={code}").text
    assert "<nav" in page and code in page and 'name="checked"' in page
    card = client.get(f"/qc/bundle?code={code}", headers={"HX-Request": "true"}).text
    assert "<nav" not in card and code in card and 'name="checked"' in card
