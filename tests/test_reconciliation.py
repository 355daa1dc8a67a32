"""Cut-to-ship reconciliation: hand-computed figures per size x colour, short / within / excess against the
shipping tolerance, on the order page, the review page and as CSV."""
from __future__ import annotations

import csv
import io

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from shopfloor import create_app
from shopfloor.extensions import db
from shopfloor.models import Bundle, DefectType, Rework
from shopfloor.orders import queries
from shopfloor.orders.reconciliation import reconcile, tolerance, verdict
from shopfloor.quality import catalogue, services as quality
from shopfloor.quality.services import DefectEntry
from shopfloor.scan.services import record_scan
from shopfloor.vocabulary import OrderStatus, ShipVerdict
from tests.conftest import _config, login
from tests.test_migrations import empty_db_url  # noqa: F401  (fixture)

SHORT, WITHIN, EXCESS = ShipVerdict.SHORT, ShipVerdict.WITHIN, ShipVerdict.EXCESS


@pytest.mark.parametrize("can_ship,ordered,pm,expected", [
    (97, 100, 30, WITHIN), (96, 100, 30, SHORT), (103, 100, 30, WITHIN), (104, 100, 30, EXCESS),
    (975, 1000, 25, WITHIN), (974, 1000, 25, SHORT), (1025, 1000, 25, WITHIN), (1026, 1000, 25, EXCESS),
    (100, 100, 0, WITHIN), (99, 100, 0, SHORT), (0, 0, 30, WITHIN)])
def test_verdict_at_the_edges_of_the_tolerance(can_ship, ordered, pm, expected):
    assert verdict(can_ship, ordered, pm, pm) == expected


def test_tolerance_defaults_to_the_factory_setting(ctx):
    assert tolerance(None, None) == (30, 30)          # config.SHIP_TOLERANCE_PERCENT = 3
    assert tolerance(25, None) == (25, 30) and tolerance(0, 50) == (0, 50)
    ctx.config["SHIP_TOLERANCE_PERCENT"] = 5
    try:
        assert tolerance(None, None) == (50, 50)
    finally:
        ctx.config["SHIP_TOLERANCE_PERCENT"] = 3


def test_shipped_pieces_are_held_against_the_order_once_shipping_began(ctx):
    """S 98 of 100 within 3 %, M 207 of 200 excess (> 206), L 90 of 100 short (< 97); total 395 of 400 within."""
    r = reconcile(order_id=1, number="O-1", status=OrderStatus.SHIPPED, short_pm=30, excess_pm=30,
                  ordered={("S", "Red"): 100, ("M", "Red"): 200, ("L", "Red"): 100},
                  cut={("S", "Red"): 100, ("M", "Red"): 210, ("L", "Red"): 100},
                  sewn={}, passed_qc={}, rejected={("L", "Red"): 5}, scrapped=3,
                  packed={("S", "Red"): 98, ("M", "Red"): 207, ("L", "Red"): 90},
                  shipped={("S", "Red"): 98, ("M", "Red"): 207, ("L", "Red"): 90}, sizes=("S", "M", "L"))
    assert [(ln.size, ln.can_ship, ln.difference, ln.verdict) for ln in r.lines] == [
        ("S", 98, -2, WITHIN), ("M", 207, 7, EXCESS), ("L", 90, -10, SHORT)]
    t = r.total
    assert (t.ordered, t.cut, t.rejected, t.scrapped, t.packed, t.shipped, t.can_ship) == (400, 410, 5, 3, 395, 395, 395)
    assert t.verdict == WITHIN and r.shipping_began and round(t.difference_pct, 2) == -1.25


def test_before_shipping_what_can_ship_is_cut_less_rejected(ctx):
    r = reconcile(order_id=1, number="O-1", status=OrderStatus.SEWING, short_pm=30, excess_pm=30,
                  ordered={("S", "Red"): 100}, cut={("S", "Red"): 100}, sewn={("S", "Red"): 60},
                  passed_qc={("S", "Red"): 50}, rejected={("S", "Red"): 4}, packed=None, shipped=None)
    assert (r.total.can_ship, r.verdict, r.shipping_began) == (96, SHORT, False)  # 96 < 97
    assert (r.total.packed, r.total.shipped) == (0, 0)                             # packing not wired: zero


@pytest.fixture()
def floor(factory):
    """Order S/Red 20, M/Red 30 cut in bundles of 10 (S: b1 b2, M: b3 b4 b5); all sewn at op 1, b1-b4 at the
    output operation (op 2); quality:
      b1 (S) end-line 3 defective -> rework 3 open        b2 (S) end-line pass
      b3 (M) end-line 2 defective -> repaired, re-checked good    b4 (M) inline audit at op 1, 1 defective -> rework 1
      b5 (M) not sewn at op 2; customer returns: 2 pieces scrapped, 1 piece to repair (no bundle).
    By hand: sewn S 20, M 20; passed final QC S 10-3 + 10 = 17, M 10 (b4 had no end-line inspection);
    rejected S 3, M 1, total 3 + 1 + 1 = 5; scrapped 2; can ship S 20-3 = 17, M 30-1 = 29, total 50-5 = 45."""
    line = factory.line()
    style = factory.style(sams=(0.5, 1.0), sizes="S,M")
    order = factory.order(style=style, line=line, qty={("S", "Red"): 20, ("M", "Red"): 30})
    op = factory.user("operator", line=line)
    qc = factory.user("qc", line=line)
    manager = factory.user("manager")
    catalogue.ensure_default_catalogue()
    seam = db.session.scalar(select(DefectType).where(DefectType.code == "open_seam"))
    b = {x.number: x for x in db.session.scalars(select(Bundle).where(Bundle.order_id == order.id))}
    first, out = style.operations
    for n in range(1, 6):
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b[n].code, operation_id=first.id)
    for n in range(1, 5):
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b[n].code, operation_id=out.id)
    quality.record_inspection(inspector_id=qc.id, bundle_ref=b[1].code, kind="endline", checked=10,
                              entries=[DefectEntry(seam.id, out.id, 3)])
    quality.record_inspection(inspector_id=qc.id, bundle_ref=b[2].code, kind="endline", checked=10, entries=[])
    quality.record_inspection(inspector_id=qc.id, bundle_ref=b[3].code, kind="endline", checked=10,
                              entries=[DefectEntry(seam.id, out.id, 2)])
    quality.record_inspection(inspector_id=qc.id, bundle_ref=b[4].code, kind="inline", checked=None,
                              entries=[DefectEntry(seam.id, first.id, 1)], operation_id=first.id)
    rw = db.session.scalar(select(Rework).where(Rework.bundle_id == b[3].id))
    quality.mark_repaired(rw.id, user_id=qc.id, is_staff=True)
    quality.recheck(rw.id, inspector_id=qc.id, passed=True)
    quality.record_return(order_id=order.id, reference="RMA-1", pieces=2, defect_type_id=None, reason="stain",
                          disposition="scrap", user_id=manager.id)
    quality.record_return(order_id=order.id, reference="RMA-2", pieces=1, defect_type_id=None, reason="seam",
                          disposition="repair", user_id=manager.id)
    return order, manager


def _figures(order):
    db.session.rollback()
    return queries.reconciliations([db.session.get(type(order), order.id)])[order.id]


def test_figures_from_the_floor_and_quality_data(floor):
    order, _manager = floor
    r = _figures(order)
    assert r.status == OrderStatus.SEWING
    assert [(ln.size, ln.ordered, ln.cut, ln.sewn, ln.passed_qc, ln.rejected, ln.can_ship, ln.verdict)
            for ln in r.lines] == [("S", 20, 20, 20, 17, 3, 17, SHORT), ("M", 30, 30, 20, 10, 1, 29, SHORT)]
    t = r.total
    assert (t.ordered, t.cut, t.sewn, t.passed_qc, t.rejected, t.scrapped, t.can_ship, t.verdict) == \
        (50, 50, 40, 27, 5, 2, 45, SHORT)


@pytest.mark.parametrize("pm,cells,total", [
    (30, [SHORT, SHORT], SHORT),      # S 17 < 19.4, M 29 < 29.1, total 45 < 48.5
    (50, [SHORT, WITHIN], SHORT),     # S 17 < 19,   M 29 >= 28.5, total 45 < 47.5
    (100, [SHORT, WITHIN], WITHIN)])  # S 17 < 18,   total 45 >= 45
def test_an_orders_own_tolerance(floor, factory, pm, cells, total):
    order, _manager = floor
    factory.update(order, short_tolerance_pm=pm, excess_tolerance_pm=pm)
    r = _figures(order)
    assert [ln.verdict for ln in r.lines] == cells and r.verdict == total
    assert (r.number in [s.number for s in queries.short_shipments()]) == (total == SHORT)


def test_order_page_review_and_csv_show_the_figures(client, floor):
    order, manager = floor
    login(client, manager)
    page = client.get(f"/orders/{order.id}").text
    section = page[page.index('id="reconciliation"'):page.index("</section>", page.index('id="reconciliation"'))]
    assert 'data-verdict="short"' in section and "Tolerance: short 3 %, excess 3 %." in section
    total = section[section.index('data-cell="total"'):]
    cells = [c.rsplit(">", 1)[1] for c in total.split("</td>")[:9]]
    assert cells[:8] == ["50", "50", "40", "27", "5", "2", "0", "0"] and cells[8].startswith("-5 (-10.0 %)")
    review = client.get("/review").text
    row = review[review.index(f'data-short="{order.number}"'):]
    assert "<td class=\"num\" data-label=\"Can ship\">45</td>" in row[:row.index("</tr>")] and "5 (10.0 %)" in row[:row.index("</tr>")]
    for url in (f"/orders/{order.id}/reconciliation.csv", "/review/export/reconciliation.csv"):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(resp.text)))
        assert rows[0][:8] == ["order", "status", "size", "colour", "ordered", "cut", "sewn", "passed final QC"]
        by = {(r[2], r[3]): r for r in rows[1:] if r[0] == order.number}
        assert by[("S", "Red")][4:13] == ["20", "20", "20", "17", "3", "0", "0", "0", "17"]
        assert by[("total", "total")][4:] == ["50", "50", "40", "27", "5", "2", "0", "0", "45", "-5", "3.0", "3.0",
                                              "Short"]


def test_a_supervisor_reads_the_reconciliation_an_operator_does_not(client, factory, floor):
    order, _manager = floor
    login(client, factory.user("supervisor"))
    assert client.get(f"/orders/{order.id}/reconciliation.csv").status_code == 200
    login(client, factory.user("operator"))
    assert client.get(f"/orders/{order.id}/reconciliation.csv").status_code == 403
    assert client.get("/review/export/reconciliation.csv").status_code == 403


def test_end_line_inspections_mark_their_bundles_and_inline_audits_do_not(floor):
    """bundles.endline_inspected, read by "passed final QC": b1-b3 had an end-line inspection, b4 an inline audit
    only, b5 none (the fixture)."""
    order, _manager = floor
    db.session.rollback()
    marked = dict(db.session.execute(select(Bundle.number, Bundle.endline_inspected)
                                     .where(Bundle.order_id == order.id)).all())
    assert marked == {1: True, 2: True, 3: True, 4: False, 5: False}


def test_the_upgrade_marks_the_bundles_already_inspected_at_the_end_of_the_line(empty_db_url):  # noqa: F811
    app = create_app(_config(empty_db_url))
    with app.app_context():
        upgrade(directory="migrations", revision="a20a00000001")
        with db.engine.begin() as conn:
            for sql in _BEFORE_ENDLINE_FLAG:
                conn.execute(text(sql))
        upgrade(directory="migrations")
        with db.engine.connect() as conn:
            marked = [tuple(r) for r in conn.execute(text("SELECT id, endline_inspected FROM bundles ORDER BY id"))]
        db.engine.dispose()
    assert [(i, bool(m)) for i, m in marked] == [(1, True), (2, False), (3, False)]


_BEFORE_ENDLINE_FLAG = [
    "INSERT INTO lines (id, code, name, target_efficiency, active) VALUES (1, 'L1', 'Line', 0.7, true)",
    "INSERT INTO styles (id, code, name, sizes_csv, active) VALUES (1, 'S', 'S', 'M', true)",
    "INSERT INTO users (id, name, role, language, active, failed_pin_count, created_at) "
    "VALUES (1, 'q', 'qc', 'en', true, 0, '2026-01-01')",
    "INSERT INTO orders (id, number, customer, style_id, due_date, line_id, status, created_at) "
    "VALUES (1, 'O', 'C', 1, '2026-02-01', 1, 'sewing', '2026-01-01')",
    "INSERT INTO bundles (id, code, order_id, number, size, colour, pieces, status, created_at) VALUES "
    "(1, 'B1', 1, 1, 'M', 'b', 10, 'open', '2026-01-01'), (2, 'B2', 1, 2, 'M', 'b', 10, 'open', '2026-01-01'), "
    "(3, 'B3', 1, 3, 'M', 'b', 10, 'open', '2026-01-01')",
    # b1: two end-line inspections; b2: an inline audit and a re-check only; b3: none.
    "INSERT INTO inspections (kind, bundle_id, line_id, inspector_id, checked, defective, defects, result, created_at) "
    "VALUES ('endline', 1, 1, 1, 10, 0, 0, 'pass', '2026-01-02'), ('endline', 1, 1, 1, 10, 1, 1, 'fail', '2026-01-02'), "
    "('inline', 2, 1, 1, 7, 0, 0, 'pass', '2026-01-02'), ('recheck', 2, 1, 1, 1, 0, 0, 'pass', '2026-01-02')",
]
