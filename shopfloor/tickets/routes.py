from __future__ import annotations

from flask import Blueprint, Response, request

from shopfloor.edge import lenient_whole
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
