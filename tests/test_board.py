"""Wall board: figures from the summary tables, kiosk token, cheap polling."""
from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import select

from shopfloor import clock
from shopfloor.board import queries
from shopfloor.extensions import db
from shopfloor.models import Bundle
from shopfloor.scan import services
from tests.conftest import login


def _at_local(hh: int, mm: int = 0) -> datetime:
    """Naive UTC for today's factory-local hh:mm."""
    local = datetime.combine(clock.local_today(), time(hh, mm), tzinfo=clock.factory_tz())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _bundles(order):
    return db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()


def test_board_figures_match_hand_computation(factory):
    # Style SAMs 0.5 + 1.0 + 0.75 = 2.25 min; line target efficiency 70 %; shift from 08:00.
    line, style, order, op1 = factory.floor()
    op2 = factory.user("operator", line=line)
    b1, b2 = _bundles(order)
    last = style.operations[-1]
    services.record_scan(operator_id=op1.id, operator_line_id=line.id, bundle_ref=b1.code,
                         operation_id=style.operations[0].id, qty=10, now=_at_local(8, 20))
    services.record_scan(operator_id=op2.id, operator_line_id=line.id, bundle_ref=b1.code,
                         operation_id=last.id, qty=10, now=_at_local(9, 10), log_anyway=True)
    board = queries.board(now_utc=_at_local(10, 0))
    lb = next(x for x in board.lines if x.id == line.id)
    assert lb.operators == 2                        # both logged today
    assert lb.output == 10                          # only the last operation counts as output
    assert lb.minutes_worked == 120
    # earned = 10 x 0.5 + 10 x 0.75 = 12.5 min; efficiency = 12.5 / (2 x 120) x 100 = 5.2 %
    assert round(lb.efficiency, 1) == 5.2
    # target/hour = 2 x 60 / 2.25 x 0.70 = 37.33; so far (2 h) = 74.7
    assert round(lb.target_per_hour, 2) == 37.33 and round(lb.target_so_far, 1) == 74.7
    assert [h.output for h in lb.hours[:3]] == [0, 10, 0]
    assert lb.wip_pieces == 0                       # b1's 10 pieces out at the last operation, b2 not started
    o = next(x for x in board.orders if x.id == order.id)
    assert (o.output, o.quantity) == (10, 20) and o.percent == 50.0


def test_wip_counts_pieces_started_and_not_out_as_the_supervisor_sees_them(factory):
    from shopfloor.supervise import queries as supervise

    line, style, order, op = factory.floor()
    b1, b2 = _bundles(order)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                         operation_id=style.operations[0].id, qty=3)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b2.code,
                         operation_id=style.operations[0].id, qty=10)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b2.code,
                         operation_id=style.operations[-1].id, qty=4, log_anyway=True)
    lb = next(x for x in queries.board().lines if x.id == line.id)
    assert lb.wip_pieces == 3 + 10 - 4              # started at the first operation, not yet out of the last
    # one definition: the supervisor's page shows the same work in progress
    assert lb.wip_pieces == sum(f.wip for f in supervise.line_flows(line.id)) == 9


def test_retired_end_operations_leave_the_output_wip_and_target(factory):
    """The board's orders and WIP take each style's first and output operation from its active operations, as the
    supervisor's flows and the bulletin do: retiring the first and the last moves both ends inward."""
    from shopfloor.supervise import queries as supervise

    line, style, order, op = factory.floor(sams=[0.5, 1.0, 0.75, 0.25])
    first, second, third, last = style.operations
    b1, b2 = _bundles(order)
    for ref, operation, qty in ((b1, first, 10), (b1, second, 8), (b2, second, 6), (b1, third, 5), (b1, last, 5)):
        services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=ref.code,
                             operation_id=operation.id, qty=qty, log_anyway=True)
    lb = next(x for x in queries.board().lines if x.id == line.id)
    o = next(x for x in queries.board().orders if x.id == order.id)
    assert (o.output, lb.wip_pieces) == (5, 10 - 5)
    factory.update(first, active=False)
    factory.update(last, active=False)
    board = queries.board()
    lb = next(x for x in board.lines if x.id == line.id)
    o = next(x for x in board.orders if x.id == order.id)
    assert o.output == 5                              # out of the third operation, now the last active one
    assert lb.wip_pieces == (8 + 6) - 5 == sum(f.wip for f in supervise.line_flows(line.id))
    assert round(lb.target_per_hour, 2) == round(1 * 60 / (1.0 + 0.75) * 0.70, 2)   # the active SAMs only
    for operation in (second, third):
        factory.update(operation, active=False)     # a style with no active operation left
    board = queries.board()
    assert next(x for x in board.orders if x.id == order.id).output == 0
    assert next(x for x in board.lines if x.id == line.id).wip_pieces == 0


def test_board_page_shows_new_scan(client, factory):
    line, style, order, op = factory.floor()
    factory.update(op, assigned_operation_id=style.operations[-1].id)  # the operator sews the output operation
    login(client, op)
    page = client.get("/board")
    assert page.status_code == 200 and line.name in page.text and order.number in page.text
    assert f'data-order="{order.number}">0 / 20' in page.text
    b1, _ = _bundles(order)
    client.post("/scan/log", data={"bundle": b1.code, "operation": style.operations[-1].id, "qty": "10",
                                   "client_id": "x1", "log_anyway": "1"})
    live = client.get("/board/live", headers={"HX-Request": "true"})
    assert f'data-order="{order.number}">10 / 20' in live.text
    assert live.text.lstrip().startswith('<div id="board"')


def test_unchanged_board_answers_304_and_changes_after_scan(client, factory):
    line, style, order, op = factory.floor()
    login(client, op)
    first = client.get("/board/live")
    tag = first.headers["HX-PTag"]
    assert 'data-kpi="wip">0<' in first.text
    again = client.get("/board/live", headers={"HX-PTag": tag})
    assert again.status_code == 304 and again.data == b""
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=_bundles(order)[0].code,
                         operation_id=style.operations[0].id, qty=1)
    changed = client.get("/board/live", headers={"HX-PTag": tag})
    assert changed.status_code == 200 and changed.headers["HX-PTag"] != tag
    assert 'data-kpi="wip">1<' in changed.text   # the new figures, not the old page again


def test_kiosk_token(client, factory, app):
    line = factory.line()
    good = client.get("/board", query_string={"token": app.config["BOARD_TOKEN"]})
    assert good.status_code == 200 and line.name in good.text
    assert 'token=board-token-for-tests' in good.text   # the poll keeps the token
    wrong = client.get("/board?token=wrong")
    assert wrong.status_code == 403 and line.name not in wrong.text
    anonymous = client.get("/board")                      # no token, not signed in: sign-in page
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_board_ignores_finished_orders_and_idle_day(factory):
    line, style, order, op = factory.floor()
    factory.update(order, status="shipped")
    board = queries.board(now_utc=_at_local(7, 0))
    assert all(o.id != order.id for o in board.orders)
    lb = next(x for x in board.lines if x.id == line.id)
    assert lb.minutes_worked == 0 and lb.efficiency is None and lb.target_so_far == 0  # undefined, shown as —


def test_chart_and_minutes_follow_overtime_logged_at_19(factory):
    # Planned shift 08:00-16:00; the line's output operation is also worked at 19:05 (overtime).
    line, style, order, op = factory.floor()
    b1, b2 = _bundles(order)
    last = style.operations[-1]
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                         operation_id=last.id, qty=10, now=_at_local(9, 30), log_anyway=True)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b2.code,
                         operation_id=last.id, qty=7, now=_at_local(19, 5), log_anyway=True)
    lb = next(x for x in queries.board(now_utc=_at_local(19, 30)).lines if x.id == line.id)
    assert [h.hour for h in lb.hours] == list(range(8, 20))        # 08 .. 19, the evening hour has its bar
    evening = lb.hours[-1]
    assert (evening.hour, evening.output, evening.current) == (19, 7, True)
    assert lb.chart_percent(evening.output) > 0
    assert lb.output == 17
    assert lb.minutes_worked == 11 * 60 + 30                        # 08:00 to 19:30, overtime counted
    # After the last hour with work the day stops growing: at 22:00 it ran to the end of 19:xx.
    later = next(x for x in queries.board(now_utc=_at_local(22, 0)).lines if x.id == line.id)
    assert later.minutes_worked == 12 * 60 and later.hours[-1].hour == 19
    assert not any(h.current for h in later.hours)


def test_chart_keeps_the_planned_shift_as_its_minimum_and_widens_for_early_work(factory):
    line, style, order, op = factory.floor()
    idle = next(x for x in queries.board(now_utc=_at_local(10, 0)).lines if x.id == line.id)
    assert [h.hour for h in idle.hours] == list(range(8, 16))       # nothing logged: the planned 08-16
    b1, _ = _bundles(order)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                         operation_id=style.operations[0].id, qty=4, now=_at_local(6, 40))
    early = next(x for x in queries.board(now_utc=_at_local(10, 0)).lines if x.id == line.id)
    assert [h.hour for h in early.hours] == list(range(6, 16))
    assert early.minutes_worked == 4 * 60                           # from 06:00
    assert early.pieces == 4 and early.hours[0].output == 0        # not an output operation: no garments out


def test_every_line_charts_the_same_hours(factory):
    line, style, order, op = factory.floor()
    other = factory.line()
    b1, _ = _bundles(order)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                         operation_id=style.operations[0].id, qty=2, now=_at_local(18, 10))
    board = queries.board(now_utc=_at_local(18, 30))
    spans = {lb.id: [h.hour for h in lb.hours] for lb in board.lines}
    assert spans[line.id] == spans[other.id] == list(range(8, 19))


def test_version_moves_with_a_scan_and_the_minute_not_with_a_poll(factory):
    line, style, order, op = factory.floor()
    at = _at_local(10, 0)
    first = queries.version(at)
    assert queries.version(at) == first                                    # reading changes nothing
    assert queries.version(_at_local(10, 1)) != first                      # the clock on the board moved
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=_bundles(order)[0].code,
                         operation_id=style.operations[0].id, qty=1, now=at)
    assert queries.version(at) != first
    assert queries.board(now_utc=at).version == queries.version(at)


def test_version_sees_a_scan_that_commits_after_a_later_one(factory):
    # PostgreSQL hands out ids when a transaction writes, so a scan can commit after one with a higher id:
    # the maximum does not move, the sum of the latest ids does.
    from sqlalchemy import text

    from shopfloor.database import write_transaction
    from shopfloor.models import WorkLog

    line, style, order, op = factory.floor()
    b1, _ = _bundles(order)
    for _ in range(2):
        services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                             operation_id=style.operations[0].id, qty=1, now=_at_local(10, 0))
    with write_transaction() as session:                 # the second scan took id 5; 3 is still being written
        session.execute(text("UPDATE work_log SET id = 5 WHERE id = 2"))
    before = queries.version(_at_local(10, 0))
    cols = [c.name for c in WorkLog.__table__.columns if c.name not in ("id", "client_id")]
    with write_transaction() as session:                 # ... and commits now, below the maximum
        session.execute(text(f"INSERT INTO work_log (id, client_id, {', '.join(cols)}) "
                             f"SELECT 3, 'late-commit', {', '.join(cols)} FROM work_log WHERE id = 1"))
    assert db.session.execute(text("SELECT max(id) FROM work_log")).scalar() == 5
    assert queries.version(_at_local(10, 0)) != before
