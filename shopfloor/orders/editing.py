"""A manager's edit of an order: customer, due date, line, shipping tolerance and the size x colour quantities.

Quantities may grow (the extra is cut later) or shrink, never below what is already cut; a size x colour with
nothing cut may be removed. Only an order not yet packed (or on hold) is edited. Every change is written to the
audit log (who, when, what: old -> new), shown on the order page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Order, OrderQuantity
from shopfloor.orders.services import audit_target, cut_by_cell
from shopfloor.vocabulary import ORDERS_EDITABLE

AUDIT_EDIT = "order_edit"
audit.LABELS.update({AUDIT_EDIT: _l("Order changed")})
MAX_TOLERANCE_PERCENT = Decimal(50)


@dataclass(frozen=True)
class OrderEdit:
    """What the edit form sends, typed at the edge (planning/routes.order_update)."""
    customer: str
    due_date: date | None
    line_id: int | None
    quantities: dict[tuple[str, str], int]
    short_tolerance: Decimal | None = None   # percent; None: the factory default
    excess_tolerance: Decimal | None = None


def _per_mille(value: Decimal | None, label: str) -> int | None:
    if value is None:
        return None
    if not Decimal(0) <= value <= MAX_TOLERANCE_PERCENT:
        raise DomainError(_("%(f)s must be a percentage from 0 to %(m)d.", f=label, m=int(MAX_TOLERANCE_PERCENT)))
    return int((value * 10).to_integral_value())


def _clean_quantities(order: Order, quantities: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    clean: dict[tuple[str, str], int] = {}
    for (size, colour), qty in quantities.items():
        size, colour = size.strip(), colour.strip()
        if size not in order.style.sizes:
            raise DomainError(_("Size %(s)s is not a size of style %(st)s.", s=size, st=order.style.code))
        if not colour:
            raise DomainError(_("Every quantity needs a colour."))
        if qty < 0:
            raise DomainError(_("Quantities cannot be negative."))
        if qty:
            clean[(size, colour)] = clean.get((size, colour), 0) + qty
    return clean


def edit_order(order_id: int, change: OrderEdit, *, by_user_id: int) -> list[str]:
    """Apply a manager's edit in one transaction; returns what changed (old -> new), as written to the audit log.
    Refused with nothing changed: an order past finishing, a quantity below what is cut, no quantity left."""
    with write_transaction():  # read and checked under the write lock: a cut meanwhile cannot slip under
        order = db.session.get(Order, order_id)
        if order is None:
            raise DomainError(_("That order does not exist."), status=404)
        changes = _apply(order, change)
        if changes:
            audit.record(by_user_id, AUDIT_EDIT, audit_target(order.id), "; ".join(changes))
    return changes


def _apply(order: Order, change: OrderEdit) -> list[str]:
    if order.status not in ORDERS_EDITABLE:
        raise DomainError(_("Order %(n)s is %(s)s: it can no longer be edited.", n=order.number,
                            s=order.status.label), status=409)
    customer = (change.customer or "").strip()
    if not customer:
        raise DomainError(_("Order number and customer are required."))
    if change.due_date is None:
        raise DomainError(_("Enter the due date."))
    if change.line_id is not None and db.session.get(Line, change.line_id) is None:
        raise DomainError(_("That line does not exist."))
    short_pm = _per_mille(change.short_tolerance, _("Short tolerance"))
    excess_pm = _per_mille(change.excess_tolerance, _("Excess tolerance"))
    wanted = _clean_quantities(order, change.quantities)
    if not wanted:
        raise DomainError(_("Enter at least one quantity."))
    cut = cut_by_cell(order.id)
    for (size, colour), pieces in sorted(cut.items()):
        if wanted.get((size, colour), 0) < pieces:
            raise DomainError(_("%(size)s / %(colour)s: %(cut)d pieces are already cut; the quantity cannot be "
                                "less.", size=size, colour=colour, cut=pieces), status=409)

    changes: list[str] = []

    def note(what: str, old, new) -> None:
        if old != new:
            changes.append(f"{what}: {'' if old is None else old} -> {'' if new is None else new}")

    note("customer", order.customer, customer)
    note("due", order.due_date.isoformat(), change.due_date.isoformat())
    note("line", order.line_id, change.line_id)
    note("short tolerance pm", order.short_tolerance_pm, short_pm)
    note("excess tolerance pm", order.excess_tolerance_pm, excess_pm)
    have = {(q.size, q.colour): q for q in order.quantities}
    for key in sorted(set(have) | set(wanted)):
        note(f"{key[0]}/{key[1]}", have[key].quantity if key in have else 0, wanted.get(key, 0))
    if not changes:
        return []
    order.customer, order.due_date, order.line_id = customer, change.due_date, change.line_id
    order.short_tolerance_pm, order.excess_tolerance_pm = short_pm, excess_pm
    for key, row in have.items():
        if key not in wanted:
            order.quantities.remove(row)
        else:
            row.quantity = wanted[key]
    for (size, colour), qty in wanted.items():
        if (size, colour) not in have:
            order.quantities.append(OrderQuantity(size=size, colour=colour, quantity=qty))
    db.session.flush()
    return changes
