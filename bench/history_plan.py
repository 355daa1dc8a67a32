"""The plan of bench/history_gen.py's year, worked out in Python before anything is written: the styles, the
lines, which bundles each line's first operation takes on each working day, and each order's dates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time as dtime, timedelta

OPERATIONS = ["Shoulder join", "Neck rib attach", "Neck top-stitch", "Sleeve attach", "Side seam", "Sleeve hem",
              "Bottom hem", "Care label attach", "Placket attach", "Placket box stitch", "Collar attach",
              "Collar close", "Side vents", "Buttonhole", "Button attach", "Front pocket facing", "Pocket close",
              "Back dart", "Welt pocket", "Fly and zipper", "Inseam", "Waistband attach", "Belt loops", "Bar tacks",
              "Yoke attach", "Cuff attach", "Cuff close", "Hood attach", "Drawcord channel", "Elastic insert"]
STYLES = [("TS-1", "T-shirt", "S,M,L,XL", 22), ("PL-2", "Polo", "S,M,L,XL,XXL", 26), ("SH-3", "Shirt", "S,M,L,XL", 30),
          ("TR-4", "Chinos", "28,30,32,34,36", 34), ("HD-5", "Hoodie", "S,M,L,XL", 38),
          ("JK-6", "Jacket", "S,M,L,XL", 40)]
COLOURS = ["Navy", "Black", "White", "Grey", "Khaki", "Red", "Olive", "Sky"]
CUSTOMERS = ["Nordic Basics", "Urban Outfit Co", "Harbour Sport", "Atlas Apparel", "Meridian Wear", "Cedar & Co"]
REASONS = ["breakdown", "needle_thread", "no_work", "quality", "power", "meeting", "other"]
SHIFT_START, SHIFT_MINUTES, OPS_PER_LINE = dtime(8), 480, 40


@dataclass
class PlannedOrder:
    line: int
    number: str
    style: int
    quantities: dict
    bundle_size: int
    first_seq: int
    bundles: list[int]
    cut: bool = True
    started: date | None = None
    finished: date | None = None
    due: date | None = None
    id: int = 0


@dataclass
class LinePlan:
    index: int
    operators: int
    styles: tuple[int, int]
    orders: list[PlannedOrder] = field(default_factory=list)
    bundles: list[tuple[int, int]] = field(default_factory=list)   # (pieces, style) in sewing order
    days: list[tuple[int, int]] = field(default_factory=list)      # (first, last) seq of the first operation
    lag: int = 0


def working_days(end: date, span: int) -> list[date]:
    from shopfloor.vocabulary import is_working_day

    return [d for d in (end - timedelta(days=i) for i in range(span - 1, -1, -1)) if is_working_day(d)]


def plan_lines(rng, operators: int, days: list[date], style_sams: list[list[float]]) -> list[LinePlan]:
    """Which bundles each line's first operation takes each day: the line's minutes (operators x 480 x its
    efficiency that day) spent on bundles at pieces x the style's total SAM; orders added as the line needs them,
    then one order cut and not started, and one open."""
    from shopfloor.orders.services import split_quantity

    total_sam = [sum(s) for s in style_sams]
    n_lines = max(1, round(operators / OPS_PER_LINE))
    plans = [LinePlan(i, operators // n_lines + (1 if i < operators % n_lines else 0), (i % 6, (i + 1) % 6))
             for i in range(n_lines)]
    for lp in plans:
        def add_order(cut: bool = True) -> None:
            style = lp.styles[len(lp.orders) % 2]
            sizes = STYLES[style][2].split(",")
            colours = rng.sample(COLOURS, rng.randint(1, 3))
            per = rng.randint(3000, 9000) // (len(sizes) * len(colours))
            qty = {(s, c): max(20, int(per * w)) for c in colours for s, w in zip(sizes, (0.6, 1.1, 1.3, 1.1, 0.9))}
            size = rng.randint(20, 30)
            o = PlannedOrder(lp.index, f"PO-{lp.index + 1:02d}{len(lp.orders) + 1:03d}", style, qty, size,
                             len(lp.bundles), [p for n in qty.values() for p in split_quantity(n, size)], cut)
            lp.orders.append(o)
            if cut:
                lp.bundles += [(p, style) for p in o.bundles]
        base, ptr = rng.uniform(0.62, 0.78), 0
        for _day in days:
            budget, first = lp.operators * SHIFT_MINUTES * base * rng.uniform(0.9, 1.07), ptr
            while True:
                while ptr >= len(lp.bundles):
                    add_order()
                cost = lp.bundles[ptr][0] * total_sam[lp.bundles[ptr][1]]
                if cost > budget and ptr > first:
                    break
                budget, ptr = budget - cost, ptr + 1
            lp.days.append((first, ptr - 1))
        while lp.orders[-1].first_seq < ptr:
            add_order()
        add_order(cut=False)
        lp.lag = max(1, round(ptr / len(days)))
        _date_orders(rng, lp, days, style_sams)
    return plans


def _date_orders(rng, lp: LinePlan, days: list[date], style_sams: list[list[float]]) -> None:
    """Started: the day the first operation reaches its first bundle; finished: the day the last operation
    passes its last bundle (the lag history_sql.work_log gives it); due a few days after, or weeks ahead."""
    ahead = 0
    for o in lp.orders:
        last, k = o.first_seq + len(o.bundles) - 1, len(style_sams[o.style])
        lag_last = ((k - 1) * lp.lag) // k
        for di, (_first, final) in enumerate(lp.days):
            if o.cut and o.started is None and final >= o.first_seq:
                o.started = days[di]
            if o.cut and final - lag_last >= last:
                o.finished = days[di]
                break
        if o.finished is None:
            ahead += 1
        o.due = (o.finished or days[-1] + timedelta(days=10 * ahead)) + timedelta(days=rng.randint(2, 12))


def status_of(o: PlannedOrder, end: date) -> str:
    if not o.cut:
        return "open"
    if o.finished:
        return "closed" if (end - o.finished).days > 10 else "finishing"
    return "sewing" if o.started else "cutting"


