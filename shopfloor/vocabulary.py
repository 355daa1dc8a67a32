"""The floor's vocabulary, each idea defined once: statuses and their labels, status groups,
"the output operation", efficiency and working days.

Every page, query and service reads these names; templates show a status through the `label`
filter (templating.py), never through a dictionary of their own.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import Enum as SqlEnum


# Status words are translated in the "status" context: a status "Open" is not the button "Open".
class Vocabulary(str, enum.Enum):
    """A status family: the stored value is the enum's value, the label is translated when shown."""

    @property
    def label(self) -> str:
        return str(self._labels()[self])

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError

    @classmethod
    def sql(cls, group) -> str:
        """A group as an SQL list literal, for plain-SQL queries: ('cutting', 'sewing')."""
        return "(" + ", ".join(f"'{s.value}'" for s in group) + ")"

    def __str__(self) -> str:  # format and Jinja show the stored value, as a plain str column did
        return self.value


def column_type(family: type[Vocabulary], length: int) -> SqlEnum:
    """A status column: stored as its plain value (VARCHAR), read back as the family's member."""
    return SqlEnum(family, native_enum=False, create_constraint=False, length=length, validate_strings=True,
                   values_callable=lambda members: [m.value for m in members])


class OrderStatus(Vocabulary):
    """open -> cutting -> sewing -> finishing -> packed -> shipped -> closed; or hold / cancelled."""
    OPEN = "open"
    CUTTING = "cutting"
    SEWING = "sewing"
    FINISHING = "finishing"
    PACKED = "packed"
    SHIPPED = "shipped"
    CLOSED = "closed"
    HOLD = "hold"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.OPEN: _p("status", "Open"), cls.CUTTING: _p("status", "Cutting"), cls.SEWING: _p("status", "Sewing"),
                cls.FINISHING: _p("status", "Finishing"), cls.PACKED: _p("status", "Packed"), cls.SHIPPED: _p("status", "Shipped"),
                cls.CLOSED: _p("status", "Closed"), cls.HOLD: _p("status", "On hold"), cls.CANCELLED: _p("status", "Cancelled")}


# Which orders are ... (used by the board, review, forecast, capacity and supervision alike)
ORDERS_ON_FLOOR = (OrderStatus.CUTTING, OrderStatus.SEWING, OrderStatus.FINISHING)  # being made now
ORDERS_OPEN = (OrderStatus.OPEN,) + ORDERS_ON_FLOOR                                  # still to make
ORDERS_FINISHED = (OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.CLOSED)
ORDERS_STOPPED = (OrderStatus.HOLD, OrderStatus.CANCELLED)                           # no work may be logged
ORDERS_LISTED = ORDERS_OPEN + ORDERS_FINISHED + (OrderStatus.HOLD,)                  # everything but cancelled
ORDERS_BEFORE_SEWING = (OrderStatus.OPEN, OrderStatus.CUTTING)                       # the first entry starts sewing

# The order's lifecycle: every status change allowed, written once (orders/services.change_status checks it; the
# order page offers only these). The flow open -> ... -> closed moves by a rule or a manager's action; any status
# before shipping may be put on hold (released back to the status it had, orders.held_from) or cancelled.
ORDER_FLOW = (OrderStatus.OPEN, OrderStatus.CUTTING, OrderStatus.SEWING, OrderStatus.FINISHING, OrderStatus.PACKED,
              OrderStatus.SHIPPED, OrderStatus.CLOSED)
ORDERS_HOLDABLE = (OrderStatus.OPEN,) + ORDERS_ON_FLOOR + (OrderStatus.PACKED,)     # may go on hold or be cancelled
ORDER_TRANSITIONS: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    **{s: (n, OrderStatus.HOLD, OrderStatus.CANCELLED) for s, n in zip(ORDER_FLOW, ORDER_FLOW[1:])
       if s in ORDERS_HOLDABLE},
    OrderStatus.SHIPPED: (OrderStatus.CLOSED,),
    OrderStatus.CLOSED: (),
    OrderStatus.HOLD: ORDERS_HOLDABLE + (OrderStatus.CANCELLED,),  # release: back to orders.held_from only
    OrderStatus.CANCELLED: (),
}
ORDERS_EDITABLE = (OrderStatus.OPEN,) + ORDERS_ON_FLOOR + (OrderStatus.HOLD,)       # customer, dates, quantities


class StatusRule(Vocabulary):
    """Why an order's status changed without a manager: the rule that moved it (order_status_changes.rule)."""
    CREATED = "created"          # orders/services.create_order
    CUT = "cut"                  # orders/services.cut_order: the first bundles were cut
    FIRST_SCAN = "first_scan"    # planning/schedule.on_sewing_started: the first piece was logged
    OUTPUT_DONE = "output_done"  # planning/schedule.on_output_logged: every ordered piece passed the output operation
    PACKING = "packing"          # packing (orders/services.advance called by the packing area)
    SHIPPING = "shipping"        # shipping (idem)

    @classmethod
    def _labels(cls):
        return {cls.CREATED: _l("Order entered"), cls.CUT: _l("First bundles cut"),
                cls.FIRST_SCAN: _l("First piece logged"),
                cls.OUTPUT_DONE: _l("Every ordered piece passed the output operation"),
                cls.PACKING: _l("Packed"), cls.SHIPPING: _l("Shipped")}


class ShipVerdict(Vocabulary):
    """Pieces that can ship against the order's shipping tolerance (orders/reconciliation.verdict)."""
    SHORT = "short"
    WITHIN = "within"
    EXCESS = "excess"

    @classmethod
    def _labels(cls):
        return {cls.SHORT: _l("Short"), cls.WITHIN: _l("Within tolerance"), cls.EXCESS: _l("Excess")}


def may_become(current: OrderStatus, to: OrderStatus) -> bool:
    """Whether an order may go from `current` to `to` (ORDER_TRANSITIONS)."""
    return to in ORDER_TRANSITIONS.get(current, ())


def became_from(to: OrderStatus) -> tuple[OrderStatus, ...]:
    """The statuses an order may reach `to` from (a rule's conditional UPDATE reads them)."""
    return tuple(s for s, targets in ORDER_TRANSITIONS.items() if to in targets and s != OrderStatus.HOLD)


class BundleStatus(Vocabulary):
    OPEN = "open"
    HOLD = "hold"
    REWORK = "rework"
    DONE = "done"

    @classmethod
    def _labels(cls):
        return {cls.OPEN: _p("status", "Open"), cls.HOLD: _p("status", "On hold"), cls.REWORK: _p("status", "In rework"), cls.DONE: _p("status", "Done")}


class ReworkStatus(Vocabulary):
    """open -> repaired (by the operator) -> closed (re-checked good)."""
    OPEN = "open"
    REPAIRED = "repaired"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {cls.OPEN: _p("status", "Open"), cls.REPAIRED: _p("status", "Repaired"), cls.CLOSED: _p("status", "Closed")}


REWORK_PENDING = (ReworkStatus.OPEN, ReworkStatus.REPAIRED)  # not yet re-checked good


class InspectionResult(Vocabulary):
    PASS = "pass"
    FAIL = "fail"

    @classmethod
    def _labels(cls):
        return {cls.PASS: _p("status", "Pass"), cls.FAIL: _p("status", "Fail")}


class InspectionKind(Vocabulary):
    INLINE = "inline"
    ENDLINE = "endline"
    RECHECK = "recheck"

    @classmethod
    def _labels(cls):
        return {cls.INLINE: _l("Inline audit"), cls.ENDLINE: _l("End-line"), cls.RECHECK: _l("Re-check")}


class Light(Vocabulary):
    """Traffic light of an inline audit of 7 pieces: 0 defects green, 1 yellow, 2 or more red."""
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @classmethod
    def _labels(cls):
        return {cls.GREEN: _l("Green: carry on"), cls.YELLOW: _l("Yellow: one defect — watch this operator"),
                cls.RED: _l("Red: stop and fix — check 100 %%")}

    @classmethod
    def of(cls, defects: int) -> "Light":
        return cls.GREEN if defects == 0 else cls.YELLOW if defects == 1 else cls.RED


class Severity(Vocabulary):
    CRITICAL = "critical"  # may not ship
    MAJOR = "major"
    MINOR = "minor"

    @classmethod
    def _labels(cls):
        return {cls.CRITICAL: _l("critical"), cls.MAJOR: _l("major"), cls.MINOR: _l("minor")}


class MilestoneStatus(Vocabulary):
    DONE = "done"
    LATE = "late"
    PLANNED = "planned"

    @classmethod
    def _labels(cls):
        return {cls.DONE: _p("status", "Done"), cls.LATE: _p("status", "Late"), cls.PLANNED: _p("status", "Planned")}

    @classmethod
    def of(cls, planned: date, actual: date | None, today: date) -> "MilestoneStatus":
        if actual is not None:
            return cls.DONE
        return cls.LATE if planned < today else cls.PLANNED


class MaterialStatus(Vocabulary):
    RECEIVED = "received"
    PARTIAL = "partial"
    ORDERED = "ordered"
    PLANNED = "planned"

    @classmethod
    def _labels(cls):
        return {cls.RECEIVED: _p("status", "received"), cls.PARTIAL: _p("status", "partly received"), cls.ORDERED: _p("status", "ordered"),
                cls.PLANNED: _p("status", "not ordered")}


class HeldScanStatus(Vocabulary):
    """A queued scan held for a supervisor: pending -> credited (to the operator named) or discarded."""
    PENDING = "pending"
    CREDITED = "credited"
    DISCARDED = "discarded"

    @classmethod
    def _labels(cls):
        return {cls.PENDING: _p("status", "Waiting"), cls.CREDITED: _p("status", "Credited"),
                cls.DISCARDED: _p("status", "Discarded")}


class StopStatus(Vocabulary):
    """A stoppage (andon): open -> acknowledged (the supervisor is on it; there is no mechanic role) -> closed;
    or open -> cancelled: undone by the one who raised it, within minutes, as raised by mistake (no downtime)."""
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.OPEN: _p("status", "Open"), cls.ACKNOWLEDGED: _p("status", "Acknowledged"),
                cls.CLOSED: _p("status", "Closed"), cls.CANCELLED: _p("status", "Cancelled")}


STOPS_ACTIVE = (StopStatus.OPEN, StopStatus.ACKNOWLEDGED)  # not closed yet: shown on the board, time runs


class StopScope(Vocabulary):
    """What a stoppage stops: one operator, one machine (a machine number on a line) or a whole line."""
    OPERATOR = "operator"
    MACHINE = "machine"
    LINE = "line"

    @classmethod
    def _labels(cls):
        return {cls.OPERATOR: _l("One operator"), cls.MACHINE: _l("One machine"), cls.LINE: _l("Whole line")}


class StopReason(Vocabulary):
    """The reason catalogue of stoppages. `off_standard`: its minutes are approved off-standard time
    (PRODUCT.md: time in which the operator could not earn)."""
    BREAKDOWN = "breakdown"
    NEEDLE_THREAD = "needle_thread"
    NO_WORK = "no_work"
    QUALITY = "quality"
    POWER = "power"
    MEETING = "meeting"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {cls.BREAKDOWN: _l("Machine breakdown"), cls.NEEDLE_THREAD: _l("Needle or thread break"),
                cls.NO_WORK: _l("No work / waiting for bundles"), cls.QUALITY: _l("Quality stop"),
                cls.POWER: _l("Power cut"), cls.MEETING: _l("Meeting"), cls.OTHER: _l("Other")}

    @property
    def off_standard(self) -> bool:
        return self in OFF_STANDARD_REASONS


# Approved off-standard time (PRODUCT.md "Time, stoppages and pay"). A needle or thread break is part of
# sewing: the SAM's allowances cover it, so it is the operator's own time. "Other" names no cause a supervisor
# approved, so it is not off-standard either (raise it under its real reason to have it paid).
OFF_STANDARD_REASONS = (StopReason.BREAKDOWN, StopReason.NO_WORK, StopReason.QUALITY, StopReason.POWER,
                        StopReason.MEETING)


class SkillLevel(Vocabulary):
    """How well an operator runs an operation or a machine type, set by a supervisor (the skill matrix).
    `assumed_efficiency`: the efficiency the line balance plans with while the ledger has not measured one."""
    LEARNING = "learning"
    QUALIFIED = "qualified"
    EXPERT = "expert"

    @classmethod
    def _labels(cls):
        return {cls.LEARNING: _l("Learning"), cls.QUALIFIED: _l("Qualified"), cls.EXPERT: _l("Expert")}

    @property
    def assumed_efficiency(self) -> float:
        return {SkillLevel.LEARNING: 0.50, SkillLevel.QUALIFIED: 0.75, SkillLevel.EXPERT: 0.90}[self]
class PackMode(Vocabulary):
    """How an order is packed: one size and one colour per carton (solid), or an assortment of sizes of one
    colour in a fixed ratio per carton (ratio, e.g. S:M:L:XL = 1:2:2:1)."""
    SOLID = "solid"
    RATIO = "ratio"

    @classmethod
    def _labels(cls):
        return {cls.SOLID: _l("Solid (one size and colour per carton)"),
                cls.RATIO: _l("Ratio (an assortment of sizes per carton)")}


class CartonStatus(Vocabulary):
    """A carton: open (being packed) -> closed (full, or closed partly filled with a confirmation)."""
    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {cls.OPEN: _p("status", "Open"), cls.CLOSED: _p("status", "Closed")}


class ShipmentStatus(Vocabulary):
    """A shipment: planned (cartons being added) -> shipped (left the factory; its cartons are fixed)."""
    PLANNED = "planned"
    SHIPPED = "shipped"

    @classmethod
    def _labels(cls):
        return {cls.PLANNED: _p("status", "Planned"), cls.SHIPPED: _p("status", "Shipped")}


class Disposition(Vocabulary):
    """What happens to pieces a customer returned."""
    REPAIR = "repair"
    SCRAP = "scrap"
    RESTOCK = "restock"

    @classmethod
    def _labels(cls):
        return {cls.REPAIR: _l("Alter / repair"), cls.SCRAP: _l("Scrap"), cls.RESTOCK: _l("Restock")}


class MaterialKind(Vocabulary):
    FABRIC = "fabric"
    TRIMS = "trims"

    @classmethod
    def _labels(cls):
        return {cls.FABRIC: _l("Fabric"), cls.TRIMS: _l("Trims")}


class SequenceCheck(Vocabulary):
    """A style's rule for logging an operation while earlier operations of its bulletin have no pieces
    on the bundle: ask the operator first (warn), refuse (block), or say nothing (off)."""
    WARN = "warn"
    BLOCK = "block"
    OFF = "off"

    @classmethod
    def _labels(cls):
        return {cls.WARN: _l("Ask before logging out of order"), cls.BLOCK: _l("Refuse out-of-order logging"),
                cls.OFF: _l("No check of the order of operations")}


# "The output operation": the last active operation of a style's bulletin. A piece logged there is a
# garment out of the line. The ledger stores, on each row, whether it counted as output when written.
def output_seq_sql(style_id_sql: str) -> str:
    """SQL for the seq of a style's output operation (style_id_sql is a column expression)."""
    return f"(SELECT max(o2.seq) FROM operations o2 WHERE o2.style_id = {style_id_sql} AND o2.active)"


# Each style with active operations: its first and its output operation (the lowest and the highest seq of its
# active operations, as output_operation picks) and their SAM summed. A derived table to join on style_id, read
# once per statement: a subquery per order would scan the operations again for each (the board's orders and WIP).
STYLE_ENDS_SQL = """(SELECT g.style_id, f.id AS first_op_id, x.id AS output_op_id, g.sam
  FROM (SELECT style_id, min(seq) AS first_seq, max(seq) AS output_seq, sum(sam) AS sam
        FROM operations WHERE active GROUP BY style_id) g
  JOIN operations f ON f.style_id = g.style_id AND f.seq = g.first_seq
  JOIN operations x ON x.style_id = g.style_id AND x.seq = g.output_seq)"""


def output_operation(operations):
    """The output operation among a style's operations (None if it has no active one)."""
    active = [o for o in operations if o.active]
    return max(active, key=lambda o: o.seq) if active else None


# "Earlier operations not done yet": active operations before this one in the bulletin with no pieces on
# the bundle. The scan's read asks it in SQL (earlier_not_done_sql), the card in Python (earlier_not_done);
# a style's SequenceCheck says what follows.
def earlier_not_done_sql(bundle_id_sql: str, style_id_sql: str, seq_sql: str) -> str:
    """The condition on `operations e`: active, before seq_sql in the bulletin, no pieces on the bundle."""
    return (f"e.style_id = {style_id_sql} AND e.active AND e.seq < {seq_sql} "
            f"AND NOT EXISTS (SELECT 1 FROM bundle_op_progress ep WHERE ep.bundle_id = {bundle_id_sql} "
            f"AND ep.operation_id = e.id AND ep.done > 0)")


def earlier_not_done(operations, done: dict[int, int], seq: int) -> list[int]:
    """Seqs of the active operations before seq with no pieces (done: operation id -> pieces)."""
    return [o.seq for o in operations if o.active is not False and o.seq < seq and not done.get(o.id)]


def seq_ranges(seqs) -> str:
    """Operation numbers as a person reads them: [3, 7, 8] -> "3, 7–8"."""
    runs: list[list[int]] = []
    for n in sorted(seqs):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def efficiency(earned_minutes, available_minutes) -> float | None:
    """Efficiency % = earned minutes (Σ pieces × SAM) × 100 / available minutes.

    Available minutes are attended minutes (less off-standard minutes for on-standard efficiency):
    `Efficiency` below. Undefined (None, shown as —) when nothing was available.
    """
    available = float(available_minutes or 0)
    return float(earned_minutes or 0) * 100.0 / available if available > 0 else None


@dataclass(frozen=True)
class Efficiency:
    """An operator's, a line's or a period's figures from three sums of minutes (PRODUCT "Time, stoppages
    and pay"): earned (Σ pieces × SAM), attended (clock-out − clock-in − unpaid breaks, only approved
    overtime) and approved off-standard minutes (stoppages).

    overall     = earned × 100 / attended
    on_standard = earned × 100 / (attended − off-standard)
    Each undefined (None, shown as —) when its denominator is 0.
    """
    earned: float = 0.0
    attended: float = 0.0
    off_standard: float = 0.0

    @property
    def overall(self) -> float | None:
        return efficiency(self.earned, self.attended)

    @property
    def on_standard(self) -> float | None:
        return efficiency(self.earned, self.attended - self.off_standard)

    def __add__(self, other: "Efficiency") -> "Efficiency":
        return Efficiency(self.earned + other.earned, self.attended + other.attended,
                          self.off_standard + other.off_standard)

    @classmethod
    def total(cls, parts) -> "Efficiency":
        """The figures of a line, a day or a period: the sums of its parts' minutes (never an average of %).
        A part is anything with earned, attended and off_standard minutes (an Efficiency, an operator's day)."""
        earned = attended = off_standard = 0.0
        for p in parts:
            earned += p.earned
            attended += p.attended
            off_standard += p.off_standard
        return cls(earned, attended, off_standard)


class Presence(Vocabulary):
    """An operator at the gate today: not come yet (before the shift), present, late, absent, left; or no
    shift on their line that day (a rest day or a holiday)."""
    EXPECTED = "expected"
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    LEFT = "left"
    OFF = "off"

    @classmethod
    def _labels(cls):
        return {cls.EXPECTED: _p("status", "Expected"), cls.PRESENT: _p("status", "Present"),
                cls.LATE: _p("status", "Late"), cls.ABSENT: _p("status", "Absent"), cls.LEFT: _p("status", "Left"),
                cls.OFF: _p("status", "No shift today")}


WORKING_WEEKDAYS = (0, 1, 2, 3, 4, 5)  # Monday to Saturday; Sunday off


def is_working_day(day: date) -> bool:
    return day.weekday() in WORKING_WEEKDAYS


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after start (start itself when days <= 0)."""
    d = start
    while days > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            days -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """Working days after start up to and including end."""
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=i)))
