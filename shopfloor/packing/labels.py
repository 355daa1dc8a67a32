"""Carton labels: what each says (order, style, colour, sizes, carton n of N, weights, SSCC), as a 4 x 6 in PDF
(GS1-128 drawn by reportlab's Code 128 with FNC1) or as ZPL for a Zebra printer."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from shopfloor import pdf_fonts
from shopfloor.errors import DomainError
from shopfloor.models.packing import Carton
from shopfloor.packing import plans, queries, sscc, zpl

PAGE = (4 * inch, 6 * inch)
BAR_WIDTH = 1.3  # points per module: 20 digits in subset C fit the label with quiet zones


def _cartons(order_id: int, carton_ids: list[int] | None) -> list[Carton]:
    cartons = queries.cartons_of(order_id)
    if carton_ids:
        cartons = [c for c in cartons if c.id in carton_ids]
    if not cartons:
        raise DomainError(_("There are no cartons to label yet: make the cartons from the packing plan first."),
                          status=409)
    return cartons


def carton_labels(order_id: int, carton_ids: list[int] | None = None) -> list[zpl.CartonLabel]:
    cartons = _cartons(order_id, carton_ids)
    order = cartons[0].order
    plan = queries.plan_of(order_id)
    total = queries.carton_count(order_id)
    out = []
    for c in cartons:
        net, gross = plans.weights(plan, c.capacity)
        out.append(zpl.CartonLabel(
            sscc=c.sscc, element=sscc.element_string(c.sscc), order=_("Order %(n)s", n=order.number),
            customer=order.customer, style=f"{order.style.code} {order.style.name}", colour=c.colour,
            carton_of=_("Carton %(n)d of %(total)d", n=c.number, total=total),
            contents=[f"{ln.size} × {ln.planned}" for ln in c.lines], pieces=_("%(n)d pcs", n=c.capacity),
            weights=_("N.W. %(net)s kg · G.W. %(gross)s kg", net=net, gross=gross)))
    return out


def render_pdf(labels: list[zpl.CartonLabel], title: str = "") -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=PAGE, invariant=1)
    c.setTitle(title)
    w, h = PAGE
    pad = 0.2 * inch
    room = w - 2 * pad
    for i, lab in enumerate(labels):
        if i:
            c.showPage()
        y = h - pad - 16
        pdf_fonts.draw(c, pad, y, lab.customer, 16, bold=True, room=room)
        for text in (lab.order, lab.style, lab.colour):
            y -= 18
            pdf_fonts.draw(c, pad, y, text, 12, room=room)
        y -= 30
        pdf_fonts.draw(c, pad, y, lab.carton_of, 20, bold=True, room=room)
        for line in lab.contents[:8]:
            y -= 18
            pdf_fonts.draw(c, pad + 10, y, line, 13, room=room - 10)
        y -= 22
        pdf_fonts.draw(c, pad, y, lab.pieces, 13, bold=True, room=room)
        pdf_fonts.draw(c, pad, y - 15, lab.weights, 10, room=room)
        c.setLineWidth(1)
        c.line(pad, 2.3 * inch, w - pad, 2.3 * inch)
        pdf_fonts.draw(c, pad, 2.1 * inch, "SSCC", 9)
        bc = Code128(sscc.barcode_data(lab.sscc), barWidth=BAR_WIDTH, barHeight=1.2 * inch, humanReadable=False,
                     quiet=1, lquiet=10 * BAR_WIDTH, rquiet=10 * BAR_WIDTH)
        bc.drawOn(c, (w - bc.width) / 2, 0.6 * inch)
        pdf_fonts.draw(c, w / 2, 0.35 * inch, lab.element, 13, bold=True, align="centre")
    c.save()
    return buf.getvalue()


def render_zpl(labels: list[zpl.CartonLabel]) -> str:
    return "".join(zpl.carton_label(lab) for lab in labels)
