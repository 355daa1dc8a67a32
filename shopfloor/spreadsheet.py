"""CSV cells a spreadsheet opens as data, never as a formula (OWASP "CSV injection")."""
from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

# A text cell starting with one of these is read as a formula (or hides one after a tab / carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

class Number(str):
    """The exact text of a number (e.g. an exact decimal, -5.25): a number in the sheet, never neutralised."""


def cell(value):
    """A text cell that would start a formula gets a leading single quote; numbers (a reversal's -10, or a
    Number such as -5.25) stay numbers."""
    if isinstance(value, str) and not isinstance(value, Number) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def uncell(value: str) -> str:
    """A cell read back from a CSV: the leading quote `cell` put before a formula start is taken off."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def csv_chunks(header: list[str], rows: Iterable[Iterable], chunk: int = 65536) -> Iterator[str]:
    """The CSV text of header + rows, every cell through `cell`, in chunks of about `chunk` characters."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([cell(h) for h in header])
    for row in rows:
        w.writerow([cell(v) for v in row])
        if buf.tell() > chunk:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
