"""The live bottleneck of each line (supervise page and wall board).

For the line's running style, per operation over the last hour:
    output            pieces logged at the operation (the ledger's rows of the line in that hour: an index range
                      on work_log (line_id, created_at), never a GROUP BY over the whole ledger)
    WIP growth        pieces logged at the operation before it less pieces logged at it (WIP in front grew)
    balance capacity  60 x operators assigned to it x the line's planned efficiency / SAM
The live bottleneck: among the operations whose WIP grew, the one with the lowest output against its balance
capacity (an operation nobody is assigned to counts as 0 %); none while no WIP grows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text

from shopfloor import clock
from shopfloor.balance.queries import running_style_ids
from shopfloor.extensions import db
from shopfloor.models.people import Role

WINDOW = timedelta(hours=1)

_LINES = text("SELECT id, target_efficiency FROM lines WHERE active")
_OPS = text("SELECT id, style_id, seq, name, sam FROM operations WHERE active AND style_id IN :styles "
            "ORDER BY style_id, seq").bindparams(bindparam("styles", expanding=True))
_ASSIGNED = text(f"SELECT line_id, assigned_operation_id AS op, count(*) AS n FROM users "
                 f"WHERE role = '{Role.OPERATOR.value}' AND active AND line_id IS NOT NULL "
                 "AND assigned_operation_id IS NOT NULL GROUP BY line_id, assigned_operation_id")
# Every line's last hour in one statement (a statement per line was 25 round trips a poll of a 25-line board).
_LAST_HOUR = text("SELECT line_id, operation_id, sum(pieces) FROM work_log "
                  "WHERE line_id IN :lines AND created_at >= :since GROUP BY line_id, operation_id"
                  ).bindparams(bindparam("lines", expanding=True))


@dataclass(frozen=True)
class LiveBottleneck:
    line_id: int
    seq: int
    name: str
    output: int            # pieces in the last hour
    capacity: float        # pieces per hour its assigned operators should give
    growth: int            # WIP in front of it grew by this many pieces in the hour

    @property
    def percent(self) -> float | None:
        return self.output * 100.0 / self.capacity if self.capacity > 0 else None


def bottlenecks(now_utc: datetime | None = None) -> dict[int, LiveBottleneck]:
    """line id -> its live bottleneck (lines with none are left out)."""
    since = (now_utc or clock.utcnow()) - WINDOW
    styles = running_style_ids()
    if not styles:
        return {}
    ops: dict[int, list] = {}
    for r in db.session.execute(_OPS, {"styles": sorted(set(styles.values()))}).mappings():
        ops.setdefault(r["style_id"], []).append(r)
    assigned = {(line_id, op): n for line_id, op, n in db.session.execute(_ASSIGNED).all()}
    lines = [(line_id, float(eff)) for line_id, eff in db.session.execute(_LINES)
             if len(ops.get(styles.get(line_id), [])) >= 2]
    last_hour: dict[int, dict[int, int]] = {}
    if lines:
        for line_id, op_id, n in db.session.execute(_LAST_HOUR, {"lines": [lid for lid, _e in lines],
                                                                 "since": since}).all():
            last_hour.setdefault(line_id, {})[op_id] = int(n or 0)
    out = {}
    for line_id, eff in lines:
        line_ops = ops[styles[line_id]]
        done = last_hour.get(line_id, {})
        worst, prev = None, None
        for op in line_ops:
            n = done.get(op["id"], 0)
            if prev is not None and done.get(prev, 0) - n > 0:
                cap = 60.0 * assigned.get((line_id, op["id"]), 0) * eff / float(op["sam"])
                ratio = n / cap if cap > 0 else 0.0
                key = (ratio, -(done.get(prev, 0) - n), op["seq"])
                if worst is None or key < worst[0]:
                    worst = (key, LiveBottleneck(line_id, op["seq"], op["name"], n, cap, done.get(prev, 0) - n))
            prev = op["id"]
        if worst:
            out[line_id] = worst[1]
    return out
