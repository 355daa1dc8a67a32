"""A shipment's papers: the packing list (rows of identical cartons as ranges, with sizes, colours, pieces,
net and gross weight and volume; PDF and CSV) and the delivery note (PDF). Headers translated by the caller's
locale; weights and volumes exact decimals."""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shopfloor import pdf_fonts
from shopfloor.models.packing import Shipment
from shopfloor.packing import plans, queries
from shopfloor.spreadsheet import Number, csv_chunks


@dataclass
class ListRow:
    order: str
    first: int
    last: int
    colour: str
    sizes: str           # "S 6 · M 12"
    per_carton: int
    net: Decimal         # per carton
    gross: Decimal
    volume: Decimal
    cartons: int = 1

    @property
    def range(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"

    @property
    def pieces(self) -> int:
        return self.per_carton * self.cartons


def packing_rows(shipment: Shipment) -> list[ListRow]:
    rows: list[ListRow] = []
    plan_cache: dict[int, object] = {}
    for c in shipment.cartons:  # by order, then carton number
        plan = plan_cache.setdefault(c.order_id, queries.plan_of(c.order_id))
        net, gross = plans.weights(plan, c.packed)
        sizes = " · ".join(f"{ln.size} {ln.packed}" for ln in c.lines if ln.packed)
        last = rows[-1] if rows else None
        if (last and last.order == c.order.number and last.last == c.number - 1 and last.colour == c.colour
                and last.sizes == sizes and last.per_carton == c.packed):
            last.last, last.cartons = c.number, last.cartons + 1
            continue
        rows.append(ListRow(c.order.number, c.number, c.number, c.colour, sizes, c.packed, net, gross,
                            plans.volume_m3(plan)))
    return rows


def totals(rows: list[ListRow]) -> dict:
    return dict(cartons=sum(r.cartons for r in rows), pieces=sum(r.pieces for r in rows),
                net=sum((r.net * r.cartons for r in rows), Decimal("0")),
                gross=sum((r.gross * r.cartons for r in rows), Decimal("0")),
                volume=sum((r.volume * r.cartons for r in rows), Decimal("0")))


def _header() -> list[str]:
    return [_("Order"), _("Cartons"), _("Carton numbers"), _("Colour"), _("Sizes per carton"), _("Pieces per carton"),
            _("Pieces"), _("Net weight (kg)"), _("Gross weight (kg)"), _("Volume (m³)")]


def packing_list_csv(shipment: Shipment):
    rows = packing_rows(shipment)
    body = [[r.order, r.cartons, r.range, r.colour, r.sizes, r.per_carton, r.pieces, Number(r.net * r.cartons),
             Number(r.gross * r.cartons), Number(r.volume * r.cartons)] for r in rows]
    t = totals(rows)
    body.append([_("Total"), t["cartons"], "", "", "", "", t["pieces"], Number(t["net"]), Number(t["gross"]),
                 Number(t["volume"])])
    return csv_chunks(_header(), body)


def _title_block(c: Canvas, title: str, shipment: Shipment, top: float) -> float:
    pdf_fonts.draw(c, 15 * mm, top, title, 16, bold=True)
    facts = [_("Shipment %(n)s", n=shipment.number),
             _("Ex-factory %(d)s", d=format_date(shipment.ex_factory, "medium")),
             _("Carrier: %(c)s", c=shipment.carrier or "—"), _("Container / truck: %(c)s", c=shipment.container or "—")]
    pdf_fonts.draw(c, 15 * mm, top - 16, "   ·   ".join(facts), 10)
    return top - 36


def _row(c: Canvas, xs: list[float], y: float, cells: list, size: float, *, bold: bool = False) -> None:
    """One table row: each cell at its column's left edge (xs, mm), cut to the column's width."""
    for i, v in enumerate(cells):
        pdf_fonts.draw(c, xs[i] * mm, y, str(v), size, bold=bold, room=(xs[i + 1] - xs[i] - 2) * mm)


def packing_list_pdf(shipment: Shipment) -> bytes:
    rows = packing_rows(shipment)
    buf = io.BytesIO()
    size = landscape(A4)
    c = Canvas(buf, pagesize=size, invariant=1)
    c.setTitle(_("Packing list · %(n)s", n=shipment.number))
    y = _title_block(c, _("Packing list"), shipment, size[1] - 20 * mm)
    xs = [15, 40, 56, 80, 110, 180, 200, 220, 242, 264, 284]  # column edges, mm
    header = _header()

    def head(y):
        depth = 1
        for i, h in enumerate(header):
            lines = pdf_fonts.wrap(h, (xs[i + 1] - xs[i] - 2) * mm, 8, bold=True)
            depth = max(depth, len(lines))
            for n, line in enumerate(lines):
                pdf_fonts.draw(c, xs[i] * mm, y - 9 * n, line, 8, bold=True)
        return y - 9 * depth - 5

    y = head(y)
    t = totals(rows)
    for r in rows + [None]:
        if y < 20 * mm:
            c.showPage()
            y = head(size[1] - 20 * mm)
        if r is None:
            cells = [_("Total"), t["cartons"], "", "", "", "", t["pieces"], t["net"], t["gross"], t["volume"]]
        else:
            cells = [r.order, r.cartons, r.range, r.colour, r.sizes, r.per_carton, r.pieces, r.net * r.cartons,
                     r.gross * r.cartons, r.volume * r.cartons]
        _row(c, xs, y, cells, 9, bold=r is None)
        y -= 13
    c.save()
    return buf.getvalue()


def delivery_note_pdf(shipment: Shipment) -> bytes:
    rows = packing_rows(shipment)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(_("Delivery note · %(n)s", n=shipment.number))
    y = _title_block(c, _("Delivery note"), shipment, A4[1] - 20 * mm)
    xs = [15, 50, 110, 140, 165, 200]  # column edges, mm
    _row(c, xs, y, [_("Order"), _("Customer · style"), _("Cartons"), _("Pieces"), _("Gross weight (kg)")], 10,
         bold=True)
    y -= 16
    for order in queries.shipment_orders(shipment.id):
        mine = [r for r in rows if r.order == order.number]
        t = totals(mine)
        _row(c, xs, y, [order.number, f"{order.customer} · {order.style.code}", t["cartons"], t["pieces"], t["gross"]],
             10)
        y -= 15
    t = totals(rows)
    _row(c, xs, y, [_("Total"), "", t["cartons"], t["pieces"], t["gross"]], 10, bold=True)
    y -= 50
    pdf_fonts.draw(c, 15 * mm, y, _("Handed over by (factory): ____________________"), 10)
    pdf_fonts.draw(c, 110 * mm, y, _("Received by (carrier): ____________________"), 10)
    c.save()
    return buf.getvalue()
