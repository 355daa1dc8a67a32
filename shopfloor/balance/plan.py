"""The figures of a line balance (PRODUCT.md "Allocation"), from an allocation of shares. Plain numbers, no database.

    operators needed on an operation = SAM x target per hour / 60 / efficiency
    pitch time                       = total SAM / operators
    capacity per hour of an operation = 60 x sum(share x efficiency) / SAM            (solver.capacities)
    line output per hour             = the lowest capacity (the bottleneck)
    balance efficiency %             = total SAM x 100 / (operators x the bottleneck's cycle time per piece)
                                       with the cycle time = 60 / the bottleneck's capacity (minutes a piece)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from shopfloor.balance import solver


@dataclass(frozen=True)
class Op:
    id: int
    seq: int
    name: str
    machine: str
    sam: float


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass
class Share:
    person: Person
    share: float
    efficiency: float


@dataclass
class OpPlan:
    op: Op
    needed: float | None          # operators needed for the target (None: nobody's efficiency known)
    shares: list[Share]
    capacity: float               # pieces per hour
    bottleneck: bool = False

    @property
    def allocated(self) -> float:
        return sum(s.share for s in self.shares)


@dataclass
class LinePlan:
    ops: list[OpPlan]
    operators: int                # present operators
    target: float                 # pieces per hour asked for
    output: float                 # pieces per hour (the bottleneck's capacity)
    assignments: dict[int, int]   # operator id -> main operation id (largest share; the earlier operation on a tie)
    idle: list[Person] = field(default_factory=list)
    optimal: bool = True

    @property
    def total_sam(self) -> float:
        return sum(p.op.sam for p in self.ops)

    @property
    def pitch_time(self) -> float | None:
        return self.total_sam / self.operators if self.operators else None

    @property
    def bottleneck(self) -> OpPlan | None:
        return next((p for p in self.ops if p.bottleneck), None)

    @property
    def cycle_time(self) -> float | None:
        """The bottleneck's minutes per piece."""
        return 60.0 / self.output if self.output > 0 else None

    @property
    def balance_efficiency(self) -> float | None:
        if not self.operators or self.cycle_time is None:
            return None
        return self.total_sam * 100.0 / (self.operators * self.cycle_time)

    @property
    def needed_total(self) -> float | None:
        needed = [p.needed for p in self.ops]
        return None if any(n is None for n in needed) else sum(needed)


def main_operations(ops: list[Op], shares: dict[tuple[int, int], float]) -> dict[int, int]:
    """Each operator's main operation: the largest share, the earlier in the bulletin on a tie."""
    seq = {o.id: o.seq for o in ops}
    best: dict[int, tuple[float, int, int]] = {}
    for (i, j), share in shares.items():
        key = (share, -seq[j], j)
        if i not in best or key > best[i]:
            best[i] = key
    return {i: k[2] for i, k in best.items()}


def build(ops: list[Op], people: list[Person], efficiency: dict[tuple[int, int], float],
          allocation: solver.Allocation, target: float) -> LinePlan:
    sams = {o.id: o.sam for o in ops}
    by_id = {p.id: p for p in people}
    cap = solver.capacities(sams, allocation.shares, efficiency)
    output = min(cap.values()) if cap else 0.0
    plans = []
    for o in ops:
        shares = [Share(by_id[i], s, efficiency[(i, j)]) for (i, j), s in sorted(allocation.shares.items())
                  if j == o.id]
        if shares:
            eff = sum(s.share * s.efficiency for s in shares) / sum(s.share for s in shares)
        else:
            known = [e for (i, j), e in efficiency.items() if j == o.id and i in by_id]
            eff = sum(known) / len(known) if known else None
        needed = o.sam * target / 60.0 / eff if eff else None
        plans.append(OpPlan(o, needed, shares, cap[o.id]))
    if plans:
        low = min(plans, key=lambda p: (p.capacity, p.op.seq))
        low.bottleneck = True
    assignments = main_operations(ops, allocation.shares)
    idle = [p for p in people if p.id not in assignments]
    return LinePlan(plans, len(people), target, output, assignments, idle, allocation.optimal)


@dataclass
class Candidate:
    person: Person
    efficiency: float
    from_op: Op | None            # where they work now (None: unassigned)
    output: float                 # line output per hour once they move
    recovered: float              # that output less the output while the operation stays uncovered


@dataclass
class Uncovered:
    op: Op
    absent: list[Person]          # the operators assigned to it who are absent or stopped
    lost: float                   # output per hour lost while it stays uncovered
    candidates: list[Candidate]


def current_output(ops: list[Op], assigned: dict[int, int], efficiency: dict[tuple[int, int], float]) -> float:
    """The line's output per hour with each operator full time on their assigned operation."""
    sams = {o.id: o.sam for o in ops}
    return solver.capacity_limited_output(sams, {(i, j): 1.0 for i, j in assigned.items() if j in sams}, efficiency)


def uncovered(ops: list[Op], people: list[Person], assigned: dict[int, int], present: set[int],
              efficiency: dict[tuple[int, int], float], qualified: set[tuple[int, int]],
              limit: int = 3) -> tuple[float, float, list[Uncovered]]:
    """Operations whose assigned operators are all absent or stopped, and replacements from the skill matrix.

    Returns (output per hour with everyone, output per hour with the present only, [uncovered operations]),
    each candidate with the line's output per hour once moved there full time (from their own operation)."""
    by_id = {p.id: p for p in people}
    op_ids = {o.id for o in ops}
    mine = {i: j for i, j in assigned.items() if j in op_ids}
    before = current_output(ops, mine, efficiency)
    here = {i: j for i, j in mine.items() if i in present}
    without = current_output(ops, here, efficiency)
    covered = set(here.values())
    by_op = {o.id: o for o in ops}
    out = []
    for o in ops:
        gone = [by_id[i] for i, j in mine.items() if j == o.id and i not in present]
        if o.id in covered or not gone:
            continue
        candidates = []
        for p in people:
            if p.id not in present or (p.id, o.id) not in qualified:
                continue
            moved = dict(here)
            moved[p.id] = o.id
            output = current_output(ops, moved, efficiency)
            candidates.append(Candidate(p, efficiency[(p.id, o.id)], by_op.get(here.get(p.id)), output,
                                        output - without))
        candidates.sort(key=lambda c: (-c.output, -c.efficiency, c.person.name))
        out.append(Uncovered(o, gone, before - without, candidates[:limit]))
    return before, without, out
