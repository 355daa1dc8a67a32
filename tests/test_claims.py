"""Pay goes to the person who did the work: queued scans keep their maker, operators claim only their own
work (or a supervisor confirms on the phone), another person's client id is never replayed."""
from __future__ import annotations

from sqlalchemy import func, select

from shopfloor.extensions import db
from shopfloor.models import Bundle, HeldScan, WorkLog
from shopfloor.scan import identity
from shopfloor.scan.services import record_scan
from shopfloor.vocabulary import HeldScanStatus
from tests.conftest import login
from tests.factories import PASSWORD


def _bundles(order) -> list[Bundle]:
    return list(db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)))


def _ledger() -> list[tuple[int, int, int, int]]:
    db.session.expire_all()
    return [tuple(r) for r in db.session.execute(select(WorkLog.bundle_id, WorkLog.operator_id, WorkLog.pieces,
                                                        WorkLog.created_by_id).order_by(WorkLog.id))]


def _scan_body(bundle, op, cid, token=None, qty=None) -> dict:
    body = {"bundle": bundle.code, "operation": op.id, "qty": qty, "client_id": cid}
    if token is not None:
        body["operator"] = token
    return body


def test_queued_scan_is_credited_to_its_maker_whoever_sends_it(app, client, factory):
    line, style, order, a = factory.floor()
    b = factory.user("operator", line=line)
    factory.update(b, assigned_operation_id=style.operations[0].id)
    b1, b2 = _bundles(order)
    with app.test_request_context():
        token_a = identity.operator_token(a.id)
    # sent while B is signed in on the same phone
    login(client, b)
    r = client.post("/api/v1/scans", json=_scan_body(b1, style.operations[0], "q-1", token_a))
    assert r.status_code == 201 and r.json["qty"] == 10
    # sent with nobody signed in
    anonymous = app.test_client()
    r = anonymous.post("/api/v1/scans", json=_scan_body(b2, style.operations[0], "q-2", token_a, qty=4))
    assert r.status_code == 201
    assert _ledger() == [(b1.id, a.id, 10, a.id), (b2.id, a.id, 4, a.id)]
    # and without an identity a scan needs a session
    r = anonymous.post("/api/v1/scans", json=_scan_body(b2, style.operations[0], "q-3"))
    assert r.status_code == 401 and len(_ledger()) == 2


def test_unverified_queued_scan_is_held_for_a_supervisor_and_credits_nobody(app, client, factory):
    line, style, order, a = factory.floor()
    b = factory.user("operator", line=line)
    b1, _ = _bundles(order)
    login(client, b)
    for _attempt in range(2):  # a resend of the same item is held once
        r = client.post("/api/v1/scans", json=_scan_body(b1, style.operations[0], "h-1", "forged.token.value"))
        assert r.status_code == 202 and r.json["held"] is True and "credited to nobody" in r.json["error"]
    assert _ledger() == []
    held = db.session.scalars(select(HeldScan)).all()
    assert len(held) == 1 and held[0].sent_by_id == b.id and held[0].status == HeldScanStatus.PENDING

    sup = factory.user("supervisor", line=line)
    login(client, sup)
    page = client.get("/supervise")
    assert "Scans held for you" in page.text and f'data-held="{held[0].id}"' in page.text
    r = client.post(f"/supervise/held/{held[0].id}/credit", data={"operator": str(a.id)})
    assert r.status_code == 200 and "Credited: 10 pieces." in r.text
    assert _ledger() == [(b1.id, a.id, 10, sup.id)]          # A's pay; the supervisor is its author
    again = client.post(f"/supervise/held/{held[0].id}/credit", data={"operator": str(a.id)})
    assert again.status_code == 409 and "already dealt with" in again.text
    assert len(_ledger()) == 1
    db.session.expire_all()
    assert db.session.get(HeldScan, held[0].id).status == HeldScanStatus.CREDITED


def test_someone_elses_client_id_is_refused_and_shows_nothing_of_their_entry(client, factory):
    line, style, order, a = factory.floor()
    b = factory.user("operator", line=line)
    factory.update(b, assigned_operation_id=style.operations[0].id)
    b1, b2 = _bundles(order)
    record_scan(operator_id=a.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=style.operations[0].id,
                qty=7, client_id="mine-1")
    login(client, b)
    r = client.post("/api/v1/scans", json=_scan_body(b2, style.operations[0], "mine-1", qty=3))
    assert r.status_code == 409 and r.json["code"] == "client_id_taken"
    assert "id" not in r.json and b1.code not in r.text and "7" not in r.json["error"]
    form = client.post("/scan/log", data={"bundle": b2.code, "operation": style.operations[0].id, "qty": "3",
                                          "client_id": "mine-1"})
    assert form.status_code == 409 and "already used on another person" in form.text and b1.code not in form.text
    assert _ledger() == [(b1.id, a.id, 7, a.id)]


def test_operator_claims_only_their_line_and_operation_unless_a_supervisor_confirms(client, factory):
    line, style, order, op = factory.floor()           # op is assigned to the first operation on this line
    other_line = factory.line()
    other = factory.order(style=style, line=other_line)
    sup = factory.user("supervisor", line=line)
    b1, _ = _bundles(order)
    foreign, _ = _bundles(other)
    login(client, op)
    second = style.operations[1]
    r = client.post("/scan/log", data={"bundle": b1.code, "operation": second.id, "qty": "4", "client_id": "c-1"})
    assert r.status_code == 403 and "This is not your operation." in r.text
    assert 'data-kind="confirm"' in r.text and 'value="4"' in r.text and "Confirm and log" in r.text
    r = client.post("/scan/log", data={"bundle": foreign.code, "operation": style.operations[0].id,
                                       "client_id": "c-2"})
    assert r.status_code == 403 and "This bundle is not for your line." in r.text
    wrong = client.post("/scan/log", data={"bundle": b1.code, "operation": second.id, "qty": "4", "client_id": "c-3",
                                           "supervisor": sup.username, "supervisor_password": "not-it"})
    assert wrong.status_code == 403 and "password is wrong; nothing was logged" in wrong.text
    assert _ledger() == []
    ok = client.post("/scan/log", data={"bundle": b1.code, "operation": second.id, "qty": "4", "client_id": "c-4",
                                        "supervisor": sup.username, "supervisor_password": PASSWORD})
    assert ok.status_code == 200 and "Done: 4 pieces logged." in ok.text
    assert _ledger() == [(b1.id, op.id, 4, sup.id)]    # the operator's pay, confirmed by the supervisor
    # the outbox path refuses the same claim with a code the phone shows and does not retry
    r = client.post("/api/v1/scans", json=_scan_body(b1, second, "c-5", qty=1))
    assert r.status_code == 403 and r.json["code"] == "needs_confirmation"
    own = client.post("/scan/log", data={"bundle": b1.code, "operation": style.operations[0].id, "client_id": "c-6"})
    assert own.status_code == 200 and "Done: 10 pieces logged." in own.text


def test_plain_form_without_javascript_counts_once(client, factory):
    line, style, order, op = factory.floor()
    b1, _ = _bundles(order)
    login(client, op)
    card = client.get("/scan/card", query_string={"code": b1.code})
    cid = card.text.split('name="client_id" value="', 1)[1].split('"', 1)[0]
    assert len(cid) == 32                                # issued by the server, not left to the phone's script
    form = {"bundle": b1.code, "operation": str(style.operations[0].id), "qty": "10", "client_id": cid}
    first, second = client.post("/scan/log", data=form), client.post("/scan/log", data=form)
    assert "Done: 10 pieces logged." in first.text
    assert second.status_code == 200 and "sent twice and counted once" in second.text
    assert db.session.scalar(select(func.sum(WorkLog.pieces))) == 10
    assert second.text.split('name="client_id" value="', 1)[1].split('"', 1)[0] != cid   # the next tap is new
