"""Demo packing: an order sewn last week, packed, audited and shipped; ORD-1002 partly packed (a ratio plan,
its first cartons filled with what passed QC, one left open part-full). Through the services."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from shopfloor import clock
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Bundle, Line, Order, Role, Style, User
from shopfloor.models.packing import Carton
from shopfloor.orders.services import create_order, cut_order
from shopfloor.packing import audits, plans, queries, services, shipments
from shopfloor.scan.services import record_scan
from shopfloor.vocabulary import CartonStatus, PackMode, add_working_days

SHIPPED_ORDER = "ORD-0998"
PARTLY_PACKED = "ORD-1002"


def _user(role: Role) -> User | None:
    return db.session.scalar(select(User).where(User.role == role.value).order_by(User.id))


def seed_packing(rng) -> None:
    manager, packer, qc = _user(Role.MANAGER), _user(Role.PACKER), _user(Role.QC)
    style = db.session.scalar(select(Style).where(Style.code == "TS-100"))
    line = db.session.scalar(select(Line).order_by(Line.code))
    if None in (manager, packer, qc, style, line):
        return
    order_id = _sewn_last_week(style, line)
    _plan(order_id, manager, PackMode.SOLID, 24, "")
    _pack(order_id, packer, cartons=None)
    audit = audits.start(order_id=order_id, inspector_id=qc.id, rng=rng)
    audits.record(audit.id, [audits.Finding(c.carton_id, 0, 0, 0) for c in audit.cartons], inspector_id=qc.id,
                  now=clock.utcnow() - timedelta(days=2))
    today = clock.local_today()
    s = shipments.create(number="SH-0001", ex_factory=today - timedelta(days=1), carrier="DHL Freight",
                         container="Truck 27-KA-4411", actor_id=manager.id)
    shipments.add_order(s.id, order_id, actor_id=manager.id)
    shipments.ship(s.id, actor_id=manager.id)

    partly = db.session.scalar(select(Order).where(Order.number == PARTLY_PACKED))
    if partly is not None:
        _plan(partly.id, manager, PackMode.RATIO, 12, "S:1,M:2,L:2,XL:1")
        _pack(partly.id, packer, cartons=4)
    shipments.create(number="SH-0002", ex_factory=add_working_days(today, 2), carrier="Maersk",
                     container="MSKU 480112-3", actor_id=manager.id)


def _sewn_last_week(style: Style, line: Line) -> int:
    """A small order cut and sewn (every operation, in order) on a working day a week ago."""
    today = clock.local_today()
    with write_transaction():
        order = create_order(number=SHIPPED_ORDER, customer="Nordic Basics", style=style, line_id=line.id,
                             due_date=today + timedelta(days=1),
                             quantities={(s, "White"): n for s, n in zip(style.sizes, (24, 48, 48, 24))})
        cut_order(order, 12)
    order_id = order.id
    operators = list(db.session.scalars(select(User).where(User.role == Role.OPERATOR.value,
                                                           User.line_id == line.id).order_by(User.id)))
    by_op = {u.assigned_operation_id: u.id for u in operators if u.assigned_operation_id}
    ops = [(op.id, by_op.get(op.id, operators[0].id)) for op in style.operations if op.active]
    codes = [b.code for b in db.session.scalars(select(Bundle).where(Bundle.order_id == order_id)
                                                  .order_by(Bundle.number))]
    day = today - timedelta(days=7)
    start = datetime.combine(day, time.fromisoformat(current_app.config["SHIFT_START"]), tzinfo=clock.factory_tz())
    at = start.astimezone(timezone.utc).replace(tzinfo=None)
    for i, (op_id, user_id) in enumerate(ops):
        for j, code in enumerate(codes):
            record_scan(operator_id=user_id, bundle_ref=code, operation_id=op_id, client_id=None,
                        now=at + timedelta(minutes=20 * i + 3 * j))
    return order_id


def _plan(order_id: int, manager: User, mode: PackMode, per_carton: int, ratio: str) -> None:
    plans.save_plan(order_id, mode=mode, per_carton=per_carton, ratio=ratio, length=Decimal("58"),
                    width=Decimal("38"), height=Decimal("32"), net_kg=Decimal("0.180") * per_carton,
                    gross_kg=Decimal("0.180") * per_carton + Decimal("0.950"), actor_id=manager.id)
    plans.make_cartons(order_id, actor_id=manager.id, extension=current_app.config["SSCC_EXTENSION"],
                       company_prefix=current_app.config["GS1_COMPANY_PREFIX"])


def _pack(order_id: int, packer: User, cartons: int | None) -> None:
    """Fill cartons in number order with the bundles that passed QC; `cartons`: how many to touch (the last of
    them is left open when it is not full), None: all, each closed."""
    bundles = [(b.id, b.code, b.size, b.colour) for b in db.session.scalars(
        select(Bundle).where(Bundle.order_id == order_id).order_by(Bundle.number))]
    ids = [c.id for c in queries.cartons_of(order_id)]
    for n, carton_id in enumerate(ids[:cartons] if cartons else ids):
        last = cartons is not None and n == cartons - 1
        for line in list(db.session.get(Carton, carton_id).lines):
            size, colour = line.size, line.colour
            for b_id, code, b_size, b_colour in bundles:
                if (b_size, b_colour) != (size, colour):
                    continue
                db.session.expire_all()
                carton = db.session.get(Carton, carton_id)
                left = next(ln.planned - ln.packed for ln in carton.lines if ln.size == size)
                free = queries.passed_qc_pieces(b_id) - queries.bundle_packed(b_id)
                if left <= 0 or carton.status == CartonStatus.CLOSED:
                    break
                if free <= 0:
                    continue
                take = min(free, left, left // 2 or 1) if last else None
                services.pack(carton_id, code, take, client_id=f"demo-{carton_id}-{b_id}", actor=packer)
                if last:
                    break
        db.session.expire_all()
        carton = db.session.get(Carton, carton_id)
        if not last and carton.status == CartonStatus.OPEN and carton.packed:
            services.close(carton_id, actor=packer, partial_ok=True)
