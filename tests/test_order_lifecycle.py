"""Order lifecycle: the transition table, rules that move an order, a manager's hold / release / cancel /
advance with a reason, edits (quantities never below cut), history on the order page, roles, submit once."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, Bundle, Order, OrderQuantity, OrderStatusChange
from shopfloor.orders import editing, services
from shopfloor.scan.services import record_scan
from shopfloor.vocabulary import ORDER_FLOW, ORDER_TRANSITIONS, OrderStatus, StatusRule, may_become
from tests.conftest import login
from tests.html_forms import SAVED, count, form_for, send

S = OrderStatus


def _order(factory, **kw) -> Order:
    return factory.order(style=factory.style(sizes="S,M"), qty={("S", "Red"): 20, ("M", "Red"): 20}, **kw)


def _changes(order_id: int) -> list[tuple]:
    db.session.rollback()
    return [(c.from_status, c.to_status, c.rule, c.by_user_id, c.reason) for c in db.session.scalars(
        select(OrderStatusChange).where(OrderStatusChange.order_id == order_id).order_by(OrderStatusChange.id))]


def _status(order_id: int) -> OrderStatus:
    db.session.rollback()
    return db.session.get(Order, order_id).status


def _set(factory, order: Order, status: OrderStatus, held_from=None) -> None:
    factory.update(order, status=status, held_from=held_from)


# --- the table ------------------------------------------------------------------------------------------------
def test_the_table_is_the_flow_plus_hold_and_cancel():
    assert ORDER_FLOW == (S.OPEN, S.CUTTING, S.SEWING, S.FINISHING, S.PACKED, S.SHIPPED, S.CLOSED)
    for a, b in zip(ORDER_FLOW, ORDER_FLOW[1:]):
        assert may_become(a, b)
    for s in (S.OPEN, S.CUTTING, S.SEWING, S.FINISHING, S.PACKED):
        assert may_become(s, S.HOLD) and may_become(s, S.CANCELLED)
    assert not may_become(S.SHIPPED, S.CANCELLED) and not may_become(S.SHIPPED, S.HOLD)
    assert ORDER_TRANSITIONS[S.CLOSED] == () and ORDER_TRANSITIONS[S.CANCELLED] == ()
    assert not may_become(S.OPEN, S.SEWING) and not may_become(S.SEWING, S.CUTTING)  # no skipping, no going back


ILLEGAL = [(S.OPEN, S.SEWING), (S.OPEN, S.SHIPPED), (S.SEWING, S.OPEN), (S.PACKED, S.FINISHING),
           (S.SHIPPED, S.CANCELLED), (S.CLOSED, S.OPEN), (S.CANCELLED, S.OPEN), (S.CANCELLED, S.HOLD)]


@pytest.mark.parametrize("current,to", [(a, b) for a, targets in ORDER_TRANSITIONS.items() for b in targets
                                        if a != S.HOLD])
def test_every_legal_transition_is_written_with_its_history(factory, current, to):
    order = _order(factory, cut=False)
    _set(factory, order, current)
    with write_transaction():
        services.advance(order.id, to, reason="test")
    assert _status(order.id) == to
    assert _changes(order.id)[-1] == (current, to, None, None, "test")
    if to == S.HOLD:
        assert db.session.get(Order, order.id).held_from == current


@pytest.mark.parametrize("back_to", [S.OPEN, S.CUTTING, S.SEWING, S.FINISHING, S.PACKED])
def test_a_hold_goes_back_only_to_the_status_it_had(factory, back_to):
    order = _order(factory, cut=False)
    _set(factory, order, back_to)
    with write_transaction():
        services.advance(order.id, S.HOLD, reason="fabric fault")
    other = next(s for s in (S.OPEN, S.SEWING) if s != back_to)
    with pytest.raises(DomainError) as refused, write_transaction():
        services.advance(order.id, other)
    assert refused.value.status == 409 and "cannot become" in refused.value.message
    with write_transaction():
        services.advance(order.id, back_to, reason="fixed")
    assert _status(order.id) == back_to and db.session.get(Order, order.id).held_from is None


@pytest.mark.parametrize("current,to", ILLEGAL)
def test_an_illegal_transition_is_refused_and_changes_nothing(factory, current, to):
    order = _order(factory, cut=False)
    _set(factory, order, current)
    before = _changes(order.id)
    with pytest.raises(DomainError) as refused, write_transaction():
        services.advance(order.id, to, by_user_id=None, reason="x")
    assert refused.value.status == 409 and refused.value.code == "illegal_transition"
    assert f"cannot become {to.label}" in refused.value.message
    assert _status(order.id) == current and _changes(order.id) == before


# --- rules ----------------------------------------------------------------------------------------------------
def test_rules_move_an_order_from_entry_to_finishing(factory):
    line, style, order, op = factory.floor(sams=(0.5, 1.0))
    rules = [c[2] for c in _changes(order.id)]
    assert rules == [StatusRule.CREATED, StatusRule.CUT] and _status(order.id) == S.CUTTING
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()
    first, last = style.operations
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=bundles[0].code, operation_id=first.id)
    assert _status(order.id) == S.SEWING
    for b in bundles:
        if b.number > 1:
            record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b.code, operation_id=first.id)
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=bundles[0].code, operation_id=last.id)
    assert _status(order.id) == S.SEWING            # 10 of 20 out: not yet
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=bundles[1].code, operation_id=last.id)
    assert _status(order.id) == S.FINISHING         # every ordered piece passed the output operation
    assert [(c[0], c[1], c[2]) for c in _changes(order.id)] == [
        (None, S.OPEN, StatusRule.CREATED), (S.OPEN, S.CUTTING, StatusRule.CUT),
        (S.CUTTING, S.SEWING, StatusRule.FIRST_SCAN), (S.SEWING, S.FINISHING, StatusRule.OUTPUT_DONE)]


def test_packing_advances_through_the_one_function(factory):
    """What the packing area calls, in its own transaction: advance(order_id, to, rule=...)."""
    order = _order(factory, cut=False)
    _set(factory, order, S.FINISHING)
    with write_transaction():
        services.advance(order.id, S.PACKED, rule=StatusRule.PACKING)
        assert services.advance(order.id, S.PACKED, rule=StatusRule.PACKING) is None  # already packed: no-op
    with write_transaction():
        services.advance(order.id, S.SHIPPED, rule=StatusRule.SHIPPING)
    assert [(c[1], c[2]) for c in _changes(order.id)][-2:] == [(S.PACKED, StatusRule.PACKING),
                                                              (S.SHIPPED, StatusRule.SHIPPING)]
    with pytest.raises(DomainError), write_transaction():
        services.advance(order.id, S.PACKED)
    with pytest.raises(DomainError) as unknown, write_transaction():
        services.advance(999999, S.PACKED)
    assert unknown.value.status == 404


def test_a_held_or_cancelled_order_is_not_cut(factory):
    for status in (S.HOLD, S.CANCELLED, S.PACKED):
        order = _order(factory, cut=False)
        _set(factory, order, status)
        with pytest.raises(DomainError) as refused:
            services.cut(order.id, 10)
        assert "cannot be cut" in refused.value.message
        assert count(Bundle, Bundle.order_id == order.id) == 0


# --- a manager's actions (HTTP) -------------------------------------------------------------------------------
def test_manager_holds_releases_and_cancels_with_a_reason_shown_on_the_order_page(client, factory):
    manager = factory.user("manager", name="Mia Manager")
    order = _order(factory)
    login(client, manager)
    url = f"/orders/{order.id}/status"
    no_reason = client.post(url, data={"action": "hold", "reason": " "})
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.text and _status(order.id) == S.CUTTING
    held = client.post(url, data={"action": "hold", "reason": "Buyer changed the label"},
                       headers={"HX-Request": "true"})
    assert held.status_code == 200 and held.text.lstrip().startswith('<section class="card" id="lifecycle"')
    assert _status(order.id) == S.HOLD and 'data-action="release"' in held.text
    assert client.post(url, data={"action": "advance", "reason": "x"}).status_code == 409  # nothing next on hold
    client.post(url, data={"action": "release", "reason": "Labels arrived"})
    assert _status(order.id) == S.CUTTING
    client.post(url, data={"action": "cancel", "reason": "Customer withdrew"})
    assert _status(order.id) == S.CANCELLED
    page = client.get(f"/orders/{order.id}").text
    for text in ("Buyer changed the label", "Labels arrived", "Customer withdrew", "Mia Manager",
                 "First bundles cut", "On hold", "Cancelled"):
        assert text in page
    assert 'data-action=' not in page                                     # nothing more to do
    audited = db.session.scalars(select(AuditEntry.details).where(AuditEntry.action == services.AUDIT_STATUS)).all()
    assert audited == ["cutting -> hold: Buyer changed the label", "hold -> cutting: Labels arrived",
                       "cutting -> cancelled: Customer withdrew"]
    late = client.post(url, data={"action": "release", "reason": "oops"})
    assert late.status_code == 409 and _status(order.id) == S.CANCELLED


def test_status_form_submits_once(client, factory):
    order = _order(factory)
    login(client, factory.user("manager"))
    page = f"/orders/{order.id}"
    form = form_for(client.get(page).text, f"/orders/{order.id}/status")
    data = form.data("hold", reason="Shade check")
    first = send(client, form, data, page=page)
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)
    second = send(client, form, data, page=page)
    assert first.status_code == 200 and second.status_code == 200 and SAVED in second.text
    assert count(OrderStatusChange, OrderStatusChange.order_id == order.id,
                 OrderStatusChange.to_status == S.HOLD) == 1


@pytest.mark.parametrize("role", ["supervisor", "qc", "operator"])
def test_only_a_manager_changes_or_edits_an_order(client, factory, role):
    order = _order(factory)
    login(client, factory.user(role))
    before = _changes(order.id)
    r1 = client.post(f"/orders/{order.id}/status", data={"action": "cancel", "reason": "x"})
    r2 = client.post(f"/orders/{order.id}/edit", data={"customer": "Other", "due_date": "2030-01-01",
                                                        "colour-0": "Red", "qty-0-S": "50", "qty-0-M": "50"})
    assert r1.status_code == 403 and r2.status_code == 403
    assert _status(order.id) == S.CUTTING and _changes(order.id) == before
    assert db.session.get(Order, order.id).customer == "Test Customer"
    if role == "supervisor":  # reads the order and its reconciliation, without the forms
        page = client.get(f"/orders/{order.id}")
        assert page.status_code == 200 and 'id="reconciliation"' in page.text
        assert "/status" not in page.text and 'id="edit-order"' not in page.text


# --- edits ----------------------------------------------------------------------------------------------------
def _edit_data(order: Order, **cells) -> dict:
    data = {"customer": "New Customer", "due_date": (date.today() + timedelta(days=30)).isoformat(),
            "line": str(order.line_id), "short_tolerance": "", "excess_tolerance": ""}
    data.update({k.replace("__", "-"): v for k, v in cells.items()})
    return data


def _quantities(order_id: int) -> dict:
    db.session.rollback()
    return {(q.size, q.colour): q.quantity for q in db.session.scalars(
        select(OrderQuantity).where(OrderQuantity.order_id == order_id))}


def test_manager_edits_an_order_adds_quantity_and_a_colour_and_cuts_the_extra_later(client, factory):
    order = _order(factory)                          # S/Red 20, M/Red 20, all cut
    login(client, factory.user("manager", name="Ed Editor"))
    resp = client.post(f"/orders/{order.id}/edit", data=_edit_data(
        order, colour__0="Red", qty__0__S="30", qty__0__M="20", colour__7="Blue", qty__7__M="15",
        short_tolerance="2.5", excess_tolerance="5"), follow_redirects=True)
    assert resp.status_code == 200
    assert _quantities(order.id) == {("S", "Red"): 30, ("M", "Red"): 20, ("M", "Blue"): 15}
    o = db.session.get(Order, order.id)
    assert (o.customer, o.short_tolerance_pm, o.excess_tolerance_pm) == ("New Customer", 25, 50)
    assert "Ed Editor" in resp.text and "S/Red: 20 -&gt; 30" in resp.text and "M/Blue: 0 -&gt; 15" in resp.text
    assert services.cut(order.id, 10) == 3           # 10 more S/Red, 15 M/Blue in one bundle of 15
    cut = services.cut_by_cell(order.id)
    assert cut == {("S", "Red"): 30, ("M", "Red"): 20, ("M", "Blue"): 15}


def test_edit_refusals_change_nothing(client, factory):
    order = _order(factory)                          # all 40 cut
    login(client, factory.user("manager"))
    before = (_quantities(order.id), count(AuditEntry))
    cases = [
        (_edit_data(order, colour__0="Red", qty__0__S="19", qty__0__M="20"), "already cut"),   # below cut
        (_edit_data(order, colour__0="Red", qty__0__S="20"), "already cut"),                   # M/Red removed
        (_edit_data(order, colour__0="Red", qty__0__S="20", qty__0__M="20", short_tolerance="60"), "percentage"),
        (_edit_data(order, qty__0__S="20"), "needs a colour"),
        ({**_edit_data(order, colour__0="Red", qty__0__S="20", qty__0__M="20"), "customer": ""}, "customer"),
    ]
    for data, message in cases:
        resp = client.post(f"/orders/{order.id}/edit", data=data)
        assert resp.status_code in (409, 422) and message in resp.text, message
        assert 'id="edit-order"' in resp.text and 'value="New Customer"' in resp.text or not data["customer"]
    assert (_quantities(order.id), count(AuditEntry)) == before
    assert db.session.get(Order, order.id).customer == "Test Customer"
    _set(factory, order, S.SHIPPED)
    shipped = client.post(f"/orders/{order.id}/edit", data=_edit_data(order, colour__0="Red", qty__0__S="40",
                                                                      qty__0__M="20"))
    assert shipped.status_code == 409 and "can no longer be edited" in shipped.text


def test_cutting_more_than_ordered_is_refused(factory):
    order = _order(factory, cut=False)
    with write_transaction():  # a cell cut beyond its quantity (e.g. data from before the rule)
        db.session.add(Bundle(code="OVERCUT1", order_id=order.id, number=1, size="S", colour="Red", pieces=25))
    with pytest.raises(DomainError) as refused:
        services.cut(order.id, 10)
    assert "more than the 20 ordered" in refused.value.message
    assert count(Bundle, Bundle.order_id == order.id) == 1


def test_edit_form_submits_once(client, factory):
    order = _order(factory)
    login(client, factory.user("manager"))
    page = f"/orders/{order.id}"
    form = form_for(client.get(page).text, f"/orders/{order.id}/edit")
    data = form.data(customer="Once Only", qty__0__S="25")
    first = send(client, form, data, page=page)
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)
    second = send(client, form, data, page=page)
    assert first.status_code == 200 and SAVED in second.text
    assert count(AuditEntry, AuditEntry.action == editing.AUDIT_EDIT) == 1
    assert _quantities(order.id)[("S", "Red")] == 25


def test_the_order_grid_totals_rows_and_columns_for_any_number_of_colours(client, factory):
    style = factory.style(sizes="S,M,L")
    colours = [f"C{i}" for i in range(9)]
    order = factory.order(style=style, qty={(s, c): 10 + i for i, c in enumerate(colours) for s in ("S", "L")},
                          cut=False)
    login(client, factory.user("manager"))
    html = client.get(f"/orders/{order.id}").text
    grid = html[html.index('id="edit-order"'):]
    assert all(f'value="{c}"' in grid for c in colours)
    assert "<td class=\"num\" data-row-total>36</td>" in grid              # C8: 18 S + 18 L
    col = sum(10 + i for i in range(9))                                    # 126 per size S and L, 0 for M
    assert f"<td class=\"num\" data-col-total>{col}</td><td class=\"num\" data-col-total>0</td>" in grid
    assert f"data-grand-total>{2 * col}</td>" in grid and "data-add-row" in grid
    # rows numbered far apart (added on the page) are read too
    client.post(f"/orders/{order.id}/edit", data=_edit_data(order, **{
        **{f"colour__{i}": c for i, c in enumerate(colours)},
        **{f"qty__{i}__S": str(10 + i) for i in range(9)}, **{f"qty__{i}__L": str(10 + i) for i in range(9)},
        "colour__40": "Olive", "qty__40__M": "12"}))
    assert _quantities(order.id)[("M", "Olive")] == 12 and sum(_quantities(order.id).values()) == 2 * col + 12
