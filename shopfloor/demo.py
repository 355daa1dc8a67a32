"""A demo factory: 2 lines, 30 operators, 3 styles with real bulletins, 7 orders (open, cutting, sewing, one on
hold, one cancelled), days of history."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import select

from shopfloor import clock, signals
from shopfloor.auth.services import create_user
from shopfloor.balance.demo import seed_skills
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Bundle, Line, Operation, Order, Style, User
from shopfloor.models.planning import Material, Milestone, Supplier
from shopfloor.attendance.demo import seed_time
from shopfloor.orders.demo import seed_lifecycle
from shopfloor.packing.demo import seed_packing
from shopfloor.quality.demo import seed_quality
from shopfloor.stoppages.demo import seed_stoppages
from shopfloor.vocabulary import MaterialKind, is_working_day
from shopfloor.orders.services import cut_order, create_order
from shopfloor.scan.services import record_scan

DEMO_PASSWORD = "demo1234"
DEMO_PIN = "123456"

# (name, machine, SAM, qc point)
BULLETINS = {
    ("TS-100", "Crew-neck T-shirt", "S,M,L,XL"): [
        ("Shoulder join", "4-thread overlock", 0.35, False),
        ("Neck rib attach", "4-thread overlock", 0.45, False),
        ("Neck top-stitch", "Coverstitch", 0.40, False),
        ("Sleeve attach", "4-thread overlock", 0.70, False),
        ("Side seam", "4-thread overlock", 0.85, False),
        ("Sleeve hem", "Flatlock", 0.50, False),
        ("Bottom hem", "Flatlock", 0.45, False),
        ("Care label attach", "Single-needle lockstitch", 0.30, False),
        ("Thread trim and check", "Manual", 0.40, True),
    ],
    ("PL-200", "Pique polo shirt", "S,M,L,XL,XXL"): [
        ("Placket attach", "Single-needle lockstitch", 1.10, False),
        ("Placket box stitch", "Single-needle lockstitch", 0.90, False),
        ("Shoulder join", "4-thread overlock", 0.40, False),
        ("Collar attach", "Single-needle lockstitch", 1.20, True),
        ("Collar close and top-stitch", "Single-needle lockstitch", 0.80, False),
        ("Sleeve attach", "4-thread overlock", 0.80, False),
        ("Side seam with side vents", "4-thread overlock", 1.00, False),
        ("Sleeve hem", "Coverstitch", 0.55, False),
        ("Bottom hem", "Coverstitch", 0.60, False),
        ("Buttonhole (3)", "Buttonhole machine", 0.45, False),
        ("Button attach (3)", "Button sewer", 0.45, False),
        ("Trim, label and final check", "Manual", 0.70, True),
    ],
    ("TR-300", "Chino trousers", "28,30,32,34,36"): [
        ("Front pocket facing attach", "Single-needle lockstitch", 1.20, False),
        ("Front pocket close", "Overlock", 0.80, False),
        ("Back dart and welt pocket", "Automatic welt machine", 1.60, False),
        ("Fly and zipper attach", "Single-needle lockstitch", 1.80, True),
        ("Inseam", "Safety stitch overlock", 1.00, False),
        ("Side seam", "Safety stitch overlock", 1.10, False),
        ("Waistband attach", "Waistband machine", 1.50, False),
        ("Belt loops make and attach", "Bar tack", 1.30, False),
        ("Bottom hem", "Blind stitch", 0.80, False),
        ("Buttonhole and button", "Buttonhole machine", 0.60, False),
        ("Bar tacks", "Bar tack", 0.70, False),
        ("Trim and final check", "Manual", 1.00, True),
    ],
}

FIRST = ["Amina", "Rahim", "Nasrin", "Karim", "Fatema", "Jamal", "Sultana", "Rafiq", "Ayesha", "Hasan",
         "Mitu", "Sabbir", "Shirin", "Tariq", "Rupa", "Imran", "Lina", "Arif", "Nadia", "Sohel",
         "Parvin", "Kamal", "Ruma", "Babul", "Selina", "Milon", "Jesmin", "Rashed", "Tania", "Ovi"]
LAST = ["Akter", "Hossain", "Begum", "Uddin", "Khatun", "Islam", "Rahman", "Ali", "Sarkar", "Mia"]

STAFF = [("admin", "Demo Admin", "admin"), ("manager", "Maya Manager", "manager"),
         ("supervisor", "Sami Supervisor", "supervisor"), ("qc", "Quinn Inspector", "qc"),
         ("packer", "Pia Packer", "packer")]

def _extra_steps() -> list:
    """Seeding steps of other areas, run after the floor history: fn(rng)."""
    return [seed_quality, seed_time, seed_stoppages, seed_lifecycle, seed_skills, seed_packing]


def has_demo_users() -> bool:
    return db.session.scalar(select(User.id).where(User.username == "manager")) is not None


def is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


def seed(days: int = 3, rng_seed: int = 7) -> dict:
    rng = random.Random(rng_seed)
    wage = Decimal(str(current_app.config["WAGE_PER_MINUTE"]))
    # Everything before the history in one write transaction (BEGIN IMMEDIATE, writers' queue): a deferred
    # transaction that reads and then writes can be refused at once by SQLite in WAL mode.
    with write_transaction():
        lines = [Line(code="L1", name="Line 1 · Knits", target_efficiency=Decimal("0.70")),
                 Line(code="L2", name="Line 2 · Wovens", target_efficiency=Decimal("0.65"))]
        db.session.add_all(lines)
        db.session.flush()
        for username, name, role in STAFF:
            create_user(name, role, username=username, password=DEMO_PASSWORD,
                        line_id=lines[0].id if role in ("supervisor", "qc") else None)

        styles = {}
        for (code, name, sizes), ops in BULLETINS.items():
            style = Style(code=code, name=name, sizes_csv=sizes)
            style.operations = [Operation(seq=i + 1, name=n, machine=m, sam=Decimal(str(sam)),
                                          piece_rate=(Decimal(str(sam)) * wage).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                                          qc_point=qc) for i, (n, m, sam, qc) in enumerate(ops)]
            style.target_cost_per_piece = (style.total_sam * wage * Decimal("1.35")).quantize(Decimal("0.01"),
                                                                                              ROUND_HALF_UP)
            db.session.add(style)
            styles[code] = style
        db.session.flush()

        today = clock.local_today()
        orders = [
            create_order(number="ORD-1001", customer="Nordic Basics", style=styles["TS-100"],
                         due_date=today + timedelta(days=12), line_id=lines[0].id,
                         quantities=_grid(styles["TS-100"], ["White", "Navy"], [300, 600, 600, 300])),
            create_order(number="ORD-1002", customer="Urban Outfit Co", style=styles["TS-100"],
                         due_date=today + timedelta(days=2), line_id=lines[0].id,
                         quantities=_grid(styles["TS-100"], ["Black"], [100, 200, 200, 100])),
            create_order(number="ORD-1003", customer="Harbour Sport", style=styles["PL-200"],
                         due_date=today + timedelta(days=9), line_id=lines[1].id,
                         quantities=_grid(styles["PL-200"], ["Red", "White"], [150, 300, 300, 250, 150])),
            create_order(number="ORD-1004", customer="Harbour Sport", style=styles["TR-300"],
                         due_date=today + timedelta(days=20), line_id=lines[1].id,
                         quantities=_grid(styles["TR-300"], ["Khaki"], [40, 80, 100, 80, 40])),
            create_order(number="ORD-1005", customer="Nordic Basics", style=styles["PL-200"],
                         due_date=today + timedelta(days=30), line_id=lines[1].id,
                         quantities=_grid(styles["PL-200"], ["Navy"], [50, 100, 150, 100, 50])),
        ]
        _materials(orders, today)
        _close_early_milestones(orders, today)
        for order in orders[:4]:
            cut_order(order, 10)  # the first scan of each moves it on to sewing (planning.schedule.on_work_logged)

        operators = _operators(rng, lines, styles)
    plan = [([orders[1].id, orders[0].id], [u.id for u in operators[lines[0].id]]),
            ([orders[2].id], [u.id for u in operators[lines[1].id]])]
    n_lines, n_ops = len(lines), sum(len(v) for v in operators.values())
    scans = sum(_history(rng, days, order_ids, user_ids) for order_ids, user_ids in plan)
    for step in _extra_steps():
        step(rng)  # each step writes through the services' own write transactions
    return {"lines": n_lines, "operators": n_ops, "orders": 7, "scans": scans}


def _materials(orders, today) -> None:
    """Fabric and trims: in for the orders being sewn; the last order's fabric is still on its way."""
    D = Decimal
    mill, trims = Supplier(name="Chittagong Knit Mills", contact="+880 31 555 0101"), Supplier(name="Dhaka Trims Ltd")
    db.session.add_all([mill, trims])
    db.session.flush()
    for i, o in enumerate(orders):
        fabric_qty = D(o.total_quantity) * D("0.32")  # kg of fabric per garment
        arrived = i < 4
        db.session.add(Material(order_id=o.id, supplier_id=mill.id, kind="fabric", name=f"{o.style.name} fabric",
                                quantity=fabric_qty, unit="kg", ordered_on=today - timedelta(days=30),
                                expected_on=today - timedelta(days=12) if arrived else today + timedelta(days=5),
                                received=fabric_qty if arrived else D("0"),
                                received_on=today - timedelta(days=12) if arrived else None))
        db.session.add(Material(order_id=o.id, supplier_id=trims.id, kind="trims", name="Labels, thread, buttons",
                                quantity=D(o.total_quantity), unit="sets", ordered_on=today - timedelta(days=25),
                                expected_on=today - timedelta(days=8), received=D(o.total_quantity),
                                received_on=today - timedelta(days=8)))
    db.session.flush()
    for o in orders:  # the store's receipts, as the floor would have reported them
        for kind in MaterialKind:
            signals.materials_received.send(None, order_id=o.id, kind=kind, at=clock.utcnow())


def _close_early_milestones(orders, today) -> None:
    """Pre-production steps already behind these orders (the floor closes the rest by itself)."""
    db.session.flush()
    for m in db.session.scalars(select(Milestone).where(Milestone.order_id.in_([o.id for o in orders]))):
        if m.key in ("sample_approval", "fabric_booking", "trims_booking", "pp_meeting") and m.planned <= today:
            m.actual = m.planned


def _grid(style: Style, colours: list[str], per_size: list[int]) -> dict:
    return {(size, colour): qty for colour in colours for size, qty in zip(style.sizes, per_size)}


def _operators(rng, lines, styles) -> dict[int, list[User]]:
    names = [f"{f} {rng.choice(LAST)}" for f in FIRST]
    out: dict[int, list[User]] = {}
    n = 0
    for line, style in ((lines[0], styles["TS-100"]), (lines[1], styles["PL-200"])):
        ops = style.operations
        out[line.id] = []
        for i in range(15):
            n += 1
            op = ops[i % len(ops)]
            user = create_user(names[n - 1], "operator", pin=DEMO_PIN, badge_code=f"OP{n:03d}", line_id=line.id,
                               language="en")
            user.assigned_operation_id = op.id
            out[line.id].append(user)
    db.session.flush()
    return out


def _history(rng, days, order_ids, user_ids) -> int:
    """Simulate the line: each operator works their operation on bundles that have passed the one before."""
    shift_start = time.fromisoformat(current_app.config["SHIFT_START"])
    shift_hours = current_app.config["SHIFT_MINUTES"] // 60
    now = clock.utcnow()
    tz = clock.factory_tz()
    # Plain values: the loop must not touch ORM objects that every commit expires.
    orders = [db.session.get(Order, i) for i in order_ids]
    operators = [db.session.get(User, i) for i in user_ids]
    bundles = [(b.id, b.code, b.pieces) for o in orders for b in db.session.scalars(
        select(Bundle).where(Bundle.order_id == o.id).order_by(Bundle.number))]
    ops = [(op.id, float(op.sam)) for op in orders[0].style.operations]
    op_index = {op_id: i for i, (op_id, _sam) in enumerate(ops)}
    workers = [(u.id, u.line_id, u.assigned_operation_id if u.assigned_operation_id in op_index else ops[0][0])
               for u in operators]
    db.session.expunge_all()
    done = {(b[0], op[0]): 0 for b in bundles for op in ops}
    skill = {w[0]: rng.uniform(0.55, 0.85) for w in workers}
    scans = 0
    for back in range(days, -1, -1):
        day = clock.local_today() - timedelta(days=back)
        if not is_working_day(day):
            continue
        for h in range(shift_hours):
            start_local = datetime.combine(day, shift_start, tzinfo=tz) + timedelta(hours=h)
            start = start_local.astimezone(timezone.utc).replace(tzinfo=None)
            if start + timedelta(hours=1) > now:
                return scans
            for user_id, line_id, op_id in workers:
                i = op_index[op_id]
                sam = ops[i][1]
                prev = ops[i - 1][0] if i else None
                capacity = int(60 / sam * skill[user_id] * rng.uniform(0.85, 1.1))
                minute = rng.uniform(2, 8)
                for b_id, code, pieces in bundles:
                    if capacity < pieces:
                        break
                    ready = pieces if prev is None else done[(b_id, prev)]
                    if ready - done[(b_id, op_id)] < pieces:
                        continue
                    record_scan(operator_id=user_id, operator_line_id=line_id, bundle_ref=code,
                                operation_id=op_id, qty=pieces, client_id=None,
                                now=start + timedelta(minutes=minute))
                    done[(b_id, op_id)] += pieces
                    capacity -= pieces
                    minute = min(59.5, minute + pieces * sam / skill[user_id])
                    scans += 1
    return scans
