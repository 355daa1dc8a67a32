from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from shopfloor.edge import lenient_whole
from shopfloor.packing import printer
from shopfloor.tickets import services

bp = Blueprint("tickets", __name__)


@bp.get("/orders/<int:order_id>/tickets.pdf")
def order_pdf(order_id: int):
    ids = [n for n in map(lenient_whole, request.args.get("bundles", "").split(",")) if n]
    filename, data = services.render_order_pdf(order_id, request.args.get("layout", "a4"), ids or None)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.get("/orders/<int:order_id>/tickets.zpl")
def order_zpl(order_id: int):
    ids = [n for n in map(lenient_whole, request.args.get("bundles", "").split(",")) if n]
    filename, data = services.render_order_zpl(order_id, ids or None)
    return Response(data, mimetype="text/plain", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/orders/<int:order_id>/tickets/print")
def order_print(order_id: int):
    """The order's tickets (ZPL) sent to the network label printer of the settings."""
    _filename, data = services.render_order_zpl(order_id)
    printer.send(data, current_app.config.get("LABEL_PRINTER", ""))
    flash(_("%(n)d tickets sent to the label printer.", n=data.count("^XA")), "info")
    return redirect(url_for("planning.order", order_id=order_id), 303)
