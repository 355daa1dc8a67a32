"""Quality: inspections traced to operators, traffic lights, the rework loop, metrics, returns."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shopfloor import clock
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, DefectType, Inspection, Rework
from shopfloor.models.quality import AqlAudit, CustomerReturn
from shopfloor.quality import catalogue, metrics, services
from shopfloor.quality.services import DefectEntry
from shopfloor.scan.services import record_scan
from tests.conftest import login


@pytest.fixture()
def floor(factory):
    line, style, order, op = factory.floor()
    qc = factory.user("qc", line=line)
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=o.id, qty=10)
    catalogue.ensure_default_catalogue()
    return line, style, order, op, qc, b1


def _defect(code: str) -> DefectType:
    return db.session.scalar(select(DefectType).where(DefectType.code == code))


def test_default_catalogue_has_the_common_defects(ctx):
    assert catalogue.active_defects() == []          # reading never writes: `flask setup` creates it
    catalogue.ensure_default_catalogue()
    catalogue.ensure_default_catalogue()             # safe to run again
    names = {d.code: d.severity for d in catalogue.active_defects()}
    assert len(names) == 14 and names["needle_damage"] == "critical" and names["open_seam"] == "major"


def test_endline_inspection_traces_defects_and_opens_rework(floor):
    line, style, order, op, qc, b1 = floor
    seam = style.operations[1]
    insp = services.record_inspection(inspector_id=qc.id, bundle_ref=b1.code, kind="endline", checked=10,
                                      entries=[DefectEntry(_defect("open_seam").id, seam.id, 2)])
    assert (insp.result, insp.defective, insp.defects) == ("fail", 2, 2)
    assert insp.items[0].operator_id == op.id          # found from the work log
    rw = db.session.scalars(select(Rework)).one()
    assert (rw.pieces, rw.operation_id, rw.operator_id, rw.status) == (2, seam.id, op.id, "open")
    assert db.session.get(Bundle, b1.id).status == "rework"


@pytest.mark.parametrize("count,light", [(0, "green"), (1, "yellow"), (2, "red"), (5, "red")])
def test_inline_audit_traffic_light(floor, count, light):
    line, style, order, op, qc, b1 = floor
    entries = [DefectEntry(_defect("puckering").id, None, count)] if count else []
    insp = services.record_inspection(inspector_id=qc.id, bundle_ref=b1.code, kind="inline", checked=None,
                                      entries=entries, operation_id=style.operations[0].id)
    assert insp.checked == 7 and insp.light == light and insp.operator_id == op.id


def test_rework_caps_later_operations_and_recheck_closes(factory):
    line, style, order, op = factory.floor()
    qc = factory.user("qc", line=line)
    catalogue.ensure_default_catalogue()
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    first, second, third = style.operations
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=first.id, qty=10)
    services.record_inspection(inspector_id=qc.id, bundle_ref=b1.code, kind="endline", checked=10,
                               entries=[DefectEntry(_defect("broken_stitch").id, first.id, 3)])
    # Only the 7 good pieces may go on to the next operation while 3 are in rework.
    with pytest.raises(DomainError) as e:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=second.id, qty=8)
    assert e.value.status == 409 and "Only 7 pieces remain" in e.value.message
    assert record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                       operation_id=second.id).pieces == 7
    rw = db.session.scalars(select(Rework)).one()
    with pytest.raises(DomainError) as e:
        services.recheck(rw.id, inspector_id=qc.id, passed=True)   # not repaired yet
    assert e.value.status == 409 and "Only repaired pieces" in e.value.message
    assert db.session.get(Rework, rw.id).status == "open"
    services.mark_repaired(rw.id, user_id=op.id, is_staff=False)
    services.recheck(rw.id, inspector_id=qc.id, passed=False)      # still bad: back to the operator
    assert db.session.get(Rework, rw.id).status == "open"
    services.mark_repaired(rw.id, user_id=op.id, is_staff=False)
    services.recheck(rw.id, inspector_id=qc.id, passed=True)
    assert db.session.get(Rework, rw.id).status == "closed"
    assert db.session.get(Bundle, b1.id).status == "open"
    assert record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                       operation_id=second.id).pieces == 3


def test_someone_else_cannot_mark_my_rework(floor, factory):
    line, style, order, op, qc, b1 = floor
    services.record_inspection(inspector_id=qc.id, bundle_ref=b1.code, kind="endline", checked=10,
                               entries=[DefectEntry(_defect("stain").id, style.operations[0].id, 1)])
    other = factory.user("operator", line=line)
    rw = db.session.scalars(select(Rework)).one()
    with pytest.raises(DomainError) as e:
        services.mark_repaired(rw.id, user_id=other.id, is_staff=False)
    assert e.value.status == 403 and "belongs to someone else" in e.value.message
    assert db.session.get(Rework, rw.id).status == "open"


@pytest.mark.parametrize("kwargs,message", [
    ({"checked": 11}, "from 1 to 10"),
    ({"checked": 0}, "from 1 to 10"),
    ({"checked": None}, "from 1 to 10"),
    ({"defective": 11}, "cannot be more than the pieces checked"),
    ({"entries": "foreign-op"}, "operation of this style"),
    ({"entries": "negative"}, "cannot be negative"),
    ({"kind": "final"}, "inline audit or end-line"),
    ({"bundle_ref": "ZZZZ999"}, "No bundle has the code"),
])
def test_bad_inspection_input_changes_nothing(floor, factory, kwargs, message):
    line, style, order, op, qc, b1 = floor
    entries = [DefectEntry(_defect("stain").id, style.operations[0].id, 1)]
    if kwargs.get("entries") == "foreign-op":
        kwargs["entries"] = [DefectEntry(_defect("stain").id, factory.style().operations[0].id, 1)]
    elif kwargs.get("entries") == "negative":
        kwargs["entries"] = [DefectEntry(_defect("stain").id, style.operations[0].id, -1)]
    args = {"inspector_id": qc.id, "bundle_ref": b1.code, "kind": "endline", "checked": 10, "entries": entries}
    args.update(kwargs)
    with pytest.raises(DomainError) as e:
        services.record_inspection(**args)
    assert message in e.value.message
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0
    assert db.session.scalar(select(func.count()).select_from(Rework)) == 0


def test_dhu_example_from_the_brief(floor):
    """35 defects in 250 pieces checked = DHU 14.0."""
    assert metrics.dhu(35, 250) == 14.0
    line, style, order, op, qc, b1 = floor
    # 25 inspections of 10 pieces; 35 defects spread over them (5 x 3 + 20 x 1), 30 defective pieces.
    for i in range(25):
        defects = 3 if i < 5 else 1
        defective = 2 if i < 5 else 1
        services.record_inspection(inspector_id=qc.id, bundle_ref=b1.code, kind="endline", checked=10,
                                   defective=defective,
                                   entries=[DefectEntry(_defect("tension").id, style.operations[0].id, defects)])
    now = clock.utcnow()
    row = metrics.breakdown("line", now - timedelta(hours=1), now + timedelta(hours=1))[0]
    assert (row.checked, row.defects, row.defective) == (250, 35, 30)
    assert row.dhu == 14.0 and row.pct_defective == 12.0 and row.rft == 88.0
    per_op = {r.key: r for r in metrics.breakdown("operation", now - timedelta(hours=1), now + timedelta(hours=1))}
    assert per_op[style.operations[0].id].defects == 35 and per_op[style.operations[1].id].defects == 0
    per_operator = metrics.breakdown("operator", now - timedelta(hours=1), now + timedelta(hours=1))
    assert per_operator[0].key == op.id and per_operator[0].dhu == 14.0
    pareto = metrics.pareto(now - timedelta(hours=1), now + timedelta(hours=1))
    assert pareto[0].name == "Thread tension" and pareto[0].count == 35 and pareto[0].cumulative_pct == 100.0
    assert metrics.line_quality_today()[line.id].dhu == 14.0


def test_dhu_by_day_counts_each_check_in_its_factory_local_day(app, monkeypatch, floor):
    """The review's DHU trend sums checks per line and factory-local day (Dhaka, UTC+6): a check at 23:50 and one
    at 00:10 the next night fall on two days, though both are on one UTC date."""
    monkeypatch.setitem(app.config, "FACTORY_TIMEZONE", "Asia/Dhaka")
    line, style, order, op, qc, b1 = floor
    day = clock.local_today() - timedelta(days=3)
    start, _end = clock.local_day_bounds_utc(day + timedelta(days=1))   # midnight in Dhaka, 18:00 UTC
    for at, defects in ((start - timedelta(minutes=10), 3), (start + timedelta(minutes=10), 1),
                        (start + timedelta(hours=20), 1)):
        services.record_inspection(inspector_id=qc.id, bundle_ref=b1.code, kind="endline", checked=10, defective=1,
                                   entries=[DefectEntry(_defect("tension").id, style.operations[0].id, defects)],
                                   now=at)
    series = metrics.dhu_by_line_day(day, day + timedelta(days=2))
    assert series == {line.name: [(day.isoformat(), 30.0), ((day + timedelta(days=1)).isoformat(), 10.0)]}
    assert metrics.dhu_by_line_day(day, day, line_id=line.id) == {line.name: [(day.isoformat(), 30.0)]}
    assert metrics.dhu_by_line_day(day, day, line_id=line.id + 1) == {}
    # The review's quality by line over those days, from the same sums: what breakdown("line") reads over their span.
    lines, _series = metrics.lines_by_day(day, day + timedelta(days=2))
    first, _ = clock.local_day_bounds_utc(day)
    _, last = clock.local_day_bounds_utc(day + timedelta(days=2))
    assert [(r.key, r.label, r.checked, r.defective, r.defects) for r in lines] == \
        [(r.key, r.label, r.checked, r.defective, r.defects) for r in metrics.breakdown("line", first, last)] == \
        [(line.id, line.name, 30, 3, 5)]


def test_return_for_repair_opens_rework_and_validates(floor):
    line, style, order, op, qc, b1 = floor
    services.record_return(order_id=order.id, reference="RMA-1", pieces=4, defect_type_id=_defect("stain").id,
                           reason="Stains on front", disposition="repair", user_id=qc.id)
    rw = db.session.scalars(select(Rework)).one()
    assert rw.pieces == 4 and rw.return_id is not None and rw.bundle_id is None
    for kwargs, msg in [({"pieces": 0}, "at least 1"), ({"pieces": 999}, "than the order holds"),
                        ({"disposition": "burn"}, "repair, scrap or restock"), ({"reference": "RMA-1"}, "already")]:
        args = {"order_id": order.id, "reference": "RMA-2", "pieces": 2, "defect_type_id": None, "reason": "",
                "disposition": "scrap", "user_id": qc.id}
        args.update(kwargs)
        with pytest.raises(DomainError) as e:
            services.record_return(**args)
        assert msg in e.value.message
    assert db.session.scalar(select(func.count()).select_from(CustomerReturn)) == 1


def test_inspect_page_and_record_route(client, floor):
    line, style, order, op, qc, b1 = floor
    login(client, qc)
    page = client.get(f"/qc?code={b1.code}")
    assert page.status_code == 200 and "Open seam" in page.text and b1.code in page.text
    d = _defect("open_seam")
    resp = client.post("/qc/inspections", data={"bundle": b1.code, "kind": "endline", "checked": "10",
                                                f"count-{d.id}": "2", f"op-{d.id}": str(style.operations[1].id)})
    assert "Failed: 2 of 10 pieces defective" in resp.text
    bad = client.post("/qc/inspections", data={"bundle": b1.code, "kind": "endline", "checked": "99"})
    assert bad.status_code == 422 and "from 1 to 10" in bad.text
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1
    board = client.get("/board")
    assert 'data-kpi="dhu">20.0' in board.text


def test_operator_sees_and_repairs_own_rework(client, floor):
    line, style, order, op, qc, b1 = floor
    services.record_inspection(inspector_id=qc.id, bundle_ref=b1.code, kind="endline", checked=10,
                               entries=[DefectEntry(_defect("open_seam").id, style.operations[0].id, 1)])
    login(client, op)
    assert 'data-rework="1"' in client.get("/scan").text
    mine = client.get("/rework/mine")
    assert b1.code in mine.text and "1 piece" in mine.text
    rw = db.session.scalars(select(Rework)).one()
    client.post(f"/rework/{rw.id}/repaired")
    db.session.expire_all()
    assert db.session.get(Rework, rw.id).status == "repaired"
    assert "Nothing to repair" in client.get("/rework/mine").text


def test_aql_audit_route_records_result(client, floor):
    line, style, order, op, qc, b1 = floor
    login(client, qc)
    plan = client.get(f"/qc/audit?order={order.id}&lot=1000&level=II&cartons=50")
    assert 'data-plan="major-sample">80' in plan.text and 'data-plan="major-ac">5' in plan.text
    assert 'data-plan="minor-ac">7' in plan.text and "Open at least 8 of 50 cartons" in plan.text
    few = client.post("/qc/audit", data={"order": order.id, "lot": 1000, "level": "II", "cartons": 50,
                                         "cartons_opened": 3})
    assert few.status_code == 422 and "Open at least 8 cartons" in few.text
    assert db.session.scalar(select(func.count()).select_from(AqlAudit)) == 0
    ok = client.post("/qc/audit", data={"order": order.id, "lot": 1000, "level": "II", "cartons": 50,
                                        "cartons_opened": 8, "critical": 0, "major": 5, "minor": 8})
    audit = db.session.scalars(select(AqlAudit)).one()
    assert (audit.order_id, audit.sample_size, audit.major_found, audit.minor_found, audit.result) == (
        order.id, 80, 5, 8, "fail")                  # minor 8 > accept 7; major 5 = accept 5
    report = client.get(ok.headers["Location"])
    assert 'data-result="fail"' in report.text


def test_inspect_page_without_code_renders_the_prompt(client, floor):
    line, style, order, op, qc, b1 = floor
    login(client, qc)
    page = client.get("/qc")
    assert "Scan or type a bundle code to inspect it." in page.text and "&lt;section" not in page.text
