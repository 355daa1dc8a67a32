"""The order forms' size x colour grid (new order and edit), parsed at the edge into typed quantities."""
from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import gettext as _

from shopfloor.edge import decimal, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.models import Order, Style
from shopfloor.orders.editing import MAX_TOLERANCE_PERCENT

MIN_ROWS = 4      # colour rows an empty grid offers; "Add a colour" (static/js/page.js) adds more
MAX_ROWS = 500    # any number of colours, within reason: rows numbered beyond this are not read
_ROW = re.compile(r"(?:colour|qty)-(\d{1,4})(?:-|$)")


def _row_numbers(form) -> list[int]:
    return sorted({int(m.group(1)) for k in form.keys() if (m := _ROW.match(k)) and int(m.group(1)) < MAX_ROWS})


def parse_grid(form, style: Style | None) -> dict[tuple[str, str], int]:
    """Quantities from the size x colour grid: fields colour-<i> and qty-<i>-<size>, any number of rows."""
    out: dict[tuple[str, str], int] = {}
    if style is None:
        return out
    for i in _row_numbers(form):
        colour = trimmed(form.get(f"colour-{i}"), max_len=40, label=_("Colour"))
        cells = {size: form.get(f"qty-{i}-{size}") for size in style.sizes}
        if not colour and not any((v or "").strip() for v in cells.values()):
            continue
        if not colour:
            raise DomainError(_("Every row of quantities needs a colour."))
        for size, raw in cells.items():
            qty = whole(raw, _("Quantities must be whole numbers (at most 1,000,000)."), maximum=1_000_000, default=0)
            if qty < 0:
                raise DomainError(_("Quantities cannot be negative."))
            if qty:
                out[(size, colour)] = out.get((size, colour), 0) + qty
    return out


def grid_rows(form) -> list[int]:
    """The row numbers the grid shows: the rows sent (kept on a refusal), at least MIN_ROWS."""
    used = _row_numbers(form)
    extra = max(0, MIN_ROWS - len(used))
    start = (used[-1] + 1) if used else 0
    return used + list(range(start, start + extra))


def grid_form(order: Order) -> dict:
    """The edit form's fields for an order as stored: one row per colour, in the order first entered."""
    colours = list(dict.fromkeys(q.colour for q in order.quantities))
    form = {"customer": order.customer, "due_date": order.due_date.isoformat(),
            "line": str(order.line_id or ""),
            "short_tolerance": _percent(order.short_tolerance_pm), "excess_tolerance": _percent(order.excess_tolerance_pm)}
    for i, colour in enumerate(colours):
        form[f"colour-{i}"] = colour
    for q in order.quantities:
        form[f"qty-{colours.index(q.colour)}-{q.size}"] = str(q.quantity)
    return form


def _percent(pm: int | None) -> str:
    return "" if pm is None else str(Decimal(pm) / 10).removesuffix(".0")


def parse_tolerance(value, label: str) -> Decimal | None:
    """A shipping tolerance typed in percent ("3", "2.5"); blank: the factory default."""
    top = MAX_TOLERANCE_PERCENT
    return decimal(value, _("%(f)s must be a percentage from 0 to %(m)d.", f=label, m=int(top)), minimum=0, maximum=top,
                   places=1)
