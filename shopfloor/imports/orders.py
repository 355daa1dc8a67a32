"""Orders, one row per order x size x colour.

Columns: order number, customer, style code, line code, due date, size, colour, quantity. The rows of one
order share its number; customer, style, line and due date are given on its first row (later rows may leave
them blank, or must repeat them). The style and the line exist already (a style file is imported first). An
order whose number exists is refused. Each order is made by `orders/services.create_order` (its
`order_created` signal plans the time & action calendar).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from shopfloor.auth import audit
from shopfloor.edge import day, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.imports.services import Column, Kind, Report, Row, required
from shopfloor.extensions import db
from shopfloor.models import Line, Order, OrderQuantity, Style
from shopfloor.orders.services import create_order

NUMBER_LEN = Order.number.type.length
CUSTOMER_LEN = Order.customer.type.length
COLOUR_LEN = OrderQuantity.colour.type.length
MAX_QUANTITY = 1_000_000

COLUMNS = (
    Column("number", _l("order number"), ("order number", "order", "number", "order no", "pedido",
                                          "número de pedido", "numero de pedido", "n.º de pedido"), True,
           _l("Up to 30 characters; the same on every row of the order.")),
    Column("customer", _l("customer"), ("customer", "buyer", "cliente", "comprador"), True,
           _l("On the order's first row; later rows blank or the same.")),
    Column("style_code", _l("style code"), ("style code", "style", "código de estilo", "codigo de estilo", "estilo"),
           True, _l("A style that exists (import styles first); on the order's first row.")),
    Column("line_code", _l("line code"), ("line code", "line", "código de línea", "codigo de linea", "línea",
                                          "linea"), False, _l("A line in use; may be blank.")),
    Column("due_date", _l("due date"), ("due date", "due", "fecha de entrega", "entrega"), True,
           _l("YYYY-MM-DD, or a date cell in XLSX; on the order's first row.")),
    Column("size", _l("size"), ("size", "talla"), True, _l("One of the style's sizes.")),
    Column("colour", _l("colour"), ("colour", "color"), True, _l("Up to 40 characters.")),
    Column("quantity", _l("quantity"), ("quantity", "qty", "pcs", "pieces", "cantidad", "piezas"), True,
           _l("Pieces of this size and colour: a whole number from 1.")),
)
RULES = (
    _l("One row per order, size and colour. The rows of an order share its number."),
    _l("An order whose number already exists is refused. Each order's calendar is planned from its due date."),
)
SAMPLE = (
    ("PO-1001", "Acme Retail", "T100", "L1", "2027-03-31", "S", "Navy", "120"),
    ("PO-1001", "", "", "", "", "M", "Navy", "240"),
    ("PO-1001", "", "", "", "", "L", "White", "180"),
    ("PO-1002", "Northwind", "T100", "", "2027-04-15", "XL", "Black", "60"),
)


@dataclass
class NewOrder:
    row: int                      # its first row
    number: str
    customer: str | None
    style: Style | None
    line: Line | None
    due: date | None
    quantities: dict[tuple[str, str], int] = field(default_factory=dict)
    rows: dict[tuple[str, str], int] = field(default_factory=dict)   # (size, colour lower) -> row


def check_rows(rows: list[Row], report: Report) -> None:
    styles = {s.code.upper(): s for s in db.session.scalars(select(Style))}
    lines = {ln.code.lower(): ln for ln in db.session.scalars(select(Line).where(Line.active.is_(True)))}
    numbers = [r.get("number") for r in rows]
    taken = set(db.session.scalars(select(Order.number).where(Order.number.in_(n for n in numbers if n))))
    orders: dict[str, NewOrder] = {}
    for row in rows:
        number = row.parse("number", lambda v: trimmed(v, max_len=NUMBER_LEN, label=_("Order number"))
                           or required(_("Order number and customer are required.")))
        order = orders.get(number) if number else None
        if number and order is None:
            order = orders[number] = NewOrder(
                row.n, number,
                row.parse("customer", lambda v: trimmed(v, max_len=CUSTOMER_LEN, label=_("Customer"))
                          or required(_("Order number and customer are required."))),
                row.parse("style_code", lambda v: _style(v, styles)),
                row.parse("line_code", lambda v: _line(v, lines)),
                row.parse("due_date", lambda v: day(v, _("Enter the due date as YYYY-MM-DD."), required=True)))
            if number in taken:
                row.error("number", _("Order number %(n)s already exists.", n=number))
        elif order is not None:
            _same(row, order)
        _quantity(row, order)
    report.items = list(orders.values())


def _same(row: Row, order: NewOrder) -> None:
    """A later row of an order: customer, style, line and due date blank, or the first row's."""
    shown = {"customer": order.customer, "style_code": order.style.code if order.style else None,
             "line_code": order.line.code if order.line else "", "due_date": order.due.isoformat() if order.due else None}
    for key, first in shown.items():
        value = row.get(key).strip()
        if value and first is not None and value.lower() != first.lower():
            row.error(key, _("Not the value on row %(row)d for this order (%(value)s).", row=order.row,
                             value=first[:40] or "—"))


def _quantity(row: Row, order: NewOrder | None) -> None:
    size = row.parse("size", lambda v: _size(v, order))
    colour = row.parse("colour", lambda v: trimmed(v, max_len=COLOUR_LEN, label=_("Colour"))
                       or required(_("Every quantity needs a colour.")))
    qty = row.parse("quantity", lambda v: whole(v, _("Quantity must be a whole number from 1 to %(n)d.",
                                                     n=MAX_QUANTITY), minimum=1, maximum=MAX_QUANTITY)
                    or required(_("Enter the quantity.")))
    if order is None or size is None or colour is None:
        return
    key = (size, colour.lower())
    if key in order.rows:
        row.error("colour", _("Same size and colour as row %(row)d.", row=order.rows[key]))
        return
    order.rows[key] = row.n
    if qty is not None:
        order.quantities[(size, colour)] = qty


def _style(code: str, styles: dict[str, Style]) -> Style:
    code = code.strip().upper()
    if not code:
        raise DomainError(_("Choose a style."))
    found = styles.get(code)
    if found is None:
        raise DomainError(_("No style has the code %(code)s: import the styles first.", code=code[:30]))
    if not found.active:
        raise DomainError(_("Style %(code)s is not in use.", code=found.code))
    return found


def _line(code: str, lines: dict[str, Line]) -> Line | None:
    if not code.strip():
        return None
    found = lines.get(code.strip().lower())
    if found is None:
        raise DomainError(_("No line in use has the code %(code)s.", code=code[:20]))
    return found


def _size(text: str, order: NewOrder | None) -> str:
    size = text.strip()
    if not size:
        raise DomainError(_("Enter the size."))
    style = order.style if order else None
    if style is None:
        return size
    found = next((s for s in style.sizes if s.lower() == size.lower()), None)   # spelt as the style spells it
    if found is None:
        raise DomainError(_("Size %(s)s is not a size of style %(st)s.", s=size[:20], st=style.code))
    return found


def write(actor, orders: list[NewOrder]) -> int:
    """Each order through create_order (its calendar planned by the signal), audited; in the caller's
    transaction."""
    for new in orders:
        order = create_order(number=new.number, customer=new.customer, style=new.style, due_date=new.due,
                             quantities=new.quantities, line_id=new.line.id if new.line else None,
                             by_user_id=actor.id)
        audit.record(actor.id, audit.ORDER_IMPORT, f"order:{order.id}", f"spreadsheet row {new.row}",
                     changes={"number": (None, new.number), "customer": (None, new.customer),
                              "style": (None, new.style.code), "pieces": (None, sum(new.quantities.values()))})
    return len(orders)


KIND = Kind("orders", COLUMNS, check_rows, write, SAMPLE, _l("Import orders"), RULES)
