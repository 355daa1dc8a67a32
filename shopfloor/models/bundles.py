from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.vocabulary import BundleStatus, column_type


class Bundle(db.Model):
    """5-40 pieces of one order, one size and one colour."""
    __tablename__ = "bundles"
    __table_args__ = (
        UniqueConstraint("order_id", "number"),
        CheckConstraint("pieces >= 1 AND pieces <= 40", name="pieces_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    number: Mapped[int] = mapped_column()
    size: Mapped[str] = mapped_column(String(20))
    colour: Mapped[str] = mapped_column(String(40))
    pieces: Mapped[int] = mapped_column()
    status: Mapped[BundleStatus] = mapped_column(column_type(BundleStatus, 12), default=BundleStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set with the bundle's first end-line inspection (quality/services.record_inspection), never unset: the
    # reconciliation's "passed final QC" reads it instead of looking through every inspection
    # (orders/queries.quality_figures).
    endline_inspected: Mapped[bool] = mapped_column(default=False, server_default=false())

    order = relationship("Order")
    progress: Mapped[list["BundleOpProgress"]] = relationship(back_populates="bundle")


class BundleOpProgress(db.Model):
    """Pieces done per bundle x operation, kept in the scan transaction.

    The CHECK makes the database itself refuse more pieces than the bundle holds.
    """
    __tablename__ = "bundle_op_progress"
    __table_args__ = (CheckConstraint("done >= 0 AND done <= pieces", name="done_within_pieces"),)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), primary_key=True)
    pieces: Mapped[int] = mapped_column()
    done: Mapped[int] = mapped_column(default=0)

    bundle: Mapped[Bundle] = relationship(back_populates="progress")
    operation = relationship("Operation")
