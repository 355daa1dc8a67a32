"""The skill matrix: levels set by a supervisor (once per form), machine types qualifying their operations, the
efficiency measured per operation with the stand-in for attended minutes, the printable matrix page."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import g
from sqlalchemy import select

from shopfloor import clock
from shopfloor.balance import measure, queries
from shopfloor.balance.services import planned_efficiency
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, Bundle
from shopfloor.models.skills import MachineSkill, OperationSkill
from shopfloor.scan.services import record_scan
from shopfloor.vocabulary import SkillLevel, is_working_day
from tests.conftest import login
from tests.html_forms import SAVED, count, form_for, send


@pytest.fixture()
def floor(factory):
    line = factory.line()
    style = factory.style(sams=(1.0, 0.5))
    order = factory.order(style=style, line=line, qty={("S", "Blue"): 40})
    op = factory.user("operator", line=line, name="Amina")
    sup = factory.user("supervisor", line=line)
    return {"line": line, "style": style, "order": order, "op": op, "sup": sup}


def _send_twice(client, page, form, data):
    first = send(client, form, data, page=page)
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)
    return first, send(client, form, data, page=page)


def test_level_on_an_operation_set_once_and_shown(client, floor):
    login(client, floor["sup"])
    page = f"/balance/skills?line={floor['line'].id}"
    form = form_for(client.get(page).text, "/balance/skills")
    op2 = floor["style"].operations[1]
    data = form.data(operator=str(floor["op"].id), what=f"op:{op2.id}", level="expert")
    first, second = _send_twice(client, page, form, data)
    assert count(OperationSkill, OperationSkill.operation_id == op2.id, OperationSkill.level == "expert") == 1
    assert count(AuditEntry, AuditEntry.action == "skill_set") == 1
    assert "Saved: Amina, Expert." in first.text and SAVED in second.text
    cell = re.search(rf'data-cell="{floor["op"].id}-{op2.id}">(.*?)</td>', first.text).group(1)
    assert "Expert" in cell


def test_machine_type_qualifies_its_operations_and_removal(client, floor):
    login(client, floor["sup"])
    page = f"/balance/skills?line={floor['line'].id}"
    form = form_for(client.get(page).text, "/balance/skills")
    send(client, form, form.data(operator=str(floor["op"].id), what="machine:overlock", level="learning"),
         page=page)
    assert count(MachineSkill, MachineSkill.machine == "Overlock") == 1     # stored as the bulletin spells it
    ops = floor["style"].operations
    assert queries.qualifications([floor["op"].id], ops) == {(floor["op"].id, o.id): SkillLevel.LEARNING for o in ops}
    g.pop("_login_user", None)
    form = form_for(client.get(page).text, "/balance/skills")
    resp = send(client, form, form.data(operator=str(floor["op"].id), what="machine:Overlock", level=""), page=page)
    assert count(MachineSkill) == 0 and "Saved: Amina, not qualified." in resp.text


def test_unknown_machine_refused(client, floor):
    login(client, floor["sup"])
    resp = client.post("/balance/skills", data={"operator": floor["op"].id, "what": "machine:Laser", "level": "expert",
                                                "line": floor["line"].id})
    assert resp.status_code == 422 and "Choose an operation or a machine type." in resp.text
    assert count(MachineSkill) == 0


def _last_working_day():
    d = clock.local_today() - timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def test_measured_efficiency_from_attendance_shared_by_the_scans(client, floor):
    """On one working day (shift from 08:00, factory time UTC in tests), op 1 SAM 1.0 and op 2 SAM 0.5; the
    operator clocked in 08:00 and out 11:00: 180 minutes attended, no stop. The scans share them out:
      08:30 op 1, 20 pcs: 30 min since the shift started (cap max(30, 3 x 20 x 1.0) = 60) -> 30 min on op 1
      09:00 op 2, 20 pcs: 30 min since the last scan (cap max(30, 3 x 10) = 30)            -> 30 min on op 2
      10:45 op 1, 10 pcs: 105 min since the last scan, capped at max(30, 3 x 10) = 30      -> 30 min on op 1
    op 1: 60 of 90 -> 120 attended, earned 30 -> 25 %; op 2: 30 of 90 -> 60 attended, earned 10 -> 16.7 %."""
    from tests.time_helpers import clock_in_out
    day = _last_working_day()
    op1, op2 = floor["style"].operations[:2]
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == floor["order"].id)
                                 .order_by(Bundle.number)).all()

    def at(h, m):
        return datetime(day.year, day.month, day.day, h, m, tzinfo=timezone.utc).replace(tzinfo=None)

    u, line = floor["op"], floor["line"].id
    clock_in_out(u, day, (8, 0), (11, 0))
    for b in bundles[:2]:
        record_scan(operator_id=u.id, operator_line_id=line, bundle_ref=b.code, operation_id=op1.id, qty=10,
                    now=at(8, 30))
    for b in bundles[:2]:
        record_scan(operator_id=u.id, operator_line_id=line, bundle_ref=b.code, operation_id=op2.id, qty=10,
                    now=at(9, 0))
    record_scan(operator_id=u.id, operator_line_id=line, bundle_ref=bundles[2].code, operation_id=op1.id, qty=10,
                now=at(10, 45))
    m = measure.by_operation([u.id])
    assert (m[(u.id, op1.id)].earned, m[(u.id, op1.id)].attended) == (30.0, pytest.approx(120.0))
    assert (m[(u.id, op2.id)].earned, m[(u.id, op2.id)].attended) == (10.0, pytest.approx(60.0))
    assert m[(u.id, op1.id)].percent == pytest.approx(25.0)
    assert m[(u.id, op2.id)].usable == pytest.approx(10 / 60)   # 60 attended minutes: measured and used
    login(client, floor["sup"])
    html = client.get(f"/balance/skills?line={floor['line'].id}").text
    cell = re.search(rf'data-cell="{u.id}-{op1.id}">(.*?)</td>', html).group(1)
    assert "25 %" in cell
    assert 'data-print' in html                                # the printable matrix


def test_without_a_clock_record_the_line_s_planned_day_is_shared_out(floor):
    """No clock record: the planned day (08:00-16:00 = 480 minutes) stands in for the day attended, as on the
    board and in pay; the scans share it out 60 : 30 (the example above) -> 320 and 160 minutes."""
    day = _last_working_day()
    op1, op2 = floor["style"].operations[:2]
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == floor["order"].id)
                                 .order_by(Bundle.number)).all()
    u, line = floor["op"], floor["line"].id
    stamp = lambda h, m: datetime(day.year, day.month, day.day, h, m)  # noqa: E731
    for b in bundles[:2]:
        record_scan(operator_id=u.id, operator_line_id=line, bundle_ref=b.code, operation_id=op1.id, qty=10,
                    now=stamp(8, 30))
    for b in bundles[:2]:
        record_scan(operator_id=u.id, operator_line_id=line, bundle_ref=b.code, operation_id=op2.id, qty=10,
                    now=stamp(9, 0))
    record_scan(operator_id=u.id, operator_line_id=line, bundle_ref=bundles[2].code, operation_id=op1.id, qty=10,
                now=stamp(12, 0))
    m = measure.by_operation([u.id])
    assert m[(u.id, op1.id)].attended == pytest.approx(320.0) and m[(u.id, op2.id)].attended == pytest.approx(160.0)


def test_window_counts_today_and_working_days():
    sunday = date(2026, 12, 6)
    days = measure.window(sunday, 3)
    assert days == [date(2026, 12, 4), date(2026, 12, 5), sunday]


def test_planned_efficiency_measured_else_own_pace_by_level_else_the_level():
    """Operator 1 measured 60 % on op 10 (120 earned of 200 attended minutes), nothing on op 11; operator 2 never
    measured. Planned: op 10 -> 60 %; op 11 qualified -> 60 % x 75 / 90 = 50 %; learning -> 60 % x 50 / 90 =
    33.3 %; operator 2 qualified -> 75 %. A measure under 60 attended minutes is not used."""
    measured = {(1, 10): measure.Measured(120.0, 200.0), (1, 12): measure.Measured(50.0, 40.0)}
    assert planned_efficiency((1, 10), SkillLevel.EXPERT, measured) == pytest.approx(0.60)
    assert planned_efficiency((1, 11), SkillLevel.QUALIFIED, measured) == pytest.approx(0.50)
    assert planned_efficiency((1, 11), SkillLevel.LEARNING, measured) == pytest.approx(0.60 * 50 / 90)
    assert planned_efficiency((1, 12), SkillLevel.QUALIFIED, measured) == pytest.approx(0.50)   # 40 min: own pace
    assert planned_efficiency((2, 10), SkillLevel.QUALIFIED, measured) == pytest.approx(0.75)
