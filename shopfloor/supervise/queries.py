"""Line WIP and bottleneck from the order x operation summary."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text

from shopfloor.balance.queries import running_style_ids
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Operation, Order, OrderOpProgress, Role, User, WorkLog
from shopfloor.scan.queries import find_bundle
from shopfloor.vocabulary import ORDERS_ON_FLOOR, STYLE_ENDS_SQL, OrderStatus


@dataclass
class Station:
    op: Operation
    done: int
    wip_before: int   # pieces done at the previous operation but not yet here


@dataclass
class LineFlow:
    order: Order
    stations: list[Station]

    @property
    def bottleneck(self) -> Station | None:
        """The operation with the most work piled up in front of it."""
        waiting = [s for s in self.stations if s.wip_before > 0]
        return max(waiting, key=lambda s: s.wip_before) if waiting else None

    @property
    def wip(self) -> int:
        """Work in progress: pieces started (first operation) and not yet out (last operation). The board reads
        the same sum per line in one query (wip_by_line)."""
        return self.stations[0].done - self.stations[-1].done if self.stations else 0


# LineFlow.wip summed per line over the orders on the floor, from the order x operation summary: two counters
# per order read by their key, whatever the size of the ledger or the number of bundles.
_WIP_BY_LINE = text(f"""
SELECT o.line_id,
       sum(COALESCE((SELECT p.done FROM order_op_progress p
                     WHERE p.order_id = o.id AND p.operation_id = e.first_op_id), 0)
         - COALESCE((SELECT p.done FROM order_op_progress p
                     WHERE p.order_id = o.id AND p.operation_id = e.output_op_id), 0))
FROM orders o LEFT JOIN {STYLE_ENDS_SQL} e ON e.style_id = o.style_id
WHERE o.status IN {OrderStatus.sql(ORDERS_ON_FLOOR)} AND o.line_id IS NOT NULL
GROUP BY o.line_id
""")


def wip_by_line() -> dict[int, int]:
    """Pieces in progress on each line (LineFlow.wip, summed over its orders on the floor)."""
    return {line_id: int(n or 0) for line_id, n in db.session.execute(_WIP_BY_LINE)}


def line_flows(line_id: int | None = None) -> list[LineFlow]:
    q = select(Order).where(Order.status.in_(ORDERS_ON_FLOOR)).order_by(Order.due_date)
    if line_id:
        q = q.where(Order.line_id == line_id)
    orders = db.session.scalars(q).all()
    progress: dict[int, dict[int, int]] = {}
    if orders:
        for oid, op_id, n in db.session.execute(select(OrderOpProgress.order_id, OrderOpProgress.operation_id,
                                                       OrderOpProgress.done)
                                                .where(OrderOpProgress.order_id.in_([o.id for o in orders]))):
            progress.setdefault(oid, {})[op_id] = n
    flows = []
    for order in orders:
        done = progress.get(order.id, {})
        ops = [o for o in order.style.operations if o.active]
        stations, prev = [], None
        for op in ops:
            d = int(done.get(op.id, 0))
            stations.append(Station(op, d, (prev - d) if prev is not None else 0))
            prev = d
        flows.append(LineFlow(order, stations))
    return flows


def lines() -> list[Line]:
    """The lines in use (a retired line is left out of the pickers)."""
    return list(db.session.scalars(select(Line).where(Line.active.is_(True)).order_by(Line.code)))


def operators(line_id: int | None) -> list[User]:
    q = select(User).where(User.role == Role.OPERATOR.value, User.active.is_(True)).order_by(User.name)
    if line_id:
        q = q.where(User.line_id == line_id)
    return list(db.session.scalars(q))


def by_line(users: list[User], all_lines: list[Line]) -> list[tuple[Line | None, list[User]]]:
    """Operators grouped by their line, in the lines' order; those on no line last."""
    groups: dict[int | None, list[User]] = {}
    for u in users:
        groups.setdefault(u.line_id, []).append(u)
    out = [(ln, groups[ln.id]) for ln in all_lines if ln.id in groups]
    return out + ([(None, groups[None])] if None in groups else [])


def operations_by_line() -> dict[int, list[Operation]]:
    """Each line's choice of operations: the active operations of its running style (balance.queries)."""
    styles = running_style_ids()
    ops: dict[int, list[Operation]] = {}
    if styles:
        for op in db.session.scalars(select(Operation).where(Operation.style_id.in_(set(styles.values())),
                                                             Operation.active.is_(True)).order_by(Operation.seq)):
            ops.setdefault(op.style_id, []).append(op)
    return {line_id: ops.get(style_id, []) for line_id, style_id in styles.items()}


def bundle_entries(ref: str) -> tuple[str, list[WorkLog], str | None]:
    """A bundle's ledger by the same reference a scan takes (typed code, signed QR or /b/ link),
    or why the reference names no bundle."""
    try:
        bundle = find_bundle(ref)
    except DomainError as e:
        return "", [], e.message
    return bundle.code, list(db.session.scalars(select(WorkLog).where(WorkLog.bundle_id == bundle.id)
                                                .order_by(WorkLog.id))), None
