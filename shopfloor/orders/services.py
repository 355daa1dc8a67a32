"""Orders, their lifecycle and cutting: an order's size x colour quantities become bundles of 5-40 pieces.

Every status change goes through `change_status` (the table is vocabulary.ORDER_TRANSITIONS) and leaves a row
in order_status_changes; a manager's change is also written to the audit log.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from shopfloor import clock, signals
from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, Operation, Order, OrderQuantity, OrderStatusChange, Style
from shopfloor.planning.materials import fabric_missing
from shopfloor.scan.codes import new_code
from shopfloor.templating import quantity
from shopfloor.vocabulary import ORDER_FLOW, ORDERS_ON_FLOOR, OrderStatus, StatusRule, may_become

MIN_BUNDLE, MAX_BUNDLE, DEFAULT_BUNDLE = 5, 40, 10
ORDERS_CUTTABLE = (OrderStatus.OPEN,) + ORDERS_ON_FLOOR  # more may be cut later: extra quantity added by an edit
AUDIT_STATUS = "order_status"
audit.LABELS.update({AUDIT_STATUS: _l("Order status changed")})


def audit_target(order_id: int) -> str:
    """The audit log's target of an order's entries (the order page reads them back by it)."""
    return f"order:{order_id}"


def change_status(order: Order, to: OrderStatus, *, by_user_id: int | None = None, rule: StatusRule | None = None,
                  reason: str = "") -> OrderStatusChange:
    """Move an order to `to` if vocabulary.ORDER_TRANSITIONS allows it, in the caller's transaction.

    A hold remembers the status it interrupts (orders.held_from); leaving a hold goes back only to that status
    (or to cancelled). The UPDATE is conditional on the status read, so two racing changes cannot both pass.
    Refused: DomainError 409, nothing written.
    """
    current = OrderStatus(order.status)
    to = OrderStatus(to)
    back_to = order.held_from
    if not may_become(current, to) or (current == OrderStatus.HOLD and to not in (back_to, OrderStatus.CANCELLED)):
        raise DomainError(_("Order %(n)s is %(a)s: it cannot become %(b)s.", n=order.number, a=current.label,
                            b=to.label), status=409, code="illegal_transition")
    held_from = current if to == OrderStatus.HOLD else None
    done = db.session.execute(update(Order).where(Order.id == order.id, Order.status == current)
                              .values(status=to, held_from=held_from)
                              .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(_("Order %(n)s was changed meanwhile. Open it again.", n=order.number), status=409)
    order.status, order.held_from = to, held_from
    change = OrderStatusChange(order_id=order.id, from_status=current, to_status=to, by_user_id=by_user_id,
                               rule=rule, reason=(reason or "").strip()[:300], at=clock.utcnow())
    db.session.add(change)
    if rule is None:
        audit.record(by_user_id, AUDIT_STATUS, audit_target(order.id), f"{current.value} -> {to.value}: {change.reason}")
    signals.order_status_changed.send(current_app._get_current_object(), order_id=order.id, old=current.value,
                                      new=to.value, at=change.at)
    return change


def advance(order_id: int, to_status: OrderStatus, *, by_user_id: int | None = None, reason: str | None = None,
            rule: StatusRule | None = None) -> OrderStatusChange:
    """Move order `order_id` to `to_status`, in the CALLER's write transaction (it commits with the caller's
    change, e.g. the packing area's last carton: advance(oid, OrderStatus.PACKED, rule=StatusRule.PACKING)).

    Refused (DomainError, 404 unknown order / 409 a transition vocabulary.ORDER_TRANSITIONS does not allow).
    Moving to the status the order already has is a no-op returning None.
    """
    order = db.session.get(Order, order_id)
    if order is None:
        raise DomainError(_("That order does not exist."), status=404)
    if order.status == OrderStatus(to_status):
        return None
    return change_status(order, to_status, by_user_id=by_user_id, rule=rule, reason=reason or "")


def advance_by_rule(order_id: int, to_status: OrderStatus, rule: StatusRule) -> None:
    """A rule moves an order on along the flow to `to_status`, each step written with `rule` in the caller's
    transaction (the packing area's last carton may close while the order still reads sewing: sewing ->
    finishing -> packed). Nothing when the order is already there or further, on hold or cancelled."""
    order = db.session.get(Order, order_id)
    if order is None or order.status not in ORDER_FLOW or ORDER_FLOW.index(OrderStatus(order.status)) >= \
            ORDER_FLOW.index(to_status):
        return
    while order.status != to_status:
        change_status(order, next_in_flow(OrderStatus(order.status)), rule=rule, reason="")


def next_in_flow(status: OrderStatus) -> OrderStatus | None:
    """The next status of the flow open -> ... -> closed (None at the end, on hold or cancelled)."""
    if status not in ORDER_FLOW or status == ORDER_FLOW[-1]:
        return None
    return ORDER_FLOW[ORDER_FLOW.index(status) + 1]


def manager_change(order_id: int, action: str, *, by_user_id: int, reason: str) -> OrderStatusChange:
    """A manager's action on an order's status, in its own transaction: "hold", "release" (back to the status it
    had), "cancel", or "advance" (to the next status of the flow). Every action needs a reason."""
    if action not in MANAGER_ACTIONS:
        raise DomainError(_("Choose hold, release, cancel or the next status."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the change."))
    with write_transaction():
        order = db.session.get(Order, order_id)
        if order is None:
            raise DomainError(_("That order does not exist."), status=404)
        to = action_target(order, action)
        if to is None:
            raise DomainError(_("Order %(n)s is %(a)s: that change is not possible.", n=order.number,
                                a=order.status.label), status=409, code="illegal_transition")
        return change_status(order, to, by_user_id=by_user_id, reason=reason)


MANAGER_ACTIONS = ("advance", "hold", "release", "cancel")


def action_target(order: Order, action: str) -> OrderStatus | None:
    """The status a manager's action would give this order, or None (the order page offers only the others)."""
    to = {"hold": OrderStatus.HOLD, "cancel": OrderStatus.CANCELLED,
          "release": order.held_from if order.status == OrderStatus.HOLD else None,
          "advance": next_in_flow(order.status)}.get(action)
    return to if to is not None and may_become(order.status, to) else None


def create_order(*, number: str, customer: str, style: Style, due_date: date,
                 quantities: dict[tuple[str, str], int], line_id: int | None = None,
                 by_user_id: int | None = None) -> Order:
    number, customer = (number or "").strip(), (customer or "").strip()
    if not number or not customer:
        raise DomainError(_("Order number and customer are required."))
    if db.session.scalar(select(Order.id).where(Order.number == number)):
        raise DomainError(_("Order number %(n)s already exists.", n=number))
    clean = {}
    for (size, colour), qty in quantities.items():
        size, colour = size.strip(), colour.strip()
        if size not in style.sizes:
            raise DomainError(_("Size %(s)s is not a size of style %(st)s.", s=size, st=style.code))
        if not colour:
            raise DomainError(_("Every quantity needs a colour."))
        if int(qty) < 0:
            raise DomainError(_("Quantities cannot be negative."))
        if int(qty) > 0:
            clean[(size, colour)] = clean.get((size, colour), 0) + int(qty)
    if not clean:
        raise DomainError(_("Enter at least one quantity."))
    order = Order(number=number, customer=customer, style_id=style.id, due_date=due_date, line_id=line_id)
    order.quantities = [OrderQuantity(size=s, colour=c, quantity=q) for (s, c), q in clean.items()]
    db.session.add(order)
    db.session.flush()
    db.session.add(OrderStatusChange(order_id=order.id, from_status=None, to_status=OrderStatus.OPEN,
                                     by_user_id=by_user_id, rule=StatusRule.CREATED, at=clock.utcnow()))
    signals.order_created.send(None, order=order)
    return order


def place_order(*, style_id: int | None, number: str, customer: str, due_date: date | None,
                quantities: dict[tuple[str, str], int], line_id: int | None = None,
                by_user_id: int | None = None) -> Order:
    """A manager's new order, in one transaction."""
    style = db.session.get(Style, style_id or 0)
    if style is None:
        raise DomainError(_("Choose a style."))
    if due_date is None:
        raise DomainError(_("Enter the due date."))
    with write_transaction():
        return create_order(number=number, customer=customer, style=style, due_date=due_date,
                            quantities=quantities, line_id=line_id, by_user_id=by_user_id)


def split_quantity(qty: int, bundle_size: int) -> list[int]:
    """Bundle sizes for qty pieces: full bundles, a short last one folded in when it would fall below 5."""
    sizes = [bundle_size] * (qty // bundle_size)
    rest = qty % bundle_size
    if rest:
        if rest >= MIN_BUNDLE or not sizes:
            sizes.append(rest)
        elif sizes[-1] + rest <= MAX_BUNDLE:
            sizes[-1] += rest
        else:
            # Re-balance the last two bundles so both stay within 5..40.
            total = sizes.pop() + rest
            sizes += [total - total // 2, total // 2]
    return sizes


def cut_order(order: Order, bundle_size: int = DEFAULT_BUNDLE) -> list[Bundle]:
    """Cut the not-yet-bundled quantity of each size x colour into bundles (never mixed)."""
    _bundle_size_ok(bundle_size)
    if order.status not in ORDERS_CUTTABLE:
        raise DomainError(_("An order that is %(s)s cannot be cut.", s=order.status.label), status=409)
    ops = db.session.scalars(select(Operation.id).where(Operation.style_id == order.style_id,
                                                        Operation.active.is_(True))).all()
    if not ops:
        raise DomainError(_("Style %(s)s has no operations yet. Add its bulletin first.", s=order.style.code))
    cut = cut_by_cell(order.id)
    number = db.session.scalar(select(func.coalesce(func.max(Bundle.number), 0)).where(Bundle.order_id == order.id))
    created: list[Bundle] = []
    for q in order.quantities:
        left = q.quantity - int(cut.get((q.size, q.colour), 0) or 0)
        if left < 0:  # never cut more than ordered (orders/editing.edit_order keeps quantities >= cut)
            raise DomainError(_("%(size)s / %(colour)s: %(cut)d pieces cut, more than the %(qty)d ordered.",
                                size=q.size, colour=q.colour, cut=q.quantity - left, qty=q.quantity), status=409)
        if left == 0:
            continue
        for pieces in split_quantity(left, bundle_size):
            number += 1
            created.append(Bundle(code=_unique_code(), order_id=order.id, number=number, size=q.size,
                                  colour=q.colour, pieces=pieces))
    if not created:
        raise DomainError(_("Everything in this order is already cut into bundles."))
    db.session.add_all(created)
    db.session.flush()
    db.session.execute(insert(BundleOpProgress), [
        {"bundle_id": b.id, "operation_id": op, "pieces": b.pieces, "done": 0} for b in created for op in ops])
    if order.status == OrderStatus.OPEN:
        change_status(order, OrderStatus.CUTTING, rule=StatusRule.CUT)
    signals.bundles_cut.send(None, order_id=order.id, at=clock.utcnow())
    return created


def cut_by_cell(order_id: int) -> dict[tuple[str, str], int]:
    """Pieces cut into bundles per (size, colour)."""
    return {(s, c): int(n or 0) for s, c, n in db.session.execute(
        select(Bundle.size, Bundle.colour, func.sum(Bundle.pieces)).where(Bundle.order_id == order_id)
        .group_by(Bundle.size, Bundle.colour))}


def _bundle_size_ok(bundle_size: int | None) -> int:
    if bundle_size is None or not MIN_BUNDLE <= bundle_size <= MAX_BUNDLE:
        raise DomainError(_("Bundle size must be between %(a)d and %(b)d pieces.", a=MIN_BUNDLE, b=MAX_BUNDLE))
    return bundle_size


def cut_preview(order: Order, bundle_size: int | None) -> list[tuple[str, str, int, list[int]]]:
    """The bundles cutting would make now: the quantity of each size x colour not cut yet."""
    size = _bundle_size_ok(bundle_size)
    cut = cut_by_cell(order.id)
    left = [(q.size, q.colour, q.quantity - cut.get((q.size, q.colour), 0)) for q in order.quantities]
    return [(s, c, n, split_quantity(n, size)) for s, c, n in left if n > 0]


def cut(order_id: int, bundle_size: int | None, fabric_confirmed: bool = False) -> int:
    """Cut an order into bundles; refused while fabric is not in unless the manager confirms."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise DomainError(_("That order does not exist."), status=404)
    size = _bundle_size_ok(DEFAULT_BUNDLE if bundle_size is None else bundle_size)
    missing = fabric_missing(order.id)
    if missing and not fabric_confirmed:
        raise DomainError(_("Fabric is not fully in: %(m)s. Tick the box to cut anyway.",
                            m=", ".join(f"{m.name} {quantity(m.received)}/{quantity(m.quantity)} {m.unit}"
                                        for m in missing)), status=409, code="fabric_missing")
    with write_transaction():
        bundles = cut_order(order, size)
    return len(bundles)


def _unique_code() -> str:
    while True:
        code = new_code()
        if not db.session.scalar(select(Bundle.id).where(Bundle.code == code)):
            return code
