"""Packing plans: solid or ratio packs, and the cartons an order needs (full cartons and the odd ones).

Solid: one size and one colour per carton, `pieces_per_carton` each; what is left of a size x colour goes
into one odd carton. Ratio: one colour per carton, its sizes in the ratio (S:M:L:XL = 1:2:2:1), as many
assortments as fit `pieces_per_carton` (which must be a multiple of the ratio's sum); what is left of a
colour after its full ratio cartons goes into odd cartons of that colour, filled in size order.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shopfloor import clock
from shopfloor.auth import audit
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order
from shopfloor.models.packing import Carton, CartonLine, PackingPlan
from shopfloor.packing import queries, sscc
from shopfloor.vocabulary import PackMode

PLAN_SAVE, CARTONS_MAKE = "packing_plan_save", "cartons_make"
audit.LABELS.update({PLAN_SAVE: _l("Packing plan saved"), CARTONS_MAKE: _l("Cartons made")})


@dataclass(frozen=True)
class PlannedCarton:
    colour: str
    lines: tuple[tuple[str, int], ...]  # (size, pieces), in the style's size order
    odd: bool

    @property
    def pieces(self) -> int:
        return sum(n for _s, n in self.lines)


@dataclass(frozen=True)
class CartonGroup:
    """Identical planned cartons together, as the plan is read: "12 × M 24 (Navy)"."""
    carton: PlannedCarton
    count: int


def parse_ratio(text: str, sizes: list[str]) -> dict[str, int]:
    """ "S:1, M:2, L:2, XL:1" -> {"S": 1, ...}; every size of the style, whole numbers of at least 1."""
    out: dict[str, int] = {}
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        size, sep, n = part.partition(":")
        size, n = size.strip(), n.strip()
        if not sep or not n.isascii() or not n.isdigit() or int(n) < 1 or int(n) > 999:
            raise DomainError(_("Write the ratio as size:pieces, e.g. S:1, M:2, L:2, XL:1."))
        if size not in sizes:
            raise DomainError(_("Size %(size)s is not a size of this style.", size=size))
        out[size] = int(n)
    if not out:
        raise DomainError(_("Write the ratio as size:pieces, e.g. S:1, M:2, L:2, XL:1."))
    return out


def ratio_text(ratio: dict[str, int]) -> str:
    return ",".join(f"{s}:{n}" for s, n in ratio.items())


def plan_cartons(mode: PackMode, per_carton: int, ratio: dict[str, int] | None,
                 quantities: list[tuple[str, str, int]], sizes: list[str]) -> list[PlannedCarton]:
    """The cartons for an order's (size, colour, quantity) rows: full cartons first, then the odd ones."""
    order_of = {s: i for i, s in enumerate(sizes)}
    colours: dict[str, dict[str, int]] = {}
    for size, colour, qty in quantities:
        colours.setdefault(colour, {})[size] = colours.get(colour, {}).get(size, 0) + qty
    cartons: list[PlannedCarton] = []
    for colour, by_size in colours.items():
        ordered = sorted(by_size.items(), key=lambda kv: order_of.get(kv[0], len(sizes)))
        if mode == PackMode.SOLID:
            for size, qty in ordered:
                cartons += [PlannedCarton(colour, ((size, per_carton),), False)] * (qty // per_carton)
                if qty % per_carton:
                    cartons.append(PlannedCarton(colour, ((size, qty % per_carton),), True))
            continue
        ratio = ratio or {}
        missing = [s for s, _q in ordered if s not in ratio]
        if missing:
            raise DomainError(_("Size %(size)s of the order is not in the ratio.", size=missing[0]))
        total = sum(ratio.values())
        if per_carton % total:
            raise DomainError(_("Pieces per carton (%(n)d) must be a multiple of the ratio's %(r)d pieces.",
                                n=per_carton, r=total))
        packs = per_carton // total
        full = min(by_size.get(s, 0) // (r * packs) for s, r in ratio.items())
        lines = tuple((s, ratio[s] * packs) for s in sorted(ratio, key=lambda s: order_of.get(s, len(sizes))))
        cartons += [PlannedCarton(colour, lines, False)] * full
        left = [(s, q - full * ratio.get(s, 0) * packs) for s, q in ordered]
        current: list[tuple[str, int]] = []
        room = per_carton
        for size, q in left:
            while q > 0:
                take = min(q, room)
                current.append((size, take))
                q -= take
                room -= take
                if room == 0:
                    cartons.append(PlannedCarton(colour, tuple(current), True))
                    current, room = [], per_carton
        if current:
            cartons.append(PlannedCarton(colour, tuple(current), True))
    return cartons


def grouped(cartons: list[PlannedCarton]) -> list[CartonGroup]:
    groups: list[CartonGroup] = []
    for c in cartons:
        if groups and groups[-1].carton == c:
            groups[-1] = CartonGroup(c, groups[-1].count + 1)
        else:
            groups.append(CartonGroup(c, 1))
    return groups


def _order(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        raise DomainError(_("That order does not exist."), status=404)
    return order


def planned(order: Order, plan: PackingPlan) -> list[PlannedCarton]:
    ratio = parse_ratio(plan.ratio, order.style.sizes) if plan.mode == PackMode.RATIO else None
    rows = [(q.size, q.colour, q.quantity) for q in order.quantities]
    return plan_cartons(plan.mode, plan.pieces_per_carton, ratio, rows, order.style.sizes)


def save_plan(order_id: int, *, mode: PackMode, per_carton: int | None, ratio: str, length: Decimal | None,
              width: Decimal | None, height: Decimal | None, net_kg: Decimal | None, gross_kg: Decimal | None,
              actor_id: int) -> PackingPlan:
    """Enter or change an order's packing plan (until its cartons are made)."""
    order = _order(order_id)
    if None in (per_carton, length, width, height, net_kg, gross_kg):
        raise DomainError(_("Fill in pieces per carton, the carton's size and its weights."))
    if queries.carton_count(order.id):
        raise DomainError(_("The cartons of %(order)s are made already: the plan can no longer change.",
                            order=order.number), status=409)
    if gross_kg < net_kg:
        raise DomainError(_("The gross weight includes the carton: it cannot be less than the net weight."))
    ratio_map = parse_ratio(ratio, order.style.sizes) if mode == PackMode.RATIO else None
    rows = [(q.size, q.colour, q.quantity) for q in order.quantities]
    cartons = plan_cartons(mode, per_carton, ratio_map, rows, order.style.sizes)  # refuses a plan that cannot be
    with write_transaction():
        plan = queries.plan_of(order.id) or PackingPlan(order_id=order.id)
        plan.mode, plan.pieces_per_carton = mode, per_carton
        plan.ratio = ratio_text(ratio_map) if ratio_map else ""
        plan.length_cm, plan.width_cm, plan.height_cm = length, width, height
        plan.net_kg, plan.gross_kg, plan.updated_at = net_kg, gross_kg, clock.utcnow()
        db.session.add(plan)
        audit.record(actor_id, PLAN_SAVE, target=f"order {order.number}",
                     details=f"{mode.value} {per_carton}/carton {plan.ratio} -> {len(cartons)} cartons")
    return plan


def make_cartons(order_id: int, *, actor_id: int, extension: int, company_prefix: str) -> list[Carton]:
    """Number the plan's cartons 1..N and give each its SSCC (serial reference: the carton's id)."""
    order = _order(order_id)
    plan = queries.plan_of(order.id)
    if plan is None:
        raise DomainError(_("Enter the packing plan first."), status=409)
    if queries.carton_count(order.id):
        raise DomainError(_("The cartons of %(order)s are made already.", order=order.number), status=409)
    wanted = planned(order, plan)
    position = {s: i for i, s in enumerate(order.style.sizes)}
    with write_transaction():
        made = []
        for n, pc in enumerate(wanted, start=1):
            carton = Carton(order_id=order.id, number=n, colour=pc.colour, capacity=pc.pieces, packed=0)
            carton.lines = [CartonLine(size=s, colour=pc.colour, planned=q, packed=0, position=position.get(s, 99))
                            for s, q in pc.lines]
            db.session.add(carton)
            made.append(carton)
        db.session.flush()
        for carton in made:
            carton.sscc = sscc.sscc(extension, company_prefix, carton.id)
        audit.record(actor_id, CARTONS_MAKE, target=f"order {order.number}", details=f"{len(made)} cartons")
    return made


def existing_plan(order_id: int) -> tuple[Order, PackingPlan | None, list[CartonGroup]]:
    order = _order(order_id)
    plan = queries.plan_of(order.id)
    groups: list[CartonGroup] = []
    if plan is not None:
        try:
            groups = grouped(planned(order, plan))
        except DomainError:
            groups = []
    return order, plan, groups




KG = Decimal("0.001")
M3 = Decimal("0.001")


def weights(plan: PackingPlan | None, pieces: int) -> tuple[Decimal, Decimal]:
    """A carton's net and gross kg: the garments' weight in proportion to its pieces (a full carton weighs the
    plan's net), plus the empty carton (plan gross - net)."""
    if plan is None or not plan.pieces_per_carton:
        return Decimal("0"), Decimal("0")
    net = (Decimal(plan.net_kg) * pieces / plan.pieces_per_carton).quantize(KG)
    return net, (net + Decimal(plan.gross_kg) - Decimal(plan.net_kg)).quantize(KG)


def volume_m3(plan: PackingPlan | None) -> Decimal:
    if plan is None:
        return Decimal("0")
    return (Decimal(plan.length_cm) * Decimal(plan.width_cm) * Decimal(plan.height_cm) / Decimal(1_000_000)).quantize(M3)
