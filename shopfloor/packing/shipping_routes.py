"""Shipments (closed cartons of one or more orders), their papers, shipping, and final audits on packed
cartons. Parse -> one service or query -> page."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.edge import day, on_refusal, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.models.packing import CARRIER_LEN, CONTAINER_LEN, SHIPMENT_NUMBER_LEN
from shopfloor.packing import audits, documents, queries, shipments

bp = Blueprint("shipping", __name__)


def _list_page(error=None, status=200):
    items = queries.shipments()
    orders = queries.packable_orders()
    return render_template("packing/shipments.html", items=items, orders=orders, error=error, form=request.form,
                           progress=queries.order_progress([o.id for o in orders])), status


@bp.get("/shipments")
def shipments_list():
    return _list_page()


@bp.post("/shipments")
@on_refusal(lambda e: _list_page(e.message, e.status))
def shipment_create():
    f = request.form
    s = shipments.create(number=trimmed(f.get("number"), max_len=SHIPMENT_NUMBER_LEN, label=_("Shipment number")),
                         ex_factory=day(f.get("ex_factory"), _("Enter the ex-factory date.")),
                         carrier=trimmed(f.get("carrier"), max_len=CARRIER_LEN, label=_("Carrier")),
                         container=trimmed(f.get("container"), max_len=CONTAINER_LEN, label=_("Container / truck")),
                         actor_id=current_user.id)
    return redirect(url_for("shipping.shipment", shipment_id=s.id), 303)


def _shipment_page(shipment_id: int, error=None, status=200):
    s = shipments.get(shipment_id)
    orders = queries.shipment_orders(s.id)
    rows = documents.packing_rows(s)
    return render_template("packing/shipment.html", s=s, orders=orders, rows=rows, totals=documents.totals(rows),
                           candidates=[o for o in queries.packable_orders() if queries.closed_unshipped(o.id)],
                           audits=queries.audits_of(order_ids=[o.id for o in orders], shipment_id=s.id),
                           blocker=shipments.blocking_audit(s), error=error), status


def _shipment_refused(e: DomainError):
    return _shipment_page(request.view_args["shipment_id"], e.message, e.status)


@bp.get("/shipments/<int:shipment_id>")
def shipment(shipment_id: int):
    return _shipment_page(shipment_id)


@bp.post("/shipments/<int:shipment_id>/cartons")
@on_refusal(_shipment_refused)
def shipment_add(shipment_id: int):
    n = shipments.add_order(shipment_id, whole(request.form.get("order"), _("Choose the order whose cartons go.")),
                            actor_id=current_user.id)
    flash(_("%(n)d cartons added.", n=n), "info")
    return redirect(url_for("shipping.shipment", shipment_id=shipment_id), 303)


@bp.post("/shipments/<int:shipment_id>/cartons/remove")
@on_refusal(_shipment_refused)
def shipment_remove(shipment_id: int):
    n = shipments.remove_order(shipment_id, whole(request.form.get("order"), _("Choose the order whose cartons go.")),
                               actor_id=current_user.id)
    flash(_("%(n)d cartons taken out.", n=n), "info")
    return redirect(url_for("shipping.shipment", shipment_id=shipment_id), 303)


@bp.post("/shipments/<int:shipment_id>/ship")
@on_refusal(_shipment_refused)
def shipment_ship(shipment_id: int):
    s = shipments.ship(shipment_id, actor_id=current_user.id)
    flash(_("Shipment %(n)s shipped: the orders' ex-factory milestone is closed.", n=s.number), "info")
    return redirect(url_for("shipping.shipment", shipment_id=shipment_id), 303)


@bp.get("/shipments/<int:shipment_id>/packing-list.pdf")
def packing_list_pdf(shipment_id: int):
    s = shipments.get(shipment_id)
    return Response(documents.packing_list_pdf(s), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="packing-list-{s.id}.pdf"'})


@bp.get("/shipments/<int:shipment_id>/packing-list.csv")
def packing_list_csv(shipment_id: int):
    s = shipments.get(shipment_id)
    return Response(documents.packing_list_csv(s), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="packing-list-{s.id}.csv"'})


@bp.get("/shipments/<int:shipment_id>/delivery-note.pdf")
def delivery_note_pdf(shipment_id: int):
    s = shipments.get(shipment_id)
    return Response(documents.delivery_note_pdf(s), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="delivery-note-{s.id}.pdf"'})


# ---- final audit on packed cartons ---------------------------------------------------------------------------

@bp.post("/packing/audits")
def audit_start():
    f = request.form
    a = audits.start(order_id=whole(f.get("order"), _("Choose the order or shipment being audited.")),
                     shipment_id=whole(f.get("shipment"), _("Choose the order or shipment being audited.")),
                     inspector_id=current_user.id)
    return redirect(url_for("shipping.audit", audit_id=a.id), 303)


def _audit_page(audit_id: int, error=None, status=200):
    return render_template("packing/audit.html", a=audits.get(audit_id), error=error, form=request.form), status


@bp.get("/packing/audits/<int:audit_id>")
def audit(audit_id: int):
    return _audit_page(audit_id)


@bp.post("/packing/audits/<int:audit_id>")
@on_refusal(lambda e: _audit_page(request.view_args["audit_id"], e.message, e.status))
def audit_record(audit_id: int):
    a = audits.get(audit_id)
    counts = _("Defect counts must be whole numbers, 0 or more.")
    findings = [audits.Finding(c.carton_id, *(whole(request.form.get(f"{k}-{c.carton_id}"), counts, minimum=0,
                                                     maximum=10_000, default=0) for k in ("critical", "major", "minor")))
                for c in a.cartons]
    audits.record(audit_id, findings, inspector_id=current_user.id)
    return redirect(url_for("shipping.audit", audit_id=audit_id), 303)
