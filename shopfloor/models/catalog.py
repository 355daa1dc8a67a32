from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.extensions import db
from shopfloor.money import Money
from shopfloor.vocabulary import SequenceCheck, column_type


class Style(db.Model):
    __tablename__ = "styles"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # Comma-separated, in display order: "S,M,L,XL".
    sizes_csv: Mapped[str] = mapped_column(String(200), default="")
    # Money (see shopfloor.money): ten-thousandths in the database, Decimal here.
    target_cost_per_piece: Mapped[Decimal | None] = mapped_column("target_cost_e4", Money())
    active: Mapped[bool] = mapped_column(default=True)
    # Logging an operation while earlier ones of the bulletin have no pieces on the bundle: warn, block or off.
    sequence_check: Mapped[SequenceCheck] = mapped_column(column_type(SequenceCheck, 8), default=SequenceCheck.WARN,
                                                          server_default=SequenceCheck.WARN.value)

    operations: Mapped[list["Operation"]] = relationship(
        back_populates="style", order_by="Operation.seq", cascade="all, delete-orphan"
    )

    @property
    def sizes(self) -> list[str]:
        return [s.strip() for s in self.sizes_csv.split(",") if s.strip()]

    @sizes.setter
    def sizes(self, values: list[str]) -> None:
        self.sizes_csv = ",".join(v.strip() for v in values if v.strip())

    @property
    def total_sam(self) -> Decimal:
        """SAM of the garment: its active operations only."""
        return sum((op.sam for op in self.operations if op.active is not False), Decimal("0"))  # None: new, active


class Operation(db.Model):
    """One line of a style's operation bulletin."""
    __tablename__ = "operations"
    __table_args__ = (
        UniqueConstraint("style_id", "seq"),
        CheckConstraint("sam > 0", name="sam_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), index=True)
    seq: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))
    # The name in other languages, entered by the manager ({"bn": ..., "vi": ...}); shopfloor/names
    names: Mapped[dict | None] = mapped_column(JSON, default=None)
    machine: Mapped[str] = mapped_column(String(60), default="")
    sam: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    piece_rate: Mapped[Decimal] = mapped_column("piece_rate_e4", Money(), default=Decimal("0"))
    qc_point: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    style: Mapped[Style] = relationship(back_populates="operations")

    def target_per_hour(self, efficiency: float = 1.0) -> float:
        """Operation target/hour = 60 / SAM x efficiency."""
        return 60.0 / float(self.sam) * efficiency
