"""Earlier operations not done yet (a style's warn / block / off), the card's pre-selection and its
rework-aware maximum: service, form route, JSON API and the style page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, Style, WorkLog
from shopfloor.quality import catalogue
from shopfloor.quality import services as quality
from shopfloor.quality.services import DefectEntry
from shopfloor.scan import queries, services
from shopfloor.vocabulary import SequenceCheck, seq_ranges
from tests.conftest import login
from tests.html_forms import form_for


def _bundles(order):
    return db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()


def _ledger():
    db.session.rollback()
    return [(w.bundle_id, w.operation_id, w.pieces) for w in db.session.scalars(select(WorkLog).order_by(WorkLog.id))]


def _floor(factory, n_ops=5, check=None):
    return factory.floor(sams=[0.5] * n_ops, sequence_check=SequenceCheck(check) if check else None, assign=False)


def scan(user, bundle, operation, **kw):
    return services.record_scan(operator_id=user.id, operator_line_id=user.line_id, bundle_ref=bundle.code,
                                operation_id=operation.id, **kw)


def test_a_new_style_warns(factory):
    style = factory.style()
    db.session.expire_all()
    assert db.session.get(Style, style.id).sequence_check == SequenceCheck.WARN
    assert Style.__table__.c.sequence_check.server_default.arg == "warn"   # rows made before the column too


def test_seq_ranges_read_as_a_person_reads_them():
    assert seq_ranges([8, 7]) == "7–8"
    assert seq_ranges([1, 3, 4, 5, 9]) == "1, 3–5, 9"
    assert seq_ranges([2]) == "2"


def test_warn_asks_then_log_anyway_logs(factory):
    _, style, order, op = _floor(factory)
    b1, _ = _bundles(order)
    ops = style.operations
    scan(op, b1, ops[0], qty=10)
    with pytest.raises(DomainError) as e:
        scan(op, b1, ops[3], qty=4)
    assert e.value.status == 409 and e.value.code == "confirm_sequence"
    assert e.value.message == "Operations 2–3 are not done yet. Log anyway?" and e.value.data == {"operations": "2–3"}
    assert _ledger() == [(b1.id, ops[0].id, 10)]            # asked: nothing logged
    assert scan(op, b1, ops[3], qty=4, log_anyway=True).pieces == 4
    assert _ledger()[-1] == (b1.id, ops[3].id, 4)


def test_one_earlier_operation_is_named_alone_and_partial_work_counts_as_started(factory):
    _, style, order, op = _floor(factory)
    b1, _ = _bundles(order)
    ops = style.operations
    scan(op, b1, ops[0], qty=1)                          # 1 piece of 10: started, so not "not done yet"
    with pytest.raises(DomainError) as e:
        scan(op, b1, ops[2], qty=1)
    assert e.value.message == "Operation 2 is not done yet. Log anyway?"
    scan(op, b1, ops[1], qty=1)
    assert scan(op, b1, ops[2], qty=1).pieces == 1        # every earlier one has pieces: no question


def test_block_refuses_even_log_anyway_and_off_says_nothing(factory):
    _, style, order, op = _floor(factory, check="block")
    b1, b2 = _bundles(order)
    ops = style.operations
    for anyway in (False, True):
        with pytest.raises(DomainError) as e:
            scan(op, b1, ops[4], qty=2, log_anyway=anyway)
        assert e.value.status == 409 and e.value.code == "earlier_not_done"
        assert e.value.message == "Operations 1–4 are not done yet: log them first."
    assert _ledger() == []
    factory.update(style, sequence_check=SequenceCheck.OFF)
    assert scan(op, b2, ops[4], qty=2).pieces == 2


def test_retired_operations_are_not_waited_for(factory):
    _, style, order, op = _floor(factory, n_ops=3)
    b1, _ = _bundles(order)
    factory.update(style.operations[0], active=False)
    with pytest.raises(DomainError) as e:
        scan(op, b1, style.operations[2], qty=1)
    assert e.value.data == {"operations": "2"}


def test_a_supervisors_confirmation_answers_the_question_but_not_a_block(factory):
    line, style, order, op = _floor(factory)
    sup = factory.user("supervisor", line=line)
    b1, _ = _bundles(order)
    assert scan(op, b1, style.operations[2], qty=1, claim_check=True, confirmed_by=sup.id).pieces == 1
    factory.update(style, sequence_check=SequenceCheck.BLOCK)
    with pytest.raises(DomainError) as e:
        scan(op, b1, style.operations[3], qty=1, claim_check=True, confirmed_by=sup.id)
    assert e.value.code == "earlier_not_done"


def test_form_route_asks_with_one_log_anyway_button_and_keeps_the_pieces(client, factory):
    _, style, order, op = _floor(factory)
    factory.update(op, assigned_operation_id=style.operations[2].id)
    b1, _ = _bundles(order)
    login(client, op)
    page = client.get("/scan/card", query_string={"code": b1.code}).text
    form = form_for(page, "/scan/log")
    assert form.data()["operation"] == str(style.operations[2].id)
    assert 'data-ask="Operations 1–2 are not done yet. Log anyway?"' in page   # known when the card renders
    r = client.post("/scan/log", data=form.data(qty="6"))
    assert r.status_code == 409 and _ledger() == []
    asked = form_for(r.text, "/scan/log")
    assert "Operations 1–2 are not done yet. Log anyway?" in r.text and 'data-kind="ask"' in r.text
    assert asked.buttons == [("log_anyway", "1")] and asked.data()["qty"] == "6"
    ok = client.post("/scan/log", data=asked.data(press="1"))
    assert ok.status_code == 200 and "Done: 6 pieces logged." in ok.text
    assert _ledger() == [(b1.id, style.operations[2].id, 6)]


def test_form_route_shows_a_block_and_the_card_disables_done(client, factory):
    _, style, order, op = _floor(factory, check="block")
    factory.update(op, assigned_operation_id=style.operations[1].id)
    b1, _ = _bundles(order)
    login(client, op)
    page = client.get("/scan/card", query_string={"code": b1.code}).text
    assert "Operation 1 is not done yet: log it first." in page
    assert re.search(r"data-done\s+disabled>", page)
    r = client.post("/scan/log", data={"bundle": b1.code, "operation": style.operations[1].id, "qty": "3",
                                       "client_id": "blk-1", "log_anyway": "1"})
    assert r.status_code == 409 and 'data-kind="error"' in r.text and "log it first" in r.text
    assert _ledger() == []


def test_api_answers_confirm_sequence_and_a_confirmed_item_is_not_asked_again(client, factory):
    _, style, order, op = _floor(factory)
    factory.update(op, assigned_operation_id=style.operations[3].id)
    b1, _ = _bundles(order)
    login(client, op)
    body = {"bundle": b1.code, "operation": style.operations[3].id, "qty": 5, "client_id": "q-1"}
    r = client.post("/api/v1/scans", json=body)
    assert r.status_code == 409 and r.json == {"error": "Operations 1–3 are not done yet. Log anyway?",
                                               "code": "confirm_sequence", "operations": "1–3"}
    assert client.post("/api/v1/scans", json={**body, "log_anyway": "yes"}).status_code == 409  # only true
    assert _ledger() == []
    r = client.post("/api/v1/scans", json={**body, "log_anyway": True})
    assert r.status_code == 201 and r.json["qty"] == 5
    # The same item sent again (the phone did not hear the answer): the entry, not the question.
    again = client.post("/api/v1/scans", json=body)
    assert again.status_code == 200 and again.json["replay"] is True and again.json["id"] == r.json["id"]
    assert _ledger() == [(b1.id, style.operations[3].id, 5)]


def test_card_preselects_the_assigned_operation_on_this_style_or_none(client, factory):
    _, style, order, op = _floor(factory)
    other = factory.style()
    b1, _ = _bundles(order)
    login(client, op)
    for assigned, chosen in ((style.operations[2].id, str(style.operations[2].id)), (other.operations[0].id, ""),
                             (None, "")):
        factory.update(op, assigned_operation_id=assigned)
        html = client.get("/scan/card", query_string={"code": b1.code}).text
        sent = form_for(html, "/scan/log").data()
        assert sent["operation"] == chosen
        if not chosen:   # none chosen: Done waits for a choice (never the first open operation)
            done = re.search(r'<button[^>]*data-done\b[^>]*>(.*?)</button>', html, re.S)
            assert done and re.sub(r"<[^>]+>|\s+", " ", done.group(1)).strip() == "Choose your operation"


def test_card_maximum_leaves_out_pieces_in_rework(client, factory):
    line, style, order, op = _floor(factory, n_ops=3)
    qc = factory.user("qc", line=line)
    catalogue.ensure_default_catalogue()
    b1, _ = _bundles(order)
    first, second, third = style.operations
    scan(op, b1, first, qty=10)
    stain = next(d for d in catalogue.active_defects() if d.code == "stain")
    quality.record_inspection(inspector_id=qc.id, bundle_ref=b1.code, kind="endline", checked=10,
                              entries=[DefectEntry(stain.id, first.id, 3)])
    db.session.expire_all()
    card = queries.bundle_card(b1.code, None, second.id)
    by_id = {o.id: o for o in card.operations}
    assert (by_id[second.id].remaining, by_id[second.id].loggable, by_id[second.id].held) == (10, 7, 3)
    assert (by_id[first.id].loggable, by_id[first.id].held) == (0, 0)
    factory.update(op, assigned_operation_id=second.id)
    login(client, op)
    html = client.get("/scan/card", query_string={"code": b1.code}).text
    sent = form_for(html, "/scan/log").data()
    assert sent["qty"] == "7" and 'max="7"' in html and "3 pieces in rework" in html and "Done 7 pcs" in html
    with pytest.raises(DomainError) as e:      # the service holds the same line
        scan(op, b1, second, qty=8)
    assert "Only 7 pieces remain" in e.value.message
    assert client.post("/scan/log", data=sent).status_code == 200
    assert _ledger()[-1] == (b1.id, second.id, 7)


def test_style_page_sets_the_check_and_refuses_an_unknown_one(client, factory):
    manager = factory.user("manager")
    style = factory.style()
    login(client, manager)
    page = client.get(f"/styles/{style.id}").text
    assert "Ask before logging out of order" in page and "Refuse out-of-order logging" in page
    form = form_for(page, f"/styles/{style.id}")
    assert form.data()["sequence_check"] == "warn"
    r = client.post(f"/styles/{style.id}", data=form.data(sequence_check="block"), follow_redirects=True)
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(Style, style.id).sequence_check == SequenceCheck.BLOCK
    bad = client.post(f"/styles/{style.id}", data=form.data(sequence_check="sometimes"))
    assert bad.status_code == 422 and "logged before earlier ones" in bad.text
    db.session.expire_all()
    assert db.session.get(Style, style.id).sequence_check == SequenceCheck.BLOCK
