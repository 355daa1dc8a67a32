"""Budget per order: target cost per piece vs labour cost from the ledger, and rework cost."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import text

from shopfloor.extensions import db


@dataclass
class Budget:
    target_per_piece: Decimal | None
    labour: Decimal
    earned_minutes: Decimal
    rework: Decimal
    output: int

    @property
    def actual_per_piece(self) -> Decimal | None:
        """Labour plus rework cost per garment out of the line."""
        return ((self.labour + self.rework) / self.output).quantize(Decimal("0.0001")) if self.output else None

    @property
    def over_target(self) -> bool:
        a = self.actual_per_piece
        return a is not None and self.target_per_piece is not None and a > self.target_per_piece


def order_budgets(outputs: dict[int, int]) -> dict[int, Budget]:
    labour = {r[0]: (Decimal(str(r[1] or 0)), Decimal(str(r[2] or 0))) for r in db.session.execute(text("""
        SELECT b.order_id, sum(w.pieces * w.piece_rate), sum(w.pieces * w.sam)
        FROM work_log w JOIN bundles b ON b.id = w.bundle_id GROUP BY b.order_id"""))}
    # Repair labour: the pieces sent to rework, at the piece rate of the operation responsible.
    rework = {r[0]: Decimal(str(r[1] or 0)) for r in db.session.execute(text("""
        SELECT r.order_id, sum(r.pieces * coalesce(op.piece_rate, 0)) FROM rework r
        LEFT JOIN operations op ON op.id = r.operation_id GROUP BY r.order_id"""))}
    targets = dict(db.session.execute(text(
        "SELECT o.id, s.target_cost_per_piece FROM orders o JOIN styles s ON s.id = o.style_id")).all())
    out = {}
    for oid, output in outputs.items():
        lab, minutes = labour.get(oid, (Decimal("0"), Decimal("0")))
        t = targets.get(oid)
        out[oid] = Budget(Decimal(str(t)) if t is not None else None, lab, minutes, rework.get(oid, Decimal("0")),
                          output)
    return out
