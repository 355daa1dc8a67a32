"""Which bundles to print and what each ticket says."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.lan import addresses
from shopfloor.models import Bundle, Order
from shopfloor.scan.codes import ticket_payload
from shopfloor.packing import zpl
from shopfloor.tickets import pdf


def order_tickets(order_id: int, bundle_ids: list[int] | None = None) -> tuple[Order, list[pdf.Ticket]]:
    order = db.session.get(Order, order_id)
    if order is None:
        raise DomainError(_("That order does not exist."), status=404)
    q = select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)
    if bundle_ids:
        q = q.where(Bundle.id.in_(bundle_ids))
    bundles = db.session.scalars(q).all()
    if not bundles:
        raise DomainError(_("Order %(n)s has no bundles yet. Cut it into bundles first.", n=order.number),
                          status=409)
    base = addresses.reach(current_app.config).base  # the address the banner gives phones
    style = f"{order.style.code} {order.style.name}"
    return order, [pdf.Ticket(payload=ticket_payload(b.code, base), code=b.code, style=style,
                              order=order.number, size=b.size, colour=b.colour, pieces=b.pieces,
                              number=b.number, customer=order.customer,
                              pieces_label=_("%(n)d pcs", n=b.pieces)) for b in bundles]


def render_order_pdf(order_id: int, layout: str, bundle_ids: list[int] | None = None) -> tuple[str, bytes]:
    if layout not in pdf.LAYOUTS:
        raise DomainError(_("Unknown ticket layout."), status=422)
    order, tickets = order_tickets(order_id, bundle_ids)
    title = _("Bundle tickets · %(order)s", order=order.number)
    return f"tickets-{order.number}-{layout}.pdf", pdf.render(tickets, layout, title=title)


def render_order_zpl(order_id: int, bundle_ids: list[int] | None = None) -> tuple[str, str]:
    """The same tickets for a Zebra label printer (4 x 2 in, ZPL II)."""
    order, tickets = order_tickets(order_id, bundle_ids)
    labels = [zpl.TicketLabel(payload=t.payload, code=t.code, style=t.style, line2=f"{t.order}  #{t.number}",
                              line3=f"{t.size} · {t.colour}", pieces=t.pieces_label) for t in tickets]
    return f"tickets-{order.number}.zpl", "".join(zpl.ticket_label(lab) for lab in labels)
