"""CSV cells a spreadsheet opens as data, never as a formula (OWASP "CSV injection")."""
from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

# A text cell starting with one of these is read as a formula (or hides one after a tab / carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A text cell that would start a formula gets a leading single quote; numbers (a reversal's -10) stay."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
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
