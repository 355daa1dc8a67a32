"""Review figures against hand-computed examples; forecast; pay; exports; supervisor corrections."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from shopfloor import clock
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, OperatorDay, WorkLog
from shopfloor.review import forecast, queries
from shopfloor.scan.services import record_scan
from shopfloor.supervise import services as supervise
from tests.conftest import login


def test_line_efficiency_example_from_the_brief():
    """400 pieces x 25 min SAM / (30 operators x 480 min) = 69.4 %."""
    assert round(queries.efficiency(400 * 25, 30, 480), 1) == 69.4


@pytest.mark.parametrize("qty,out,rate,due_in,status,finish_in", [
    (1000, 1000, 100, 5, "done", 0),
    (1000, 0, 0, 5, "not_started", None),
    (1000, 400, 0, 5, "at_risk", None),            # started but nothing recently
    (1000, 400, 200, 10, "on_track", 2),           # 600 left at 200/day: today + 2 more days
    (1000, 400, 200, 2, "at_risk", 2),             # finishes on the due date: no buffer
    (1000, 400, 100, 3, "late", 5),                # 6 days of work, due in 3
])
def test_forecast_statuses(qty, out, rate, due_in, status, finish_in):
    today = date(2026, 11, 23)  # a Monday: no Sunday in the next days
    f = forecast.project(quantity=qty, output=out, rate_per_day=rate, today=today,
                         due=today + timedelta(days=due_in))
    assert f.status == status
    assert (f.finish - today).days == finish_in if finish_in is not None else f.finish is None


def test_working_days_skip_sunday():
    assert forecast.add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)   # Sat + 1 = Mon


def _day_at(day: date, hh: int) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=clock.factory_tz()).astimezone(timezone.utc).replace(tzinfo=None)


def test_pay_with_minimum_wage_top_up(factory, app):
    line, style, order, op = factory.floor()
    # piece rates: 0.5 x 0.05 = 0.025 per piece at op 1 (from the factory style)
    yday = clock.local_today() - timedelta(days=1)
    b1, b2 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).all()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                operation_id=style.operations[0].id, qty=10, now=_day_at(yday, 9))
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b2.code,
                operation_id=style.operations[0].id, qty=10, now=_day_at(yday, 10))
    pay = queries.operator_pay(yday, yday)[0]
    # 20 pieces x 0.025 = 0.50 earned; minimum 20 for the day -> top-up 19.50
    assert pay.pieces == 20 and pay.earnings == Decimal("0.5") and pay.days == 1
    assert pay.top_up == Decimal("19.5") and pay.pay == Decimal("20.0")
    # 20 x 0.5 min = 10 earned minutes over a 480-minute shift = 2.1 %
    assert round(pay.efficiency, 1) == 2.1


def test_review_lists_the_first_payslips_and_shows_all_on_request(client, factory, monkeypatch):
    """A large factory's page lists the first PAY_ROWS operators by name, says how many there are, and lists
    them all when asked (the CSV has them all either way)."""
    from shopfloor.review import routes

    line, style, order, op = factory.floor()
    other = factory.user("operator", line=line, name="Zara Zaman")
    yday = clock.local_today() - timedelta(days=1)
    for who, bundle in zip((op, other), db.session.scalars(select(Bundle).where(Bundle.order_id == order.id))):
        record_scan(operator_id=who.id, operator_line_id=line.id, bundle_ref=bundle.code,
                    operation_id=style.operations[0].id, qty=5, now=_day_at(yday, 9))
    monkeypatch.setattr(routes, "PAY_ROWS", 1)
    login(client, factory.user("manager"))
    q = {"start": yday.isoformat(), "end": yday.isoformat()}
    page = client.get("/review", query_string=q).text
    assert f'data-operator="{op.name}"' in page and 'data-operator="Zara Zaman"' not in page
    assert "The first 1 of 2 operators, by name." in page and "pay=all" in page
    everyone = client.get("/review", query_string={**q, "pay": "all"}).text
    assert f'data-operator="{op.name}"' in everyone and 'data-operator="Zara Zaman"' in everyone
    assert 'id="pay-more"' not in everyone
    slips = client.get("/review/export/payslips.csv", query_string=q).text
    assert op.name in slips and "Zara Zaman" in slips


def test_supervisor_correction_reverses_with_reason(client, factory):
    line, style, order, op = factory.floor()
    sup = factory.user("supervisor", line=line)
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    res = record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                      operation_id=style.operations[0].id, qty=6)
    login(client, sup)
    no_reason = client.post(f"/supervise/correct/{res.log_id}", data={"reason": ""})
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.text
    ok = client.post(f"/supervise/correct/{res.log_id}", data={"reason": "Scanned the wrong bundle",
                                                               "code": b1.code})
    assert "Corrected" in ok.text
    again = client.post(f"/supervise/correct/{res.log_id}", data={"reason": "twice"})
    assert again.status_code == 409 and "This entry was already reversed." in again.text
    db.session.expire_all()
    rev = db.session.scalars(select(WorkLog).where(WorkLog.reverses_id == res.log_id)).one()  # one, not two
    assert rev.pieces == -6 and rev.reason == "Scanned the wrong bundle" and rev.created_by_id == sup.id
    assert db.session.get(BundleOpProgress, (b1.id, style.operations[0].id)).done == 0
    assert db.session.get(OperatorDay, (op.id, clock.local_today())).pieces == 0
    history = client.get(f"/review/bundles?code={b1.code}")
    assert "Scanned the wrong bundle" in history.text and sup.name in history.text


def test_assign_operator_validates(client, factory):
    line, style, order, op = factory.floor()
    other_style = factory.style()
    sup = factory.user("supervisor", line=line)
    supervise.assign(op.id, line_id=line.id, operation_id=style.operations[2].id)
    assert op.assigned_operation_id == style.operations[2].id
    with pytest.raises(DomainError) as e:
        supervise.assign(op.id, line_id=line.id, operation_id=other_style.operations[0].id)
    assert "not running on this line" in e.value.message
    with pytest.raises(DomainError) as e:
        supervise.assign(sup.id, line_id=line.id, operation_id=None)
    assert "Only operators" in e.value.message
    db.session.expire_all()
    assert db.session.get(type(op), op.id).assigned_operation_id == style.operations[2].id


def test_review_page_and_exports(client, factory):
    line, style, order, op = factory.floor()
    mgr = factory.user("manager")
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=o.id, qty=10)
    login(client, mgr)
    page = client.get("/review")
    assert page.status_code == 200 and order.number in page.text and "10 / 20" in page.text
    assert f'data-operator="{op.name}"' in page.text and 'data-forecast="' in page.text
    frag = client.get(f"/review?line={line.id}", headers={"HX-Request": "true"})
    assert frag.text.lstrip().startswith('<div id="review-content"')
    exp = client.get("/review/export/worklog.csv")
    assert exp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exp.get_data(as_text=True))))
    exp.close()
    assert rows[0][:4] == ["entry", "time", "operator", "badge"] and len(rows) == 4
    assert rows[1][2] == op.name and rows[1][6] == b1.code and rows[1][8] == "10"
    qc = client.get("/review/export/qc.csv")
    assert qc.get_data(as_text=True).startswith("inspection,time,kind")
    qc.close()
    login(client, op)
    refused = client.get("/review")
    assert refused.status_code == 403 and "Your role does not allow this page." in refused.text
    assert order.number not in refused.text


def test_operator_day(client, factory):
    line, style, order, op = factory.floor()
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                operation_id=style.operations[0].id, qty=10)
    login(client, op)
    page = client.get("/me")
    assert 'data-kpi="pieces">10' in page.text and 'data-kpi="earned">5.0' in page.text
    assert 'data-kpi="earnings">$0.25' in page.text and b1.code in page.text


def test_efficiency_chart_leaves_out_days_without_minutes_worked():
    """Before the shift starts (e.g. just after midnight) today's efficiency is undefined (None): the review
    chart draws the other days and no point for today, instead of failing the whole page."""
    from shopfloor.review.svg import line_chart

    chart = str(line_chart({"Line 1": [("2026-11-30", 61.5), ("2026-12-01", None)]}))
    assert chart.count("<circle") == 1 and "11-30" in chart and "61.5%" in chart
    assert str(line_chart({"Line 1": [("2026-12-01", None)]})) == ""
