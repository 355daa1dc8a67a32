"""Line balancing as a mixed-integer programme, solved by HiGHS (highspy). No database, no Flask: plain numbers in,
shares out (tests/test_balance_solver.py checks it against hand-computed optima).

Formulation (docs/architecture.md "Line balance"):

    operations j with SAM s_j; operators i; e_ij > 0 the efficiency of i on j, given only where i is qualified
    x_ij in [0, 1]   share of operator i's hour spent on operation j           (a variable only where e_ij > 0)
    y_ij in {0, 1}   operator i works on operation j at all
    T >= 0           the line's output per hour

    stage 1:  maximise T
              subject to   60 * sum_i e_ij * x_ij / s_j >= T     every operation j   (its capacity per hour)
                           sum_j x_ij <= 1                       every operator i    (one hour of work)
                           x_ij <= y_ij,  sum_j y_ij <= 2        every operator i    (at most two operations)
                           x_ij >= MIN_SHARE * y_ij                          (no split of a few minutes)
    stage 2:  T fixed at its optimum (less a hair for rounding);
              minimise sum y_ij - USE_WEIGHT * sum x_ij,  with sum_j y_ij >= 1 for every operator qualified
              for something: everyone present is placed, an operator is split only where the optimum needs
              it (a pair costs more than any use can repay), then spare time is used where they are placed
              (slack before the bottleneck moves).

An operation nobody may run forces T = 0; the caller refuses that case before solving, with its name.
"""
from __future__ import annotations

from dataclasses import dataclass

import highspy

USE_WEIGHT = 0.01       # stage 2: worth of a whole hour of use, below the cost of one more pair (1)
MIN_SHARE = 0.10        # a split share is at least 6 minutes of the hour
MAX_OPERATIONS = 2      # an operator splits their time over at most two operations
TIME_LIMIT_S = 2.0      # each stage; the best allocation found by then is used
GAP = (1e-4, 1e-2)      # relative MIP gap accepted: stage 1 (the output), stage 2 (the use of spare time)
SHARE_EPS = 1e-6        # shares below this are read as zero


@dataclass(frozen=True)
class Allocation:
    output_per_hour: float                    # T
    shares: dict[tuple[int, int], float]      # (operator id, operation id) -> share of the operator's hour
    optimal: bool                             # False: a time limit stopped stage 1 (T is the best found, feasible)


def solve(sams: dict[int, float], operators: list[int], efficiency: dict[tuple[int, int], float]) -> Allocation:
    """The allocation maximising the line's output per hour (stage 1), then using spare time with few splits."""
    pairs = [(i, j) for i in operators for j in sams if efficiency.get((i, j), 0) > 0]
    if not pairs or not sams:
        return Allocation(0.0, {}, True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", TIME_LIMIT_S)
    h.setOptionValue("mip_rel_gap", GAP[0])
    x = {p: h.addVariable(lb=0.0, ub=1.0) for p in pairs}
    y = {p: h.addBinary() for p in pairs}
    t = h.addVariable(lb=0.0)
    for j, sam in sams.items():
        on_j = [p for p in pairs if p[1] == j]
        h.addConstr(sum((60.0 * efficiency[p] / sam) * x[p] for p in on_j) - t >= 0 if on_j else t <= 0)
    for i in operators:
        mine = [p for p in pairs if p[0] == i]
        if mine:
            h.addConstr(sum(x[p] for p in mine) <= 1)
            h.addConstr(sum(y[p] for p in mine) <= MAX_OPERATIONS)
    for p in pairs:
        h.addConstr(x[p] - y[p] <= 0)
        h.addConstr(x[p] - MIN_SHARE * y[p] >= 0)

    h.maximize(t)
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    best = max(0.0, h.val(t))
    if best <= 0:
        return Allocation(0.0, {}, optimal)
    h.addConstr(t >= best * (1 - 1e-7))
    h.setOptionValue("mip_rel_gap", GAP[1])
    for i in operators:
        mine = [p for p in pairs if p[0] == i]
        if mine:
            h.addConstr(sum(y[p] for p in mine) >= 1)
    h.minimize(sum(y[p] for p in pairs) - USE_WEIGHT * sum(x[p] for p in pairs))
    shares = {p: round(h.val(x[p]), 6) for p in pairs if h.val(x[p]) > SHARE_EPS}
    return Allocation(capacity_limited_output(sams, shares, efficiency), shares, optimal)


def capacities(sams: dict[int, float], shares: dict[tuple[int, int], float],
               efficiency: dict[tuple[int, int], float]) -> dict[int, float]:
    """Capacity per hour of each operation = 60 x sum(share x efficiency) / SAM (PRODUCT.md "Allocation")."""
    cap = {j: 0.0 for j in sams}
    for (i, j), share in shares.items():
        if j in cap:
            cap[j] += 60.0 * share * efficiency.get((i, j), 0.0) / sams[j]
    return cap


def capacity_limited_output(sams: dict[int, float], shares: dict[tuple[int, int], float],
                            efficiency: dict[tuple[int, int], float]) -> float:
    """The line's output per hour: the lowest capacity (the bottleneck); 0 with no operation."""
    cap = capacities(sams, shares, efficiency)
    return min(cap.values()) if cap else 0.0
