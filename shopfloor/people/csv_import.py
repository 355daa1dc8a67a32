"""CSV import of operators: a dry run reports every row's errors (row, field, message) and writes nothing; the
confirm step checks the same text again and imports every row or none.

Columns (a header row, any order, English or Spanish names): name (required), line (a line code in use), pin
(6 digits; blank: one is made and shown once), language (en, es; blank: the default), badge (a printed badge
code to keep; blank: a new one). Comma, semicolon or tab separated (a spreadsheet in Spanish saves with
semicolons); UTF-8. A cell this app exported with a protective leading quote (spreadsheet.cell) reads back
as it was.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from shopfloor.auth import audit, services as auth
from shopfloor.database import write_transaction
from shopfloor.edge import trimmed
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Role, User
from shopfloor.people import rules
from shopfloor.spreadsheet import uncell

MAX_BYTES = 256 * 1024
MAX_ROWS = 500     # each PIN is hashed (about 20 ms): 500 rows take about 10 s
COLUMNS = ("name", "line", "pin", "language", "badge")
ALIASES = {"name": "name", "nombre": "name", "line": "line", "line code": "line", "línea": "line",
           "linea": "line", "pin": "pin", "language": "language", "lang": "language", "idioma": "language",
           "badge": "badge", "badge code": "badge", "credencial": "badge"}
FIELD_LABELS = {"name": _l("Name"), "line": _l("Line"), "pin": _l("PIN"), "language": _l("Language"),
                "badge": _l("Badge"), "": _l("Row")}
SAMPLE = [("Amina Akter", "L1", "", "en", ""), ("Rahim Uddin", "L1", "482913", "es", "")]


@dataclass(frozen=True)
class RowError:
    row: int        # the row's number in the file (the header is row 1)
    field: str      # the column, as people read it
    message: str


@dataclass(frozen=True)
class Person:
    row: int
    name: str
    line: Line | None
    pin: str        # "" when one is to be made
    language: str
    badge: str      # "" when one is to be made


@dataclass
class Report:
    text: str
    people: list[Person] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.people) and not self.errors


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is too large: at most %(n)d KB.", n=MAX_BYTES // 1024), status=413)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("The file is not UTF-8 text: in the spreadsheet, save it as \"CSV UTF-8\".")) from None


def read(text: str) -> Report:
    """Check every row (nothing is written). A file that cannot be read at all is refused as a whole."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise DomainError(_("The file is too large: at most %(n)d KB.", n=MAX_BYTES // 1024), status=413)
    if "\x00" in text:
        raise DomainError(_("This is not a CSV file."))
    try:
        rows = [(n, r) for n, r in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)),
                                              start=1) if any(c.strip() for c in r)]
    except csv.Error:
        raise DomainError(_("This is not a CSV file.")) from None
    if not rows:
        raise DomainError(_("The file is empty: it needs a header row and one row per operator."))
    if len(rows) - 1 > MAX_ROWS:
        raise DomainError(_("At most %(n)d operators per file: split it.", n=MAX_ROWS), status=413)
    report = Report(text=text)
    columns = _header(rows[0][1], report)
    lines = {ln.code.lower(): ln for ln in db.session.scalars(select(Line).where(Line.active.is_(True)))}
    seen_names: dict[str, int] = {}
    seen_badges: dict[str, int] = {}
    for n, raw in rows[1:]:
        values = {col: trimmed(uncell(raw[i]) if i < len(raw) else "", max_len=500)
                  for i, col in enumerate(columns) if col}
        if len(raw) > len(columns) and any(c.strip() for c in raw[len(columns):]):
            report.errors.append(RowError(n, str(FIELD_LABELS[""]), _("More cells than columns in the header.")))
        person = _row(n, values, lines, seen_names, seen_badges, report)
        if person is not None:
            report.people.append(person)
    if len(rows) == 1:
        report.errors.append(RowError(1, str(FIELD_LABELS[""]), _("No operators under the header row.")))
    return report


def report_or_none(text: str) -> Report | None:
    """The dry run of a text, or None when it cannot be read at all (to show beside another refusal)."""
    try:
        return read(text)
    except DomainError:
        return None


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max((";", "\t", ","), key=first.count) if any(d in first for d in ";\t") else ","


def _header(cells: list[str], report: Report) -> list[str | None]:
    columns: list[str | None] = []
    for cell in cells:
        key = uncell(cell).strip().lower()
        col = ALIASES.get(key)
        if key and col is None:
            report.errors.append(RowError(1, cell.strip()[:40], _("Unknown column. The columns are: %(cols)s.",
                                                                   cols=", ".join(COLUMNS))))
        if col in columns:
            raise DomainError(_("The column %(col)s appears twice in the header.", col=cell.strip()[:40]))
        columns.append(col)
    if "name" not in columns:
        raise DomainError(_("The first row must be the header, with at least a name column (name, line, pin, "
                            "language, badge)."))
    return columns


def _row(n, values, lines, seen_names, seen_badges, report) -> Person | None:
    errors_before = len(report.errors)

    def check(col, fn):
        try:
            return fn(values.get(col, ""))
        except DomainError as e:
            report.errors.append(RowError(n, str(FIELD_LABELS[col]), e.message))
            return None

    name = check("name", lambda v: rules.name(trimmed(v, max_len=120, label=str(FIELD_LABELS["name"]))))
    if name and name.lower() in seen_names:
        report.errors.append(RowError(n, str(FIELD_LABELS["name"]),
                                      _("Same name as row %(row)d.", row=seen_names[name.lower()])))
    elif name:
        seen_names[name.lower()] = n
    line = check("line", lambda v: _line(v, lines))
    pin = check("pin", lambda v: auth.validate_pin(v) if v else "")
    language = check("language", lambda v: rules.language(v.lower()))
    badge = check("badge", lambda v: rules.badge_code(v) if v else "")
    if badge and badge.lower() in seen_badges:
        report.errors.append(RowError(n, str(FIELD_LABELS["badge"]),
                                      _("Same badge as row %(row)d.", row=seen_badges[badge.lower()])))
    elif badge:
        seen_badges[badge.lower()] = n
    if len(report.errors) > errors_before:
        return None
    return Person(n, name, line, pin, language, badge)


def _line(code: str, lines: dict[str, Line]) -> Line | None:
    if not code:
        return None
    found = lines.get(code.lower())
    if found is None:
        raise DomainError(_("No line in use has the code %(code)s.", code=code[:20]))
    return found


@dataclass(frozen=True)
class Imported:
    user: User
    pin: str | None   # the PIN made for this person (shown once), None when the file gave one


def run(actor: User, text: str) -> list[Imported]:
    """Import every row of a file that passes the dry run, in one transaction; any error imports none."""
    rules.may_manage(actor, Role.OPERATOR.value)
    report = read(text)
    if not report.ok:
        raise DomainError(_("Nothing was imported: fix the rows listed and check the file again."))
    made, taken = [], set()
    for p in report.people:  # PINs hashed and badges drawn before the write: the writers' lock is held briefly
        pin = p.pin or rules.new_pin()
        code = p.badge or _fresh_badge(taken)
        taken.add(code)
        made.append((p, auth.hash_secret(pin), None if p.pin else pin, code))
    with write_transaction():
        out = []
        for p, pin_hash, shown, code in made:
            user = User(name=p.name, role=Role.OPERATOR.value, line_id=p.line.id if p.line else None,
                        language=p.language, badge_code=code, pin_hash=pin_hash)
            db.session.add(user)
            db.session.flush()
            audit.record(actor.id, audit.PERSON_ADD, f"user:{user.id}", f"CSV row {p.row}",
                         changes={"name": (None, p.name), "role": (None, user.role),
                                  "line": (None, p.line.code if p.line else None), "language": (None, p.language),
                                  "badge": (None, code), "pin": (None, rules.SECRET)})
            out.append(Imported(user, shown))
    return out


def _fresh_badge(taken: set) -> str:
    while True:
        code = rules.new_badge_code()
        if code not in taken:
            return code

