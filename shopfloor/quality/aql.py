"""ISO 2859-1 single sampling plans, normal inspection (pure functions)."""
from __future__ import annotations

import math
from dataclasses import dataclass

LETTERS = "ABCDEFGHJKLMNPQR"
SAMPLE = dict(zip(LETTERS, (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000)))

# Table 1: lot-size upper bound -> code letter for general inspection levels I, II, III.
_LOT_TABLE = [
    (8, "A", "A", "B"), (15, "A", "B", "C"), (25, "B", "C", "D"), (50, "C", "D", "E"),
    (90, "C", "E", "F"), (150, "D", "F", "G"), (280, "E", "G", "H"), (500, "F", "H", "J"),
    (1200, "G", "J", "K"), (3200, "H", "K", "L"), (10000, "J", "L", "M"), (35000, "K", "M", "N"),
    (150000, "L", "N", "P"), (500000, "M", "P", "Q"), (math.inf, "N", "Q", "R"),
]
LEVELS = ("I", "II", "III")

# Table 2-A: per AQL, the code letter -> (Ac, Re), or "up"/"down" for the arrows (use the first
# plan above/below the arrow, with that plan's sample size).
_AC = {
    "2.5": {"A": "down", "B": "down", "C": (0, 1), "D": "up", "E": "down", "F": (1, 2), "G": (2, 3),
            "H": (3, 4), "J": (5, 6), "K": (7, 8), "L": (10, 11), "M": (14, 15), "N": (21, 22),
            "P": "up", "Q": "up", "R": "up"},
    "4.0": {"A": "down", "B": (0, 1), "C": "up", "D": "down", "E": (1, 2), "F": (2, 3), "G": (3, 4),
            "H": (5, 6), "J": (7, 8), "K": (10, 11), "L": (14, 15), "M": (21, 22), "N": "up",
            "P": "up", "Q": "up", "R": "up"},
}
AQLS = tuple(_AC)
# Apparel defaults: critical 0 (accept none), major 2.5, minor 4.0.
DEFAULT_AQL = {"major": "2.5", "minor": "4.0"}


def code_letter(lot_size: int, level: str = "II") -> str:
    if lot_size < 2:
        raise ValueError("lot size must be at least 2")
    col = LEVELS.index(level) + 1
    for row in _LOT_TABLE:
        if lot_size <= row[0]:
            return row[col]
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Plan:
    letter: str        # the letter whose plan is used (after following arrows)
    sample: int        # pieces to inspect (capped at the lot: 100 %)
    accept: int
    reject: int
    full_inspection: bool


def plan_for(lot_size: int, aql: str, level: str = "II") -> Plan:
    """Sample size and Ac/Re for one AQL, following the table's arrows; 100 % when sample >= lot."""
    letter = code_letter(lot_size, level)
    table = _AC[aql]
    i = LETTERS.index(letter)
    while isinstance(table[LETTERS[i]], str):
        i += 1 if table[LETTERS[i]] == "down" else -1
    used = LETTERS[i]
    ac, re_ = table[used]
    sample = SAMPLE[used]
    if sample >= lot_size:
        return Plan(used, lot_size, ac, re_, True)
    return Plan(used, sample, ac, re_, False)


def critical_plan(lot_size: int, level: str = "II") -> Plan:
    """Critical defects: accept none, on the lot's own sample size."""
    letter = code_letter(lot_size, level)
    sample = min(SAMPLE[letter], lot_size)
    return Plan(letter, sample, 0, 1, sample >= lot_size)


def cartons_to_open(cartons: int) -> int:
    """At least the square root of the cartons in the lot (rounded up)."""
    return math.ceil(math.sqrt(cartons)) if cartons > 0 else 0
