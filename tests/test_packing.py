"""Packing plans and packing by scan: what the packer sees, what is counted, and refusals that change nothing."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from shopfloor.board import queries as board
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, Order
from shopfloor.models.packing import BundlePacked, Carton, CartonLine, PackEntry, PackingPlan
from shopfloor.packing import plans, queries, services, sscc
from shopfloor.quality import services as quality
from shopfloor.vocabulary import CartonStatus, OrderStatus, PackMode, StatusRule
from tests.conftest import login
from tests.packing_support import bundles, planned_order, quality_defect, sew

SIZES = ["S", "M", "L", "XL"]


# ---- the plan ------------------------------------------------------------------------------------------------

def test_solid_plan_full_cartons_and_one_odd_carton_per_size_and_colour():
    cartons = plans.plan_cartons(PackMode.SOLID, 24, None, [("S", "Blue", 50), ("M", "Blue", 30), ("S", "Red", 24)],
                                 SIZES)
    got = [(c.colour, c.lines, c.odd) for c in cartons]
    assert got == [("Blue", (("S", 24),), False), ("Blue", (("S", 24),), False), ("Blue", (("S", 2),), True),
                   ("Blue", (("M", 24),), False), ("Blue", (("M", 6),), True), ("Red", (("S", 24),), False)]
    assert sum(c.pieces for c in cartons) == 104


def test_ratio_plan_assortments_per_carton_and_odd_cartons_of_what_is_left():
    ratio = plans.parse_ratio("S:1, M:2, L:2, XL:1", SIZES)
    cartons = plans.plan_cartons(PackMode.RATIO, 12, ratio,
                                 [("S", "Navy", 10), ("M", "Navy", 20), ("L", "Navy", 26), ("XL", "Navy", 10)], SIZES)
    full = [c for c in cartons if not c.odd]
    odd = [c for c in cartons if c.odd]
    assert len(full) == 5 and full[0].lines == (("S", 2), ("M", 4), ("L", 4), ("XL", 2))
    assert [c.lines for c in odd] == [(("L", 6),)]
    groups = plans.grouped(cartons)
    assert [(g.count, g.carton.odd) for g in groups] == [(5, False), (1, True)]


@pytest.mark.parametrize("per_carton,ratio,qty,message", [
    (10, "S:1,M:2,L:2,XL:1", [("S", "Navy", 6)], "multiple of the ratio's 6 pieces"),
    (12, "S:1,M:2", [("L", "Navy", 6)], "Size L of the order is not in the ratio."),
])
def test_ratio_plan_refusals(per_carton, ratio, qty, message):
    with pytest.raises(DomainError) as e:
        plans.plan_cartons(PackMode.RATIO, per_carton, plans.parse_ratio(ratio, SIZES), qty, SIZES)
    assert message in e.value.message


def test_manager_saves_a_plan_and_makes_cartons_with_sscc_labels(client, factory):
    style = factory.style(sizes="S,M,L,XL")
    order = factory.order(style=style, qty={("S", "Blue"): 30, ("M", "Blue"): 20})
    manager = factory.user("manager")
    login(client, manager)
    resp = client.post(f"/packing/orders/{order.id}/plan", data=dict(
        mode="solid", per_carton="20", ratio="", length="60", width="40", height="30.5", net_kg="6", gross_kg="7.25"),
        follow_redirects=True)
    assert "Packing plan saved." in resp.text
    plan = db.session.scalar(select(PackingPlan))
    assert (plan.mode, plan.pieces_per_carton) == (PackMode.SOLID, 20)
    assert "odd carton" in resp.text  # S: 20 + 10, M: 20
    resp = client.post(f"/packing/orders/{order.id}/cartons", follow_redirects=True)
    assert "3 cartons made" in resp.text
    cartons = db.session.scalars(select(Carton).order_by(Carton.number)).all()
    assert [(c.number, c.capacity) for c in cartons] == [(1, 20), (2, 10), (3, 20)]
    assert all(sscc.is_valid(c.sscc) and c.sscc.startswith("10614141") for c in cartons)
    assert cartons[0].sscc in resp.text
    assert {e.action for e in db.session.scalars(select(AuditEntry))} >= {"packing_plan_save", "cartons_make"}
    # the plan is fixed once the cartons exist
    resp = client.post(f"/packing/orders/{order.id}/plan", data=dict(
        mode="solid", per_carton="10", length="60", width="40", height="30", net_kg="6", gross_kg="7"))
    assert resp.status_code == 409 and "can no longer change" in resp.text
    assert db.session.scalar(select(PackingPlan.pieces_per_carton)) == 20


def test_plan_refusals_keep_the_input(client, factory):
    order = factory.order(style=factory.style(sizes="S,M"))
    login(client, factory.user("manager"))
    resp = client.post(f"/packing/orders/{order.id}/plan", data=dict(
        mode="solid", per_carton="20", length="60", width="40", height="30", net_kg="8", gross_kg="7"))
    assert resp.status_code == 422 and "cannot be less than the net weight" in resp.text
    assert 'value="60"' in resp.text
    assert db.session.scalar(select(func.count()).select_from(PackingPlan)) == 0


# ---- passed the last QC --------------------------------------------------------------------------------------

def test_passed_qc_is_output_pieces_minus_pending_rework_and_none_on_hold(factory):
    order, _m = planned_order(factory, make=False)
    b = bundles(order)[0]
    assert queries.passed_qc_pieces(b.id) == 0
    sew(factory, order, b, 8)
    assert queries.passed_qc_pieces(b.id) == 8
    inspector = factory.user("qc")
    last = max(order.style.operations, key=lambda o: o.seq)
    defect = quality_defect(factory)
    quality.record_inspection(inspector_id=inspector.id, bundle_ref=b.code, kind="endline", checked=8, defective=3,
                              entries=[quality.DefectEntry(defect.id, last.id, 3)], operation_id=None)
    assert queries.passed_qc_pieces(b.id) == 5
    factory.update(b, status="hold")
    assert queries.passed_qc_pieces(b.id) == 0


# ---- packing by scan -----------------------------------------------------------------------------------------

def _counts() -> dict:
    db.session.rollback()
    return dict(entries=db.session.scalar(select(func.count()).select_from(PackEntry)),
                lines=db.session.scalar(select(func.sum(CartonLine.packed))) or 0,
                cartons=db.session.scalar(select(func.sum(Carton.packed))) or 0,
                bundles=db.session.scalar(select(func.sum(BundlePacked.packed))) or 0,
                closed=db.session.scalar(select(func.count()).select_from(Carton).where(
                    Carton.status == CartonStatus.CLOSED)),
                audit=db.session.scalar(select(func.count()).select_from(AuditEntry)),
                order_status=db.session.scalars(select(Order.status).order_by(Order.id)).all())


def _carton(number: int, order_id: int | None = None) -> Carton:
    q = select(Carton).where(Carton.number == number)
    if order_id:
        q = q.where(Carton.order_id == order_id)
    return db.session.scalar(q)


def test_packer_scans_a_carton_label_then_bundles_until_it_closes_itself(client, factory):
    order, _m = planned_order(factory)  # S/Blue 30 -> cartons 1 (20) and 2 (10); M/Blue 20 -> carton 3
    s_bundles = bundles(order, "S")
    for b in s_bundles:
        sew(factory, order, b)
    packer = factory.user("packer")
    login(client, packer)
    c1 = _carton(1)
    page = client.get("/pack", query_string={"code": f"(00){c1.sscc}"})
    assert page.status_code == 200 and "Carton 1 of 3" in page.text and "0 of 20 pcs" in page.text
    resp = client.post(f"/pack/cartons/{c1.id}", data={"code": s_bundles[0].code, "client_id": "c-1"},
                       headers={"HX-Request": "true"})
    assert resp.status_code == 200
    assert f"Packed: 10 pcs of bundle {s_bundles[0].code}" in resp.text and "10 of 20 pcs" in resp.text
    assert resp.text.lstrip().startswith('<section id="pack-carton"')  # the fragment alone for htmx
    resp = client.post(f"/pack/cartons/{c1.id}", data={"code": s_bundles[1].code, "client_id": "c-2"})
    assert "20 of 20 pcs" in resp.text and "Closed" in resp.text
    db.session.expire_all()
    c1 = _carton(1)
    assert c1.status == CartonStatus.CLOSED and c1.closed_at is not None and c1.packed == 20
    assert queries.packed_pieces(order.id) == {("S", "Blue"): 20}
    assert {e.action for e in db.session.scalars(select(AuditEntry))} >= {"carton_pack"}


def test_typed_pieces_and_a_partial_carton_closed_only_when_confirmed(client, factory):
    order, _m = planned_order(factory)
    b = bundles(order, "S")[0]
    sew(factory, order, b)
    login(client, factory.user("packer"))
    c1 = _carton(1)
    resp = client.post(f"/pack/cartons/{c1.id}", data={"code": b.code, "pieces": "4", "client_id": "t-1"})
    assert "Packed: 4 pcs" in resp.text
    resp = client.post(f"/pack/cartons/{c1.id}/close", data={})
    assert resp.status_code == 409 and "Carton 1 holds 4 of 20 pieces. Close it partly filled?" in resp.text
    assert "Yes, close it with 4 of 20 pcs" in resp.text
    assert _carton(1).status == CartonStatus.OPEN
    resp = client.post(f"/pack/cartons/{c1.id}/close", data={"partial": "1"})
    assert resp.status_code == 200 and "Carton 1 closed with 4 pcs." in resp.text
    db.session.expire_all()
    assert _carton(1).status == CartonStatus.CLOSED


@pytest.mark.parametrize("case", ["other_size", "other_order", "not_sewn", "in_rework", "over_plan", "closed",
                                  "over_bundle", "forged"])
def test_refusals_are_clear_and_change_nothing(client, factory, case):
    order, _m = planned_order(factory)
    s0, s1, s2 = bundles(order, "S")
    m0 = bundles(order, "M")[0]
    for b in (s0, s1, m0):
        sew(factory, order, b)
    packer = factory.user("packer")
    login(client, packer)
    c2 = _carton(2)  # S/Blue, 10 pieces
    code, pieces, expect, status = {
        "other_size": (m0.code, "", "M · Blue is not planned for carton 2", 422),
        "other_order": (None, "", "this carton is for", 422),
        "not_sewn": (s2.code, "", "has passed the last QC yet", 422),
        "in_rework": (None, "", "passed QC and are not packed yet", 422),
        "over_plan": (s0.code, "10", "has room for 7 more of S · Blue", 422),
        "closed": (s0.code, "", "Carton 2 is closed: scan an open carton.", 409),
        "over_bundle": (s1.code, "", "Every piece of bundle", 409),
        "forged": ("ABC.forged-signature", "", "not genuine", 422),
    }[case]
    if case == "other_order":
        other, _m2 = planned_order(factory, make=False)
        ob = bundles(other)[0]
        sew(factory, other, ob)
        code = ob.code
    if case == "in_rework":
        defect = quality_defect(factory)
        last = max(order.style.operations, key=lambda o: o.seq)
        quality.record_inspection(inspector_id=factory.user("qc").id, bundle_ref=s0.code, kind="endline", checked=10,
                                  defective=4, entries=[quality.DefectEntry(defect.id, last.id, 4)], operation_id=None)
        code, pieces = s0.code, "7"
    if case == "over_plan":
        services.pack(c2.id, s1.code, 3, client_id="pre", actor=packer)
    if case == "closed":
        services.pack(c2.id, s1.code, 2, client_id="pre", actor=packer)
        services.close(c2.id, actor=packer, partial_ok=True)
    if case == "over_bundle":
        services.pack(_carton(1).id, s1.code, None, client_id="pre", actor=packer)
    before = _counts()
    resp = client.post(f"/pack/cartons/{c2.id}", data={"code": code, "pieces": pieces, "client_id": f"x-{case}"},
                       headers={"HX-Request": "true"})
    assert resp.status_code == status, resp.text
    assert expect in resp.text
    assert 'role="alert"' in resp.text and 'id="pack-code"' in resp.text  # the scan field stays for the next try
    assert _counts() == before


def test_a_resent_scan_packs_once(client, factory):
    order, _m = planned_order(factory)
    b = bundles(order, "S")[0]
    sew(factory, order, b)
    login(client, factory.user("packer"))
    c1 = _carton(1)
    data = {"code": b.code, "pieces": "3", "client_id": "same-id"}
    first = client.post(f"/pack/cartons/{c1.id}", data=data)
    again = client.post(f"/pack/cartons/{c1.id}", data=data)
    assert "Packed: 3 pcs" in first.text
    assert "Already packed: 3 pcs" in again.text
    assert _counts()["entries"] == 1 and _counts()["lines"] == 3
    # the same form (one-time id) sent twice: answered once, counted once
    form = {"code": b.code, "pieces": "2", "client_id": "other-id", "_once": "once-id-0123456789abcdef"}
    client.post(f"/pack/cartons/{c1.id}", data=form)
    dup = client.post(f"/pack/cartons/{c1.id}", data=form, follow_redirects=True)
    assert "Already saved" in dup.text
    assert _counts()["lines"] == 5 and _counts()["entries"] == 2


def test_concurrent_packing_of_one_bundle_never_exceeds_its_pieces(app, factory):
    order, _m = planned_order(factory, qty={("S", "Blue"): 40}, per_carton=10)  # 4 cartons of 10
    b = bundles(order, "S")[0]
    sew(factory, order, b)  # 10 pieces passed QC
    packer = factory.user("packer")
    cartons = [c.id for c in db.session.scalars(select(Carton).order_by(Carton.number))]
    actor = SimpleNamespace(id=packer.id)
    results, barrier = [], threading.Barrier(8)

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                services.pack(cartons[i % 4], b.code, 3, client_id=f"race-{i}", actor=actor)
                results.append("ok")
            except DomainError as e:
                results.append(e.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()  # a fresh snapshot: the threads committed on their own connections
    packed = db.session.scalar(select(BundlePacked.packed).where(BundlePacked.bundle_id == b.id))
    assert results.count("ok") == 3 and packed == 9
    assert sum(queries.packed_pieces(order.id).values()) == 9
    assert db.session.scalar(select(func.sum(PackEntry.pieces))) == 9


def test_the_same_scan_sent_twice_at_once_packs_once(app, factory):
    order, _m = planned_order(factory)
    b = bundles(order, "S")[0]
    sew(factory, order, b)
    actor = SimpleNamespace(id=factory.user("packer").id)
    carton_id, code = _carton(1).id, b.code
    answers, barrier = [], threading.Barrier(4)

    def resend():
        with app.app_context():
            barrier.wait()
            try:
                answers.append(services.pack(carton_id, code, 4, client_id="one-scan", actor=actor).replayed)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=resend) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [False, True, True, True]
    counts = _counts()
    assert (counts["entries"], counts["lines"], counts["bundles"]) == (1, 4, 4)


def test_order_becomes_packed_when_every_carton_is_closed(factory):
    order, _m = planned_order(factory, qty={("S", "Blue"): 20})
    packer = factory.user("packer")
    b0, b1 = bundles(order)
    for b in (b0, b1):
        sew(factory, order, b)
    c = _carton(1)
    services.pack(c.id, b0.code, None, client_id="a", actor=packer)
    # every ordered piece is sewn: the lifecycle's rule already moved the order to finishing
    assert db.session.get(Order, order.id).status == OrderStatus.FINISHING
    services.pack(c.id, b1.code, None, client_id="b", actor=packer)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PACKED
    # the change is in the order's history, by the packing rule
    from shopfloor.models import OrderStatusChange
    last = db.session.scalars(select(OrderStatusChange).where(OrderStatusChange.order_id == order.id)
                              .order_by(OrderStatusChange.id.desc())).first()
    assert (last.from_status, last.to_status, last.rule) == (OrderStatus.FINISHING, OrderStatus.PACKED,
                                                             StatusRule.PACKING)


def test_roles_operator_cannot_pack_and_packer_cannot_plan(client, factory):
    order, _m = planned_order(factory)
    login(client, factory.user("operator"))
    assert client.get("/pack").status_code == 403
    login(client, factory.user("packer"))
    resp = client.get("/pack")
    assert resp.status_code == 200 and "Scan a carton label" in resp.text
    resp = client.post(f"/packing/orders/{order.id}/cartons")
    assert resp.status_code == 403


def test_board_shows_packed_pieces_and_its_version_moves_with_a_pack(client, factory):
    order, _m = planned_order(factory)
    b = bundles(order, "S")[0]
    sew(factory, order, b)
    before = board.version()
    services.pack(_carton(1).id, b.code, 6, client_id="board-1", actor=factory.user("packer"))
    db.session.rollback()
    assert board.version() != before
    [row] = [o for o in board.board().orders if o.id == order.id]
    assert (row.packed, row.shipped) == (6, 0)
    login(client, factory.user("manager"))
    page = client.get("/board")
    assert 'data-packed="6"' in page.text and "6 packed" in page.text


def test_the_order_s_cut_to_ship_reconciliation_counts_what_the_cartons_hold(factory):
    """Packed pieces in the reconciliation come from the cartons (orders/queries.packing_figures)."""
    from shopfloor.orders import queries as order_queries
    order, _m = planned_order(factory, qty={("S", "Blue"): 20})
    packer = factory.user("packer")
    b0, _b1 = bundles(order)
    sew(factory, order, b0)
    services.pack(_carton(1).id, b0.code, None, client_id="r", actor=packer)
    db.session.expire_all()
    recon = order_queries.reconciliations([db.session.get(Order, order.id)])[order.id]
    (line,) = [ln for ln in recon.lines if (ln.size, ln.colour) == ("S", "Blue")]
    assert (line.ordered, line.packed, line.shipped) == (20, 10, 0)
