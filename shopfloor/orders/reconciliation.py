"""Cut-to-ship reconciliation of an order, per size x colour: ordered, cut, sewn, passed final QC, rejected,
packed, shipped, and short or excess against the order's shipping tolerance.

The rule here is pure (numbers in, figures out); orders/queries.reconciliations reads the numbers. Packed and
shipped pieces are inputs (dicts per (size, colour)) from the packing area.

What can ship (`can_ship`), the figure held against the tolerance:
  - once shipping began (anything shipped, or the order shipped / closed): the pieces shipped;
  - before: the pieces cut less those rejected (in rework, not yet re-checked good) — what the floor can
    still deliver from what it cut.
Short: can_ship < ordered x (1 - short tolerance); excess: can_ship > ordered x (1 + excess tolerance); else
within. Integer arithmetic in per mille, so 97 of 100 at 3 % is within and 96 is short, exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _

from shopfloor.vocabulary import OrderStatus, ShipVerdict

Cell = tuple[str, str]  # (size, colour)
SHIPPING_DONE = (OrderStatus.SHIPPED, OrderStatus.CLOSED)


def default_tolerance_pm() -> int:
    """The factory's shipping tolerance (config.SHIP_TOLERANCE_PERCENT) in per mille."""
    return int((Decimal(current_app.config["SHIP_TOLERANCE_PERCENT"]) * 10).to_integral_value())


def tolerance(short_pm: int | None, excess_pm: int | None) -> tuple[int, int]:
    """An order's (short, excess) tolerance in per mille: its own, else the factory default."""
    default = default_tolerance_pm()
    return (default if short_pm is None else short_pm, default if excess_pm is None else excess_pm)


def verdict(can_ship: int, ordered: int, short_pm: int, excess_pm: int) -> ShipVerdict:
    if can_ship * 1000 < ordered * (1000 - short_pm):
        return ShipVerdict.SHORT
    if can_ship * 1000 > ordered * (1000 + excess_pm):
        return ShipVerdict.EXCESS
    return ShipVerdict.WITHIN


@dataclass(frozen=True)
class Line:
    """One size x colour (or the order's total: size and colour empty)."""
    size: str
    colour: str
    ordered: int
    cut: int
    sewn: int
    passed_qc: int
    rejected: int
    scrapped: int
    packed: int
    shipped: int
    can_ship: int
    verdict: ShipVerdict

    @property
    def difference(self) -> int:
        """Pieces that can ship less pieces ordered (negative: short of the order)."""
        return self.can_ship - self.ordered

    @property
    def difference_pct(self) -> float | None:
        return self.difference * 100.0 / self.ordered if self.ordered else None


@dataclass(frozen=True)
class Reconciliation:
    order_id: int
    number: str
    status: OrderStatus
    short_pm: int
    excess_pm: int
    shipping_began: bool
    lines: list[Line]
    total: Line

    @property
    def verdict(self) -> ShipVerdict:
        return self.total.verdict


def reconcile(*, order_id: int, number: str, status: OrderStatus, short_pm: int, excess_pm: int,
              ordered: dict[Cell, int], cut: dict[Cell, int], sewn: dict[Cell, int], passed_qc: dict[Cell, int],
              rejected: dict[Cell, int], scrapped: int = 0, rejected_unassigned: int = 0,
              packed: dict[Cell, int] | None = None, shipped: dict[Cell, int] | None = None,
              sizes: tuple[str, ...] = ()) -> Reconciliation:
    """The figures of one order. `scrapped` and `rejected_unassigned` are order-wide (customer returns carry no
    size or colour): they count in the total line only."""
    packed, shipped = packed or {}, shipped or {}
    began = status in SHIPPING_DONE or any(shipped.values())
    rank = {size: i for i, size in enumerate(sizes)}  # the style's size order
    cells = sorted(set(ordered) | set(cut) | set(sewn) | set(packed) | set(shipped),
                   key=lambda c: (c[1], rank.get(c[0], len(rank)), c[0]))

    def line(size, colour, o, c, s, q, r, x, p, sh) -> Line:
        can = sh if began else max(0, c - r)
        return Line(size, colour, o, c, s, q, r, x, p, sh, can, verdict(can, o, short_pm, excess_pm))

    lines = [line(sz, co, ordered.get((sz, co), 0), cut.get((sz, co), 0), sewn.get((sz, co), 0),
                  passed_qc.get((sz, co), 0), rejected.get((sz, co), 0), 0, packed.get((sz, co), 0),
                  shipped.get((sz, co), 0)) for sz, co in cells]
    total = line("", "", *(sum(getattr(ln, f) for ln in lines) for f in ("ordered", "cut", "sewn", "passed_qc")),
                 sum(ln.rejected for ln in lines) + rejected_unassigned, scrapped,
                 sum(ln.packed for ln in lines), sum(ln.shipped for ln in lines))
    return Reconciliation(order_id, number, status, short_pm, excess_pm, began, lines, total)


def csv_rows(recons: list[Reconciliation]) -> tuple[list[str], list[list]]:
    """The CSV export: one row per order and size x colour, then the order's total (size and colour "total")."""
    header = [_("order"), _("status"), _("size"), _("colour"), _("ordered"), _("cut"), _("sewn"),
              _("passed final QC"), _("rejected"), _("scrapped"), _("packed"), _("shipped"), _("can ship"),
              _("difference"), _("short tolerance (%)"), _("excess tolerance (%)"), _("verdict")]
    rows = []
    for r in recons:
        for ln in r.lines + [r.total]:
            rows.append([r.number, r.status.label, ln.size or _("total"), ln.colour or _("total"), ln.ordered, ln.cut,
                         ln.sewn, ln.passed_qc, ln.rejected, ln.scrapped, ln.packed, ln.shipped, ln.can_ship,
                         ln.difference, r.short_pm / 10, r.excess_pm / 10, ln.verdict.label])
    return header, rows
