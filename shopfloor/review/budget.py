"""Budget per order: target cost per piece vs labour cost from the ledger (its order x operation summary), and
rework cost.

Money is exact (shopfloor.money): the sums are of whole ten-thousandths, in SQL, on both databases.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, text

from shopfloor import money
from shopfloor.extensions import db

# The ledger's labour per order, from the order x operation summary the scan keeps with each entry.
_LABOUR = text("""
SELECT order_id, sum(labour_e4) AS labour_e4, sum(earned_minutes) AS minutes
FROM order_op_progress WHERE order_id IN :ids GROUP BY order_id""").bindparams(bindparam("ids", expanding=True))
# Repair labour: the pieces sent to rework, at the piece rate of the operation responsible.
_REWORK = text("""
SELECT r.order_id, sum(r.pieces * coalesce(op.piece_rate_e4, 0)) AS rework_e4 FROM rework r
LEFT JOIN operations op ON op.id = r.operation_id WHERE r.order_id IN :ids GROUP BY r.order_id""").bindparams(
    bindparam("ids", expanding=True))
_TARGETS = text("SELECT o.id, s.target_cost_e4 FROM orders o JOIN styles s ON s.id = o.style_id WHERE o.id IN :ids"
                ).bindparams(bindparam("ids", expanding=True))


@dataclass
class Budget:
    target_per_piece: Decimal | None
    labour: Decimal
    earned_minutes: Decimal
    rework: Decimal
    output: int

    @property
    def actual_per_piece(self) -> Decimal | None:
        """Labour plus rework cost per garment out of the line, to 4 decimals (half up)."""
        if not self.output:
            return None
        return ((self.labour + self.rework) / self.output).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def over_target(self) -> bool:
        a = self.actual_per_piece
        return a is not None and self.target_per_piece is not None and a > self.target_per_piece


def order_budgets(outputs: dict[int, int]) -> dict[int, Budget]:
    if not outputs:
        return {}
    ids = {"ids": list(outputs)}
    labour = {r.order_id: (money.from_e4(r.labour_e4), money.decimal(r.minutes or 0))
              for r in db.session.execute(_LABOUR, ids)}
    rework = {r.order_id: money.from_e4(r.rework_e4) for r in db.session.execute(_REWORK, ids)}
    targets = {r.id: r.target_cost_e4 for r in db.session.execute(_TARGETS, ids)}
    out = {}
    for oid, output in outputs.items():
        lab, minutes = labour.get(oid, (money.ZERO, money.ZERO))
        t = targets.get(oid)
        out[oid] = Budget(money.from_e4(t) if t is not None else None, lab, minutes, rework.get(oid, money.ZERO),
                          output)
    return out
