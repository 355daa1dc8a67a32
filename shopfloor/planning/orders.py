"""The order form's size x colour grid, parsed at the edge into typed quantities."""
from __future__ import annotations

from flask_babel import gettext as _

from shopfloor.edge import trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.models import Style

GRID_ROWS = 20  # colour rows the order form offers


def parse_grid(form, style: Style | None) -> dict[tuple[str, str], int]:
    """Quantities from the size x colour grid: fields colour-<i> and qty-<i>-<size>."""
    out: dict[tuple[str, str], int] = {}
    if style is None:
        return out
    for i in range(GRID_ROWS):
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
