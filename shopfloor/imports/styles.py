"""Styles with their operation bulletins, one row per operation.

Columns: style code, style name, sizes (comma separated), seq, operation, machine, SAM, piece rate, QC point.
The rows of one style share its code; its name and sizes are given on its first row (later rows may leave
them blank, or must repeat them). Piece rate blank: SAM x wage per minute (`planning/styles.default_piece_rate`).
A style whose code already exists is refused: its bulletin is changed on its own page (the work logged on it
keeps its operations), or the new style takes another code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from shopfloor.auth import audit
from shopfloor.edge import decimal, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.imports.services import Column, Kind, Report, Row, required
from shopfloor.models import Operation, Style
from shopfloor.planning.styles import (MAX_PIECE_RATE, MAX_SAM, check_rate, check_sam, default_piece_rate,
                                       style_code, style_name, style_sizes)

MAX_SEQ = 999
OP_NAME_LEN = Operation.name.type.length
MACHINE_LEN = Operation.machine.type.length
YES = {"yes", "y", "true", "1", "x", "sí", "si", "s", "qc"}
NO = {"no", "n", "false", "0", ""}

COLUMNS = (
    Column("style_code", _l("style code"), ("style code", "style", "code", "código de estilo", "codigo de estilo",
                                             "estilo", "código", "codigo"), True,
           _l("Up to 30 characters; the same on every row of the style.")),
    Column("style_name", _l("style name"), ("style name", "name", "nombre del estilo", "nombre"), True,
           _l("On the style's first row; later rows blank or the same.")),
    Column("sizes", _l("sizes"), ("sizes", "size", "tallas", "talla"), True,
           _l("Comma separated, e.g. S,M,L,XL; on the style's first row.")),
    Column("seq", _l("seq"), ("seq", "sequence", "#", "no", "no.", "secuencia", "orden", "nº", "n.º"), True,
           _l("The operation's place in the bulletin: 1 to 999, once per style.")),
    Column("operation", _l("operation"), ("operation", "operation name", "operación", "operacion"), True,
           _l("The operation's name.")),
    Column("machine", _l("machine"), ("machine", "machine type", "máquina", "maquina"), False,
           _l("Machine type; may be blank.")),
    Column("sam", _l("SAM"), ("sam", "smv", "sam (min)", "minutos"), True,
           _l("Standard minutes, above 0 and at most 600, up to 3 decimals.")),
    Column("piece_rate", _l("piece rate"), ("piece rate", "rate", "tarifa por pieza", "tarifa", "precio por pieza"),
           False, _l("Up to 4 decimals, never rounded; blank: SAM × wage per minute.")),
    Column("qc_point", _l("QC point"), ("qc point", "qc", "punto qc", "punto de control", "control de calidad"),
           False, _l("yes or no (blank: no).")),
)
RULES = (
    _l("One row per operation. The rows of a style share its code."),
    _l("A style whose code already exists is refused: change its bulletin on its page, or give it another code."),
)
SAMPLE = (
    ("T100", "Basic tee", "S,M,L,XL", "1", "Join shoulders", "Overlock", "0.35", "", "no"),
    ("T100", "", "", "2", "Attach sleeves", "Overlock", "0.6", "0.0600", "no"),
    ("T100", "", "", "3", "Side seams", "Overlock", "0.55", "", "yes"),
    ("T100", "", "", "4", "Hem bottom", "Flatlock", "0.4", "", "no"),
)


@dataclass(frozen=True)
class OperationRow:
    row: int
    seq: int
    name: str
    machine: str
    sam: Decimal
    piece_rate: Decimal
    qc_point: bool


@dataclass
class NewStyle:
    row: int                          # its first row
    code: str
    name: str | None
    sizes: list[str] | None
    operations: list[OperationRow] = field(default_factory=list)
    seqs: dict[int, int] = field(default_factory=dict)   # seq -> row


def check_rows(rows: list[Row], report: Report) -> None:
    taken = {c.upper() for c in db.session.scalars(select(Style.code))}
    styles: dict[str, NewStyle] = {}
    for row in rows:
        code = row.parse("style_code", style_code)
        style = styles.get(code) if code else None
        if code and style is None:
            style = styles[code] = NewStyle(row.n, code, row.parse("style_name", style_name),
                                            row.parse("sizes", style_sizes))
            if code in taken:
                row.error("style_code", _("Style %(c)s already exists: change its bulletin on its page, or give "
                                          "this style another code.", c=code))
        elif style is not None:
            _same(row, style)
        op = _operation(row, style)
        if style is not None and op is not None:
            style.operations.append(op)
    report.items = list(styles.values())


def _same(row: Row, style: NewStyle) -> None:
    """A later row of a style: name and sizes blank, or the first row's."""
    name, sizes = row.get("style_name"), row.get("sizes")
    if name and style.name is not None and name.strip() != style.name:
        row.error("style_name", _("Not the name on row %(row)d for this style.", row=style.row))
    if sizes and style.sizes is not None and [s.strip() for s in sizes.split(",") if s.strip()] != style.sizes:
        row.error("sizes", _("Not the sizes on row %(row)d for this style.", row=style.row))


def _operation(row: Row, style: NewStyle | None) -> OperationRow | None:
    seq = row.parse("seq", lambda v: whole(v, _("Seq must be a whole number from 1 to %(n)d.", n=MAX_SEQ),
                                           minimum=1, maximum=MAX_SEQ) or required(_("Enter the seq.")))
    if seq is not None and style is not None:
        if seq in style.seqs:
            row.error("seq", _("Same seq as row %(row)d.", row=style.seqs[seq]))
        else:
            style.seqs[seq] = row.n
    name = row.parse("operation", lambda v: trimmed(v, max_len=OP_NAME_LEN, label=_("Operation"))
                     or required(_("An operation needs a name.")))
    machine = row.parse("machine", lambda v: trimmed(v, max_len=MACHINE_LEN, label=_("Machine")))
    sam = row.parse("sam", _sam)
    rate = row.parse("piece_rate", lambda v: _rate(v, sam))
    qc = row.parse("qc_point", _yes_no)
    if row.failed:
        return None
    return OperationRow(row.n, seq, name, machine or "", sam, rate, qc)


def _sam(text: str) -> Decimal:
    message = _("SAM must be a number of minutes above 0 and at most %(n)s, with at most 3 decimals.", n=MAX_SAM)
    return check_sam(decimal(text, message, places=3) if text else required(message))


def _rate(text: str, sam: Decimal | None) -> Decimal | None:
    if not text:
        return default_piece_rate(sam) if sam is not None else None
    return check_rate(decimal(text, _("Piece rate must be a number from 0 to %(n)s, with at most 4 decimals "
                                      "(nothing is rounded).", n=MAX_PIECE_RATE), places=4))


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise DomainError(_("Write yes or no."))


def write(actor, styles: list[NewStyle]) -> int:
    """Each style and its bulletin (in seq order), audited; in the caller's transaction."""
    for new in styles:
        style = Style(code=new.code, name=new.name)
        style.sizes = new.sizes
        db.session.add(style)
        db.session.flush()
        for op in sorted(new.operations, key=lambda o: o.seq):
            db.session.add(Operation(style_id=style.id, seq=op.seq, name=op.name, machine=op.machine, sam=op.sam,
                                     piece_rate=op.piece_rate, qc_point=op.qc_point))
        audit.record(actor.id, audit.STYLE_IMPORT, f"style:{style.id}", f"spreadsheet row {new.row}",
                     changes={"code": (None, new.code), "name": (None, new.name),
                              "sizes": (None, ",".join(new.sizes)), "operations": (None, len(new.operations))})
    db.session.flush()
    return len(styles)


KIND = Kind("styles", COLUMNS, check_rows, write, SAMPLE, _l("Import styles and bulletins"), RULES)
