"""ISO 2859-1 plans: every code letter at AQL 2.5 and 4.0, levels I/II/III, arrows, 100 %, cartons."""
from __future__ import annotations

import pytest

from shopfloor.quality import aql

# lot size at level II -> letter (Table 1)
LOTS_II = [(2, "A"), (8, "A"), (9, "B"), (15, "B"), (16, "C"), (25, "C"), (26, "D"), (50, "D"), (51, "E"),
           (90, "E"), (91, "F"), (150, "F"), (151, "G"), (280, "G"), (281, "H"), (500, "H"), (501, "J"),
           (1200, "J"), (1201, "K"), (3200, "K"), (3201, "L"), (10000, "L"), (10001, "M"), (35000, "M"),
           (35001, "N"), (150000, "N"), (150001, "P"), (500000, "P"), (500001, "Q"), (2_000_000, "Q")]


@pytest.mark.parametrize("lot,letter", LOTS_II)
def test_code_letters_level_ii(lot, letter):
    assert aql.code_letter(lot) == letter


@pytest.mark.parametrize("lot,i,iii", [(8, "A", "B"), (15, "A", "C"), (25, "B", "D"), (50, "C", "E"),
                                       (90, "C", "F"), (150, "D", "G"), (280, "E", "H"), (500, "F", "J"),
                                       (1200, "G", "K"), (3200, "H", "L"), (10000, "J", "M"),
                                       (35000, "K", "N"), (150000, "L", "P"), (500000, "M", "Q"),
                                       (600000, "N", "R")])
def test_code_letters_levels_i_and_iii(lot, i, iii):
    assert aql.code_letter(lot, "I") == i and aql.code_letter(lot, "III") == iii


# code letter -> (letter used, sample, Ac, Re); lots chosen well above the sample so no 100 % rule applies
AQL_25 = {"A": ("C", 5, 0, 1), "B": ("C", 5, 0, 1), "C": ("C", 5, 0, 1), "D": ("C", 5, 0, 1),
          "E": ("F", 20, 1, 2), "F": ("F", 20, 1, 2), "G": ("G", 32, 2, 3), "H": ("H", 50, 3, 4),
          "J": ("J", 80, 5, 6), "K": ("K", 125, 7, 8), "L": ("L", 200, 10, 11), "M": ("M", 315, 14, 15),
          "N": ("N", 500, 21, 22), "P": ("N", 500, 21, 22), "Q": ("N", 500, 21, 22)}
AQL_40 = {"A": ("B", 3, 0, 1), "B": ("B", 3, 0, 1), "C": ("B", 3, 0, 1), "D": ("E", 13, 1, 2),
          "E": ("E", 13, 1, 2), "F": ("F", 20, 2, 3), "G": ("G", 32, 3, 4), "H": ("H", 50, 5, 6),
          "J": ("J", 80, 7, 8), "K": ("K", 125, 10, 11), "L": ("L", 200, 14, 15), "M": ("M", 315, 21, 22),
          "N": ("M", 315, 21, 22), "P": ("M", 315, 21, 22), "Q": ("M", 315, 21, 22)}


def _plan(letter: str, table: str):
    # A lot size with this code letter at level II where the sample stays below the lot where possible.
    lot = {"A": 8, "B": 15, "C": 25, "D": 50, "E": 90, "F": 150, "G": 280, "H": 500, "J": 1200, "K": 3200,
           "L": 10000, "M": 35000, "N": 150000, "P": 500000, "Q": 600000}[letter]
    return aql.plan_for(lot, table), lot


@pytest.mark.parametrize("letter", list(AQL_25))
def test_every_letter_at_aql_2_5(letter):
    plan, lot = _plan(letter, "2.5")
    used, sample, ac, re_ = AQL_25[letter]
    assert (plan.letter, plan.accept, plan.reject) == (used, ac, re_)
    assert plan.sample == min(sample, lot) and plan.full_inspection == (sample >= lot)


@pytest.mark.parametrize("letter", list(AQL_40))
def test_every_letter_at_aql_4_0(letter):
    plan, lot = _plan(letter, "4.0")
    used, sample, ac, re_ = AQL_40[letter]
    assert (plan.letter, plan.accept, plan.reject) == (used, ac, re_)
    assert plan.sample == min(sample, lot) and plan.full_inspection == (sample >= lot)


def test_hundred_percent_when_sample_reaches_lot():
    plan = aql.plan_for(4, "2.5")           # letter A -> arrow to C (5 pieces) >= lot of 4
    assert plan.full_inspection and plan.sample == 4 and plan.accept == 0
    assert aql.plan_for(1000, "2.5").sample == 80


def test_critical_accepts_none():
    c = aql.critical_plan(1000)
    assert (c.sample, c.accept, c.reject) == (80, 0, 1)


@pytest.mark.parametrize("cartons,opened", [(0, 0), (1, 1), (4, 2), (10, 4), (50, 8), (100, 10), (101, 11)])
def test_cartons_to_open(cartons, opened):
    assert aql.cartons_to_open(cartons) == opened
