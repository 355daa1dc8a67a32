"""The scan rules: exactly once, never beyond the bundle, refusals change nothing."""
from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shopfloor import clock, security
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, LineHourOutput, OrderOpProgress, WorkLog
from shopfloor.scan import services


def _bundles(order):
    return db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()


def _log_count():
    return db.session.scalar(select(func.count()).select_from(WorkLog))


def _done(bundle, op):
    return db.session.scalar(select(BundleOpProgress.done).where(BundleOpProgress.bundle_id == bundle.id,
                                                                 BundleOpProgress.operation_id == op.id))


def scan(op_user, bundle_ref, operation, qty=None, client_id=None, **kw):
    kw.setdefault("log_anyway", True)  # operations in any order here (their order: test_scan_sequence.py)
    return services.record_scan(operator_id=op_user.id, operator_line_id=op_user.line_id, bundle_ref=bundle_ref,
                                operation_id=operation.id, qty=qty, client_id=client_id, **kw)


def test_scan_credits_remaining_and_updates_every_counter(factory):
    line, style, order, op = factory.floor()
    b = _bundles(order)[0]
    res = scan(op, b.code, style.operations[0], client_id="c-1")
    assert res.created and res.pieces == 10
    assert _done(b, style.operations[0]) == 10
    day, hour = clock.local_bucket(res.created_at)
    lho = db.session.get(LineHourOutput, (line.id, day, hour))
    assert lho.pieces == 10 and lho.output == 0 and float(lho.earned_minutes) == pytest.approx(10 * 0.5)
    assert db.session.get(OrderOpProgress, (order.id, style.operations[0].id)).done == 10


def test_last_operation_counts_as_line_output(factory):
    line, style, order, op = factory.floor()
    b = _bundles(order)[0]
    res = scan(op, b.code, style.operations[-1], qty=4)
    day, hour = clock.local_bucket(res.created_at)
    assert db.session.get(LineHourOutput, (line.id, day, hour)).output == 4


def test_replay_with_same_client_id_adds_nothing(factory):
    _, style, order, op = factory.floor()
    b = _bundles(order)[0]
    first = scan(op, b.code, style.operations[0], qty=3, client_id="same")
    again = scan(op, b.code, style.operations[0], qty=3, client_id="same")
    assert first.created and not again.created and again.log_id == first.log_id
    assert _log_count() == 1 and _done(b, style.operations[0]) == 3


def test_more_than_remaining_is_refused_and_changes_nothing(factory):
    _, style, order, op = factory.floor()
    b = _bundles(order)[0]
    scan(op, b.code, style.operations[0], qty=8)
    with pytest.raises(DomainError) as e:
        scan(op, b.code, style.operations[0], qty=3)
    assert e.value.status == 409 and "Only 2 pieces remain" in e.value.message
    assert _log_count() == 1 and _done(b, style.operations[0]) == 8


def test_already_done_names_who_did_it(factory):
    line, style, order, op = factory.floor()
    b = _bundles(order)[0]
    scan(op, b.code, style.operations[0])
    other = factory.user("operator", line=line, name="Second Person")
    with pytest.raises(DomainError) as e:
        scan(other, b.code, style.operations[0])
    assert e.value.code == "already_done" and op.name in e.value.message


@pytest.mark.parametrize("mangle", [
    lambda code, token: token[:-1] + ("A" if token[-1] != "A" else "B"),   # altered signature
    lambda code, token: "ZZZZZZZ" + token[len(code):],                       # altered code, old signature
])
def test_forged_payload_is_refused(factory, mangle):
    _, style, order, op = factory.floor()
    b = _bundles(order)[0]
    token = security.sign("bundle", b.code)
    with pytest.raises(DomainError) as e:
        scan(op, mangle(b.code, token), style.operations[0])
    assert e.value.code == "forged"
    assert _log_count() == 0


def test_signed_url_payload_is_accepted(factory):
    _, style, order, op = factory.floor()
    b = _bundles(order)[0]
    res = scan(op, f"http://x.test/b/{security.sign('bundle', b.code)}", style.operations[0], qty=1)
    assert res.created and res.bundle_code == b.code


def test_unknown_bundle_and_foreign_operation_are_refused(factory):
    _, style, order, op = factory.floor()
    other_style = factory.style()
    b = _bundles(order)[0]
    with pytest.raises(DomainError) as e:
        scan(op, "XXXX222", style.operations[0])
    assert e.value.status == 404
    with pytest.raises(DomainError) as e:
        scan(op, b.code, other_style.operations[0])
    assert e.value.code == "wrong_operation"
    assert _log_count() == 0


def test_bundle_on_hold_is_refused(factory):
    _, style, order, op = factory.floor()
    b = _bundles(order)[0]
    factory.update(b, status="hold")
    with pytest.raises(DomainError) as e:
        scan(op, b.code, style.operations[0])
    assert e.value.code == "hold" and _log_count() == 0


@pytest.mark.parametrize("qty", ["0", "-2", "abc", "2.5"])
def test_bad_quantity_is_refused(factory, qty):
    _, style, order, op = factory.floor()
    with pytest.raises(DomainError) as e:
        scan(op, _bundles(order)[0].code, style.operations[0], qty=qty)
    assert e.value.status == 422 and "number of pieces must be" in e.value.message
    assert _log_count() == 0


def test_undo_within_30_seconds_writes_a_reversal(factory):
    line, style, order, op = factory.floor()
    b = _bundles(order)[0]
    res = scan(op, b.code, style.operations[0], qty=6)
    rid = services.undo_scan(res.log_id, user_id=op.id, now=res.created_at + timedelta(seconds=20))
    rev = db.session.get(WorkLog, rid)
    assert rev.pieces == -6 and rev.reverses_id == res.log_id
    assert _log_count() == 2 and _done(b, style.operations[0]) == 0
    day, hour = clock.local_bucket(res.created_at)
    assert db.session.get(LineHourOutput, (line.id, day, hour)).pieces == 0
    with pytest.raises(DomainError) as e:  # a second undo
        services.undo_scan(res.log_id, user_id=op.id, now=res.created_at + timedelta(seconds=25))
    assert e.value.code == "already_reversed"


def test_undo_after_30_seconds_or_by_someone_else_is_refused(factory):
    line, style, order, op = factory.floor()
    b = _bundles(order)[0]
    res = scan(op, b.code, style.operations[0], qty=6)
    with pytest.raises(DomainError) as e:
        services.undo_scan(res.log_id, user_id=op.id, now=res.created_at + timedelta(seconds=31))
    assert e.value.code == "too_late"
    other = factory.user("operator", line=line)
    with pytest.raises(DomainError) as e:
        services.undo_scan(res.log_id, user_id=other.id, now=res.created_at + timedelta(seconds=1))
    assert e.value.status == 403 and "your own entries" in e.value.message
    assert _log_count() == 1 and _done(b, style.operations[0]) == 6


def test_database_check_refuses_overcount_even_without_python_checks(factory):
    _, style, order, op = factory.floor()
    b = _bundles(order)[0]
    key = (b.id, style.operations[0].id)
    with pytest.raises(IntegrityError) as e:
        with write_transaction():
            db.session.get(BundleOpProgress, key).done = 11   # one more than the bundle's 10 pieces
    assert "done_within_pieces" in str(e.value.orig)          # refused by the CHECK constraint itself
    db.session.expire_all()
    assert db.session.get(BundleOpProgress, key).done == 0 and _log_count() == 0


def test_concurrent_scans_never_exceed_bundle(factory, app):
    """Many threads race to log pieces on one bundle operation: the sum ends exactly at the bundle's pieces."""
    line, style, order, _ = factory.floor()
    b = _bundles(order)[0]
    op = style.operations[1]
    workers = [factory.user("operator", line=line) for _ in range(8)]
    ids = [(w.id, w.line_id) for w in workers]
    code, op_id = b.code, op.id
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(ids) * 2)

    def worker(uid, lid, n):
        with app.app_context():
            barrier.wait()
            for _ in range(3):
                try:
                    r = services.record_scan(operator_id=uid, operator_line_id=lid, bundle_ref=code,
                                             operation_id=op_id, qty=2, client_id=str(uuid.uuid4()),
                                             log_anyway=True)
                    with lock:
                        outcomes.append("ok" if r.created else "replay")
                except DomainError as e:
                    with lock:
                        outcomes.append(e.code)
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid, lid, n)) for n in range(2) for uid, lid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.session.rollback()  # end this thread's read snapshot
    assert outcomes.count("ok") == 5
    assert set(outcomes) <= {"ok", "already_done", "over_quantity"}
    assert _done(b, op) == 10
    assert db.session.scalar(select(func.sum(WorkLog.pieces)).where(WorkLog.bundle_id == b.id,
                                                                    WorkLog.operation_id == op.id)) == 10
    assert db.session.get(OrderOpProgress, (order.id, op.id)).done == 10


def test_one_client_id_sent_at_once_from_many_threads_is_written_once(factory, app):
    """The same scan sent by 8 threads at once (a phone retrying on a bad network): every send may pass the
    read before any has written. Exactly one entry is written, every send answers with that same entry, and
    the counters hold its pieces once (PostgreSQL: the later statements fail whole on the client id and
    write nothing; SQLite: the row's ON CONFLICT and the writers' queue)."""
    line, style, order, op = factory.floor()
    b = _bundles(order)[0]
    code, op_id, uid, lid = b.code, style.operations[0].id, op.id, line.id
    results, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def send():
        with app.app_context():
            barrier.wait()
            try:
                r = services.record_scan(operator_id=uid, operator_line_id=lid, bundle_ref=code, operation_id=op_id,
                                         qty=3, client_id="same-scan")
                with lock:
                    results.append(r)
            except Exception as e:  # noqa: BLE001 - any failure is reported by the assertion below
                with lock:
                    errors.append(repr(e))
            db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.session.rollback()
    assert errors == []
    assert len(results) == 8 and len({r.log_id for r in results}) == 1
    assert sum(r.created for r in results) == 1 and all(r.pieces == 3 for r in results)
    assert _log_count() == 1 and _done(b, style.operations[0]) == 3
    assert db.session.get(OrderOpProgress, (order.id, op_id)).done == 3
