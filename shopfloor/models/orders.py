from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.vocabulary import OrderStatus, StatusRule, column_type


class Order(db.Model):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer: Mapped[str] = mapped_column(String(120))
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"), index=True)
    due_date: Mapped[date] = mapped_column()
    status: Mapped[OrderStatus] = mapped_column(column_type(OrderStatus, 20), default=OrderStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The status an order on hold goes back to when released (orders/services.release).
    held_from: Mapped[OrderStatus | None] = mapped_column(column_type(OrderStatus, 20))
    # Shipping tolerance in per mille of the ordered quantity (30 = 3 %): short below, excess above. NULL: the
    # factory's default, config.SHIP_TOLERANCE_PERCENT (orders/reconciliation.tolerance).
    short_tolerance_pm: Mapped[int | None] = mapped_column()
    excess_tolerance_pm: Mapped[int | None] = mapped_column()

    style = relationship("Style")
    line = relationship("Line")
    quantities: Mapped[list["OrderQuantity"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderQuantity.id"
    )

    @property
    def total_quantity(self) -> int:
        return sum(q.quantity for q in self.quantities)


class OrderQuantity(db.Model):
    """Quantity of one size x colour in an order."""
    __tablename__ = "order_quantities"
    __table_args__ = (
        UniqueConstraint("order_id", "size", "colour"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    size: Mapped[str] = mapped_column(String(20))
    colour: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column()

    order: Mapped[Order] = relationship(back_populates="quantities")


class OrderStatusChange(db.Model):
    """One change of an order's status: from, to, who (a manager) or which rule, when and why."""
    __tablename__ = "order_status_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    from_status: Mapped[OrderStatus | None] = mapped_column(column_type(OrderStatus, 20))
    to_status: Mapped[OrderStatus] = mapped_column(column_type(OrderStatus, 20))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rule: Mapped[StatusRule | None] = mapped_column(column_type(StatusRule, 20))
    reason: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by_user = relationship("User")
