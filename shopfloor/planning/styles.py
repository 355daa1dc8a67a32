"""Styles and their operation bulletins."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from shopfloor import money
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Operation, OrderQuantity, Style, WorkLog
from shopfloor.vocabulary import SequenceCheck


# Sane ranges (a SAM of 1e30 would break every page that multiplies by it).
MAX_SAM = Decimal("600")          # minutes for one operation on one piece
MAX_PIECE_RATE = Decimal("1000")  # currency units per piece (stored exact to 4 decimals, shopfloor.money)
MAX_COST = Decimal("100000")      # target cost per garment
CODE_LEN = Style.code.type.length                 # after upper-casing ("ß" becomes "SS")
SIZE_LEN = OrderQuantity.size.type.length         # each size is stored on order lines and bundles
NAME_LEN = Style.name.type.length
SIZES_LEN = Style.sizes_csv.type.length


def check_sam(sam: Decimal | None) -> Decimal:
    if sam is None or not 0 < sam <= MAX_SAM:
        raise DomainError(_("SAM must be a number of minutes above 0 and at most %(n)s.", n=MAX_SAM))
    return sam


def check_rate(rate: Decimal | None) -> Decimal:
    if rate is None or not 0 <= rate <= MAX_PIECE_RATE:
        raise DomainError(_("Piece rate must be a number from 0 to %(n)s.", n=MAX_PIECE_RATE))
    if rate != rate.quantize(Decimal("0.0001")):
        raise DomainError(_("Money amounts have at most 4 decimals."))
    return rate


def default_piece_rate(sam: Decimal) -> Decimal:
    """Piece rate = SAM x wage per minute, rounded half up to 4 decimals (when the manager sets none)."""
    wage = money.decimal(current_app.config["WAGE_PER_MINUTE"])
    return (sam * wage).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def style_code(code: str) -> str:
    """A style's code: upper-cased, required, fits its column (its uniqueness is the caller's)."""
    code = (code or "").strip().upper()
    if not code:
        raise DomainError(_("A style needs a code and a name."))
    if len(code) > CODE_LEN:
        raise DomainError(_("%(label)s can be at most %(n)d characters long.", label=_("Code"), n=CODE_LEN))
    return code


def style_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A style needs a code and a name."))
    if len(name) > NAME_LEN:
        raise DomainError(_("%(label)s can be at most %(n)d characters long.", label=_("Name"), n=NAME_LEN))
    return name


def style_sizes(sizes: str) -> list[str]:
    """Comma-separated sizes, each once, each fitting the order lines' size column."""
    size_list = [s.strip() for s in (sizes or "").split(",") if s.strip()]
    if not size_list:
        raise DomainError(_("List the sizes, separated by commas (e.g. S,M,L,XL)."))
    if any(len(size) > SIZE_LEN for size in size_list):
        raise DomainError(_("Each size can be at most %(n)d characters long.", n=SIZE_LEN))
    if len(set(size_list)) != len(size_list):
        raise DomainError(_("Each size may appear only once."))
    if len(",".join(size_list)) > SIZES_LEN:
        raise DomainError(_("%(label)s can be at most %(n)d characters long.", label=_("Sizes"), n=SIZES_LEN))
    return size_list


def save_style(*, style_id: int | None, code: str, name: str, sizes: str,
               target_cost: Decimal | None = None, sequence_check: str | None = None) -> Style:
    """Create or change a style. sequence_check (warn / block / off): what a scan of an operation does while
    earlier operations of the bulletin have no pieces on the bundle; None keeps it (a new style warns)."""
    if sequence_check is not None and sequence_check not in {c.value for c in SequenceCheck}:
        raise DomainError(_("Choose what happens when an operation is logged before earlier ones."))
    code, name, size_list = style_code(code), style_name(name), style_sizes(sizes)
    if target_cost is not None and not 0 <= target_cost <= MAX_COST:
        raise DomainError(_("Target cost must be a number from 0 to %(n)s.", n=MAX_COST))
    cost = target_cost
    clash = db.session.scalar(select(Style.id).where(Style.code == code))
    if clash and clash != style_id:
        raise DomainError(_("Style code %(c)s is already used.", c=code))
    with write_transaction():
        style = db.session.get(Style, style_id) if style_id else Style()
        if style is None:
            raise DomainError(_("That style does not exist."), status=404)
        style.code, style.name, style.sizes, style.target_cost_per_piece = code, name, size_list, cost
        if sequence_check is not None:
            style.sequence_check = SequenceCheck(sequence_check)
        db.session.add(style)
    return style


def add_operation(style_id: int, *, name: str, machine: str, sam: Decimal | None, piece_rate: Decimal | None = None,
                  qc_point: bool = False) -> Operation:
    style = db.session.get(Style, style_id)
    if style is None:
        raise DomainError(_("That style does not exist."), status=404)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("An operation needs a name."))
    sam_d = check_sam(sam)
    rate = check_rate(piece_rate) if piece_rate is not None else default_piece_rate(sam_d)
    with write_transaction():
        seq = (db.session.scalar(select(func.max(Operation.seq)).where(Operation.style_id == style.id)) or 0) + 1
        op = Operation(style_id=style.id, seq=seq, name=name[:120], machine=(machine or "").strip()[:60], sam=sam_d,
                       piece_rate=rate, qc_point=qc_point)
        db.session.add(op)
    return op


def update_operation(op_id: int, *, name: str, machine: str, sam: Decimal | None, piece_rate: Decimal | None,
                     qc_point: bool) -> Operation:
    op = db.session.get(Operation, op_id)
    if op is None:
        raise DomainError(_("That operation does not exist."), status=404)
    if not (name or "").strip():
        raise DomainError(_("An operation needs a name."))
    sam_d, rate = check_sam(sam), check_rate(piece_rate)
    with write_transaction():
        op.name, op.machine, op.sam, op.piece_rate, op.qc_point = name.strip()[:120], (machine or "")[:60], sam_d, \
            rate, qc_point
    return op


def move_operation(op_id: int, direction: int) -> None:
    """Swap an operation with its neighbour in the bulletin (direction -1 up, +1 down)."""
    op = db.session.get(Operation, op_id)
    if op is None:
        raise DomainError(_("That operation does not exist."), status=404)
    ops = list(db.session.scalars(select(Operation).where(Operation.style_id == op.style_id).order_by(Operation.seq)))
    i = ops.index(op)
    j = i + direction
    if not 0 <= j < len(ops):
        return
    with write_transaction():
        a, b = ops[i], ops[j]
        a_seq, b_seq = a.seq, b.seq
        a.seq = -1  # the (style, seq) unique constraint holds during the swap
        db.session.flush()
        b.seq = a_seq
        db.session.flush()
        a.seq = b_seq


def set_operation_active(op_id: int, active: bool) -> None:
    """Operations are never deleted once used: they are retired, and the ledger keeps them."""
    op = db.session.get(Operation, op_id)
    if op is None:
        raise DomainError(_("That operation does not exist."), status=404)
    with write_transaction():
        used = db.session.scalar(select(WorkLog.id).where(WorkLog.operation_id == op.id).limit(1))
        if not active or used:
            op.active = active
        else:
            op.active = True


def bulletin_figures(style: Style, efficiency: float = 0.7, operators: int = 0) -> dict:
    """Total SAM, pieces/hour per operator at 100 % and at the given efficiency, line output for N operators."""
    ops = [o for o in style.operations if o.active]
    total = float(sum(o.sam for o in ops))
    per_op = {o.id: {"at100": 60.0 / float(o.sam), "at_eff": 60.0 / float(o.sam) * efficiency} for o in ops}
    line_per_hour = operators * 60.0 / total * efficiency if total and operators else 0.0
    return {"total_sam": total, "ops": per_op, "line_per_hour": line_per_hour,
            "operators_needed": {o.id: float(o.sam) / total * operators if total and operators else 0.0 for o in ops}}
