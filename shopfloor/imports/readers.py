"""A spreadsheet upload (CSV or XLSX) read as rows of text, each with its row number in the file.

Every cell becomes the text a person sees, so CSV and XLSX are checked by the same rules:
  * numbers exactly as the sheet holds them (a whole float 12.0 -> "12"; 0.35 -> "0.35", the shortest text
    that is that float; never the binary float's long digits), so an amount is parsed as a Decimal from text;
  * dates (a date-formatted cell) as YYYY-MM-DD (with the time when it has one);
  * formulas by their last computed value (`data_only`); a formula never computed reads as blank;
  * TRUE / FALSE as yes / no.
The rows read are also kept as one canonical CSV text (`Table.text`): the confirm step checks that same text
again, so an XLSX upload need not be kept on the server.

Guards: at most MAX_BYTES uploaded, at most MAX_UNPACKED bytes inside an XLSX (a zip bomb is refused before
it is opened), MAX_ROWS rows under the header, MAX_COLUMNS columns.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook

from shopfloor.errors import DomainError
from shopfloor.spreadsheet import cell, uncell

MAX_BYTES = 512 * 1024           # the HTTP server takes 1 MB bodies; the confirm form carries the text back
MAX_UNPACKED = 16 * 1024 * 1024  # bytes inside an XLSX, all parts together
MAX_ROWS = 2000                  # rows under the header
MAX_COLUMNS = 20
MAX_SHEET_ROW = 10000            # an XLSX row number past this (blank rows between count) is refused
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    rows: list[tuple[int, list[str]]]   # (row number in the file, header = 1; cells as text), blank rows left out
    text: str                           # the same rows as one CSV text (what the confirm step reads again)


def read_upload(filename: str, data: bytes) -> Table:
    """An uploaded file: XLSX when it is a zip (whatever its name), else CSV text."""
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is too large: at most %(n)d KB.", n=MAX_BYTES // 1024), status=413)
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data)
    if (filename or "").lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise DomainError(_("This is not an XLSX file: save it from the spreadsheet as .xlsx or as CSV UTF-8."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("The file is not UTF-8 text: in the spreadsheet, save it as \"CSV UTF-8\".")) from None
    return read_csv(text)


def read_csv(text: str) -> Table:
    """CSV text (comma, semicolon or tab separated): the rows, and the text itself."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise DomainError(_("The file is too large: at most %(n)d KB.", n=MAX_BYTES // 1024), status=413)
    if "\x00" in text:
        raise DomainError(_("This is not a CSV file."))
    rows = []
    try:
        for n, raw in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)), start=1):
            _add(rows, n, [uncell(c).strip() for c in raw] if any(c.strip() for c in raw) else [])
    except csv.Error:
        raise DomainError(_("This is not a CSV file.")) from None
    return Table(rows, text)


def read_xlsx(data: bytes) -> Table:
    """The first sheet of an XLSX workbook, values only (formulas by their computed value)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
                raise DomainError(_("The file is too large once unpacked: at most %(n)d MB.",
                                    n=MAX_UNPACKED // (1024 * 1024)), status=413)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception:  # a damaged or foreign zip: openpyxl raises many kinds
        raise DomainError(_("This XLSX file cannot be read: open it in the spreadsheet and save it again.")) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the size a file declares is not believed: no padding to a million rows
        rows: list[tuple[int, list[str]]] = []
        for n, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1):
            if n > MAX_SHEET_ROW:
                raise DomainError(_("The sheet goes on past row %(n)d: delete the rows under the data.",
                                    n=MAX_SHEET_ROW), status=413)
            _add(rows, n, [_text(v) for v in values])
    except DomainError:
        raise
    except Exception:
        raise DomainError(_("This XLSX file cannot be read: open it in the spreadsheet and save it again.")) from None
    finally:
        book.close()
    text = to_text(rows)
    if len(text.encode("utf-8")) > MAX_BYTES:   # the confirm step reads this text again
        raise DomainError(_("The file is too large: at most %(n)d KB.", n=MAX_BYTES // 1024), status=413)
    return Table(rows, text)


def to_text(rows: list[tuple[int, list[str]]]) -> str:
    """Rows as CSV text in which every row keeps its number (blank rows written as blank lines)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    at = 0
    for n, cells in rows:
        buf.write("\n" * (n - at - 1))
        w.writerow([cell(c) for c in cells])
        at = n
    return buf.getvalue()


def _add(rows: list, n: int, cells: list[str]) -> None:
    """A row kept unless blank; refused when wider than MAX_COLUMNS or past MAX_ROWS under the header."""
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        return
    if any("\x00" in c for c in cells):  # PostgreSQL text cannot hold it (defence: XML cannot carry one)
        raise DomainError(_("Row %(row)d holds a character that cannot be saved.", row=n))
    if len(cells) > MAX_COLUMNS:
        raise DomainError(_("Row %(row)d has more than %(n)d columns.", row=n, n=MAX_COLUMNS), status=413)
    if len(rows) > MAX_ROWS:
        raise DomainError(_("At most %(n)d rows per file: split it.", n=MAX_ROWS), status=413)
    rows.append((n, cells))


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max((";", "\t", ","), key=first.count) if any(d in first for d in ";\t") else ","


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def xlsx_bytes(header: list[str], rows: list[tuple[str, ...]]) -> bytes:
    """A one-sheet workbook (a downloadable template): whole numbers, decimals and ISO dates as such."""
    book = Workbook()        # not write_only: that mode spools each sheet to a temporary file
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([_typed(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(text: str):
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return Decimal(text)
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return date.fromisoformat(text)
    return text
