"""Read side of the quality pages."""
from __future__ import annotations

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Order, Rework
from shopfloor.models.quality import CustomerReturn
from shopfloor.vocabulary import ORDERS_LISTED, ReworkStatus


def rework_queue() -> list[Rework]:
    """Rework not yet re-checked good: repaired pieces first (waiting for the inspector), oldest first."""
    return list(db.session.scalars(select(Rework).where(Rework.status != ReworkStatus.CLOSED)
                                   .order_by(Rework.status.desc(), Rework.created_at)))


def operator_rework(operator_id: int) -> list[Rework]:
    """Pieces waiting for this operator to repair."""
    return list(db.session.scalars(select(Rework).where(Rework.operator_id == operator_id,
                                                        Rework.status == ReworkStatus.OPEN)
                                   .order_by(Rework.created_at)))


def auditable_orders() -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.status.in_(ORDERS_LISTED)).order_by(Order.number)))


def recent_returns(limit: int = 100) -> list[CustomerReturn]:
    return list(db.session.scalars(select(CustomerReturn).order_by(CustomerReturn.created_at.desc()).limit(limit)))
