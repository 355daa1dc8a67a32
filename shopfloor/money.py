"""Money is exact: stored as whole ten-thousandths of the currency unit, computed as Decimal.

Representation
  * Every money column (piece rates, ledger rates, daily earnings, target costs) is a BIGINT holding
    ten-thousandths of the currency unit; its SQL name ends in ``_e4`` (``piece_rate_e4`` = 250 is 0.0250).
    The ORM attribute keeps the plain name and reads/writes ``Decimal`` through the ``Money`` type, so
    ``op.piece_rate == Decimal("0.025")``. SQLite has no exact decimal type (Numeric is stored as REAL),
    integers are exact on both databases, and SQL sums of them stay exact.
  * Plain SQL reads an ``_e4`` column as an int: turn it into money with ``from_e4``.
  * A piece rate has at most 4 decimals (``to_e4`` refuses more), so pieces x rate is exact.

Rounding rule (one rule, applied once)
  * Earnings accumulate unrounded, exact at 4 decimals: ledger rows, the operator-day summary and
    the period's sum.
  * A payslip rounds each of its lines to the cent, ROUND_HALF_UP, once: the piece-rate earnings of the
    period, the minimum wage for the days worked, and the top-up = max(0, minimum - rounded earnings).
    The pay is the sum of the rounded lines (so the payslip adds up to the cent).
  * An export shows an entry's amount rounded to the cent the same way (0.175 -> 0.18); its piece rate
    exactly (0.0250 -> 0.025).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

E4 = 10_000
THOUSANDTH = Decimal("0.001")
CENT = Decimal("0.01")
ZERO = Decimal("0")


def decimal(value) -> Decimal:
    """A Decimal from a Decimal, int or text (never through a binary float's digits)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"not a decimal number: {value!r}")
    return d


def to_e4(value) -> int:
    """Money -> whole ten-thousandths. More than 4 decimals is refused, never rounded silently."""
    scaled = decimal(value).scaleb(4)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"more than 4 decimals: {value!r}")
    return int(scaled)


def thousandths(value) -> Decimal:
    """A sum of NUMERIC(..., 3) columns as SQL returns it (SQLite: a binary float) -> the exact Decimal."""
    return decimal(value or 0).quantize(THOUSANDTH)


def from_e4(value: int | None) -> Decimal:
    """Whole ten-thousandths (as plain SQL returns them; None for an empty sum) -> Decimal."""
    return Decimal(int(value or 0)).scaleb(-4) if value else ZERO


def cents(value) -> Decimal:
    """Round to the cent, half up: the one rounding a payslip line or an export amount gets."""
    return decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """Exact text without trailing zeros and never in exponent form: 0.0250 -> 0.025, 20 -> 20."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Money(TypeDecorator):
    """A money column: BIGINT of ten-thousandths in the database, Decimal in Python."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_e4(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_e4(value)
