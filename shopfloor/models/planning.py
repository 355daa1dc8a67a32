from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.extensions import db
from shopfloor.vocabulary import MaterialKind, MaterialStatus, column_type


class Milestone(db.Model):
    """One line of an order's time & action calendar."""
    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("order_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    key: Mapped[str] = mapped_column(String(30))
    sort: Mapped[int] = mapped_column()
    owner: Mapped[str] = mapped_column(String(80), default="")
    planned: Mapped[date] = mapped_column()
    actual: Mapped[date | None] = mapped_column()
    auto: Mapped[bool] = mapped_column(default=False)  # actual date set by floor events

    order = relationship("Order")


class Supplier(db.Model):
    __tablename__ = "suppliers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    contact: Mapped[str] = mapped_column(String(200), default="")


class Material(db.Model):
    """Fabric or trims for an order: ordered, expected, received."""
    __tablename__ = "materials"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),
                      CheckConstraint("received >= 0", name="received_not_negative"),
                      CheckConstraint("kind IN " + MaterialKind.sql(tuple(MaterialKind)), name="kind_known"))
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    kind: Mapped[MaterialKind] = mapped_column(column_type(MaterialKind, 10))
    name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(10), default="m")
    ordered_on: Mapped[date | None] = mapped_column()
    expected_on: Mapped[date | None] = mapped_column()
    received: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    received_on: Mapped[date | None] = mapped_column()

    supplier = relationship("Supplier")

    @property
    def status(self) -> MaterialStatus:
        if self.received >= self.quantity:
            return MaterialStatus.RECEIVED
        if self.received > 0:
            return MaterialStatus.PARTIAL
        return MaterialStatus.ORDERED if self.ordered_on else MaterialStatus.PLANNED
