"""The line-balance solver (balance/solver.py) and figures (balance/plan.py) against optima computed by hand."""
from __future__ import annotations

import pytest

from shopfloor.balance import plan, solver

# The 5-operation example. SAMs 1.0, 0.5, 0.8, 0.6, 1.1 minutes: total SAM 4.0. Five operators, 100 % on all.
# Upper bound: five operators give 5 x 60 = 300 minutes an hour, a garment needs 4.0: T <= 300 / 4.0 = 75.
# 75 is reachable with at most two operations each: at T = 75 the operations need SAM x 75 / 60 operators
# = 1.25, 0.625, 1.0, 0.75, 1.375 (sum 5.0), e.g. A: op3 1.0; B: op1 1.0; C: op5 1.0; D: op1 0.25 + op4 0.75;
# E: op2 0.625 + op5 0.375. So the optimum is 75 pieces an hour, every operation at exactly 75 (no slack),
# pitch time 4.0 / 5 = 0.8 min, cycle time 60 / 75 = 0.8 min, balance efficiency 4.0 x 100 / (5 x 0.8) = 100 %.
SAMS = {1: 1.0, 2: 0.5, 3: 0.8, 4: 0.6, 5: 1.1}
OPS = [plan.Op(j, j, f"Op {j}", "Overlock", s) for j, s in SAMS.items()]
PEOPLE = [plan.Person(i, f"P{i}") for i in (10, 11, 12, 13, 14)]
ALL = {(p.id, j): 1.0 for p in PEOPLE for j in SAMS}


def _figures(eff, target=75.0):
    allocation = solver.solve(SAMS, [p.id for p in PEOPLE], eff)
    return allocation, plan.build(OPS, PEOPLE, eff, allocation, target)


def test_five_operations_known_optimum():
    allocation, lp = _figures(ALL)
    assert allocation.optimal
    assert lp.output == pytest.approx(75.0, rel=1e-6)
    assert lp.pitch_time == pytest.approx(0.8)
    assert lp.cycle_time == pytest.approx(0.8, rel=1e-6)
    assert lp.balance_efficiency == pytest.approx(100.0, rel=1e-6)
    for p in lp.ops:
        assert p.capacity == pytest.approx(75.0, rel=1e-6)
        assert p.allocated == pytest.approx(SAMS[p.op.id] * 75 / 60, rel=1e-6)   # 1.25, 0.625, 1.0, 0.75, 1.375
        assert p.needed == pytest.approx(SAMS[p.op.id] * 75 / 60)                 # SAM x target / 60 / 100 %
    per_person: dict[int, list[float]] = {}
    for (i, _j), share in allocation.shares.items():
        per_person.setdefault(i, []).append(share)
    assert all(len(v) <= 2 and sum(v) <= 1 + 1e-6 for v in per_person.values())
    assert len(lp.assignments) == 5 and lp.idle == []


def test_one_qualified_operator_makes_the_bottleneck():
    """Only P12 may run op 5 (SAM 1.1): its capacity is at most 60 / 1.1 = 54.55 an hour, and the other four
    need only 54.55 x (1.0 + 0.5 + 0.8 + 0.6) / 60 = 2.64 operators for the rest: T = 600 / 11.
    Balance efficiency = 4.0 x 100 / (5 x 60 / 54.55) = 72.7 %."""
    eff = {k: v for k, v in ALL.items() if k[1] != 5 or k[0] == 12}
    allocation, lp = _figures(eff)
    assert lp.output == pytest.approx(600 / 11, rel=1e-6)
    assert lp.bottleneck.op.id == 5 and allocation.shares[(12, 5)] == pytest.approx(1.0)
    assert lp.balance_efficiency == pytest.approx(4.0 * 100 / (5 * 60 / (600 / 11)), rel=1e-6)
    assert lp.assignments[12] == 5


def test_efficiency_scales_capacity():
    """Same line, every operator at 80 %: T = 0.8 x 75 = 60; needed on op 1 at a target of 60 =
    1.0 x 60 / 60 / 0.8 = 1.25."""
    eff = {k: 0.8 for k in ALL}
    _allocation, lp = _figures(eff, target=60.0)
    assert lp.output == pytest.approx(60.0, rel=1e-6)
    assert lp.ops[0].needed == pytest.approx(1.25)
    assert lp.balance_efficiency == pytest.approx(80.0, rel=1e-6)


def test_a_split_operator():
    """Two operations of 1.0 min, three operators at 100 %: 180 minutes an hour / 2.0 = 90 an hour; each
    operation needs 1.5 operators, so exactly one operator splits 50 / 50 and is assigned the earlier one."""
    sams = {1: 1.0, 2: 1.0}
    ops = [plan.Op(1, 1, "Front", "SN", 1.0), plan.Op(2, 2, "Back", "SN", 1.0)]
    people = [plan.Person(i, f"P{i}") for i in (1, 2, 3)]
    eff = {(i, j): 1.0 for i in (1, 2, 3) for j in sams}
    allocation = solver.solve(sams, [1, 2, 3], eff)
    lp = plan.build(ops, people, eff, allocation, 90.0)
    assert lp.output == pytest.approx(90.0, rel=1e-6)
    split = [i for i in (1, 2, 3) if len([k for k in allocation.shares if k[0] == i]) == 2]
    assert len(split) == 1
    s = split[0]
    assert allocation.shares[(s, 1)] == pytest.approx(0.5) and allocation.shares[(s, 2)] == pytest.approx(0.5)
    assert lp.assignments[s] == 1                      # a tie goes to the earlier operation


def test_nobody_qualified_gives_nothing():
    allocation = solver.solve({1: 1.0, 2: 0.5}, [1, 2], {(1, 1): 1.0, (2, 1): 1.0})
    assert allocation.output_per_hour == 0 and allocation.shares == {}


def test_uncovered_operation_and_its_replacements():
    """P10 on op 1, P11 on op 2, P12 on op 2 (all 100 %), SAMs 1.0 and 0.5. With everyone: capacities 60 and
    240 -> 60 an hour. P10 absent: op 1 uncovered, 0 an hour (60 lost). Moving P12 (qualified on op 1) there:
    capacities 60 and 120 -> 60 recovered; P11 is not qualified on op 1."""
    ops = [plan.Op(1, 1, "A", "SN", 1.0), plan.Op(2, 2, "B", "SN", 0.5)]
    people = [plan.Person(i, f"P{i}") for i in (10, 11, 12)]
    eff = {(10, 1): 1.0, (11, 2): 1.0, (12, 2): 1.0, (12, 1): 1.0}
    before, without, gaps = plan.uncovered(ops, people, {10: 1, 11: 2, 12: 2}, {11, 12}, eff,
                                           qualified={(10, 1), (11, 2), (12, 2), (12, 1)})
    assert (before, without) == (pytest.approx(60.0), 0.0)
    assert [g.op.id for g in gaps] == [1] and gaps[0].lost == pytest.approx(60.0)
    assert [c.person.id for c in gaps[0].candidates] == [12]
    assert gaps[0].candidates[0].recovered == pytest.approx(60.0)
