"""Read side of the scan page: the bundle card and the operator's recent entries."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, BundleOpProgress, Operation, Order, User, WorkLog
from shopfloor.scan import services
from shopfloor.scan.codes import parse_reference
from shopfloor.scan.sql import Raw
from shopfloor.vocabulary import BundleStatus, SequenceCheck, earlier_not_done, seq_ranges


@dataclass
class OpLine:
    id: int
    seq: int
    name: str
    machine: str
    sam: float
    done: int
    remaining: int          # pieces of the bundle not yet logged here
    qc_point: bool
    loggable: int = 0       # what can really be logged now: remaining, less pieces held in open rework before it
    earlier: list[int] = field(default_factory=list)  # seqs of earlier operations with no pieces yet
    names: dict | None = None  # the name in other languages (shopfloor/names; shown by the local_name filter)

    @property
    def held(self) -> int:
        """Pieces not logged here that sit in rework of an earlier operation."""
        return self.remaining - self.loggable

    @property
    def earlier_label(self) -> str:
        return seq_ranges(self.earlier)


@dataclass
class BundleCard:
    bundle: Bundle
    order: Order
    style_code: str
    style_name: str
    operations: list[OpLine] = field(default_factory=list)
    selected_id: int | None = None
    sequence_check: SequenceCheck = SequenceCheck.WARN

    @property
    def selected(self) -> OpLine | None:
        return next((o for o in self.operations if o.id == self.selected_id), None)

    @property
    def complete(self) -> bool:
        return all(o.remaining == 0 for o in self.operations)


def find_bundle(ref: str) -> Bundle:
    code = parse_reference(ref)
    bundle = db.session.scalar(select(Bundle).where(Bundle.code == code))
    if bundle is None:
        raise DomainError(_("No bundle has the code %(code)s.", code=code), status=404, code="unknown")
    return bundle


def bundle_card(ref: str, user: User | None = None, operation_id: int | None = None) -> BundleCard:
    bundle = find_bundle(ref)
    order = bundle.order
    ops = db.session.scalars(select(Operation).where(Operation.style_id == order.style_id,
                                                     Operation.active.is_(True)).order_by(Operation.seq)).all()
    done = dict(db.session.execute(select(BundleOpProgress.operation_id, BundleOpProgress.done)
                                   .where(BundleOpProgress.bundle_id == bundle.id)).all())
    style = order.style
    check = SequenceCheck(style.sequence_check)
    in_rework = bundle.status == BundleStatus.REWORK
    raw = Raw(db.session) if in_rework else None
    lines = []
    for o in ops:
        d = done.get(o.id, 0)
        remaining = bundle.pieces - d
        # The scan's own rule (services.rework_cap), asked per operation only for a bundle in rework.
        loggable = max(0, min(remaining, services.rework_cap(raw, bundle.id, o.id, bundle.pieces) - d)) \
            if in_rework else remaining
        lines.append(OpLine(id=o.id, seq=o.seq, name=o.name, machine=o.machine, sam=float(o.sam), done=d,
                            remaining=remaining, qc_point=o.qc_point, loggable=loggable, names=o.names,
                            earlier=[] if check == SequenceCheck.OFF else earlier_not_done(ops, done, o.seq)))
    card = BundleCard(bundle=bundle, order=order, style_code=style.code, style_name=style.name,
                      operations=lines, sequence_check=check)
    ids = {o.id for o in lines}
    if operation_id in ids:
        card.selected_id = operation_id
    elif user is not None and user.assigned_operation_id in ids:
        # The operator's assigned operation on this style, or none: never a guess.
        card.selected_id = user.assigned_operation_id
    return card


def bundle_card_or_error(ref: str, user: User | None = None,
                         operation_id: int | None = None) -> tuple[BundleCard | None, str | None, int]:
    """The card, or why there is none (unknown or forged code): pages show the reason in place of the card."""
    try:
        return bundle_card(ref, user, operation_id), None, 200
    except DomainError as e:
        return None, e.message, e.status



def entry_bundle_code(log_id: int) -> str:
    """The code of the bundle a ledger entry is on."""
    return db.session.scalar(select(Bundle.code).join(WorkLog, WorkLog.bundle_id == Bundle.id)
                             .where(WorkLog.id == log_id)) or ""
