from __future__ import annotations

from flask import Blueprint, Response, request

from shopfloor.tickets import services

bp = Blueprint("tickets", __name__)


@bp.get("/orders/<int:order_id>/tickets.pdf")
def order_pdf(order_id: int):
    ids = [int(x) for x in request.args.get("bundles", "").split(",") if x.strip().isdigit()]
    filename, data = services.render_order_pdf(order_id, request.args.get("layout", "a4"), ids or None)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
