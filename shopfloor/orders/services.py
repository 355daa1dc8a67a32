"""Orders and cutting: an order's size x colour quantities become bundles of 5-40 pieces."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from shopfloor import clock, signals
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, Operation, Order, OrderQuantity, Style
from shopfloor.planning.materials import fabric_missing
from shopfloor.scan.codes import new_code
from shopfloor.templating import quantity
from shopfloor.vocabulary import OrderStatus

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
    signals.order_created.send(None, order=order)
    return order


def place_order(*, style_id: int | None, number: str, customer: str, due_date: date | None,
                quantities: dict[tuple[str, str], int], line_id: int | None = None) -> Order:
    """A manager's new order, in one transaction."""
    style = db.session.get(Style, style_id or 0)
    if style is None:
        raise DomainError(_("Choose a style."))
    if due_date is None:
        raise DomainError(_("Enter the due date."))
    with write_transaction():
        return create_order(number=number, customer=customer, style=style, due_date=due_date,
                            quantities=quantities, line_id=line_id)


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
    if order.status == OrderStatus.OPEN:
        order.status = OrderStatus.CUTTING
    signals.bundles_cut.send(None, order_id=order.id, at=clock.utcnow())
    return created


def _bundle_size_ok(bundle_size: int | None) -> int:
    if bundle_size is None or not MIN_BUNDLE <= bundle_size <= MAX_BUNDLE:
        raise DomainError(_("Bundle size must be between %(a)d and %(b)d pieces.", a=MIN_BUNDLE, b=MAX_BUNDLE))
    return bundle_size


def cut_preview(order: Order, bundle_size: int | None) -> list[tuple[str, str, int, list[int]]]:
    size = _bundle_size_ok(bundle_size)
    return [(q.size, q.colour, q.quantity, split_quantity(q.quantity, size)) for q in order.quantities]


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
