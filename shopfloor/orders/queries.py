"""Read side of an order's lifecycle and cut-to-ship reconciliation (read-only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import selectinload

from shopfloor.extensions import db
from shopfloor.models import AuditEntry, Order, OrderStatusChange, User
from shopfloor.orders import reconciliation
from shopfloor.packing import queries as packing_queries
from shopfloor.orders.editing import AUDIT_EDIT
from shopfloor.orders.services import MANAGER_ACTIONS, action_target, audit_target
from shopfloor.vocabulary import ORDERS_LISTED, REWORK_PENDING, Disposition, OrderStatus, \
    ReworkStatus, ShipVerdict, output_seq_sql

Cell = reconciliation.Cell


# --- Packing and shipping --------------------------------------------------------------------------------------
def packing_figures(order_ids: list[int]) -> tuple[dict[int, dict[Cell, int]], dict[int, dict[Cell, int]]]:
    """Packed and shipped pieces per order and (size, colour), from the cartons and shipments (the packing
    area's reads, two queries for all the orders); the one place the reconciliation reads them."""
    return (packing_queries.pieces_by_size_colour(order_ids, shipped_only=False),
            packing_queries.pieces_by_size_colour(order_ids, shipped_only=True))


# --- Quality: passed final QC, rejected, scrapped (the one definition) -------------------------------------------
@dataclass
class QualityFigures:
    passed_qc: dict[Cell, int]
    rejected: dict[Cell, int]
    rejected_unassigned: int = 0
    scrapped: int = 0


# Per order and cell: pieces sewn, and of the bundles with an end-line inspection (bundles.endline_inspected, set
# by the first one) the pieces sewn less those in rework (never below 0 per bundle), whether any bundle of the cell
# was inspected, pieces in rework. Summed here, not per bundle in Python (the orders at risk hold tens of thousands
# of bundles); the rework is read for these orders' bundles only, by index.
_BUNDLE_QUALITY = text("""
SELECT q.order_id AS order_id, q.size AS size, q.colour AS colour, sum(q.sewn) AS sewn,
       sum(CASE WHEN q.inspected = 1 AND q.sewn > q.pending THEN q.sewn - q.pending ELSE 0 END) AS passed,
       max(q.inspected) AS inspected, sum(q.pending) AS pending
FROM (SELECT b.order_id, b.size, b.colour, coalesce(p.done, 0) AS sewn,
             CASE WHEN b.endline_inspected THEN 1 ELSE 0 END AS inspected, coalesce(r.pieces, 0) AS pending
      FROM bundles b
      JOIN orders o ON o.id = b.order_id
      LEFT JOIN operations op ON op.style_id = o.style_id AND op.seq = """ + output_seq_sql("o.style_id") + """
      LEFT JOIN bundle_op_progress p ON p.bundle_id = b.id AND p.operation_id = op.id
      LEFT JOIN (SELECT w.bundle_id, sum(w.pieces) AS pieces FROM rework w JOIN bundles wb ON wb.id = w.bundle_id
                 WHERE wb.order_id IN :ids AND w.status IN """ + ReworkStatus.sql(REWORK_PENDING) + """
                 GROUP BY w.bundle_id) r ON r.bundle_id = b.id
      WHERE b.order_id IN :ids) q
GROUP BY q.order_id, q.size, q.colour
""").bindparams(bindparam("ids", expanding=True))

_ORDER_QUALITY = text("""
SELECT o.id AS order_id,
       coalesce((SELECT sum(r.pieces) FROM rework r WHERE r.order_id = o.id AND r.bundle_id IS NULL
                 AND r.status IN """ + ReworkStatus.sql(REWORK_PENDING) + """), 0) AS returns_pending,
       coalesce((SELECT sum(c.pieces) FROM customer_returns c WHERE c.order_id = o.id
                 AND c.disposition = :scrap), 0) AS scrapped
FROM orders o WHERE o.id IN :ids
""").bindparams(bindparam("ids", expanding=True))


def quality_figures(order_ids: list[int], sewn_out: dict[int, dict[Cell, int]] | None = None
                    ) -> dict[int, QualityFigures]:
    """THE definition of "passed final QC" and "rejected / scrapped" for the reconciliation:

    - passed final QC (per size x colour): pieces sewn (done at the output operation) of bundles that had an
      end-line inspection, less the pieces of those bundles still in rework (open or repaired, not re-checked
      good). Inline audits are samples of one operation, not final QC; the AQL audit samples a lot and closes
      the final inspection milestone, it passes no piece by itself.
    - rejected (per size x colour): pieces in rework not re-checked good yet (open or repaired), from any
      inspection of the cell's bundles; rework closed after a good re-check counts as good again.
      Rework opened from a customer return (no bundle) counts in the order's total only.
    - scrapped (order total only): pieces of customer returns with the disposition scrap (returns carry no size
      or colour).
    `sewn_out` receives the sewn pieces per order and cell (read in the same query)."""
    out = {oid: QualityFigures({}, {}) for oid in order_ids}
    if not order_ids:
        return out
    for r in db.session.execute(_BUNDLE_QUALITY, {"ids": order_ids}):
        m = r._mapping
        cell, q = (m["size"], m["colour"]), out[m["order_id"]]
        if sewn_out is not None:
            sewn_out.setdefault(m["order_id"], {})[cell] = int(m["sewn"])
        if m["inspected"]:
            q.passed_qc[cell] = int(m["passed"])
        q.rejected[cell] = int(m["pending"])
    for r in db.session.execute(_ORDER_QUALITY, {"ids": order_ids, "scrap": Disposition.SCRAP.value}):
        m = r._mapping
        out[m["order_id"]].rejected_unassigned = int(m["returns_pending"])
        out[m["order_id"]].scrapped = int(m["scrapped"])
    return out


_CUT = text("SELECT order_id, size, colour, sum(pieces) AS pieces FROM bundles WHERE order_id IN :ids "
            "GROUP BY order_id, size, colour").bindparams(bindparam("ids", expanding=True))


def reconciliations(orders: list[Order]) -> dict[int, reconciliation.Reconciliation]:
    """Cut-to-ship figures of these orders (a few queries for all of them)."""
    ids = [o.id for o in orders]
    if not ids:
        return {}
    cut: dict[int, dict[Cell, int]] = {}
    for r in db.session.execute(_CUT, {"ids": ids}):
        m = r._mapping
        cut.setdefault(m["order_id"], {})[(m["size"], m["colour"])] = int(m["pieces"])
    sewn: dict[int, dict[Cell, int]] = {}
    quality = quality_figures(ids, sewn)
    packed, shipped = packing_figures(ids)
    out = {}
    for o in orders:
        short_pm, excess_pm = reconciliation.tolerance(o.short_tolerance_pm, o.excess_tolerance_pm)
        q = quality[o.id]
        out[o.id] = reconciliation.reconcile(
            order_id=o.id, number=o.number, status=o.status, short_pm=short_pm, excess_pm=excess_pm,
            ordered={(x.size, x.colour): x.quantity for x in o.quantities}, cut=cut.get(o.id, {}),
            sewn=sewn.get(o.id, {}), passed_qc=q.passed_qc, rejected=q.rejected, scrapped=q.scrapped,
            rejected_unassigned=q.rejected_unassigned, packed=packed[o.id], shipped=shipped[o.id],
            sizes=tuple(o.style.sizes))
    return out


AT_RISK_STATUSES = (OrderStatus.SEWING, OrderStatus.FINISHING, OrderStatus.PACKED, OrderStatus.SHIPPED)


def _orders(statuses, line_id: int | None) -> list[Order]:
    """The orders with what the reconciliation reads of each (quantities, style) loaded with them."""
    q = (select(Order).where(Order.status.in_(statuses)).order_by(Order.due_date, Order.number)
         .options(selectinload(Order.quantities), selectinload(Order.style)))
    if line_id is not None:
        q = q.where(Order.line_id == line_id)
    return list(db.session.scalars(q))


def short_shipments(line_id: int | None = None) -> list[reconciliation.Reconciliation]:
    """Orders at risk of short shipment: sewing or later (cutting is meant to be done), what can ship below
    the order's short tolerance."""
    found = reconciliations(_orders(AT_RISK_STATUSES, line_id)).values()
    return [r for r in found if r.verdict == ShipVerdict.SHORT]


def listed_reconciliations(line_id: int | None = None) -> list[reconciliation.Reconciliation]:
    """Every order but the cancelled ones (the CSV export)."""
    return list(reconciliations(_orders(ORDERS_LISTED, line_id)).values())


# --- The order's history: status changes and edits ------------------------------------------------------------
@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str | None          # None: a rule
    from_status: OrderStatus | None
    to_status: OrderStatus | None   # None: an edit
    why: str                 # the manager's reason, the rule's label, or what an edit changed


def history(order_id: int) -> list[HistoryEntry]:
    """Every status change (order_status_changes) and edit (audit log) of the order, newest first."""
    changes = db.session.scalars(select(OrderStatusChange).where(OrderStatusChange.order_id == order_id)
                                 .order_by(OrderStatusChange.id)).all()
    edits = db.session.scalars(select(AuditEntry).where(AuditEntry.target == audit_target(order_id),
                                                        AuditEntry.action == AUDIT_EDIT)
                                .order_by(AuditEntry.id)).all()
    who = {c.by_user_id for c in changes} | {a.actor_id for a in edits}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(who - {None})))
                 .all()) if who - {None} else {}
    rows = [HistoryEntry(c.at, names.get(c.by_user_id), c.from_status, c.to_status,
                         c.reason or (c.rule.label if c.rule else "")) for c in changes]
    rows += [HistoryEntry(a.at, names.get(a.actor_id), None, None, a.details) for a in edits]
    order = {id(h): i for i, h in enumerate(rows)}  # same time (one transaction): written order
    return sorted(rows, key=lambda h: (h.at, order[id(h)]), reverse=True)


def actions(order: Order) -> list[tuple[str, OrderStatus]]:
    """The manager's possible actions on this order now, with the status each leads to."""
    return [(a, to) for a in MANAGER_ACTIONS if (to := action_target(order, a)) is not None]
