"""Time & action calendar, floor events closing milestones, capacity vs load, materials and the cutting warning."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shopfloor import clock
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, Material, Milestone
from shopfloor.planning import capacity, materials, schedule
from shopfloor.orders.services import cut
from shopfloor.scan.services import record_scan
from tests.conftest import login


def test_capacity_example():
    assert capacity.capacity_minutes(30, 480, 0.70) == pytest.approx(10_080)


def test_milestones_planned_back_from_due_and_closed_by_the_floor(factory):
    line, style, order, op = factory.floor()
    ms = {m.key: m for m in schedule.milestones(order)}
    assert len(ms) == 11 and ms["ex_factory"].planned == order.due_date
    assert ms["cutting"].planned == order.due_date - timedelta(days=10)
    today = clock.local_today()
    assert ms["cutting"].actual == today and ms["cutting"].auto            # the factory cut it on creation
    assert ms["sewing_start"].actual is None
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                operation_id=style.operations[0].id, qty=1)
    ms = {m.key: m for m in schedule.milestones(order)}
    assert ms["sewing_start"].actual == today and ms["sewing_finish"].actual is None
    for b in db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)):
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b.code,
                    operation_id=style.operations[-1].id, log_anyway=True)
    ms = {m.key: m for m in schedule.milestones(order)}
    assert ms["sewing_finish"].actual == today


def test_final_inspection_closes_from_passed_audit(factory):
    from shopfloor.quality import audits

    line, style, order, op = factory.floor()
    qc = factory.user("qc")
    audits.record(order_id=order.id, lot=20, level="II", cartons=0, cartons_opened=0, critical=0, major=0,
                  minor=0, notes="", inspector_id=qc.id)
    ms = {m.key: m for m in schedule.milestones(order)}
    assert ms["final_inspection"].actual == clock.local_today()


def test_fabric_warning_blocks_cutting_until_confirmed(factory):
    line = factory.line()
    style = factory.style()
    order = factory.order(style=style, line=line, cut=False)
    m = materials.add_material(order.id, kind="fabric", name="Jersey 180 gsm", quantity=Decimal("120"), unit="kg",
                               supplier="Knit Mills", ordered_on=None, expected_on=None)
    with pytest.raises(DomainError) as e:
        cut(order.id, 10)
    assert e.value.code == "fabric_missing" and "Jersey 180 gsm 0/120" in e.value.message
    assert db.session.scalar(select(func.count()).select_from(Bundle)) == 0
    materials.receive(m.id, Decimal("120"))
    assert m.status == "received"
    assert cut(order.id, 10) == 2
    ms = {x.key: x for x in schedule.milestones(order)}
    assert ms["fabric_inhouse"].actual == clock.local_today()


def test_material_validation(client, factory):
    order = factory.order(cut=False)
    login(client, factory.user("manager"))
    for kwargs, msg in [({"quantity": "0"}, "above 0"), ({"quantity": "NaN"}, "above 0"), ({"kind": "paint"}, "fabric or trims"),
                        ({"name": ""}, "Name the material"), ({"expected_on": "2026-02-31"}, "real dates"),
                        ({"expected_on": "9999-12-31"}, "real dates")]:
        form = dict(kind="fabric", name="Twill", quantity="10", unit="m", supplier="", ordered_on="", expected_on="")
        form.update(kwargs)
        r = client.post(f"/orders/{order.id}/materials", data=form)
        assert r.status_code == 422 and msg in r.text
        assert 'value="Twill"' in r.text or not form["name"]  # the manager's input is kept
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0


def test_the_timeline_draws_every_milestone_right_of_the_orders_names(ctx, factory):
    """Milestones planned before the sewing start (fabric in-house, the PP meeting) lie inside the chart, never over
    the column of order names (x < 190 in the chart's units)."""
    _line, _style, order, _op = factory.floor()
    dates = [m.actual or m.planned for m in schedule.milestones(order)]
    assert min(dates) < clock.local_today() - timedelta(days=2)   # so the chart must reach back for them
    svg = str(capacity.timeline_svg())
    xs = [float(x) for x in re.findall(r'<circle class="ms[^"]*" cx="([0-9.]+)"', svg)]
    assert len(xs) == len(dates) and min(xs) >= 190


def test_schedule_page_shows_timeline_and_overload(client, factory):
    line, style, order, op = factory.floor()
    login(client, factory.user("manager"))
    page = client.get("/schedule")
    assert page.status_code == 200 and 'class="gantt"' in page.text and order.number in page.text
    assert f'data-line="{line.code}"' in page.text
    detail = client.get(f"/orders/{order.id}")
    assert 'data-milestone="ex_factory"' in detail.text and "Time & action calendar" in detail.text
    m = db.session.scalar(select(Milestone).where(Milestone.order_id == order.id, Milestone.key == "pp_meeting"))
    bad = client.post(f"/milestones/{m.id}", data={"planned": "not a date", "actual": "", "owner": "x"})
    assert bad.status_code == 422 and "real dates" in bad.text
    client.post(f"/milestones/{m.id}", data={"planned": m.planned.isoformat(), "actual": clock.local_today().isoformat(),
                                             "owner": "Maya"})
    db.session.expire_all()
    assert db.session.get(Milestone, m.id).owner == "Maya"


def test_order_page_and_timeline_show_the_dates_the_floor_wrote(client, factory):
    """Milestones are closed when the event is written; both pages read the same stored dates."""
    line, style, order, op = factory.floor()
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                operation_id=style.operations[0].id, qty=1)
    stored = db.session.scalar(select(Milestone).where(Milestone.order_id == order.id,
                                                       Milestone.key == "sewing_start"))
    assert stored.actual == clock.local_today() and stored.auto          # written by the scan, no page read
    login(client, factory.user("manager"))
    page = client.get(f"/orders/{order.id}").text
    row = page.split('data-milestone="sewing_start"', 1)[1].split("</form>", 1)[0]
    assert f'value="{stored.actual.isoformat()}" aria-label="Actual"' in row
    timeline = client.get("/schedule").text
    assert f"<title>sewing_start {stored.actual.isoformat()}</title>" in timeline
