"""Orders and cutting: an order's size x colour quantities become bundles of 5-40 pieces."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, Operation, Order, OrderQuantity, Style
from shopfloor.scan.codes import new_code

MIN_BUNDLE, MAX_BUNDLE, DEFAULT_BUNDLE = 5, 40, 10


def create_order(*, number: str, customer: str, style: Style, due_date: date,
                 quantities: dict[tuple[str, str], int], line_id: int | None = None) -> Order:
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
    from shopfloor.planning.schedule import create_milestones

    create_milestones(order)
    return order


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
    if not MIN_BUNDLE <= bundle_size <= MAX_BUNDLE:
        raise DomainError(_("Bundle size must be between %(a)d and %(b)d pieces.", a=MIN_BUNDLE, b=MAX_BUNDLE))
    ops = db.session.scalars(select(Operation.id).where(Operation.style_id == order.style_id,
                                                        Operation.active.is_(True))).all()
    if not ops:
        raise DomainError(_("Style %(s)s has no operations yet. Add its bulletin first.", s=order.style.code))
    cut = dict(((s, c), n) for s, c, n in db.session.execute(
        select(Bundle.size, Bundle.colour, func.sum(Bundle.pieces)).where(Bundle.order_id == order.id)
        .group_by(Bundle.size, Bundle.colour)).all())
    number = db.session.scalar(select(func.coalesce(func.max(Bundle.number), 0)).where(Bundle.order_id == order.id))
    created: list[Bundle] = []
    for q in order.quantities:
        left = q.quantity - int(cut.get((q.size, q.colour), 0) or 0)
        if left <= 0:
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
    if order.status == "open":
        order.status = "cutting"
    return created


def _unique_code() -> str:
    while True:
        code = new_code()
        if not db.session.scalar(select(Bundle.id).where(Bundle.code == code)):
            return code
