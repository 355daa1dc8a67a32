"""Order entry and cutting from the manager's forms."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order, Style
from shopfloor.templating import quantity
from shopfloor.orders.services import DEFAULT_BUNDLE, MAX_BUNDLE, MIN_BUNDLE, create_order, cut_order, split_quantity


def parse_grid(form, style: Style) -> dict[tuple[str, str], int]:
    """Quantities from the size x colour grid: fields colour-<i> and qty-<i>-<size>."""
    out: dict[tuple[str, str], int] = {}
    for i in range(20):
        colour = (form.get(f"colour-{i}") or "").strip()
        cells = {size: (form.get(f"qty-{i}-{size}") or "").strip() for size in style.sizes}
        if not colour and not any(cells.values()):
            continue
        if not colour:
            raise DomainError(_("Every row of quantities needs a colour."))
        for size, raw in cells.items():
            if not raw:
                continue
            try:
                qty = int(raw)
            except ValueError:
                raise DomainError(_("Quantities must be whole numbers.")) from None
            if qty < 0:
                raise DomainError(_("Quantities cannot be negative."))
            if qty:
                out[(size, colour)] = out.get((size, colour), 0) + qty
    return out


def new_order(form) -> Order:
    style = db.session.get(Style, form.get("style", type=int) or 0)
    if style is None:
        raise DomainError(_("Choose a style."))
    try:
        due = date.fromisoformat(form.get("due_date", ""))
    except ValueError:
        raise DomainError(_("Enter the due date.")) from None
    with write_transaction():
        order = create_order(number=form.get("number", ""), customer=form.get("customer", ""), style=style,
                             due_date=due, quantities=parse_grid(form, style), line_id=form.get("line", type=int))
    return order


def cut_preview(order: Order, bundle_size: int) -> list[tuple[str, str, int, list[int]]]:
    if not MIN_BUNDLE <= bundle_size <= MAX_BUNDLE:
        raise DomainError(_("Bundle size must be between %(a)d and %(b)d pieces.", a=MIN_BUNDLE, b=MAX_BUNDLE))
    return [(q.size, q.colour, q.quantity, split_quantity(q.quantity, bundle_size)) for q in order.quantities]


def cut(order_id: int, bundle_size, fabric_confirmed: bool = False) -> int:
    from shopfloor.planning.materials import fabric_missing

    order = db.session.get(Order, order_id)
    if order is None:
        raise DomainError(_("That order does not exist."), status=404)
    missing = fabric_missing(order.id)
    if missing and not fabric_confirmed:
        raise DomainError(_("Fabric is not fully in: %(m)s. Tick the box to cut anyway.",
                            m=", ".join(f"{m.name} {quantity(m.received)}/{quantity(m.quantity)} {m.unit}" for m in missing)),
                          status=409, code="fabric_missing")
    try:
        size = int(bundle_size or DEFAULT_BUNDLE)
    except ValueError:
        raise DomainError(_("Bundle size must be between %(a)d and %(b)d pieces.", a=MIN_BUNDLE, b=MAX_BUNDLE)) \
            from None
    with write_transaction():
        bundles = cut_order(order, size)
    return len(bundles)

