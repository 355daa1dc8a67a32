"""Demo orders across the lifecycle: one put on hold (cut, waiting for a trim), one cancelled, one with its own
shipping tolerance, one the buyer added 120 pieces to after cutting (short until they are cut: the review's
orders at risk of short shipment). The other demo orders reach cutting and sewing through the rules (cut, first scan)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Line, Order, Role, Style, User
from shopfloor.orders.editing import OrderEdit, edit_order
from shopfloor.orders.services import create_order, cut_order, manager_change


def seed_lifecycle(_rng) -> None:
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER.value).order_by(User.id))
    style = db.session.scalar(select(Style).where(Style.code == "TS-100"))
    line = db.session.scalar(select(Line).order_by(Line.code))
    today = clock.local_today()
    with write_transaction():
        held = create_order(number="ORD-1006", customer="Urban Outfit Co", style=style,
                            due_date=today + timedelta(days=18), line_id=line.id, by_user_id=manager.id,
                            quantities={(s, "Grey"): 60 for s in style.sizes})
        cut_order(held, 10)
        dropped = create_order(number="ORD-1007", customer="Coastline Retail", style=style,
                               due_date=today + timedelta(days=25), line_id=line.id, by_user_id=manager.id,
                               quantities={(s, c): 40 for s in style.sizes for c in ("Olive", "Sand")})
        own = db.session.scalar(select(Order).where(Order.number == "ORD-1003"))
        own.short_tolerance_pm, own.excess_tolerance_pm = 20, 50   # this buyer: -2 % / +5 %
    manager_change(held.id, "hold", by_user_id=manager.id, reason="Woven labels rejected by the buyer; waiting for new ones")
    manager_change(dropped.id, "cancel", by_user_id=manager.id, reason="Customer withdrew the order")
    grown = db.session.scalar(select(Order).where(Order.number == "ORD-1001"))
    more = {(q.size, q.colour): q.quantity + (120 if (q.size, q.colour) == ("M", "Navy") else 0)
            for q in grown.quantities}
    edit_order(grown.id, OrderEdit(customer=grown.customer, due_date=grown.due_date, line_id=grown.line_id,
                                   quantities=more), by_user_id=manager.id)
