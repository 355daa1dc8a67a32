from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Numeric, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.extensions import db
from shopfloor.money import Money


class WorkLog(db.Model):
    """Append-only ledger of work. Corrections are reversal rows (negative pieces)."""
    __tablename__ = "work_log"
    __table_args__ = (
        CheckConstraint("pieces <> 0", name="pieces_nonzero"),
        CheckConstraint("(reverses_id IS NULL AND pieces > 0) OR (reverses_id IS NOT NULL AND pieces < 0)",
                        name="reversal_sign"),
        Index("ix_work_log_operator_created", "operator_id", "created_at"),
        Index("ix_work_log_bundle_op", "bundle_id", "operation_id"),
        Index("ix_work_log_line_created", "line_id", "created_at"),
        # Garments out by time (the forecast's rate over the last days): output entries only, read without the
        # table (bundle and pieces in the index).
        Index("ix_work_log_output_created", "created_at", "bundle_id", "pieces",
              sqlite_where=text("is_output"), postgresql_where=text("is_output")),
        # One reversal per entry at most; only reversal rows are indexed.
        Index("uq_work_log_reverses_id", "reverses_id", unique=True,
              sqlite_where=text("reverses_id IS NOT NULL"), postgresql_where=text("reverses_id IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"))
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))
    pieces: Mapped[int] = mapped_column()
    # SAM of the operation at the time of logging (earned minutes = pieces x sam).
    sam: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    # Piece rate at the time of logging (money, see shopfloor.money); the amount is pieces x piece_rate.
    piece_rate: Mapped[Decimal] = mapped_column("piece_rate_e4", Money())
    # Whether the operation was the style's output operation when the row was written (a reversal copies
    # the flag of the entry it reverses), so later bulletin edits never re-decide what counted as output.
    is_output: Mapped[bool] = mapped_column(default=False, server_default=false())
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("work_log.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()

    bundle = relationship("Bundle")
    operation = relationship("Operation")
    operator = relationship("User", foreign_keys=[operator_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class LineHourOutput(db.Model):
    """Summary kept in the scan transaction: pieces and earned minutes per line x factory hour."""
    __tablename__ = "line_hour_output"
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    hour: Mapped[int] = mapped_column(primary_key=True)
    pieces: Mapped[int] = mapped_column(default=0)
    # Pieces completed at the style's last operation (garments out of the line).
    output: Mapped[int] = mapped_column(default=0)
    earned_minutes: Mapped[Decimal] = mapped_column(Numeric(14, 3), default=Decimal("0"))


class OrderOpProgress(db.Model):
    """Summary kept in the scan transaction: pieces done per order x operation, their earned minutes and their
    piece-rate labour (the rates logged), so an order's cost is read without summing its ledger."""
    __tablename__ = "order_op_progress"
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), primary_key=True)
    done: Mapped[int] = mapped_column(default=0)
    earned_minutes: Mapped[Decimal] = mapped_column(Numeric(14, 3), default=Decimal("0"), server_default="0")
    # Σ pieces x piece rate as logged, exact (money, see shopfloor.money).
    labour: Mapped[Decimal] = mapped_column("labour_e4", Money(), default=Decimal("0"), server_default="0")

    operation = relationship("Operation")


class OperatorDay(db.Model):
    """Summary kept in the scan transaction: an operator's pieces, earned minutes and piece-rate pay per local day."""
    __tablename__ = "operator_day"
    # Every operator's days of a period (the board's today, the review's week or month).
    __table_args__ = (Index("ix_operator_day_day", "day"),)
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"), index=True)
    pieces: Mapped[int] = mapped_column(default=0)
    earned_minutes: Mapped[Decimal] = mapped_column(Numeric(14, 3), default=Decimal("0"))
    # Piece-rate pay, exact and unrounded (money, see shopfloor.money).
    earnings: Mapped[Decimal] = mapped_column("earnings_e4", Money(), default=Decimal("0"))
