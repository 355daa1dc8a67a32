"""The ledger and its summaries: output decided at write time, reversals exact, floor signals."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from shopfloor import clock, events, signals
from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, LineHourOutput, OperatorDay, OrderOpProgress, WorkLog
from shopfloor.planning import styles as planning
from shopfloor.quality import services as quality
from shopfloor.scan import services
from shopfloor.scan.statements import PG_WRITE, SQLITE_WRITE, SUMMARIES
from shopfloor.vocabulary import OrderStatus

D0 = Decimal("0")


def _bundles(order):
    return db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()


def scan(user, bundle, operation, qty=None, **kw):
    kw.setdefault("log_anyway", True)  # these tests log operations in any order (its check: test_scan_sequence.py)
    return services.record_scan(operator_id=user.id, operator_line_id=user.line_id, bundle_ref=bundle.code,
                                operation_id=operation.id, qty=qty, **kw)


def ledger_sums():
    """Every summary recomputed from the ledger alone (a reversal counts in its entry's hour and day)."""
    db.session.expire_all()
    rows = db.session.scalars(select(WorkLog).order_by(WorkLog.id)).all()
    created = {r.id: r.created_at for r in rows}
    lho, oop, opd, bop = defaultdict(lambda: [0, 0, D0]), defaultdict(int), defaultdict(lambda: [0, D0, D0]), \
        defaultdict(int)
    for r in rows:
        day, hour = clock.local_bucket(created[r.reverses_id] if r.reverses_id else r.created_at)
        earned = r.pieces * Decimal(str(r.sam))
        if r.line_id is not None:
            s = lho[(r.line_id, day, hour)]
            s[0] += r.pieces
            s[1] += r.pieces if r.is_output else 0
            s[2] += earned
        oop[(r.bundle.order_id, r.operation_id)] += r.pieces
        d = opd[(r.operator_id, day)]
        d[0] += r.pieces
        d[1] += earned
        d[2] += r.pieces * r.piece_rate
        bop[(r.bundle_id, r.operation_id)] += r.pieces
    return ({k: tuple(v) for k, v in lho.items()}, dict(oop), {k: tuple(v) for k, v in opd.items()}, dict(bop))


def summary_tables():
    db.session.expire_all()
    lho = {(s.line_id, s.day, s.hour): (s.pieces, s.output, Decimal(str(s.earned_minutes)))
           for s in db.session.scalars(select(LineHourOutput))}
    oop = {(s.order_id, s.operation_id): s.done for s in db.session.scalars(select(OrderOpProgress))}
    opd = {(s.operator_id, s.day): (s.pieces, Decimal(str(s.earned_minutes)), s.earnings)
           for s in db.session.scalars(select(OperatorDay))}
    bop = {(s.bundle_id, s.operation_id): s.done for s in db.session.scalars(select(BundleOpProgress))}
    return lho, oop, opd, bop


def _nonzero(d: dict) -> dict:
    # Cutting creates every bundle counter at 0; a zero row and no row say the same.
    return {k: v for k, v in d.items() if (any(v) if isinstance(v, tuple) else v)}


def assert_summaries_equal_ledger():
    for name, table, ledger in zip(("line_hour_output", "order_op_progress", "operator_day", "bundle_op_progress"),
                                   summary_tables(), ledger_sums()):
        assert _nonzero(table) == _nonzero(ledger), name


def _edit_bulletin(style, how: str):
    if how == "add_later_operation":
        planning.add_operation(style.id, name="Final press", machine="Iron", sam=Decimal("0.4"))
    else:  # retire the output operation: the one before it becomes the output operation
        planning.set_operation_active(style.operations[-1].id, False)
    db.session.commit()


@pytest.mark.parametrize("how", ["add_later_operation", "deactivate_output_operation"])
def test_bulletin_edit_between_scan_and_reversal_keeps_summaries_equal_to_ledger(factory, how):
    line, style, order, op = factory.floor()
    b1, b2 = _bundles(order)
    last, before_last = style.operations[-1], style.operations[-2]
    out = scan(op, b1, last, qty=6)                 # output when written
    not_out = scan(op, b2, before_last, qty=4)      # not output when written
    day, hour = clock.local_bucket(out.created_at)
    assert db.session.get(LineHourOutput, (line.id, day, hour)).output == 6
    assert db.session.get(WorkLog, out.log_id).is_output and not db.session.get(WorkLog, not_out.log_id).is_output
    assert_summaries_equal_ledger()

    _edit_bulletin(style, how)
    sup = factory.user("supervisor", line=line)
    r1 = services.reverse_entry(out.log_id, by_user_id=sup.id, reason="wrong bundle")
    r2 = services.reverse_entry(not_out.log_id, by_user_id=sup.id, reason="wrong bundle")

    assert db.session.get(WorkLog, r1).is_output is True       # the reversal copies its entry's flag
    assert db.session.get(WorkLog, r2).is_output is False
    lho = db.session.get(LineHourOutput, (line.id, day, hour))
    assert (lho.pieces, lho.output, Decimal(str(lho.earned_minutes))) == (0, 0, D0)
    assert db.session.get(OperatorDay, (op.id, day)).earnings == D0
    assert_summaries_equal_ledger()


def test_scan_after_bulletin_edit_counts_output_by_the_new_bulletin(factory):
    line, style, order, op = factory.floor()
    b1, b2 = _bundles(order)
    _edit_bulletin(style, "deactivate_output_operation")
    res = scan(op, b1, style.operations[-2], qty=5)
    assert db.session.get(WorkLog, res.log_id).is_output is True
    day, hour = clock.local_bucket(res.created_at)
    assert db.session.get(LineHourOutput, (line.id, day, hour)).output == 5
    assert_summaries_equal_ledger()


def test_undo_and_corrections_over_hours_keep_every_summary_equal_to_ledger(factory):
    line, style, order, op = factory.floor()
    other = factory.user("operator", line=line)
    b1, b2 = _bundles(order)
    t0 = clock.utcnow() - timedelta(hours=3)
    a = scan(op, b1, style.operations[0], qty=3, now=t0)
    scan(other, b1, style.operations[0], qty=7, now=t0 + timedelta(hours=1))
    c = scan(op, b2, style.operations[2], qty=10, now=t0 + timedelta(hours=2))
    services.undo_scan(c.log_id, user_id=op.id, now=c.created_at + timedelta(seconds=5))
    services.reverse_entry(a.log_id, by_user_id=other.id, reason="miscount")
    scan(op, b1, style.operations[0], qty=3)
    assert db.session.get(BundleOpProgress, (b1.id, style.operations[0].id)).done == 10
    assert_summaries_equal_ledger()


def test_both_write_paths_share_one_text_of_each_summary():
    # The PostgreSQL statement embeds the very upserts the SQLite sequence runs, conditioned differently.
    for upsert, (sqlite_stmt, _required) in zip(SUMMARIES, SQLITE_WRITE.summaries):
        assert upsert.table in sqlite_stmt.sqlite and upsert.update in sqlite_stmt.sqlite
        assert upsert.update in PG_WRITE.pg   # the summaries' updates read excluded.*, no parameters
    # counter + three summaries are upserts; PostgreSQL's row has no ON CONFLICT (a taken client id fails the
    # whole statement), SQLite's row does (a replay adds nothing)
    assert PG_WRITE.pg.count("ON CONFLICT") == 4 and "%(line)s" in PG_WRITE.pg and ":line" not in PG_WRITE.pg
    assert "ON CONFLICT (client_id) DO NOTHING" in SQLITE_WRITE.log.sqlite
    # PostgreSQL: the counter first, the row only if the counter took the pieces
    assert PG_WRITE.pg.index("bundle_op_progress") < PG_WRITE.pg.index("INSERT INTO work_log")


class _Recorder:
    def __init__(self, result=None, fail: bool = False):
        self.calls, self.result, self.fail = [], result, fail

    def __call__(self, sender, **kw):
        self.calls.append(kw)
        if self.fail:
            raise RuntimeError("receiver failed")
        return self.result


def test_work_logged_is_sent_once_per_new_entry_not_for_replays_or_reversals(factory):
    line, style, order, op = factory.floor()
    b1, _b2 = _bundles(order)
    rec = _Recorder()
    signals.work_logged.connect(rec)
    try:
        res = scan(op, b1, style.operations[-1], qty=4, client_id="once")
        scan(op, b1, style.operations[-1], qty=4, client_id="once")       # replay
        services.undo_scan(res.log_id, user_id=op.id)                      # reversal
    finally:
        signals.work_logged.disconnect(rec)
    assert len(rec.calls) == 1
    kw = rec.calls[0]
    assert {k: kw[k] for k in ("order_id", "bundle_id", "operation_id", "is_output", "pieces", "at")} == {
        "order_id": order.id, "bundle_id": b1.id, "operation_id": style.operations[-1].id, "is_output": True,
        "pieces": 4, "at": res.created_at}
    # the status before this entry: the order's first scan is what moves it from cutting to sewing
    assert kw["order_status"] == OrderStatus.CUTTING and kw["raw"] is not None
    db.session.expire_all()
    assert db.session.get(type(order), order.id).status == OrderStatus.SEWING


def test_a_failing_work_logged_receiver_rolls_the_scan_back(factory):
    """The signal is sent inside the write transaction: a reaction commits or rolls back with the scan."""
    _line, style, order, op = factory.floor()
    b1, _b2 = _bundles(order)
    rec = _Recorder(fail=True)
    signals.work_logged.connect(rec)
    try:
        with pytest.raises(RuntimeError, match="receiver failed"):
            scan(op, b1, style.operations[0], qty=2, client_id="rolled-back")
    finally:
        signals.work_logged.disconnect(rec)
    db.session.expire_all()
    assert db.session.scalars(select(WorkLog)).all() == []
    assert db.session.get(BundleOpProgress, (b1.id, style.operations[0].id)).done == 0
    assert [_nonzero(t) for t in summary_tables()] == [{}, {}, {}, {}]


def test_rework_cap_takes_the_smallest_answer(factory):
    _line, style, order, op = factory.floor()
    b1, _b2 = _bundles(order)
    b1.status = "rework"
    db.session.commit()
    small = _Recorder(result=3)
    signals.rework_cap.connect(small)
    try:
        with pytest.raises(services.DomainError) as e:
            scan(op, b1, style.operations[0], qty=4)
        assert e.value.code == "over_quantity" and "Only 3 pieces remain" in e.value.message
        assert scan(op, b1, style.operations[0]).pieces == 3
    finally:
        signals.rework_cap.disconnect(small)
    assert small.calls[0]["bundle_id"] == b1.id and small.calls[0]["cap"] == 10


def test_rework_cap_without_answers_takes_nothing(factory):
    _line, style, order, op = factory.floor()
    b1, _b2 = _bundles(order)
    b1.status = "rework"
    db.session.commit()
    signals.rework_cap.disconnect(quality.rework_limit)
    try:
        with pytest.raises(services.DomainError) as e:
            scan(op, b1, style.operations[0], qty=1)
        assert e.value.code == "rework"
    finally:
        events.subscribe()
    assert db.session.scalars(select(WorkLog)).all() == []


def test_subscribe_is_idempotent_and_strong():
    events.subscribe()
    events.subscribe()
    assert list(signals.rework_cap.receivers_for(None)).count(quality.rework_limit) == 1


def test_an_operation_added_after_cutting_gets_its_counter_on_the_first_scan(factory):
    line, style, order, op = factory.floor()
    added = planning.add_operation(style.id, name="Final press", machine="Iron", sam=Decimal("0.4"))
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    assert db.session.get(BundleOpProgress, (b1.id, added.id)) is None      # cut before the operation existed
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=added.id,
                         qty=6, log_anyway=True)
    services.record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=added.id,
                         qty=4, log_anyway=True)
    db.session.expire_all()
    counter = db.session.get(BundleOpProgress, (b1.id, added.id))
    assert (counter.done, counter.pieces) == (10, b1.pieces)
    assert_summaries_equal_ledger()
