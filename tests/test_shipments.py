"""Shipments: closed cartons grouped, the packing list (PDF, CSV) and delivery note, shipping closing the
ex-factory milestone, and final audits of packed cartons that hold a shipment until a re-audit passes."""
from __future__ import annotations

import csv
import io
import math
import random
import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, Order
from shopfloor.models.packing import Carton, PackAudit, PackAuditCarton, Shipment
from shopfloor.models.planning import Milestone
from shopfloor.packing import audits, queries, services
from shopfloor.vocabulary import InspectionResult, OrderStatus, ShipmentStatus
from tests.conftest import login
from tests.packing_support import bundles, planned_order, sew

EX_FACTORY = date(2026, 12, 20)


def packed_order(factory, qty=None, per_carton=10):
    """An order packed whole: every carton closed."""
    order, manager = planned_order(factory, qty=qty or {("S", "Blue"): 30, ("M", "Blue"): 25}, per_carton=per_carton)
    packer = factory.user("packer")
    for b in bundles(order):
        sew(factory, order, b)
    for carton_id in db.session.scalars(select(Carton.id).where(Carton.order_id == order.id)
                                        .order_by(Carton.number)).all():
        c = db.session.get(Carton, carton_id)
        for b in bundles(order, c.lines[0].size, c.colour):
            db.session.expire_all()
            c = db.session.get(Carton, carton_id)
            if c.status.value == "closed":
                break
            if queries.passed_qc_pieces(b.id) > queries.bundle_packed(b.id):
                services.pack(c.id, b.code, None, client_id=f"{c.id}-{b.id}", actor=packer)
        db.session.expire_all()
        if db.session.get(Carton, carton_id).status.value == "open":
            services.close(carton_id, actor=packer, partial_ok=True)
    return order, manager


def _shipment(client, number="SH-1"):
    resp = client.post("/shipments", data=dict(number=number, ex_factory=EX_FACTORY.isoformat(), carrier="Maersk",
                                               container="MSKU 123456-7"), follow_redirects=True)
    assert resp.status_code == 200
    return db.session.scalar(select(Shipment).where(Shipment.number == number)), resp


def test_shipment_groups_closed_cartons_and_prints_its_packing_list(client, factory):
    order, manager = packed_order(factory)  # S 30 -> 3 cartons of 10; M 25 -> 2 of 10 and an odd one of 5
    login(client, manager)
    s, page = _shipment(client)
    assert "Shipment SH-1" in page.text and "Maersk" in page.text
    resp = client.post(f"/shipments/{s.id}/cartons", data={"order": order.id}, follow_redirects=True)
    assert "6 cartons added." in resp.text
    assert db.session.scalar(select(func.count()).select_from(Carton).where(Carton.shipment_id == s.id)) == 6
    # ranges of identical cartons; weights pro rata (6 kg net a full carton of 10, + 1.25 kg the carton)
    assert "1–3" in resp.text and "4–5" in resp.text and ">6<" in resp.text
    assert 'data-total-cartons>6<' in resp.text and 'data-total-pieces>55<' in resp.text
    rows = list(csv.reader(io.StringIO(client.get(f"/shipments/{s.id}/packing-list.csv").text)))
    assert rows[0][:4] == ["Order", "Cartons", "Carton numbers", "Colour"]
    assert rows[1] == [order.number, "3", "1–3", "Blue", "S 10", "10", "30", "18.000", "21.750", "0.219"]
    assert rows[3][:7] == [order.number, "1", "6", "Blue", "M 5", "5", "5"] and rows[3][7:9] == ["3.000", "4.250"]
    assert rows[-1][:2] == ["Total", "6"] and rows[-1][6] == "55"
    pdf = client.get(f"/shipments/{s.id}/packing-list.pdf")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True).stdout.decode()
    assert "Packing list" in text and "MSKU 123456-7" in text and "1–3" in text
    note = client.get(f"/shipments/{s.id}/delivery-note.pdf")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=note.data, capture_output=True).stdout.decode()
    assert "Delivery note" in text and order.number in text and "Received by" in text


def test_shipping_closes_the_ex_factory_milestone_with_the_shipment_date(client, factory):
    order, manager = packed_order(factory)
    login(client, manager)
    s, _page = _shipment(client)
    client.post(f"/shipments/{s.id}/cartons", data={"order": order.id})
    assert queries.shipped_pieces(order.id) == {}
    resp = client.post(f"/shipments/{s.id}/ship", follow_redirects=True)
    assert "Shipment SH-1 shipped" in resp.text
    db.session.expire_all()
    assert db.session.get(Shipment, s.id).status == ShipmentStatus.SHIPPED
    milestone = db.session.scalar(select(Milestone).where(Milestone.order_id == order.id, Milestone.key == "ex_factory"))
    assert milestone.actual == EX_FACTORY and milestone.auto
    assert db.session.get(Order, order.id).status == OrderStatus.SHIPPED
    assert queries.shipped_pieces(order.id) == {("S", "Blue"): 30, ("M", "Blue"): 25}
    assert queries.packed_pieces(order.id) == queries.shipped_pieces(order.id)
    again = client.post(f"/shipments/{s.id}/ship")
    assert again.status_code == 409 and "has shipped already" in again.text
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "shipment_ship")) == 1


def test_a_double_submitted_shipment_is_created_once(client, factory):
    login(client, factory.user("manager"))
    form = dict(number="SH-9", ex_factory="2026-12-24", carrier="", container="", _once="once-id-abcdefghijklmnop")
    client.post("/shipments", data=form)
    dup = client.post("/shipments", data=form, follow_redirects=True)
    assert "Already saved" in dup.text
    assert db.session.scalar(select(func.count()).select_from(Shipment)) == 1


def test_final_audit_opens_at_least_the_root_of_the_cartons_at_random(factory):
    order, manager = packed_order(factory, qty={("S", "Blue"): 100}, per_carton=10)  # 10 cartons
    inspector = factory.user("qc")
    a = audits.start(order_id=order.id, inspector_id=inspector.id, rng=random.Random(3))
    chosen = [c.carton.number for c in a.cartons]
    assert len(chosen) == math.ceil(math.sqrt(10)) == 4 and len(set(chosen)) == 4 and chosen == sorted(chosen)
    other = audits.start(order_id=order.id, inspector_id=inspector.id, rng=random.Random(11))
    assert [c.carton.number for c in other.cartons] != chosen  # not always the same cartons


def test_a_failed_audit_blocks_the_shipment_until_a_re_audit_passes(client, factory):
    order, manager = packed_order(factory)
    inspector = factory.user("qc")
    login(client, manager)
    s, _page = _shipment(client)
    client.post(f"/shipments/{s.id}/cartons", data={"order": order.id})
    login(client, inspector)
    resp = client.post("/packing/audits", data={"shipment": s.id}, follow_redirects=True)
    a = db.session.scalar(select(PackAudit))
    numbers = [c.carton.number for c in a.cartons]
    assert len(numbers) == 3 and "Open these 3 cartons (chosen at random):" in resp.text
    ids = [c.carton_id for c in a.cartons]
    resp = client.post(f"/packing/audits/{a.id}", data={f"critical-{ids[0]}": "1"}, follow_redirects=True)
    assert 'data-result="fail"' in resp.text
    login(client, manager)
    page = client.get(f"/shipments/{s.id}")
    assert "Held: the final audit failed." in page.text
    resp = client.post(f"/shipments/{s.id}/ship")
    assert resp.status_code == 409 and "a re-audit must pass before it ships" in resp.text
    db.session.rollback()
    assert db.session.get(Shipment, s.id).status == ShipmentStatus.PLANNED
    login(client, inspector)
    client.post("/packing/audits", data={"shipment": s.id})
    again = db.session.scalar(select(PackAudit).order_by(PackAudit.id.desc()))
    resp = client.post(f"/packing/audits/{again.id}", data={}, follow_redirects=True)
    assert 'data-result="pass"' in resp.text
    assert db.session.scalar(select(Milestone.actual).where(Milestone.order_id == order.id,
                                                            Milestone.key == "final_inspection")) is not None
    login(client, manager)
    assert client.post(f"/shipments/{s.id}/ship").status_code == 303


def test_an_audit_records_every_chosen_carton_once(factory):
    order, _m = packed_order(factory)
    inspector = factory.user("qc")
    a = audits.start(order_id=order.id, inspector_id=inspector.id)
    findings = [audits.Finding(c.carton_id, 0, 1 if i == 0 else 0, 0) for i, c in enumerate(a.cartons)]
    with pytest.raises(DomainError):
        audits.record(a.id, findings[:-1], inspector_id=inspector.id)
    done = audits.record(a.id, findings, inspector_id=inspector.id)
    assert (done.lot_pieces, done.major_ac) == (55, 1)
    assert done.result == InspectionResult.PASS  # 1 major within the accept number of 55 pieces (code F)
    assert db.session.scalar(select(func.sum(PackAuditCarton.major))) == 1
    with pytest.raises(DomainError):
        audits.record(a.id, findings, inspector_id=inspector.id)


def test_roles_packer_reads_shipments_but_does_not_ship(client, factory):
    order, manager = packed_order(factory)
    login(client, manager)
    s, _page = _shipment(client)
    client.post(f"/shipments/{s.id}/cartons", data={"order": order.id})
    login(client, factory.user("packer"))
    assert client.get(f"/shipments/{s.id}").status_code == 200
    assert client.post(f"/shipments/{s.id}/ship").status_code == 403
    assert client.post("/packing/audits", data={"shipment": s.id}).status_code == 403
    db.session.rollback()
    assert db.session.get(Shipment, s.id).status == ShipmentStatus.PLANNED


def test_one_shipment_carries_two_orders_and_ships_both(client, factory):
    first, manager = packed_order(factory, qty={("S", "Blue"): 20})
    second, _m = packed_order(factory, qty={("M", "Red"): 15})
    login(client, manager)
    s, _page = _shipment(client, "SH-2")
    for order in (first, second):
        client.post(f"/shipments/{s.id}/cartons", data={"order": order.id})
    rows = list(csv.reader(io.StringIO(client.get(f"/shipments/{s.id}/packing-list.csv").text)))
    assert [r[0] for r in rows[1:-1]] == [first.number, second.number, second.number]
    assert rows[-1][1] == "4" and rows[-1][6] == "35"
    client.post(f"/shipments/{s.id}/ship")
    db.session.rollback()
    for order in (first, second):
        assert db.session.scalar(select(Milestone.actual).where(Milestone.order_id == order.id,
                                                                Milestone.key == "ex_factory")) == EX_FACTORY
        assert db.session.get(Order, order.id).status == OrderStatus.SHIPPED


def test_an_orders_cartons_can_be_taken_out_of_a_planned_shipment_only(client, factory):
    order, manager = packed_order(factory, qty={("S", "Blue"): 20})
    login(client, manager)
    s, _page = _shipment(client, "SH-3")
    client.post(f"/shipments/{s.id}/cartons", data={"order": order.id})
    resp = client.post(f"/shipments/{s.id}/cartons/remove", data={"order": order.id}, follow_redirects=True)
    assert "2 cartons taken out." in resp.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Carton).where(Carton.shipment_id == s.id)) == 0
    client.post(f"/shipments/{s.id}/cartons", data={"order": order.id})
    client.post(f"/shipments/{s.id}/ship")
    resp = client.post(f"/shipments/{s.id}/cartons/remove", data={"order": order.id})
    assert resp.status_code == 409 and "has left the factory" in resp.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Carton).where(Carton.shipment_id == s.id)) == 2
