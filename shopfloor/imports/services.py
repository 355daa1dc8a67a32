"""Spreadsheet import of styles (with their bulletins) and of orders: a dry run lists every error by row and
column and writes nothing; the import checks the same rows again and writes every style or order, or none.

The file: a header row (English or Spanish column names, any order) and one row per style operation
(`imports/styles.py`) or per order x size x colour (`imports/orders.py`); CSV or XLSX (`imports/readers.py`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.imports.readers import Table, read_csv


@dataclass(frozen=True)
class Column:
    key: str
    label: object                 # lazy translated name (the layout on the page, a missing column's error)
    names: tuple[str, ...]        # header names read (lower case), English and Spanish
    required: bool = False
    note: object = ""             # lazy translated: what the column holds (shown with the layout)


@dataclass(frozen=True)
class RowError:
    row: int        # the row's number in the file (the header is row 1)
    column: str     # the column's header as written in the file
    message: str


@dataclass
class Report:
    kind: str
    text: str                                   # the rows as CSV text, checked again by the import
    items: list = field(default_factory=list)   # styles or orders, ready to write
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.items) and not self.errors


class Row:
    """One data row: its cells by column key; errors recorded against the column's header."""

    def __init__(self, n: int, cells: list[str], index: dict[str, int], headers: dict[str, str], report: Report):
        self.n, self._cells, self._index, self._headers, self._report = n, cells, index, headers, report
        self.failed = False

    def get(self, key: str) -> str:
        i = self._index.get(key)
        return self._cells[i] if i is not None and i < len(self._cells) else ""

    def error(self, key: str, message: str) -> None:
        self.failed = True
        self._report.errors.append(RowError(self.n, self._headers.get(key, key), message))

    def parse(self, key: str, fn: Callable[[str], object]):
        """fn(cell text) -> value; a DomainError it raises is this row's error in that column (value None)."""
        try:
            return fn(self.get(key))
        except DomainError as e:
            self.error(key, e.message)
            return None


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns, how its rows are checked, how they are written, an example."""
    name: str
    columns: tuple[Column, ...]
    check: Callable[[list[Row], Report], None]     # fills report.items (and report.errors)
    write: Callable[[object, list], int]            # (actor, items) -> number written; in the caller's transaction
    sample: tuple[tuple[str, ...], ...]
    title: object = ""                               # lazy translated page title
    rules: tuple = ()                                # lazy translated sentences: how rows group, what is refused


def check(kind: Kind, table: Table) -> Report:
    """The dry run: every row checked, every error listed, nothing written."""
    report = Report(kind=kind.name, text=table.text)
    if not table.rows:
        raise DomainError(_("The file is empty: it needs a header row and one row per line of data."))
    header_n, header = table.rows[0]
    index, headers = _header(kind, header_n, header, report)
    rows = []
    for n, cells in table.rows[1:]:
        row = Row(n, cells, index, headers, report)
        if len(cells) > len(header):
            report.errors.append(RowError(n, _("Row"), _("More cells than columns in the header.")))
        rows.append(row)
    if not rows:
        report.errors.append(RowError(header_n, _("Row"), _("Nothing under the header row.")))
    if all(c.key in index for c in kind.columns if c.required):   # a header missing a column: no row is read
        kind.check(rows, report)
    return report


def check_text(kind: Kind, text: str) -> Report | None:
    """The dry run of a text sent back, or None when it cannot be read at all (shown beside another refusal)."""
    try:
        return check(kind, read_csv(text))
    except DomainError:
        return None


def run(actor, kind: Kind, text: str) -> int:
    """Check the rows again and write them all in one transaction: any error (found now or while writing)
    writes none."""
    report = check(kind, read_csv(text))
    if not report.ok:
        raise DomainError(_("Nothing was imported: fix the rows listed and check the file again."))
    try:
        with write_transaction():
            return kind.write(actor, report.items)
    except IntegrityError:
        raise DomainError(_("Nothing was imported: the data changed while importing. Check the file again."),
                          status=409) from None


def _header(kind: Kind, n: int, cells: list[str], report: Report) -> tuple[dict[str, int], dict[str, str]]:
    by_name = {name: col for col in kind.columns for name in (*col.names, str(col.label).lower())}
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    for i, text in enumerate(cells):
        key = " ".join(text.lower().replace("_", " ").split())
        col = by_name.get(key)
        if col is None:
            if key:
                report.errors.append(RowError(n, text[:40], _("Unknown column. The columns are: %(cols)s.",
                                                              cols=", ".join(str(c.label) for c in kind.columns))))
            continue
        if col.key in index:
            report.errors.append(RowError(n, text[:40], _("This column appears twice in the header.")))
            continue
        index[col.key], headers[col.key] = i, text[:40]
    for col in kind.columns:
        headers.setdefault(col.key, str(col.label))
        if col.required and col.key not in index:
            report.errors.append(RowError(n, str(col.label), _("This column is missing from the header row.")))
    return index, headers


def required(message: str):
    """For a blank cell that must not be: `value or required(message)`."""
    raise DomainError(message)


def example_rows(kind: Kind) -> tuple[list[str], list[tuple[str, ...]]]:
    """The layout's header (in the reader's language) and example rows, for the downloadable templates."""
    return [str(c.label) for c in kind.columns], list(kind.sample)
